import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting
import Testing

/// `ringwatch convoys` as an analyst runs it: the real binary on a real SQLite file holding a
/// planted convoy, a commuter pair and deterministic background traffic.
@Suite("ringwatch convoys end to end", .serialized)
struct ConvoyHistoryTests {
    static let day = Timestamp(rfc3339: "2026-11-22T00:00:00Z")!
    static let ring = ["R3-01", "R3-02", "R3-03", "R3-04", "R3-05", "R3-06", "R2-03", "R2-04", "R2-05", "R1-02", "R1-03", "R1-04"]
    /// Lead, load and tail: 07:56 to 08:04, across the hour the writer has not sealed yet.
    static let convoy = ["1LED001", "1LOD002", "1TAL003"]
    static let convoyRoute = ["R3-02", "R3-03", "R2-03", "R2-04", "R1-03"]
    static let commuters = ["2COM001", "2COM002"]

    /// Builds the history file: background on the 22nd (07:00-09:00, 1,500 vehicles on four
    /// consecutive ring cameras each), the convoy, and the commuter pair on the 20th, 21st and 22nd.
    static func history(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("history.sqlite")
        let database = try HistoryDatabase(path: path)
        var reads: [PlateRead] = []
        func read(_ plate: String, _ camera: String, _ time: Timestamp) {
            reads.append(PlateRead(camera: camera, timestamp: time, plate: Plate(normalised: plate), direction: .inbound))
        }
        var state: UInt64 = 2026
        func random(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        let morning = day.adding(seconds: 7 * 3600)
        // Each driver keeps a speed of their own (a leg of 90 to 150 s, give or take 3 s), so
        // cars of like speed drift along together as platoons do.
        for vehicle in 0..<1500 {
            var time = morning.adding(seconds: Int64(random(7200)))
            let start = random(ring.count - 3)
            let leg = 90 + random(60)
            for camera in ring[start..<(start + 4)] {
                read("3BG\(vehicle)", camera, time)
                time = time.adding(seconds: Int64(leg - 3 + random(7)))
            }
        }
        for (leg, camera) in convoyRoute.enumerated() {
            for (position, plate) in convoy.enumerated() {
                read(plate, camera, morning.adding(seconds: 56 * 60 + Int64(leg) * 120 + Int64(position) * 9))
            }
        }
        for dayOffset in [-2, -1, 0] {
            let start = day.adding(seconds: Int64(dayOffset) * 86_400 + 7 * 3600 + 30 * 60)
            for (leg, camera) in ["R3-05", "R3-06", "R2-05", "R1-04"].enumerated() {
                for (position, plate) in commuters.enumerated() {
                    read(plate, camera, start.adding(seconds: Int64(leg) * 150 + Int64(position) * 15))
                }
            }
        }
        reads.sort { $0.timestamp < $1.timestamp }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        // Seal (index) every hour before 08:00 as the engine's writer would; 08:00 stays open.
        try database.sealHours(before: day.adding(seconds: 8 * 3600))
        return path
    }

    let period = ["--from", "2026-11-20T00:00:00Z", "--to", "2026-11-23T00:00:00Z", "--authorization", "TEST-AUTH-1"]

    func rows(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func companionsOfAPlateAreTheOtherConvoyMembersBestFirst() throws {
        let directory = TemporaryDirectory()
        let db = try ConvoyHistoryTests.history(in: directory)
        let result = try RingwatchProcess.run(["convoys", "--db", db, "--plate", "1-LOD-002", "--reason", "case 42", "--format", "jsonl"] + period)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "progress or noise on a non-terminal: \(result.stderr)")
        let companions = rows(result.stdout)
        #expect(companions.prefix(2).compactMap { $0["plate"] as? String }.sorted() == ["1LED001", "1TAL003"])
        let lead = try #require(companions.first { $0["plate"] as? String == "1LED001" })
        for field in ["plate", "co_occurrences", "cameras", "first_ts", "last_ts", "score"] { #expect(lead[field] != nil, "missing \(field)") }
        #expect(lead["co_occurrences"] as? Int == 5)
        #expect(lead["cameras"] as? [String] == ConvoyHistoryTests.convoyRoute)
        #expect(lead["first_ts"] as? String == "2026-11-22T07:56:00.000Z")
        #expect(lead["last_ts"] as? String == "2026-11-22T08:04:09.000Z")
        #expect((lead["score"] as? Double ?? 0) > 0.9)
        // Best first.
        let scores = companions.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))

        // The audit log holds the query, plate included, written before it ran.
        let audit = try AuditLog(connection: HistoryDatabase(path: db).connection)
            .records(from: Timestamp(milliseconds: 0), to: Timestamp.now.adding(seconds: 60))
        #expect(audit.contains { $0["command"]?.stringValue == "convoys" && $0["parameters"]?.serialized.contains("1LOD002") == true })
    }

    @Test func everyConvoyInThePeriodLeadsWithThePlantedOneAndLeavesOutCommuters() throws {
        let directory = TemporaryDirectory()
        let db = try ConvoyHistoryTests.history(in: directory)
        let result = try RingwatchProcess.run(["convoys", "--db", db, "--reason", "case 42", "--format", "jsonl"] + period)
        #expect(result.status == 0, "\(result.stderr)")
        let convoys = rows(result.stdout)
        let first = try #require(convoys.first)
        #expect(first["plates"] as? [String] == ConvoyHistoryTests.convoy)
        #expect(first["cameras"] as? [String] == ConvoyHistoryTests.convoyRoute)
        #expect(first["first_ts"] as? String == "2026-11-22T07:56:00.000Z")
        for field in ["plates", "cameras", "first_ts", "last_ts", "score"] { #expect(first[field] != nil, "missing \(field)") }
        #expect(!convoys.contains { ($0["plates"] as? [String])?.contains("2COM001") == true })
        // Among 1,500 cars drifting along the ring in platoons, chance convoys stay rare.
        #expect(convoys.count <= 3, "\(convoys.count) convoys listed")

        let all = try RingwatchProcess.run(["convoys", "--db", db, "--reason", "case 42", "--format", "jsonl", "--include-commuters"] + period)
        let commuterRows = rows(all.stdout).filter { ($0["plates"] as? [String]) == ConvoyHistoryTests.commuters }
        #expect(commuterRows.count == 3)

        let table = try RingwatchProcess.run(["convoys", "--db", db, "--reason", "case 42"] + period)
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("PLATES"))
        #expect(table.stdout.contains("1LED001 1LOD002 1TAL003"))
    }

    @Test func aCommuterPairIsLeftOutOfACompanionListUnlessAskedFor() throws {
        let directory = TemporaryDirectory()
        let db = try ConvoyHistoryTests.history(in: directory)
        let plain = try RingwatchProcess.run(["convoys", "--db", db, "--plate", "2COM001", "--reason", "case 42", "--format", "jsonl"] + period)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!rows(plain.stdout).contains { $0["plate"] as? String == "2COM002" })
        let asked = try RingwatchProcess.run(["convoys", "--db", db, "--plate", "2COM001", "--reason", "case 42", "--format", "csv",
                                              "--include-commuters"] + period)
        let lines = asked.stdout.split(separator: "\n")
        #expect(lines.first == "plate,co_occurrences,cameras,first_ts,last_ts,score,days,explanation")
        #expect(lines.dropFirst().first?.hasPrefix("2COM002,12,R3-05 R3-06 R2-05 R1-04,") == true)
        #expect(lines.dropFirst().first?.contains(",3,") == true)
        // A stricter definition leaves no convoy: four shared cameras are not five.
        let strict = try RingwatchProcess.run(["convoys", "--db", db, "--plate", "2COM001", "--reason", "case 42", "--format", "jsonl",
                                               "--include-commuters", "--min-cameras", "5"] + period)
        #expect(rows(strict.stdout).isEmpty)
    }

    @Test(arguments: [
        (["--min-cameras", "1"], "--min-cameras"),
        (["--max-gap", "0"], "--max-gap"),
        (["--max-gap", "120", "--window", "60"], "--window"),
        (["--min-score", "2"], "--min-score"),
        (["--plate", "!!"], "--plate"),
    ])
    func badFlagsExitTwoWithOneLine(flags: [String], named: String) throws {
        let result = try RingwatchProcess.run(["convoys", "--db", "/nonexistent.sqlite", "--reason", "x"] + flags)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains(named))
    }

    @Test func withoutAReasonNothingRuns() throws {
        let result = try RingwatchProcess.run(["convoys", "--plate", "1LOD002", "--db", "/nonexistent.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--reason"))
    }
}
