import Foundation

/// A bounded queue between one producing and one consuming thread that moves elements in
/// batches: the producer appends a batch, the consumer takes everything waiting at once.
///
/// Bounded so that a consumer that falls behind slows the producer down instead of letting
/// memory grow: `put` blocks while `capacity` elements wait. One lock round trip per batch,
/// not per element, keeps the hand-over cheap at hundreds of thousands of elements a second.
///
/// Batches travel as the producer's arrays (`put(moving:)`, `takeBatches`): no element is
/// copied on the way, which for the ingest stage's items (a decoded read each, with strings and
/// arrays to retain and release) was a tenth of the ingest thread's time. The consumer hands
/// emptied arrays back (`recycle`) and the producer fills them again, so that in a steady
/// stream no batch is allocated either.
final class Handoff<Element>: @unchecked Sendable {
    // @unchecked: every member is read and written under `condition`.
    private let condition = NSCondition()
    private var waiting: [[Element]] = []
    /// Elements in `waiting`.
    private var waitingCount = 0
    /// Emptied batch arrays (capacity kept) for the producer to fill again.
    private var spare: [[Element]] = []
    private var finished = false
    /// Elements the queue holds before `put` blocks.
    let capacity: Int
    /// How many times `put` had to wait for the consumer.
    private(set) var producerWaits = 0

    /// Spare arrays kept at most: enough for everything waiting plus what the consumer holds.
    private static var maximumSpare: Int { 64 }

    init(capacity: Int) {
        precondition(capacity > 0, "a handoff needs room for at least one element")
        self.capacity = capacity
    }

    /// Appends `batch`, waiting while the queue is full. After `finish()` it drops nothing and
    /// waits no more: what was put is still taken.
    func put(_ batch: [Element]) {
        var batch = batch
        put(moving: &batch)
    }

    /// Appends `batch` as it is, without copying its elements, waiting while the queue is full,
    /// and leaves an empty array in its place (one with room, when the consumer gave one back).
    func put(moving batch: inout [Element]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if waitingCount >= capacity && !finished {
            producerWaits += 1
            while waitingCount >= capacity && !finished { condition.wait() }
        }
        waitingCount += batch.count
        var replacement = spare.popLast() ?? []
        swap(&replacement, &batch)
        waiting.append(replacement)
        condition.broadcast()
    }

    /// Says the producer is done; `take` returns nil once the queue is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Every batch waiting, in the order put (none when nothing came within `timeout` seconds),
    /// or nil when the producer has finished and nothing is left.
    func takeBatches(waitingAtMost timeout: TimeInterval) -> [[Element]]? {
        condition.lock()
        defer { condition.unlock() }
        if waiting.isEmpty && !finished {
            let deadline = Date(timeIntervalSinceNow: timeout)
            while waiting.isEmpty && !finished {
                if !condition.wait(until: deadline) { break }
            }
        }
        if waiting.isEmpty { return finished ? nil : [] }
        return takeWaiting()
    }

    /// Every batch waiting now, without waiting for more (none when nothing is).
    func takeAvailableBatches() -> [[Element]] {
        condition.lock()
        defer { condition.unlock() }
        return waiting.isEmpty ? [] : takeWaiting()
    }

    /// Moves out what waits and wakes a producer waiting for room; under the lock.
    private func takeWaiting() -> [[Element]] {
        var taken: [[Element]] = []
        taken.reserveCapacity(waiting.count)
        swap(&taken, &waiting)
        waitingCount = 0
        condition.broadcast()
        return taken
    }

    /// Everything waiting as one array (an empty array when nothing came within `timeout`
    /// seconds), or nil when the producer has finished and nothing is left.
    func take(waitingAtMost timeout: TimeInterval) -> [Element]? {
        guard let batches = takeBatches(waitingAtMost: timeout) else { return nil }
        return batches.count == 1 ? batches[0] : Array(batches.joined())
    }

    /// Gives taken batches back for the producer to fill again; their elements are released
    /// here, on the consumer's thread. Leaves `batches` empty.
    func recycle(_ batches: inout [[Element]]) {
        for index in batches.indices { batches[index].removeAll(keepingCapacity: true) }
        condition.lock()
        while spare.count < Self.maximumSpare, let batch = batches.popLast() { spare.append(batch) }
        condition.unlock()
        batches.removeAll()
    }

    /// Elements waiting now.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return waitingCount
    }
}
