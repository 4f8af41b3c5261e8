import Foundation

/// A bounded queue between one producing and one consuming thread that moves elements in
/// batches: the producer appends a batch, the consumer takes everything waiting at once.
///
/// Bounded so that a consumer that falls behind slows the producer down instead of letting
/// memory grow: `put` blocks while `capacity` elements wait. One lock round trip per batch,
/// not per element, keeps the hand-over cheap at hundreds of thousands of elements a second.
final class Handoff<Element>: @unchecked Sendable {
    // @unchecked: every member is read and written under `condition`.
    private let condition = NSCondition()
    private var waiting: [Element] = []
    private var finished = false
    /// Elements the queue holds before `put` blocks.
    let capacity: Int
    /// How many times `put` had to wait for the consumer.
    private(set) var producerWaits = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a handoff needs room for at least one element")
        self.capacity = capacity
    }

    /// Appends `batch`, waiting while the queue is full. After `finish()` it drops nothing and
    /// waits no more: what was put is still taken.
    func put(_ batch: [Element]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if waiting.count >= capacity && !finished {
            producerWaits += 1
            while waiting.count >= capacity && !finished { condition.wait() }
        }
        waiting.append(contentsOf: batch)
        condition.broadcast()
    }

    /// Says the producer is done; `take` returns nil once the queue is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Everything waiting (an empty array when nothing came within `timeout` seconds), or nil
    /// when the producer has finished and nothing is left.
    func take(waitingAtMost timeout: TimeInterval) -> [Element]? {
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

    /// Everything waiting now, without waiting for more (an empty array when nothing is).
    func takeAvailable() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        return waiting.isEmpty ? [] : takeWaiting()
    }

    /// Moves out what waits and wakes a producer waiting for room; under the lock.
    private func takeWaiting() -> [Element] {
        var taken: [Element] = []
        taken.reserveCapacity(Swift.min(waiting.count, capacity))
        swap(&taken, &waiting)
        condition.broadcast()
        return taken
    }

    /// Elements waiting now.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting.count
    }
}
