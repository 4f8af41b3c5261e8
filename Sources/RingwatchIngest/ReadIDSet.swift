import CPrefetch
import RingwatchCore

/// An exact set of read ids (64-bit numbers) for the duplicate filter: open addressing with
/// linear probing, split into shards that grow and shrink one at a time.
///
/// Membership is decided by the whole 64-bit id, compared exactly: ids that land on the same
/// slot are all kept, one after another, so a collision of slots can neither drop a read as a
/// duplicate nor let a duplicate through. (Two reads with the same `ReadID` are the same read
/// to the whole engine, as they always were.)
///
/// Why not `ShardedDictionary<Void>`: an insert there hashed the id with SipHash, checked that
/// the shard's storage was not shared (reading its header: a cache miss at national volume),
/// then read its occupancy bits and its keys (more misses). Here the shards' addresses and
/// sizes sit in one small array that stays in cache, an id is mixed with a few multiplies and
/// shifts, and the slot it probes and the ones after it share a cache line: one miss an insert.
/// Memory per id is the dictionary's: eight bytes a slot, kept between 3/8 and 3/4 full (a
/// shard doubles past 3/4 and halves below 1/8).
///
/// A shard doubles on its own (rehashing a `shardCount`-th of the ids), so no insert stops the
/// ingest thread for long, as with `ShardedDictionary`. Slots are picked from the id mixed with
/// a per-set random seed, so that a sender cannot choose ids that all probe one long run.
///
/// A value type: copies share storage until one of them changes (copy on write).
public struct ReadIDSet: Sendable {
    private var storage: Storage

    /// Slots of a shard when it first gets an id, and the fewest it shrinks to.
    static let minimumCapacity = 16

    /// - Parameters:
    ///   - shardCount: a power of two (1: one table).
    ///   - seed: mixes the slot choice; random unless given (tests give one to fix the layout).
    public init(shardCount: Int = ShardedDictionary<Void>.defaultShardCount, seed: UInt64? = nil) {
        precondition(shardCount > 0 && shardCount & (shardCount - 1) == 0, "the shard count must be a power of two")
        var generator = SystemRandomNumberGenerator()
        storage = Storage(shardCount: shardCount, seed: seed ?? generator.next())
    }

    public var count: Int { storage.count }

    public var shardCount: Int { storage.shardCount }

    /// Slots allocated in all shards (memory is eight bytes a slot).
    public var capacity: Int { storage.capacity }

    public func contains(_ id: UInt64) -> Bool { storage.contains(id) }

    /// Starts bringing the slot where `id` would be looked up into the cache, without waiting:
    /// an `insert` or `contains` of it a little later then finds it there instead of waiting
    /// for memory (once the set outgrows the caches, that wait is most of an insert's cost).
    @inline(__always)
    public func prefetch(_ id: UInt64) { storage.prefetch(id) }

    /// Adds `id`; false when it was already there.
    @discardableResult
    public mutating func insert(_ id: UInt64) -> Bool {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage.insert(id)
    }

    /// Removes `id`; false when it was not there.
    @discardableResult
    public mutating func remove(_ id: UInt64) -> Bool {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage.remove(id)
    }

    /// The id mixed with the seed (splitmix64's finaliser): its low bits pick the shard, its
    /// high bits the slot, so the two choices are independent.
    @inline(__always)
    static func mixed(_ id: UInt64, seed: UInt64) -> UInt64 {
        var z = id ^ seed
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The slot where a probe for an id of mixed value `hash` starts, in a shard of `mask + 1` slots.
    @inline(__always)
    static func home(of hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 24) & mask }
}

extension ReadIDSet {
    /// One shard: `mask + 1` slots (a power of two, or none), 0 marking an empty slot.
    struct Shard {
        var slots: UnsafeMutablePointer<UInt64>?
        var mask = -1
        var count = 0

        var capacity: Int { mask + 1 }
    }

    /// The shards, in memory the set owns.
    final class Storage: @unchecked Sendable {
        // @unchecked: `ReadIDSet` changes a storage only when it holds the one reference to it
        // (copy on write), so a storage shared between threads is never written.
        let shards: UnsafeMutablePointer<Shard>
        let shardCount: Int
        let seed: UInt64
        /// Whether the id 0 is in the set (0 marks an empty slot, so it cannot be stored in one).
        var hasZero = false
        var count = 0

        init(shardCount: Int, seed: UInt64) {
            self.shardCount = shardCount
            self.seed = seed
            shards = .allocate(capacity: shardCount)
            shards.initialize(repeating: Shard(), count: shardCount)
        }

        deinit {
            for index in 0..<shardCount { shards[index].slots?.deallocate() }
            shards.deinitialize(count: shardCount)
            shards.deallocate()
        }

        func copy() -> Storage {
            let copy = Storage(shardCount: shardCount, seed: seed)
            copy.hasZero = hasZero
            copy.count = count
            for index in 0..<shardCount where shards[index].slots != nil {
                let shard = shards[index]
                let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: shard.capacity)
                slots.update(from: shard.slots!, count: shard.capacity)
                copy.shards[index] = Shard(slots: slots, mask: shard.mask, count: shard.count)
            }
            return copy
        }

        var capacity: Int { (0..<shardCount).reduce(0) { $0 + shards[$1].capacity } }

        @inline(__always)
        private func shard(of hash: UInt64) -> UnsafeMutablePointer<Shard> {
            shards + (Int(truncatingIfNeeded: hash) & (shardCount - 1))
        }

        @inline(__always)
        func prefetch(_ id: UInt64) {
            let hash = ReadIDSet.mixed(id, seed: seed)
            let shard = shard(of: hash).pointee
            guard let slots = shard.slots else { return }
            ringwatch_prefetch_for_write(slots + ReadIDSet.home(of: hash, mask: shard.mask))
        }

        func contains(_ id: UInt64) -> Bool {
            if id == 0 { return hasZero }
            let hash = ReadIDSet.mixed(id, seed: seed)
            let shard = shard(of: hash).pointee
            guard let slots = shard.slots else { return false }
            var index = ReadIDSet.home(of: hash, mask: shard.mask)
            while true {
                let stored = slots[index]
                if stored == id { return true }
                if stored == 0 { return false }
                index = (index + 1) & shard.mask
            }
        }

        func insert(_ id: UInt64) -> Bool {
            if id == 0 {
                guard !hasZero else { return false }
                hasZero = true
                count += 1
                return true
            }
            let hash = ReadIDSet.mixed(id, seed: seed)
            let shard = shard(of: hash)
            if let slots = shard.pointee.slots {
                let mask = shard.pointee.mask
                var index = ReadIDSet.home(of: hash, mask: mask)
                while true {
                    let stored = slots[index]
                    if stored == id { return false }
                    if stored == 0 { break }
                    index = (index + 1) & mask
                }
                // Placing it here keeps the shard at most 3/4 full, so every probe ends.
                if (shard.pointee.count + 1) * 4 <= shard.pointee.capacity * 3 {
                    slots[index] = id
                    shard.pointee.count += 1
                    count += 1
                    return true
                }
            }
            resize(shard, to: Swift.max(ReadIDSet.minimumCapacity, shard.pointee.capacity * 2))
            place(id, hash: hash, in: shard.pointee)
            shard.pointee.count += 1
            count += 1
            return true
        }

        /// Removes `id` and closes the gap it leaves (backward shift: each later id of the run
        /// that may sit in the freed slot moves into it), so no tombstones build up.
        func remove(_ id: UInt64) -> Bool {
            if id == 0 {
                guard hasZero else { return false }
                hasZero = false
                count -= 1
                return true
            }
            let hash = ReadIDSet.mixed(id, seed: seed)
            let shard = shard(of: hash)
            guard let slots = shard.pointee.slots else { return false }
            let mask = shard.pointee.mask
            var hole = ReadIDSet.home(of: hash, mask: mask)
            while true {
                let stored = slots[hole]
                if stored == 0 { return false }
                if stored == id { break }
                hole = (hole + 1) & mask
            }
            var next = (hole + 1) & mask
            while true {
                let stored = slots[next]
                if stored == 0 { break }
                let home = ReadIDSet.home(of: ReadIDSet.mixed(stored, seed: seed), mask: mask)
                // `stored` may move back into the hole when the hole lies (cyclically) between
                // its home and where it sits: a probe from its home then still finds it.
                if (next &- home) & mask >= (next &- hole) & mask {
                    slots[hole] = stored
                    hole = next
                }
                next = (next + 1) & mask
            }
            slots[hole] = 0
            shard.pointee.count -= 1
            count -= 1
            if shard.pointee.count == 0 {
                slots.deallocate()
                shard.pointee = Shard()
            } else if shard.pointee.capacity > ReadIDSet.minimumCapacity, shard.pointee.count * 8 < shard.pointee.capacity {
                resize(shard, to: shard.pointee.capacity / 2)
            }
            return true
        }

        /// Puts `id`, known to be absent, in the first empty slot from its home.
        @inline(__always)
        private func place(_ id: UInt64, hash: UInt64, in shard: Shard) {
            let slots = shard.slots!
            var index = ReadIDSet.home(of: hash, mask: shard.mask)
            while slots[index] != 0 { index = (index + 1) & shard.mask }
            slots[index] = id
        }

        private func resize(_ shard: UnsafeMutablePointer<Shard>, to capacity: Int) {
            let old = shard.pointee
            let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            slots.initialize(repeating: 0, count: capacity)
            let resized = Shard(slots: slots, mask: capacity - 1, count: old.count)
            if let oldSlots = old.slots {
                for index in 0..<old.capacity where oldSlots[index] != 0 {
                    place(oldSlots[index], hash: ReadIDSet.mixed(oldSlots[index], seed: seed), in: resized)
                }
                oldSlots.deallocate()
            }
            shard.pointee = resized
        }
    }
}
