#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which of up to 64 cameras each plate passed: an open-addressing map from packed plate keys
/// (`PlateKey.rawValue`, never 0) to 64-bit camera masks, for counting route candidates.
///
/// A month's candidate windows at national volume are tens of millions of index rows of about a
/// million plates. A `Dictionary<PlateKey, UInt64>` hashed every row with SipHash and rehashed
/// everything with it each time it grew. Here a key and its mask share a slot, probing is
/// linear and the table is kept at most half full; a row costs a multiply and one cache line.
///
/// At a million plates the table is tens of megabytes, so nearly every row's slot is a cache
/// miss, and a miss taken between two steps of SQLite is taken alone. So rows are not placed at
/// once: they wait in a small batch, and the batch is placed in two passes, the first only
/// loading each row's slot (independent loads the processor overlaps, many misses in flight),
/// the second placing the rows in slots that are now in cache. Large tables ask the kernel for
/// huge pages, so the loads do not miss in the TLB as well.
///
/// Each thread of a search counts into its own table; `formUnion(_:)` merges them.
final class PlateMaskTable {
    /// Key and mask side by side; key 0 marks an empty slot.
    private var slots: Slots
    /// Plates placed in `slots`.
    private var placed = 0
    /// Rows waiting to be placed.
    private let batchKeys: UnsafeMutablePointer<UInt64>
    private let batchMasks: UnsafeMutablePointer<UInt64>
    private let batchHomes: UnsafeMutablePointer<Int>
    /// The batch of plates moved to a larger table while the table grows.
    private let relocatedKeys: UnsafeMutablePointer<UInt64>
    private let relocatedMasks: UnsafeMutablePointer<UInt64>
    private var waiting = 0
    /// Rows per batch: enough to keep many misses in flight, few enough that their slots stay
    /// in cache until the second pass.
    static let batchSize = 256

    init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity { size <<= 1 }
        slots = Slots(capacity: size)
        batchKeys = .allocate(capacity: Self.batchSize)
        batchMasks = .allocate(capacity: Self.batchSize)
        batchHomes = .allocate(capacity: Self.batchSize)
        relocatedKeys = .allocate(capacity: Self.batchSize)
        relocatedMasks = .allocate(capacity: Self.batchSize)
    }

    deinit {
        batchKeys.deallocate()
        batchMasks.deallocate()
        batchHomes.deallocate()
        relocatedKeys.deallocate()
        relocatedMasks.deallocate()
    }

    /// Plates stored.
    var count: Int {
        placeWaiting()
        return placed
    }

    /// Sets the bits of `mask` for the plate `key` (not 0), adding the plate when it is new.
    @inline(__always)
    func formUnion(key: UInt64, mask: UInt64) {
        batchKeys[waiting] = key
        batchMasks[waiting] = mask
        waiting += 1
        if waiting == Self.batchSize { placeWaiting() }
    }

    /// The mask of `key`; 0 when the plate is not in the table.
    func mask(of key: UInt64) -> UInt64 {
        placeWaiting()
        return slots.mask(of: key)
    }

    /// Adds every plate of `other`, OR-ing the masks of plates in both.
    func formUnion(_ other: PlateMaskTable) {
        other.forEach { key, mask in formUnion(key: key, mask: mask) }
        placeWaiting()
    }

    /// Calls `body` with each plate's key and mask, in no particular order.
    func forEach(_ body: (_ key: UInt64, _ mask: UInt64) throws -> Void) rethrows {
        placeWaiting()
        try slots.forEach(body)
    }

    /// Places the waiting rows.
    private func placeWaiting() {
        guard waiting > 0 else { return }
        // Room for every waiting row as a new plate, so no slot moves between the passes.
        while (placed + waiting) * 2 > slots.capacity { grow() }
        placed += slots.place(keys: batchKeys, masks: batchMasks, count: waiting, homes: batchHomes)
        waiting = 0
    }

    /// Twice the slots, every plate placed again (a batch at a time, as rows are).
    private func grow() {
        let old = slots
        slots = Slots(capacity: old.capacity * 2)
        // `batchHomes` is free: the waiting rows' homes are computed after the table has grown.
        var start = 0
        while start < old.capacity {
            var taken = 0
            while taken < Self.batchSize && start < old.capacity {
                let key = old.key(at: start)
                if key != 0 {
                    relocatedKeys[taken] = key
                    relocatedMasks[taken] = old.mask(at: start)
                    taken += 1
                }
                start += 1
            }
            _ = slots.place(keys: relocatedKeys, masks: relocatedMasks, count: taken, homes: batchHomes)
        }
    }

    /// The slots themselves: mapped from the kernel when large (zero pages, huge where it can),
    /// from the allocator when small.
    private final class Slots {
        let base: UnsafeMutablePointer<UInt64>
        /// Slots, a power of two.
        let capacity: Int
        /// 64 minus log2(capacity): the home slot is the top bits of the product.
        private let shift: UInt64
        private let bytes: Int
        private let mapped: Bool

        /// Above this many bytes the slots are mapped.
        static let mappingThreshold = 2 << 20

        init(capacity: Int) {
            self.capacity = capacity
            shift = UInt64(64 - capacity.trailingZeroBitCount)
            bytes = 2 * capacity * MemoryLayout<UInt64>.stride
            if bytes >= Self.mappingThreshold,
                let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                address != MAP_FAILED
            {
                #if os(Linux)
                    // Advice only: without huge pages the table works the same, more slowly.
                    _ = madvise(address, bytes, MADV_HUGEPAGE)
                #endif
                base = address.bindMemory(to: UInt64.self, capacity: 2 * capacity)
                mapped = true
            } else {
                guard let address = calloc(2 * capacity, MemoryLayout<UInt64>.stride) else {
                    fatalError("out of memory for \(bytes) bytes")
                }
                base = address.bindMemory(to: UInt64.self, capacity: 2 * capacity)
                mapped = false
            }
        }

        deinit {
            if mapped {
                munmap(base, bytes)
            } else {
                free(base)
            }
        }

        /// Fibonacci hashing: plate keys are base-37 numbers that differ in their low digits,
        /// and the multiply carries those differences into the top bits the slot is taken from.
        @inline(__always)
        func home(of key: UInt64) -> Int {
            Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        }

        @inline(__always)
        func key(at slot: Int) -> UInt64 { base[2 * slot] }

        @inline(__always)
        func mask(at slot: Int) -> UInt64 { base[2 * slot + 1] }

        /// What the first pass of `place` loaded, kept so the loads are not optimised away.
        private var touched: UInt64 = 0

        /// Places `count` rows (keys and masks) in two passes: the first computes each row's home
        /// slot into `homes` and loads it, the second places the rows. Returns the keys that
        /// were new. The caller keeps room for all of them.
        func place(
            keys: UnsafeMutablePointer<UInt64>, masks: UnsafeMutablePointer<UInt64>, count: Int,
            homes: UnsafeMutablePointer<Int>
        ) -> Int {
            var touched: UInt64 = 0
            for row in 0..<count {
                let home = home(of: keys[row])
                homes[row] = home
                touched &+= base[2 * home]
            }
            self.touched &+= touched
            var added = 0
            for row in 0..<count where formUnion(key: keys[row], mask: masks[row], from: homes[row]) { added += 1 }
            return added
        }

        /// ORs `mask` into `key`'s slot, probing from `home`; true when the key is new. The
        /// caller keeps the table at most half full, so an empty slot is always found.
        @inline(__always)
        func formUnion(key: UInt64, mask: UInt64, from home: Int) -> Bool {
            let last = capacity - 1
            var slot = home
            while true {
                let stored = base[2 * slot]
                if stored == key {
                    base[2 * slot + 1] |= mask
                    return false
                }
                if stored == 0 {
                    base[2 * slot] = key
                    base[2 * slot + 1] = mask
                    return true
                }
                slot = (slot + 1) & last
            }
        }

        func mask(of key: UInt64) -> UInt64 {
            let last = capacity - 1
            var slot = home(of: key)
            while case let stored = base[2 * slot], stored != 0 {
                if stored == key { return base[2 * slot + 1] }
                slot = (slot + 1) & last
            }
            return 0
        }

        func forEach(_ body: (_ key: UInt64, _ mask: UInt64) throws -> Void) rethrows {
            for slot in 0..<capacity where base[2 * slot] != 0 {
                try body(base[2 * slot], base[2 * slot + 1])
            }
        }
    }
}
