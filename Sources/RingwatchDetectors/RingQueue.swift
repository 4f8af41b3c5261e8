/// A first-in, first-out queue kept in a ring of slots: taking from the front moves nothing.
///
/// An array used as a queue must sooner or later drop its taken front with `removeFirst(_:)`,
/// which moves everything behind it at once: megabytes for the convoy tracker's queues at
/// national volume, paid by whichever read happens to trigger it. Here only growth copies, and
/// growth stops once the queue has reached the size the traffic needs.
struct RingQueue<Element> {
    /// The ring; every slot holds a value (spare ones a copy of some element) so that it can
    /// be an ordinary array.
    private var slots: [Element] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The oldest element, if any.
    var first: Element? { count == 0 ? nil : slots[head] }

    mutating func append(_ element: Element) {
        if count == slots.count { grow(filling: element) }
        var index = head + count
        if index >= slots.count { index -= slots.count }
        slots[index] = element
        count += 1
    }

    /// Removes and returns the oldest element; the queue must not be empty.
    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(count > 0, "removeFirst on an empty RingQueue")
        let element = slots[head]
        head += 1
        if head == slots.count { head = 0 }
        count -= 1
        return element
    }

    /// Doubles the ring, oldest element first.
    private mutating func grow(filling spare: Element) {
        var grown: [Element] = []
        let size = max(16, 2 * slots.count)
        grown.reserveCapacity(size)
        grown += slots[head...]
        grown += slots[..<head]
        grown += repeatElement(spare, count: size - grown.count)
        slots = grown
        head = 0
    }
}
