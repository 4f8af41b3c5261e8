import RingwatchCore
@testable import RingwatchIndex
import RingwatchTesting
import Testing

@Suite("PlateIDTable")
struct PlateIDTableTests {
    @Test(arguments: [
        ("1ABC123", true), ("A", true), ("ZZZZZZZZZZZZ", true), ("0", true),
        ("", false), ("1-ABC-123", false), ("1abc123", false), ("ABCDEFGHJKLMN", false), ("É1", false),
    ])
    func keysExistForShortPlatesOfDigitsAndCapitalsOnly(plate: String, keyed: Bool) {
        #expect((PlateIDTable.key(of: plate) != nil) == keyed)
    }

    @Test func distinctPlatesGetDistinctKeysAndTheLengthCounts() {
        let plates = ["0", "00", "000", "A", "A0", "0A", "1ABC123", "1ABC124", "ZZZZZZZZZZZZ", "ZZZZZZZZZZZ"]
        let keys = plates.compactMap(PlateIDTable.key(of:))
        #expect(keys.count == plates.count)
        #expect(Set(keys).count == plates.count)
        #expect(!keys.contains(0))
    }

    @Test func setFindsReplacesAndRemoves() {
        var table = PlateIDTable()
        let a = PlateIDTable.key(of: "1ABC123")!, b = PlateIDTable.key(of: "1ABC124")!
        #expect(table.value(for: a) == nil)
        table.set(7, for: a)
        table.set(8, for: b)
        #expect(table.value(for: a) == 7 && table.value(for: b) == 8 && table.count == 2)
        table.set(9, for: a)
        #expect(table.value(for: a) == 9 && table.count == 2)
        let first = table.remove(a), second = table.remove(a)
        #expect(first && !second)
        #expect(table.value(for: a) == nil && table.value(for: b) == 8 && table.count == 1)
    }

    /// Against a dictionary, through growth and many removals (which shift entries back along
    /// their probe runs): every key present is found with its value, and no removed key is.
    @Test func agreesWithADictionaryThroughGrowthAndRemovals() {
        var random = SeededRandom(seed: 10)
        var table = PlateIDTable()
        var reference: [UInt64: UInt32] = [:]
        // Few distinct keys and many operations: runs in the table collide and change often.
        for step in 0..<60_000 {
            let key = UInt64(random.next() % 5_000) + 1
            if random.next() % 3 == 0 {
                let removed = table.remove(key)
                #expect(removed == (reference.removeValue(forKey: key) != nil))
            } else {
                table.set(UInt32(step), for: key)
                reference[key] = UInt32(step)
            }
        }
        #expect(table.count == reference.count)
        for key in UInt64(1)...5_000 { #expect(table.value(for: key) == reference[key]) }
        var seen: [UInt64: UInt32] = [:]
        table.forEach { seen[$0] = $1 }
        #expect(seen == reference)
    }
}

extension PlateIDTableTests {
    /// Growing moves the old slots across a few at a time: through many growths, with sets and
    /// removals of keys still in the old table between the moves, every key is found with its
    /// latest value at every step checked, and none removed is.
    @Test func growingAStepAtATimeLosesNothing() {
        var random = SeededRandom(seed: 21)
        var table = PlateIDTable()
        var reference: [UInt64: UInt32] = [:]
        var sawGrowing = 0
        for step in 0..<200_000 {
            // Mostly new keys (so the table grows to 256k slots), some repeats and removals of
            // recent ones (likely still in the old table while it grows).
            let key = random.next() % 4 == 0 ? UInt64(random.next() % UInt64(step + 1)) + 1 : UInt64(step) + 1
            if random.next() % 5 == 0 {
                let removed = table.remove(key)
                #expect(removed == (reference.removeValue(forKey: key) != nil))
            } else {
                table.set(UInt32(step), for: key)
                reference[key] = UInt32(step)
            }
            if table.isGrowing { sawGrowing += 1 }
            if step % 997 == 0 {
                #expect(table.count == reference.count)
                for probe in stride(from: UInt64(1), through: UInt64(step + 1), by: 37) { #expect(table.value(for: probe) == reference[probe]) }
            }
        }
        #expect(sawGrowing > 0)
        #expect(table.count == reference.count)
        var seen: [UInt64: UInt32] = [:]
        table.forEach { seen[$0] = $1 }
        #expect(seen == reference)
    }

    /// A copy taken while the table grows is its own table.
    @Test func aCopyTakenWhileGrowingIsIndependent() {
        var table = PlateIDTable()
        var key: UInt64 = 1
        while !table.isGrowing {
            table.set(UInt32(key), for: key)
            key += 1
        }
        let copy = table
        for extra in key..<key + 100 { table.set(0, for: extra) }
        table.remove(1)
        #expect(copy.count == Int(key - 1))
        #expect(copy.value(for: 1) == 1 && copy.value(for: key) == nil)
        #expect(table.value(for: 1) == nil && table.value(for: key) == 0)
    }
}

@Suite("ShortTextTable")
struct ShortTextTableTests {
    @Test func textsUpToSixteenBytesHaveKeysThatTellThemApart() {
        let texts = ["", "A", "A\0", "AB", "BA", "R1-01", "R1-010", "Mercedes-Benz", "0123456789ABCDEF", "0123456789ABCDEE", "é", "e"]
        let keys = texts.compactMap(ShortTextTable.key(of:))
        #expect(keys.count == texts.count)
        for (a, first) in keys.enumerated() {
            for (b, second) in keys.enumerated() where a != b { #expect(first != second, "\(texts[a]) and \(texts[b])") }
        }
        #expect(ShortTextTable.key(of: "0123456789ABCDEFG") == nil)
    }

    @Test func agreesWithADictionaryThroughGrowth() {
        var table = ShortTextTable()
        var reference: [String: UInt16] = [:]
        var random = SeededRandom(seed: 3)
        for _ in 0..<20_000 {
            let text = "C\(random.next() % 9_000)-\(random.next() % 3)"
            if reference[text] == nil {
                let id = UInt16(reference.count + 1)
                reference[text] = id
                table.insert(id, for: ShortTextTable.key(of: text)!)
            }
        }
        #expect(table.count == reference.count)
        for (text, id) in reference { #expect(table.value(for: ShortTextTable.key(of: text)!) == id) }
        #expect(table.value(for: ShortTextTable.key(of: "never")!) == nil)
    }
}
