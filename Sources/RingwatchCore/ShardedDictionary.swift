/// A dictionary keyed by 64-bit numbers (plate keys, read ids), split into many small
/// dictionaries by the key's mixed bits, so that no single insert or sweep touches all of it.
///
/// The read path keeps tables with an entry per vehicle or per read of the last day or week:
/// at national volume millions of entries. A `Dictionary` that outgrows its storage rehashes
/// every entry in the insert that crossed the line, and a sweep for stale entries visits every
/// entry at once; either stops the thread for a tenth of a second or more. Here a shard holds a
/// `shardCount`-th of the entries: it doubles on its own (the shards, filling at about the
/// same pace, double one after another over many inserts), and callers sweep one shard at a
/// time (`removeAll(inShard:where:)`), spread over the reads.
public struct ShardedDictionary<Value> {
    private var shards: [[UInt64: Value]]
    private let shift: UInt64
    public private(set) var count = 0

    /// The default number of shards.
    public static var defaultShardCount: Int { 1024 }

    /// - Parameter shardCount: a power of two (1: one plain dictionary).
    public init(shardCount: Int = defaultShardCount) {
        precondition(shardCount > 0 && shardCount & (shardCount - 1) == 0, "the shard count must be a power of two")
        shards = Array(repeating: [:], count: shardCount)
        shift = UInt64(64 - shardCount.trailingZeroBitCount)
    }

    public var shardCount: Int { shards.count }

    /// The shard of `key`: the top bits of the key times the golden ratio, which spreads plate
    /// keys (whose low bits are their last characters) as evenly as hashed ids. With one shard
    /// the shift is 64, and shifting a `UInt64` by its width gives 0.
    @inline(__always)
    public func shard(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    public subscript(key: UInt64) -> Value? {
        get { shards[shard(of: key)][key] }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Stores `value` under `key`; returns the value it replaced.
    @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: UInt64) -> Value? {
        let old = shards[shard(of: key)].updateValue(value, forKey: key)
        if old == nil { count += 1 }
        return old
    }

    @discardableResult
    public mutating func removeValue(forKey key: UInt64) -> Value? {
        let old = shards[shard(of: key)].removeValue(forKey: key)
        if old != nil { count -= 1 }
        return old
    }

    /// Calls `body` with the value under `key` (nil when absent) to change in place: one hash
    /// lookup where a removal and a re-insertion take two, and a value holding an array stays
    /// uniquely referenced, so appending to it does not copy. Setting nil removes the entry.
    @inline(__always)
    public mutating func withValue<Result>(forKey key: UInt64, _ body: (inout Value?) throws -> Result) rethrows -> Result {
        let index = shard(of: key)
        let before = shards[index].count
        defer { count += shards[index].count - before }
        return try body(&shards[index][key])
    }

    /// Removes the entries of shard `index` that `shouldBeRemoved` picks; returns how many.
    @discardableResult
    public mutating func removeAll(inShard index: Int, where shouldBeRemoved: (Value) -> Bool) -> Int {
        let before = shards[index].count
        // Filtering builds a shard sized to what stays, so memory follows the traffic down too.
        if shards[index].values.contains(where: shouldBeRemoved) { shards[index] = shards[index].filter { !shouldBeRemoved($0.value) } }
        let removed = before - shards[index].count
        count -= removed
        return removed
    }
}

extension ShardedDictionary: Sendable where Value: Sendable {}
