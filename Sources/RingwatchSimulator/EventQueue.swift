/// Something scheduled at an event time, with a serial number that breaks ties in the order of
/// scheduling, so equal times always come out in the same order.
protocol QueueItem {
    var time: Int64 { get }
    var serial: UInt32 { get set }
}

/// A binary min-heap on (time, serial): for messages held back (duplicates, late deliveries)
/// and for what lies beyond the `TimeWheel`'s horizon.
struct EventQueue<Item: QueueItem> {
    private var items: [Item] = []
    private var nextSerial: UInt32 = 0

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    /// The earliest item.
    var first: Item? { items.first }

    /// Schedules `item`, numbering it in order of scheduling unless it already has its number.
    mutating func push(_ item: Item, keepingSerial: Bool = false) {
        var item = item
        if !keepingSerial {
            item.serial = nextSerial
            nextSerial &+= 1
        }
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard EventQueue.precedes(item, items[parent]) else { break }
            items[child] = items[parent]
            child = parent
        }
        items[child] = item
    }

    mutating func pop() -> Item? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        var parent = 0
        let count = items.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && EventQueue.precedes(items[child + 1], items[child]) { child += 1 }
            guard EventQueue.precedes(items[child], last) else { break }
            items[parent] = items[child]
            parent = child
        }
        items[parent] = last
        return top
    }

    mutating func removeAll() { items.removeAll() }

    private static func precedes(_ a: Item, _ b: Item) -> Bool {
        a.time != b.time ? a.time < b.time : a.serial < b.serial
    }
}
