import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import Testing

/// `ringwatch common`, `predict` and `watch` as an analyst runs them: the real binary on a real
/// SQLite file, or against an engine's real control socket.
@Suite("Route commands end to end", .serialized)
struct RouteCommandsTests {
    static let monday = Timestamp(rfc3339: "2026-10-26T00:00:00Z")!

    static func database(_ reads: [PlateRead], in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("history.sqlite")
        let database = try HistoryDatabase(path: path)
        try database.connection.transaction { try database.insert(reads: reads.sorted { $0.timestamp < $1.timestamp }, receivedAt: .now) }
        try database.sealHours(before: reads.map(\.timestamp).max()!.adding(seconds: -3600))
        return path
    }

    static func read(_ plate: String, _ camera: String, _ time: Timestamp) -> PlateRead {
        PlateRead(camera: camera, timestamp: time, plate: Plate(normalised: plate))
    }

    func rows(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func commonListsVehiclesSeenAtEveryPlaceWithinItsWindow() throws {
        let directory = TemporaryDirectory()
        let day = Self.monday
        let places = [("R1-03", day.adding(seconds: 9 * 3600)), ("R2-06", day.adding(seconds: 86_400 + 14 * 3600)), ("R3-09", day.adding(seconds: 2 * 86_400 + 22 * 3600))]
        var reads: [PlateRead] = []
        for (index, (camera, start)) in places.enumerated() {
            reads.append(Self.read("1ALL001", camera, start.adding(seconds: 600 + Int64(index))))
            if index < 2 { reads.append(Self.read("2TWO002", camera, start.adding(seconds: 900))) }
            // Seen at the third place, but an hour after its window.
            reads.append(Self.read("3LTE003", camera, start.adding(seconds: index == 2 ? 5400 : 300)))
            for other in 0..<20 { reads.append(Self.read("9BG\(index)\(other)", camera, start.adding(seconds: Int64(other) * 60))) }
        }
        let db = try Self.database(reads, in: directory)
        let at = places.flatMap { ["--at", "\($0.0)@\($0.1.rfc3339Seconds)..\($0.1.adding(seconds: 1800).rfc3339Seconds)"] }
        let all = try RingwatchProcess.run(["common", "--db", db, "--reason", "robbery series 26/331", "--format", "jsonl", "--authorization", "T-1"] + at)
        #expect(all.status == 0, "\(all.stderr)")
        let found = rows(all.stdout)
        #expect(found.map { $0["plate"] as? String } == ["1ALL001"])
        #expect(found.first?["places"] as? [String] == ["R1-03", "R2-06", "R3-09"])
        #expect(found.first?["first_ts"] as? String == places[0].1.adding(seconds: 600).rfc3339)
        #expect(found.first?["last_ts"] as? String == places[2].1.adding(seconds: 602).rfc3339)

        let two = try RingwatchProcess.run(["common", "--db", db, "--reason", "r", "--format", "csv", "--min-places", "2", "--authorization", "T-1"] + at)
        let lines = two.stdout.split(separator: "\n")
        #expect(lines.first == "plate,places,first_ts,last_ts,seen")
        #expect(lines.dropFirst().map { $0.split(separator: ",")[0] } == ["1ALL001", "3LTE003", "2TWO002"], "most places, then the earliest first")

        let bad = try RingwatchProcess.run(["common", "--db", db, "--reason", "r", "--at", "R1-03@yesterday..today", "--at", at[1]])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("CAMERA@FROM..TO") && bad.stderr.split(separator: "\n").count == 1)
        let unreasoned = try RingwatchProcess.run(["common", "--db", db] + at)
        #expect(unreasoned.status == 2)
        let audit = try RingwatchProcess.run(["audit", "--db", db, "--format", "jsonl", "--reason", "check"])
        #expect(rows(audit.stdout).filter { $0["command"] as? String == "common" }.count == 2)
    }

    @Test func predictPutsAWeekdayHabitFirstAndEvaluatesCalibrationOnAHeldOutWeek() throws {
        let directory = TemporaryDirectory()
        var reads: [PlateRead] = []
        // Five weeks: a commuter at R2-04 around 08:10 every weekday, at R1-02 at 17:30 on most;
        // once at R3-11 on a Saturday. Background vehicles at random hours.
        var random = SeededRandom(seed: 4)
        for day in 0..<35 {
            let start = Self.monday.adding(seconds: Int64(day) * 86_400)
            if day % 7 < 5 {
                reads.append(Self.read("1COM001", "R2-04", start.adding(seconds: 8 * 3600 + 600 + Int64(random.next() % 600))))
                if random.next() % 4 != 0 { reads.append(Self.read("1COM001", "R1-02", start.adding(seconds: 17 * 3600 + 1800))) }
            }
            for vehicle in 0..<30 where random.next() % 3 == 0 {
                reads.append(Self.read("8BG\(vehicle)", "R3-0\(1 + random.next() % 9)", start.adding(seconds: Int64(random.next() % 86_400))))
            }
        }
        reads.append(Self.read("1COM001", "R3-11", Self.monday.adding(seconds: 5 * 86_400 + 11 * 3600)))
        let db = try Self.database(reads, in: directory)
        let period = ["--from", Self.monday.rfc3339Seconds, "--to", Self.monday.adding(seconds: 28 * 86_400).rfc3339Seconds, "--authorization", "T-2"]
        let monday = try RingwatchProcess.run(["predict", "--db", db, "--plate", "1-COM-001", "--reason", "interception plan", "--format", "jsonl",
                                                "--at", Self.monday.adding(seconds: 28 * 86_400 + 8 * 3600 + 900).rfc3339Seconds] + period)
        #expect(monday.status == 0, "\(monday.stderr)")
        let first = try #require(rows(monday.stdout).first)
        #expect(first["camera"] as? String == "R2-04")
        #expect(first["weekday"] as? String == "Mon" && first["hour"] as? Int == 8)
        #expect((first["probability"] as? Double ?? 0) > 0.8)
        #expect(first["observations"] as? Int == 4 && first["occasions"] as? Int == 4)
        #expect(first["ring"] as? String != nil)

        let week = try RingwatchProcess.run(["predict", "--db", db, "--plate", "1COM001", "--reason", "r", "--format", "jsonl", "--top", "50"] + period)
        let predictions = rows(week.stdout)
        let saturday = try #require(predictions.first { $0["camera"] as? String == "R3-11" })
        #expect((saturday["probability"] as? Double ?? 1) < 0.3, "one sighting is no habit")
        let probabilities = predictions.compactMap { $0["probability"] as? Double }
        #expect(probabilities == probabilities.sorted(by: >))

        let evaluation = try RingwatchProcess.run(["predict", "--db", db, "--evaluate", "--reason", "calibration check", "--format", "jsonl",
                                                   "--from", Self.monday.rfc3339Seconds, "--to", Self.monday.adding(seconds: 35 * 86_400).rfc3339Seconds,
                                                   "--authorization", "T-2"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let summary = try #require(rows(evaluation.stdout).last)
        #expect(summary["bin"] as? String == "all")
        #expect((summary["trials"] as? Int ?? 0) > 100)
        #expect((summary["vehicles"] as? Int ?? 0) >= 10)
        #expect(summary["brier"] is Double && summary["calibration_error"] is Double)

        let noPlate = try RingwatchProcess.run(["predict", "--db", db, "--reason", "r"] + period)
        #expect(noPlate.status == 2)
    }

    @Test func watchCommandsAddListAndRemoveOnARunningEngine() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let control = ["--control", rig.engine.controlEndpoint]
        let added = try RingwatchProcess.run(["watch", "add", "--name", "ring-run", "--cameras", "R3-06,R2-06,R2-07,R2-08,R1-08",
                                              "--min-match", "0.8", "--user", "alice"] + control)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("R3-06 → R2-06") && added.stdout.contains("fires at 4 cameras"))
        let listed = try RingwatchProcess.run(["watch", "list", "--json"] + control)
        let watches = rows(listed.stdout)
        #expect(watches.map { $0["name"] as? String } == ["ring-run"])
        #expect(watches.first?["added_by"] as? String == "alice")

        let unknown = try RingwatchProcess.run(["watch", "add", "--name", "typo", "--cameras", "R3-06,R9-99"] + control)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown camera R9-99"))
        let noReason = try RingwatchProcess.run(["watch", "add", "--name", "x", "--plate", "1ABC123", "--from", "2026-11-01T00:00:00Z",
                                                 "--to", "2026-11-02T00:00:00Z"] + control)
        #expect(noReason.status == 2)
        let neither = try RingwatchProcess.run(["watch", "add", "--name", "x"] + control)
        #expect(neither.status == 2)

        // The watch fires live: a vehicle on four of the five cameras, in order.
        let base = Timestamp(rfc3339: "2026-11-22T07:10:00Z")!
        for (index, camera) in ["R3-06", "R2-06", "R2-08", "R1-08"].enumerated() {
            try rig.send(ReadMessages.body(camera: camera, ts: base.adding(seconds: Int64(index) * 120), plate: "1RUN001"),
                         topic: ReadMessages.topic(ring: String(camera.prefix(2)), camera: camera))
        }
        var route: [String: Any]?
        while let trigger = try rig.nextTrigger(timeoutMilliseconds: 3000) {
            if trigger.topic == "trigger.route.high" { route = trigger.body }
        }
        #expect(route?["watch"] as? String == "ring-run")
        #expect(route?["similarity"] as? Double == 0.8)
        #expect(route?["cameras"] as? [String] == ["R3-06", "R2-06", "R2-08", "R1-08"])
        #expect(route?["camera"] as? String == "R1-08")

        let removed = try RingwatchProcess.run(["watch", "remove", "--name", "ring-run"] + control)
        #expect(removed.stdout == "removed watch ring-run\n")
        #expect(try RingwatchProcess.run(["watch", "list"] + control).stdout.isEmpty)
        let audit = try RingwatchProcess.run(["audit", "--db", rig.databasePath, "--format", "jsonl", "--reason", "check"])
        #expect(rows(audit.stdout).compactMap { $0["command"] as? String }.filter { $0.hasPrefix("watch.") } == ["watch.add", "watch.remove"])
    }
}
