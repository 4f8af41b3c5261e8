import RingwatchCore
@testable import RingwatchIngest
import RingwatchStorage
import RingwatchTesting
import Testing

/// The history stores `char_confidence` as the JSON text it arrived in (compacted), and formats
/// it only for reads made in-process; either way the values read back are the values decoded.
@Suite("char_confidence: stored text")
struct CharacterConfidenceTextTests {
    private static let head = #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1ABC123","char_confidence":"#

    private func decoded(_ array: String) throws -> PlateRead {
        switch ReadDecoder().decode(Self.head + array + "}") {
        case .success(let decoded): return decoded.read
        case .failure(let rejection):
            Issue.record("rejected (\(rejection)): \(array)")
            throw rejection
        }
    }

    /// Arrays as a camera may write them (seven values for the seven characters of 1ABC123), and
    /// the text the history keeps for each.
    static let spellings: [(sent: String, stored: String)] = [
        ("[0.9,0.8,0.95,1,0.7,0.85,0]", "[0.9,0.8,0.95,1,0.7,0.85,0]"),
        ("[ 0.9 , 0.8,\n\t0.95,1 ,0.7,\r\n0.85 , 0 ]", "[0.9,0.8,0.95,1,0.7,0.85,0]"),
        ("[0.9,0.8,0.95,1,0.7,0.85,0 ]", "[0.9,0.8,0.95,1,0.7,0.85,0]"),
        ("[0.9,0.8,0.95,1,0.7,0.85,-0]", "[0.9,0.8,0.95,1,0.7,0.85,0]"),
        ("[9e-1,8E-1,9.5e-1,1e0,7.0E-01,0.85e+0,0e5]", "[9e-1,8E-1,9.5e-1,1e0,7.0E-01,0.85e+0,0e5]"),
        ("[-0,-0.0,-0e3, -0.000E+2 ,0.0,1.0,0.5]", "[0,0,0,0,0.0,1.0,0.5]"),
        ("[0.12345678901234567890,0.99999999999999999999,1.000000000000000000001,0.1,0.2,0.3,0.30000000000000004]",
         "[0.12345678901234567890,0.99999999999999999999,1.000000000000000000001,0.1,0.2,0.3,0.30000000000000004]"),
        ("[1e-400,2.5e-324,0.000001,1E-7,0.00001,0.0001,0.001]", "[1e-400,2.5e-324,0.000001,1E-7,0.00001,0.0001,0.001]"),
    ]

    @Test(arguments: spellings)
    func decoderKeepsTheArrayCompacted(_ spelling: (sent: String, stored: String)) throws {
        let read = try decoded(spelling.sent)
        #expect(read.characterConfidenceText == spelling.stored)
        let values = try #require(read.characterConfidence)
        #expect(values.count == 7)
        // The stored text gives back exactly the decoded values, through the parser the history uses.
        let reparsed = spelling.stored.dropFirst().dropLast().split(separator: ",").map { Double($0) }
        #expect(reparsed == values.map { Optional($0) })
    }

    @Test func storedTextAndFormattedValuesReadBackAsTheDecodedValues() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        var reads: [PlateRead] = []
        for (index, spelling) in Self.spellings.enumerated() {
            var read = try decoded(spelling.sent)
            read.timestamp = Timestamp(milliseconds: read.timestamp.milliseconds + Int64(index) * 1_000)
            read.id = ReadID(rawValue: UInt64(index + 1))
            reads.append(read)
            // The same values made in-process: formatted by the history.
            var local = PlateRead(id: ReadID(rawValue: UInt64(100 + index)), camera: "R1-02", timestamp: read.timestamp,
                                  plate: read.plate, characterConfidence: read.characterConfidence)
            local.sequence = 1
            #expect(local.characterConfidenceText == nil)
            #expect(local.characterConfidence == read.characterConfidence)
            reads.append(local)
        }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        let start = reads[0].timestamp
        let stored = try database.reads(pattern: "1ABC123", from: start.adding(milliseconds: -1), to: start.adding(milliseconds: 60_000))
        #expect(stored.count == reads.count)
        let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.read.id, $0.read) })
        for read in reads {
            let back = try #require(byID[read.id])
            #expect(back.characterConfidence == read.characterConfidence, "\(read.id)")
            // Negative zeros come back as zeros, as when they were formatted.
            #expect(back.characterConfidence?.contains { $0.sign == .minus } == false, "\(read.id)")
        }
        let texts = try database.connection.rows("SELECT read_id, char_confidence FROM \(try #require(database.readTables(from: start, to: start).first))")
        let textByID = Dictionary(uniqueKeysWithValues: texts.map { (ReadID(storageValue: $0[0].int64 ?? 0), $0[1].string ?? "") })
        for (index, spelling) in Self.spellings.enumerated() {
            #expect(textByID[ReadID(rawValue: UInt64(index + 1))] == spelling.stored)
            #expect(textByID[ReadID(rawValue: UInt64(100 + index))]
                == JSONValue.array(reads[2 * index].characterConfidence!.map { .double($0) }).serialized)
        }
    }

    @Test func changingTheValuesDropsTheReceivedText() throws {
        var read = try decoded("[0.9,0.8,0.95,1,0.7,0.85,0]")
        #expect(read.characterConfidenceText != nil)
        let same = PlateRead(id: read.id, camera: read.camera, timestamp: read.timestamp, plate: read.plate,
                             characterConfidence: read.characterConfidence)
        // The text is a spelling, not part of the read's identity.
        #expect(read == same)
        #expect(read.hashValue == same.hashValue)
        read.characterConfidence = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
        #expect(read.characterConfidenceText == nil)
    }

    /// What a number in JSON output has always looked like: integral values as integers,
    /// others in Swift's shortest form.
    private static func reference(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    @Test func theFastFormatterWritesWhatTheGenericOneDoes() {
        var random = SeededRandom(seed: 11)
        var values: [Double] = [0, 1, -0.0, 0.5, 0.1, 0.123456, 0.1234567, 1e-5, 1e-4, 0.99999999, 12, 1e15, 1e16, 123456.5, -3, -0.25,
                                1_234_567_890_123, 0.000123, 999_999.5]
        for _ in 0..<2_000 {
            let value = Double(random.next() >> 11) / Double(1 << 53)
            values.append(value)
            values.append((value * 1_000).rounded() / 1_000)
            values.append((value * 100).rounded() / 100)
        }
        for start in stride(from: 0, to: values.count, by: 7) {
            let chunk = Array(values[start..<min(start + 7, values.count)])
            let expected = "[" + chunk.map(Self.reference).joined(separator: ",") + "]"
            #expect(JSONValue.serialized(numbers: chunk) == expected)
            #expect(JSONValue.array(chunk.map { .double($0) }).serialized == expected)
        }
        #expect(JSONValue.serialized(numbers: []) == "[]")
    }
}
