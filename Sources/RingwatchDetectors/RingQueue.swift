/// A first-in, first-out queue kept in fixed-size chunks: taking from the front moves nothing,
/// and neither does growing.
///
/// An array used as a queue must sooner or later drop its taken front with `removeFirst(_:)`,
/// which moves everything behind it at once: megabytes for the convoy tracker's queues at
/// national volume, paid by whichever read happens to trigger it. A ring of slots fixes that
/// but still copies the whole ring each time it doubles (up to 10 ms for one read, at a million
/// trail entries). Here a full chunk is followed by a new one, and an emptied front chunk is
/// kept for reuse, so no operation touches more than one chunk.
struct RingQueue<Element> {
    /// Elements per chunk.
    static var chunkSize: Int { 4_096 }

    /// Oldest first; every chunk but the last is full.
    private var chunks: [[Element]] = []
    /// Elements already taken from the first chunk.
    private var head = 0
    /// An emptied chunk, kept for the next one needed (its capacity stays allocated).
    private var spare: [Element] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The oldest element, if any.
    var first: Element? { count == 0 ? nil : chunks[0][head] }

    mutating func append(_ element: Element) {
        if let last = chunks.indices.last, chunks[last].count < Self.chunkSize {
            chunks[last].append(element)
        } else {
            var chunk: [Element] = []
            swap(&chunk, &spare)
            chunk.reserveCapacity(Self.chunkSize)
            chunk.append(element)
            chunks.append(chunk)
        }
        count += 1
    }

    /// Removes and returns the oldest element; the queue must not be empty.
    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(count > 0, "removeFirst on an empty RingQueue")
        let element = chunks[0][head]
        head += 1
        count -= 1
        if head == chunks[0].count {
            // The first chunk is used up (full, or the last one and now empty): keep it for reuse.
            spare = chunks.removeFirst()
            spare.removeAll(keepingCapacity: true)
            head = 0
        }
        return element
    }
}
