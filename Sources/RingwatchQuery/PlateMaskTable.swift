/// Which of up to 64 cameras each plate passed: an open-addressing map from packed plate keys
/// (`PlateKey.rawValue`, never 0) to 64-bit camera masks, for counting route candidates.
///
/// A month's candidate windows at national volume are tens of millions of index rows of about a
/// million plates. A `Dictionary<PlateKey, UInt64>` hashed every row with SipHash and rehashed
/// everything with it each time it grew; that was a third of the search's CPU. Here a row costs
/// one multiply and, nearly always, one cache line: a key and its mask share a slot, probing is
/// linear, and the table is kept at most half full.
///
/// Each thread of a search counts into its own table; `formUnion(_:)` merges them.
final class PlateMaskTable {
    /// Key and mask side by side; key 0 marks an empty slot.
    private var slots: UnsafeMutablePointer<UInt64>
    /// Slots, a power of two.
    private var capacity: Int
    /// 64 minus log2(capacity): the hash is the top bits of the product.
    private var shift: UInt64
    /// Plates stored.
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity { size <<= 1 }
        self.capacity = size
        shift = UInt64(64 - size.trailingZeroBitCount)
        slots = .allocate(capacity: 2 * size)
        slots.initialize(repeating: 0, count: 2 * size)
    }

    deinit { slots.deallocate() }

    /// Fibonacci hashing: plate keys are base-37 numbers that differ in their low digits, and the
    /// multiply carries those differences into the top bits the slot is taken from.
    @inline(__always)
    private func home(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Sets the bits of `mask` for the plate `key` (not 0), adding the plate when it is new.
    @inline(__always)
    func formUnion(key: UInt64, mask: UInt64) {
        let last = capacity - 1
        var index = home(of: key)
        while true {
            let stored = slots[2 * index]
            if stored == key {
                slots[2 * index + 1] |= mask
                return
            }
            if stored == 0 { break }
            index = (index + 1) & last
        }
        if (count + 1) * 2 > capacity {
            grow()
            formUnion(key: key, mask: mask)
            return
        }
        slots[2 * index] = key
        slots[2 * index + 1] = mask
        count += 1
    }

    /// The mask of `key`; 0 when the plate is not in the table.
    func mask(of key: UInt64) -> UInt64 {
        let last = capacity - 1
        var index = home(of: key)
        while case let stored = slots[2 * index], stored != 0 {
            if stored == key { return slots[2 * index + 1] }
            index = (index + 1) & last
        }
        return 0
    }

    /// Adds every plate of `other`, OR-ing the masks of plates in both.
    func formUnion(_ other: PlateMaskTable) {
        other.forEach { key, mask in formUnion(key: key, mask: mask) }
    }

    /// Calls `body` with each plate's key and mask, in no particular order.
    func forEach(_ body: (_ key: UInt64, _ mask: UInt64) throws -> Void) rethrows {
        for index in 0..<capacity where slots[2 * index] != 0 {
            try body(slots[2 * index], slots[2 * index + 1])
        }
    }

    /// Twice the slots, every plate placed again.
    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        shift -= 1
        slots = .allocate(capacity: 2 * capacity)
        slots.initialize(repeating: 0, count: 2 * capacity)
        count = 0
        for index in 0..<oldCapacity where old[2 * index] != 0 {
            formUnion(key: old[2 * index], mask: old[2 * index + 1])
        }
        old.deallocate()
    }
}
