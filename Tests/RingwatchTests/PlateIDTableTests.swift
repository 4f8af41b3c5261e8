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
