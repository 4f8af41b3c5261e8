import RingwatchCore
import RingwatchTesting
import Testing

@testable import RingwatchRegistry

@Suite("VehicleTable")
struct VehicleTableTests {
    /// Distinct Belgian-format plate keys from a fixed seed.
    static func plateKeys(_ count: Int, seed: UInt64) -> [UInt64] {
        var random = SeededRandom(seed: seed)
        var keys: [UInt64] = []
        var seen: Set<UInt64> = []
        while keys.count < count {
            let key = PlateKey(random.belgianPlate())!.rawValue
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    @Test func everyKeyFindsItsWordAndAbsentKeysFindNothing() {
        let all = Self.plateKeys(60_000, seed: 11)
        let stored = Array(all[..<50_000]), absent = all[50_000...]
        let table = VehicleTable(keys: stored, words: stored.map { $0 &* 3 })
        #expect(table.count == stored.count)
        #expect(table.capacity == VehicleTable.capacity(forCount: stored.count))
        #expect(stored.allSatisfy { table.word(for: $0) == $0 &* 3 })
        #expect(absent.allSatisfy { table.word(for: $0) == nil })
        #expect(table.word(for: 0) == nil)
    }

    @Test func consecutivePlateKeysKeepProbesShort() {
        // The registry's keys cluster: a series of plates differs only in its last digits.
        let first = PlateKey("1ABC000")!.rawValue
        let keys = (0..<200_000).map { first + UInt64($0) }
        let table = VehicleTable(keys: keys, words: keys)
        #expect(keys.allSatisfy { table.word(for: $0) == $0 })
        #expect(table.word(for: first - 1) == nil && table.word(for: first + 200_000) == nil)
        // Robin Hood insertion at a load of 0.8: no key far from its home.
        #expect(table.longestProbe < 48)
    }

    @Test func keysSharingOneHomeSlotAreAllFoundAndTheirAbsentNeighboursAreNot() {
        // Keys chosen so that 30 of them start their search at the same slot, and a few more at
        // the last slot, whose probes wrap around to the first.
        let count = 100
        let capacity = VehicleTable.capacity(forCount: count)
        var sameHome: [UInt64] = [], lastSlot: [UInt64] = [], others: [UInt64] = []
        var key: UInt64 = 1
        while sameHome.count < 40 || lastSlot.count < 8 || others.count < count - 35 {
            switch VehicleTable.home(of: key, capacity: capacity) {
            case 17: if sameHome.count < 40 { sameHome.append(key) }
            case capacity - 1: if lastSlot.count < 8 { lastSlot.append(key) }
            default: if others.count < count - 35 { others.append(key) }
            }
            key += 1
        }
        // Stored: 30 + 5 + 65; the rest of each group share the home slots but are absent.
        let stored = sameHome.prefix(30) + lastSlot.prefix(5) + others
        let absent = sameHome.suffix(10) + lastSlot.suffix(3)
        let table = VehicleTable(keys: Array(stored), words: stored.map { ~$0 })
        #expect(table.count == count && table.capacity == capacity)
        #expect(stored.allSatisfy { table.word(for: $0) == ~$0 })
        #expect(absent.count == 13 && absent.allSatisfy { table.word(for: $0) == nil })
        #expect(table.longestProbe >= 29)
    }

    @Test func anEmptyTableHoldsNothing() {
        let table = VehicleTable(keys: [], words: [])
        #expect(table.count == 0)
        #expect(table.word(for: PlateKey("1ABC123")!.rawValue) == nil)
        #expect(table.longestProbe == 0)
    }

    @Test func theRegistryFindsEveryPlateThroughItsTable() {
        let plates = ["A", "Z9", "1ABC123", "ZZZZZZZZZZZZ", "000000000000", "1QZX417"]
        let registry = RegistryFixtures.registry(plates.enumerated().map { "\($1),Make\($0),M,grey,car" })
        for (number, plate) in plates.enumerated() {
            #expect(registry.vehicle(registeredAs: plate)?.description.make == "Make\(number)")
            #expect(registry.contains(PlateKey(plate)!))
        }
        #expect(!registry.contains("1ABC124") && !registry.contains("B") && !registry.contains("0000000000000"))
    }
}
