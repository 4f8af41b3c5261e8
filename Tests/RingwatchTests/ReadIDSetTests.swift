import RingwatchCore
import RingwatchTesting
import Testing

@testable import RingwatchIngest

@Suite("ReadIDSet")
struct ReadIDSetTests {
    @Test func insertContainsAndRemoveAgreeWithASet() {
        // A model check: random inserts and removals over a small id space (so that many hit
        // ids already in or already gone), with one shard and with several, compared with `Set`.
        for shards in [1, 4, 64] {
            var random = SeededRandom(seed: 2026 + UInt64(shards))
            var set = ReadIDSet(shardCount: shards, seed: 7)
            var model = Set<UInt64>()
            for step in 0..<60_000 {
                let id = random.next() % 3_000
                if random.next() % 3 == 0 {
                    #expect(set.remove(id) == (model.remove(id) != nil), "step \(step)")
                } else {
                    #expect(set.insert(id) == model.insert(id).inserted, "step \(step)")
                }
                #expect(set.count == model.count)
            }
            for id in 0..<3_000 as Range<UInt64> { #expect(set.contains(id) == model.contains(id), "id \(id)") }
        }
    }

    @Test func idsThatShareAHomeSlotAreAllKeptAndFoundAfterRemovals() throws {
        // Ids picked to land on the same slot of a 16-slot shard: one run of probes.
        let seed: UInt64 = 99
        var colliding: [UInt64] = []
        var candidate: UInt64 = 1
        while colliding.count < 10 {
            if ReadIDSet.home(of: ReadIDSet.mixed(candidate, seed: seed), mask: 15) == 5 { colliding.append(candidate) }
            candidate += 1
        }
        var set = ReadIDSet(shardCount: 1, seed: seed)
        for id in colliding { #expect(set.insert(id) == true) }
        #expect(set.capacity == 16)
        // A colliding id that was never inserted is not found: no false positive.
        var stranger = candidate
        while ReadIDSet.home(of: ReadIDSet.mixed(stranger, seed: seed), mask: 15) != 5 { stranger += 1 }
        #expect(!set.contains(stranger))
        #expect(set.insert(stranger) == true)
        #expect(set.remove(stranger) == true)
        // Removing from the middle of the run keeps everything behind it reachable.
        for (position, id) in colliding.enumerated() where position % 2 == 0 { #expect(set.remove(id) == true) }
        for (position, id) in colliding.enumerated() {
            #expect(set.contains(id) == (position % 2 == 1), "position \(position)")
            #expect(set.insert(id) == (position % 2 == 0))
        }
        #expect(set.count == colliding.count)
    }

    @Test func runsThatWrapAroundTheEndOfTheTableSurviveRemovals() {
        // Ids whose home is the last slot or the first: a run that wraps from slot 15 to slot 0.
        let seed: UInt64 = 3
        var late: [UInt64] = [], early: [UInt64] = []
        var candidate: UInt64 = 1
        while late.count < 4 || early.count < 3 {
            let home = ReadIDSet.home(of: ReadIDSet.mixed(candidate, seed: seed), mask: 15)
            if home == 15, late.count < 4 { late.append(candidate) }
            if home == 0, early.count < 3 { early.append(candidate) }
            candidate += 1
        }
        var set = ReadIDSet(shardCount: 1, seed: seed)
        for id in late + early { #expect(set.insert(id) == true) }
        #expect(set.capacity == 16)
        #expect(set.remove(late[0]) == true)
        #expect(set.remove(early[0]) == true)
        for id in late.dropFirst() + early.dropFirst() { #expect(set.contains(id)) }
        #expect(!set.contains(late[0]) && !set.contains(early[0]))
        #expect(set.count == 5)
    }

    @Test func prefetchingChangesNothing() {
        var set = ReadIDSet(shardCount: 4, seed: 12)
        set.prefetch(42)  // shards without slots yet
        set.prefetch(0)
        #expect(set.count == 0 && set.capacity == 0 && !set.contains(42))
        #expect(set.insert(42) == true)
        for id in 0..<1_000 as Range<UInt64> { set.prefetch(id) }
        #expect(set.count == 1 && set.contains(42) && !set.contains(41))
    }

    @Test func zeroIsAnOrdinaryID() {
        var set = ReadIDSet(shardCount: 2, seed: 1)
        #expect(!set.contains(0))
        #expect(set.insert(0) == true)
        #expect(set.insert(0) == false)
        #expect(set.contains(0) && set.count == 1)
        #expect(set.insert(UInt64.max) == true)
        #expect(set.remove(0) == true)
        #expect(set.remove(0) == false)
        #expect(!set.contains(0) && set.contains(.max) && set.count == 1)
    }

    @Test func shardsGrowPastThreeQuartersAndShrinkBelowAnEighth() {
        var set = ReadIDSet(shardCount: 1, seed: 5)
        #expect(set.capacity == 0)
        var random = SeededRandom(seed: 11)
        var ids: [UInt64] = []
        while ids.count < 100_000 {
            let id = random.next()
            if set.insert(id) { ids.append(id) }
            // Never fuller than 3/4 (a probe always ends), never emptier than 3/8 once grown.
            #expect(set.count * 4 <= set.capacity * 3)
            if set.capacity > ReadIDSet.minimumCapacity { #expect(set.count * 8 > set.capacity * 3) }
        }
        #expect(set.capacity == 262_144)
        for id in ids { #expect(set.contains(id)) }
        for (position, id) in ids.enumerated() {
            #expect(set.remove(id) == true)
            if set.count > 0 { #expect(set.count * 8 >= set.capacity || set.capacity == ReadIDSet.minimumCapacity, "after \(position)") }
        }
        #expect(set.count == 0 && set.capacity == 0)
    }

    @Test func theSeedChangesTheLayoutNotTheMembers() {
        var random = SeededRandom(seed: 21)
        let ids = (0..<5_000).map { _ in random.next() }
        var first = ReadIDSet(shardCount: 8, seed: 1), second = ReadIDSet(shardCount: 8, seed: 2)
        for id in ids { first.insert(id); second.insert(id) }
        #expect(ids.allSatisfy { first.contains($0) && second.contains($0) })
        #expect(first.count == second.count && first.count == Set(ids).count)
        // Ids that differ only in their high bits spread like any others.
        var shifted = ReadIDSet(shardCount: 8, seed: 3)
        for high in 0..<20_000 as Range<UInt64> { #expect(shifted.insert(high << 44 | 7) == true) }
        #expect(shifted.count == 20_000 && shifted.capacity <= 65_536)
    }
}

@Suite("ReadIDSet copies")
struct ReadIDSetCopyTests {
    @Test func aCopyKeepsItsOwnMembersWhenEitherChanges() {
        var original = ReadIDSet(shardCount: 4, seed: 8)
        for id in 1...100 as ClosedRange<UInt64> { original.insert(id) }
        var copy = original
        #expect(copy.insert(1_000) == true)
        #expect(copy.remove(1) == true)
        #expect(original.contains(1) && !original.contains(1_000) && original.count == 100)
        #expect(!copy.contains(1) && copy.contains(1_000) && copy.count == 100)
        original.remove(2)
        #expect(copy.contains(2) && !original.contains(2))
    }
}
