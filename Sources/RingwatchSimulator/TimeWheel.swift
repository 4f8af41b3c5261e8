/// The simulator's priority queue over the look-ahead: a calendar queue of short time buckets
/// in a ring (68 minutes at 250 ms), with a binary heap for what lies beyond.
///
/// Millions of vehicles can be on the road at high rates; a binary heap of them costs a
/// cache miss per level on every read. Here scheduling is an append to a bucket, and a bucket
/// is sorted once, by (time, serial), when reading reaches it: order is exactly that of a heap.
///
/// The queue moves forward only as far as it is asked (`earliest(before:)`), so items may be
/// scheduled at any time not before the last one asked about.
struct TimeWheel<Item: QueueItem> {
    private let width: Int64
    private let mask: Int
    private var buckets: [[Item]]
    /// Bucket number (time / width) of the current bucket.
    private var base: Int64
    /// Next unread item of the current bucket.
    private var cursor = 0
    private var currentSorted = false
    private var overflow = EventQueue<Item>()
    /// One bit per bucket: set when it may hold items (so empty stretches are skipped in one step).
    private var occupied: [UInt64]
    private var nextSerial: UInt32 = 0
    /// Items in buckets (not counting the overflow).
    private var stored = 0

    /// A wheel whose first bucket holds `start`.
    init(start: Int64, bucketMilliseconds: Int64 = 250, buckets: Int = 16_384) {
        precondition(buckets > 0 && buckets & (buckets - 1) == 0, "bucket count must be a power of two")
        width = bucketMilliseconds
        mask = buckets - 1
        self.buckets = Array(repeating: [], count: buckets)
        occupied = Array(repeating: 0, count: (buckets + 63) / 64)
        base = start.floorDivided(by: bucketMilliseconds)
    }

    var count: Int { stored + overflow.count }
    var isEmpty: Bool { count == 0 }

    mutating func push(_ item: Item) {
        var item = item
        item.serial = nextSerial
        nextSerial &+= 1
        let bucket = max(base, item.time.floorDivided(by: width))
        if bucket >= base + Int64(buckets.count) {
            overflow.push(item, keepingSerial: true)
            return
        }
        stored += 1
        let slot = Int(bucket & Int64(mask))
        if bucket == base && currentSorted {
            // Keep the bucket being read in order: insert after what has been read.
            var low = cursor, high = buckets[slot].count
            while low < high {
                let middle = (low + high) / 2
                if TimeWheel.precedes(buckets[slot][middle], item) { low = middle + 1 } else { high = middle }
            }
            buckets[slot].insert(item, at: low)
        } else {
            buckets[slot].append(item)
            occupied[slot >> 6] |= 1 << UInt64(slot & 63)
        }
    }

    /// The time of the earliest item if it is before `limit`; moves the wheel forward across
    /// empty buckets, never past `limit`.
    mutating func earliest(before limit: Int64) -> Int64? {
        let lastBucket = (limit - 1).floorDivided(by: width)
        while true {
            if stored == 0 {
                // Jump over empty time to the overflow's first item, if it is before the limit.
                guard let next = overflow.first, next.time < limit else { return nil }
                moveTo(next.time.floorDivided(by: width))
                continue
            }
            let slot = Int(base & Int64(mask))
            if cursor < buckets[slot].count {
                if !currentSorted {
                    buckets[slot].sort { $0.time != $1.time ? $0.time < $1.time : $0.serial < $1.serial }
                    currentSorted = true
                }
                let time = buckets[slot][cursor].time
                return time < limit ? time : nil
            }
            guard base < lastBucket else { return nil }
            moveTo(min(lastBucket, nextOccupied(after: base)))
        }
    }

    /// The first bucket after `bucket` whose bit is set (within the horizon), or the horizon's end.
    private func nextOccupied(after bucket: Int64) -> Int64 {
        let total = Int64(buckets.count)
        var step: Int64 = 1
        while step < total {
            let slot = Int((bucket + step) & Int64(mask))
            let word = occupied[slot >> 6] >> UInt64(slot & 63)
            if word != 0 { return bucket + step + Int64(word.trailingZeroBitCount) }
            step += Int64(64 - (slot & 63))
        }
        return bucket + total
    }

    /// Removes and returns the earliest item; call after `earliest(before:)` returned a time.
    mutating func pop() -> Item? {
        let slot = Int(base & Int64(mask))
        guard currentSorted, cursor < buckets[slot].count else { return nil }
        let item = buckets[slot][cursor]
        cursor += 1
        stored -= 1
        return item
    }

    mutating func removeAll() {
        for index in buckets.indices { buckets[index].removeAll() }
        for index in occupied.indices { occupied[index] = 0 }
        overflow.removeAll()
        stored = 0
        cursor = 0
        currentSorted = false
    }

    /// Empties the current bucket and moves to `bucket`, bringing overflow items into the horizon.
    private mutating func moveTo(_ bucket: Int64) {
        let slot = Int(base & Int64(mask))
        // Free the bucket: keeping every bucket's capacity would, after one turn of the wheel,
        // hold the busiest second's worth of journeys sixteen thousand times over.
        buckets[slot] = []
        occupied[slot >> 6] &= ~(1 << UInt64(slot & 63))
        cursor = 0
        currentSorted = false
        base = max(base + 1, bucket)
        let horizon = (base + Int64(buckets.count)) * width
        while let next = overflow.first, next.time < horizon {
            _ = overflow.pop()
            stored += 1
            let slot = Int(max(base, next.time.floorDivided(by: width)) & Int64(mask))
            buckets[slot].append(next)
            occupied[slot >> 6] |= 1 << UInt64(slot & 63)
        }
    }

    private static func precedes(_ a: Item, _ b: Item) -> Bool {
        a.time != b.time ? a.time < b.time : a.serial < b.serial
    }
}
