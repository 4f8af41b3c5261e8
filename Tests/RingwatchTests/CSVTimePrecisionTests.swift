import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import Testing

/// CSV is for machines: every time in it is RFC 3339 to the millisecond, as stored, in every
/// query command and listing (the table, for people, keeps seconds).
@Suite("CSV times to the millisecond", .serialized)
struct CSVTimePrecisionTests {
    /// Every RFC 3339 time in `text`, and those of them cut to the second.
    static func times(in text: String) -> (all: [String], cut: [String]) {
        let pattern = try! NSRegularExpression(pattern: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"#)
        let all = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
        return (all, all.filter { !$0.contains(".") })
    }

    /// Two vehicles 4.5 s apart past four cameras two hours ago, at times with milliseconds, and
    /// one stored trigger.
    static func history(_ directory: TemporaryDirectory) throws -> (path: String, start: Timestamp) {
        let path = directory.file("h.sqlite")
        let database = try RingwatchStorageAccess.open(path)
        let start = Timestamp(milliseconds: (Timestamp.now.milliseconds / 3_600_000 - 2) * 3_600_000 + 60_123)
        var reads: [PlateRead] = []
        for (index, camera) in ["R1-01", "R1-02", "R1-03", "R1-04"].enumerated() {
            let time = start.adding(milliseconds: Int64(index) * 120_000)
            reads.append(PlateRead(sourceID: "a\(index)", camera: camera, timestamp: time, plate: Plate(normalising: "1ABC123")!))
            reads.append(PlateRead(sourceID: "b\(index)", camera: camera, timestamp: time.adding(milliseconds: 4_500),
                                   plate: Plate(normalising: "2KLM456")!))
        }
        try database.insert(reads: reads, receivedAt: start)
        try database.insert(triggers: [StoredTrigger(
            sequence: 1, triggerID: "t1", kind: "hotlist", severity: "high", timestamp: start, plate: "1ABC123", camera: "R1-01",
            ring: "R1", emittedAt: start.adding(milliseconds: 7), body: "{\"trigger_id\":\"t1\",\"read_ids\":[\"1\"]}")])
        return (path, start)
    }

    @Test func everyQueryCommandsCSVGivesTimesToTheMillisecond() throws {
        let directory = TemporaryDirectory()
        let (path, start) = try Self.history(directory)
        let period = ["--from", start.adding(seconds: -600).rfc3339Seconds, "--to", start.adding(seconds: 3_000).rfc3339Seconds]
        let common = ["--at", "R1-01@\(start.adding(seconds: -60).rfc3339)..\(start.adding(seconds: 60).rfc3339)",
                      "--at", "R1-03@\(start.adding(seconds: 180).rfc3339)..\(start.adding(seconds: 300).rfc3339)"]
        let queries: [[String]] = [
            ["reads", "--plate", "1ABC123"] + period,
            ["convoys", "--plate", "1ABC123"] + period,
            ["common"] + common,
            ["triggers"] + period,
            ["audit"],
        ]
        for query in queries {
            let result = try RingwatchProcess.run(query + ["--db", path, "--reason", "precision", "--format", "csv"])
            #expect(result.status == 0, "\(query[0]): \(result.stderr)")
            let (all, cut) = Self.times(in: result.stdout)
            #expect(!all.isEmpty, "\(query[0]) printed no time: \(result.stdout)")
            #expect(cut.isEmpty, "\(query[0]) CSV cuts \(cut) to the second:\n\(result.stdout)")
        }
        // The vehicle seen at both places: `seen` holds each first sighting as stored.
        let rows = try RingwatchProcess.run(["common"] + common + ["--db", path, "--reason", "precision", "--format", "csv"])
            .stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "plate,places,first_ts,last_ts,seen")
        #expect(rows.contains { $0.hasPrefix("1ABC123,") && $0.hasSuffix(",\(start.rfc3339) \(start.adding(seconds: 240).rfc3339)") }, "\(rows)")
        // The table, for people, keeps seconds.
        let table = try RingwatchProcess.run(["common"] + common + ["--db", path, "--reason", "precision"]).stdout
        #expect(Self.times(in: table).all.allSatisfy { !$0.contains(".") }, "\(table)")
    }

    @Test func watchAndHotlistListingsGiveTimesToTheMillisecondInCSV() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,high,PV 1,2027-05-10T00:00:00.5Z\n")
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let control = ["--control", daemon.control]
        #expect(try RingwatchProcess.run(["watch", "add", "--name", "ring-run", "--cameras", "R3-06,R2-06,R1-07"] + control).status == 0)
        for listing in [["watch", "list"], ["hotlist", "list"]] {
            let csv = try RingwatchProcess.run(listing + ["--format", "csv"] + control)
            #expect(csv.status == 0, "\(csv.stderr)")
            let (all, cut) = Self.times(in: csv.stdout)
            #expect(all.count == 1 && cut.isEmpty, "\(listing[0]) list CSV: \(csv.stdout)")
            let table = try RingwatchProcess.run(listing + control)
            let shown = Self.times(in: table.stdout).all
            #expect(shown.count == 1 && shown.allSatisfy { !$0.contains(".") }, "\(listing[0]) list table: \(table.stdout)")
        }
        #expect(try RingwatchProcess.run(["hotlist", "list", "--format", "csv"] + control).stdout.contains(",2027-05-10T00:00:00.500Z,"))
    }
}
