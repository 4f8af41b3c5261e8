import Foundation
import RingwatchCore
@testable import RingwatchStorage
import RingwatchTesting
import Testing

/// `reads --fuzzy` and `hotlist import` through the real binary, against a real SQLite file.
@Suite("Hotlist commands end to end", .serialized)
struct HotlistEndToEndTests {
    static let hour8 = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
    static let period = ["--from", "2026-11-22T00:00:00Z", "--to", "2026-11-23T00:00:00Z", "--authorization", "TEST-AUTH-1"]

    /// A history with hour 08 sealed (indexed) and hour 09 still open.
    static func history(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("history.sqlite")
        let database = try HistoryDatabase(path: path)
        let plates: [(String, Int64)] = [
            ("1ABC123", 0), ("1A8C123", 600), ("1AC123", 1200), ("IA8C1Z3", 1800), ("9XYZ999", 2400),
            ("1A8C1Z3", 4200), ("1ABC1234", 4800),
        ]
        try database.connection.transaction {
            try database.insert(reads: plates.map { plate, seconds in
                PlateRead(camera: "R1-01", timestamp: hour8.adding(seconds: seconds), plate: Plate(normalised: plate), confidence: 0.9)
            }, receivedAt: .now)
        }
        try database.sealHours(before: hour8.adding(seconds: 3600))
        return path
    }

    func rows(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("reads --fuzzy", arguments: [
        (["--plate", "1-ABC-123", "--fuzzy"],
         ["1ABC123": "exact", "1A8C123": "ocr_variant", "1AC123": "ocr_variant", "1A8C1Z3": "ocr_variant", "1ABC1234": "ocr_variant"]),
        (["--plate", "1ABC123", "--fuzzy", "--max-substitutions", "1"],
         ["1ABC123": "exact", "1A8C123": "ocr_variant", "1AC123": "ocr_variant", "1ABC1234": "ocr_variant"]),
        (["--plate", "1ABC123", "--fuzzy", "--no-drop-insert"],
         ["1ABC123": "exact", "1A8C123": "ocr_variant", "1A8C1Z3": "ocr_variant"]),
        (["--plate", "1ABC123", "--fuzzy", "--max-substitutions", "0", "--no-drop-insert"], ["1ABC123": "exact"]),
        (["--plate", "1A8?1*", "--fuzzy"],
         ["1ABC123": "wildcard", "1A8C123": "wildcard", "IA8C1Z3": "wildcard", "1A8C1Z3": "wildcard", "1ABC1234": "wildcard"]),
        (["--plate", "1ABC123"], ["1ABC123": ""]),
    ])
    func fuzzyReads(arguments: [String], expected: [String: String]) throws {
        let directory = TemporaryDirectory()
        let db = try Self.history(in: directory)
        let result = try RingwatchProcess.run(["reads", "--db", db, "--reason", "e2e fuzzy", "--format", "jsonl"] + arguments + Self.period)
        #expect(result.status == 0, "\(result.stderr)")
        let found = rows(result.stdout)
        #expect(Dictionary(uniqueKeysWithValues: found.map { ($0["plate"] as? String ?? "", $0["match"] as? String ?? "") }) == expected)
        // Oldest first, across the sealed and the open hour.
        let times = found.compactMap { $0["ts"] as? String }
        #expect(times == times.sorted())
    }

    @Test func fuzzyReadsLookEachVariantUpThroughThePlateIndex() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: try Self.history(in: directory))
        try database.connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_plates (plate TEXT PRIMARY KEY) WITHOUT ROWID")
        let plan = try database.connection.rows("EXPLAIN QUERY PLAN " + HistoryDatabase.readsOfPlatesSQL(table: "reads_2026112208", camera: false),
                                                [.integer(0), .integer(.max)])
        let steps = plan.compactMap { $0.last?.string }.joined(separator: " | ")
        #expect(steps.contains("USING INDEX reads_2026112208_by_plate (plate=?"), "\(steps)")
    }

    @Test func badFuzzyFlagsExitTwo() throws {
        let directory = TemporaryDirectory()
        let db = try Self.history(in: directory)
        let tooMany = try RingwatchProcess.run(["reads", "--db", db, "--reason", "x", "--plate", "1ABC123", "--fuzzy", "--max-substitutions", "7"] + Self.period)
        #expect(tooMany.status == 2)
        #expect(tooMany.stderr.contains("--max-substitutions"))
        #expect(tooMany.stderr.split(separator: "\n").count == 1)
        let withoutFuzzy = try RingwatchProcess.run(["reads", "--db", db, "--reason", "x", "--plate", "1ABC123", "--max-substitutions", "1"] + Self.period)
        #expect(withoutFuzzy.status == 2)
        #expect(withoutFuzzy.stderr.contains("only with --fuzzy"))
    }

    @Test func hotlistImportReportsTheBadLineByNumberAndTheEngineMatchesTheRest() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n")
        try daemon.waitUntilReady()
        let csv = try daemon.directory.write("import.csv", """
            plate,category,severity,reason,expires
            2KLM456,wanted_person,high,Warrant AW-1,
            2KLM457,wanted_person,high,Bad expiry,tomorrow
            1AB*,witness,medium,Partial plate,
            """)
        let result = try RingwatchProcess.run(["hotlist", "import", "--file", csv, "--control", daemon.control, "--user", "alice"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("import.csv line 3: expires 'tomorrow' is not an RFC 3339 time"), "\(result.stderr)")
        #expect(result.stdout.contains("loaded 2 lines, skipped 1"), "\(result.stdout)")
        let list = try RingwatchProcess.run(["hotlist", "list", "--control", daemon.control], timeout: 30)
        #expect(list.stdout.contains("2KLM456"))
        #expect(list.stdout.contains("1AB*"))

        let missing = try RingwatchProcess.run(["hotlist", "import", "--file", daemon.directory.file("nope.csv"), "--control", daemon.control])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read --file"))

        let exit = daemon.stop()
        #expect(exit.status == 0)
        #expect(!exit.stderr.contains("2KLM456"), "a plate appeared in the log")
        let database = try HistoryDatabase(path: daemon.db, readOnly: true)
        #expect(try database.hotlistChanges().first?.user == "alice")
    }
}
