import RingwatchCore
import Testing

@Suite("ShardedDictionary")
struct ShardedDictionaryTests {
    /// Plate-like keys: consecutive numbers, which differ only in their low bits.
    let keys = (1...5_000).map { UInt64($0) }

    @Test func storesReplacesAndRemovesLikeADictionary() {
        var table = ShardedDictionary<Int>(shardCount: 64)
        for key in keys { #expect(table.updateValue(Int(key), forKey: key) == nil) }
        #expect(table.count == keys.count)
        #expect(table.updateValue(-1, forKey: 7) == 7)
        #expect(table[7] == -1 && table[8] == 8 && table[9_999] == nil)
        #expect(table.count == keys.count)
        table[8] = nil
        #expect(table.removeValue(forKey: 9) == 9)
        #expect(table.removeValue(forKey: 9) == nil)
        #expect(table[8] == nil && table.count == keys.count - 2)
    }

    @Test func consecutiveKeysSpreadOverEveryShard() {
        let table = ShardedDictionary<Int>(shardCount: 64)
        var perShard = [Int](repeating: 0, count: table.shardCount)
        for key in keys { perShard[table.shard(of: key)] += 1 }
        // 5,000 keys over 64 shards: about 78 each; none empty and none holding a large share.
        #expect(perShard.min()! > 40 && perShard.max()! < 120)
    }

    @Test func sweepingOneShardLeavesTheOthersAlone() {
        var table = ShardedDictionary<Int>(shardCount: 64)
        for key in keys { table[key] = Int(key) }
        let swept = table.shard(of: 1)
        let inSwept = keys.filter { table.shard(of: $0) == swept }
        // Remove the even keys of that shard only.
        let removed = table.removeAll(inShard: swept) { $0 % 2 == 0 }
        #expect(removed == inSwept.filter { $0 % 2 == 0 }.count)
        #expect(table.count == keys.count - removed)
        for key in keys {
            let gone = table.shard(of: key) == swept && key % 2 == 0
            #expect((table[key] == nil) == gone, "key \(key)")
        }
        #expect(table.removeAll(inShard: swept) { _ in false } == 0)
    }

    @Test func oneShardIsOnePlainDictionary() {
        var table = ShardedDictionary<String>(shardCount: 1)
        #expect(keys.allSatisfy { table.shard(of: $0) == 0 })
        table[3] = "c"
        #expect(table.removeAll(inShard: 0) { $0 == "c" } == 1 && table.count == 0)
    }

    @Test func changingAValueInPlaceInsertsUpdatesAndRemovesAndKeepsTheCount() {
        var table = ShardedDictionary<[Int]>(shardCount: 64)
        for key in keys.prefix(100) { table.withValue(forKey: key) { $0 = [Int(key)] } }
        #expect(table.count == 100 && table[42] == [42])
        // Appending in place to a present value; the closure's result comes back.
        let length = table.withValue(forKey: 42) { value -> Int in
            value!.append(7)
            return value!.count
        }
        #expect(length == 2 && table[42] == [42, 7] && table.count == 100)
        // An absent key left absent is not inserted.
        #expect(table.withValue(forKey: 9_999) { $0 == nil })
        #expect(table[9_999] == nil && table.count == 100)
        table.withValue(forKey: 42) { $0 = nil }
        #expect(table[42] == nil && table.count == 99)
    }
}
