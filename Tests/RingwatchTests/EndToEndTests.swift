import Foundation
import RingwatchCore
import RingwatchTesting
import Testing
import ZeroMQ

/// The real `ringwatch` binary as a subprocess, on free loopback ports, against a real SQLite file.
@Suite("ringwatch binary end to end", .serialized)
struct EndToEndTests {
    let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    final class Daemon {
        let directory = TemporaryDirectory()
        private(set) var ingest = FreePort.endpoint()
        private(set) var triggers = FreePort.endpoint()
        private(set) var control = FreePort.endpoint()
        var db: String { directory.file("ringwatch.sqlite") }
        private(set) var process: RingwatchProcess
        private let fixedArguments: [String]

        /// Starts `ringwatch serve` and waits until its control socket answers.
        init(hotlist: String, extraArguments: [String] = []) throws {
            let hotlistPath = try directory.write("hotlist.csv", hotlist)
            let config = try directory.write("ringwatch.toml", """
                [tuning]
                max_future_skew_s = 0
                """)
            fixedArguments = [
                "serve", "--config", config, "--db", directory.file("ringwatch.sqlite"), "--hotlist", hotlistPath,
                "--cameras", "Fixtures/cameras.csv",
            ] + extraArguments
            process = RingwatchProcess([])
            try start()
        }

        /// Starts the engine again on the same database (after it stopped or died) and waits
        /// until it answers.
        func restart() throws { try start() }

        /// Stops the engine as an operator does (SIGTERM) and waits up to 30 s for it to exit.
        @discardableResult
        func stop() -> (status: Int32, stdout: String, stderr: String) {
            process.signal(SIGTERM)
            return process.wait(timeout: 30)
        }

        /// Starts the engine on the current endpoints; if another process took one of them
        /// between choosing and binding, on new ones. Throws when the engine does not come up.
        private func start() throws {
            for attempt in 1...4 {
                process = RingwatchProcess(fixedArguments + ["--ingest", ingest, "--triggers", triggers, "--control", control])
                try process.start()
                if try waitUntilAnswering() { return }
                let exit = process.wait(timeout: 5)
                guard exit.stderr.contains("Address already in use"), attempt < 4 else {
                    throw EngineNotRunning(stderr: exit.stderr)
                }
                (ingest, triggers, control) = (FreePort.endpoint(), FreePort.endpoint(), FreePort.endpoint())
            }
        }

        /// The engine's status; throws if the engine is no longer running, so no test polls a
        /// dead engine until its loop runs out.
        func status() throws -> [String: Any] {
            guard process.isRunning else { throw EngineNotRunning(stderr: process.wait(timeout: 5).stderr) }
            let result = try RingwatchProcess.run(["status", "--control", control, "--format", "jsonl"], timeout: 10)
            guard result.status == 0 else { return [:] }
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        }

        /// Throws unless the engine is running and its control socket answers.
        func waitUntilReady() throws {
            guard try waitUntilAnswering() else { throw EngineNotRunning(stderr: process.wait(timeout: 5).stderr) }
        }

        /// Polls the control socket for up to ten seconds; false at once if the engine exited.
        private func waitUntilAnswering() throws -> Bool {
            for _ in 0..<200 {
                guard process.isRunning else { return false }
                if try status()["ok"] as? Bool == true { return true }
                usleep(50_000)
            }
            return false
        }
    }

    /// The engine under test is not running: it did not come up, or it died.
    struct EngineNotRunning: Error, CustomStringConvertible {
        let stderr: String
        var description: String { "the engine is not running: \(stderr)" }
    }

    func connectedPublisher(_ context: Context, to daemon: Daemon) throws -> Socket {
        let publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(0)
        try publisher.connect(daemon.ingest)
        // Send a probe until the engine has counted one, so no real read is sent before PUB/SUB joined.
        for attempt in 0..<400 {
            try publisher.send(["read.probe.probe", ReadMessages.body(camera: "probe", ts: base.adding(milliseconds: -Int64(attempt) - 1), plate: "PROBE")])
            usleep(25_000)
            if (try daemon.status()["reads_received"] as? Int ?? 0) > 0 { break }
        }
        return publisher
    }

    @Test func readsAndTriggersSurviveSIGTERMAndAreFoundByTheQueryCommands() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        try daemon.waitUntilReady()
        let context = try Context()
        let subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe("trigger.")
        try subscriber.connect(daemon.triggers)
        let publisher = try connectedPublisher(context, to: daemon)
        let before = try daemon.status()["reads_accepted"] as? Int ?? 0

        let plates = (0..<200).map { "1XY\(String(format: "%c", 65 + $0 % 26))\(100 + $0)" } + ["1-ABC-123"]
        for (index, plate) in plates.enumerated() {
            try publisher.send(["read.R2.R2-0\(1 + index % 9)", ReadMessages.body(camera: "R2-0\(1 + index % 9)", ts: base.adding(seconds: Int64(index)), plate: plate, id: "e2e-\(index)")])
        }
        #expect(try subscriber.waitForInput(milliseconds: 10_000))
        let frames = try #require(try subscriber.receiveStrings())
        #expect(frames[0] == "trigger.hotlist.critical")
        let published = try #require(try JSONSerialization.jsonObject(with: Data(frames[1].utf8)) as? [String: Any])

        // Wait until every read is accepted, then stop the engine the way an operator would.
        for _ in 0..<200 {
            if (try daemon.status()["reads_accepted"] as? Int ?? 0) >= before + plates.count { break }
            usleep(50_000)
        }
        let exit = daemon.stop()
        #expect(exit.status == 0, "serve exited \(exit.status): \(exit.stderr)")
        #expect(!exit.stderr.contains("1ABC123"), "a plate appeared in the log")

        let period = ["--from", "2026-11-21T00:00:00Z", "--to", "2026-11-23T00:00:00Z"]
        // The fixed test dates leave the open-access period as time passes: authorise explicitly.
        let access = ["--authorization", "TEST-AUTH-1"]
        let reads = try RingwatchProcess.run(["reads", "--db", daemon.db, "--plate", "1ABC123", "--reason", "e2e test", "--format", "jsonl"] + period + access)
        #expect(reads.status == 0, "\(reads.stderr)")
        let readRows = reads.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(readRows.count == 1)
        #expect(readRows.first?["plate"] as? String == "1ABC123")
        #expect(readRows.first?["ring"] as? String == "R2")
        #expect((published["read_ids"] as? [String])?.first == readRows.first?["read_id"] as? String)

        // Every accepted read is in the file: count them through the wildcard query.
        let all = try RingwatchProcess.run(["reads", "--db", daemon.db, "--plate", "1XY*", "--reason", "e2e test", "--format", "csv"] + period + access)
        #expect(all.stdout.split(separator: "\n").count == 200 + 1)
        #expect(!all.stderr.contains("rows match"))
        // Cut at --limit, the command says so rather than passing a part for the whole.
        let cut = try RingwatchProcess.run(["reads", "--db", daemon.db, "--plate", "1XY*", "--reason", "e2e test", "--format", "csv", "--limit", "150"] + period + access)
        #expect(cut.status == 0)
        #expect(cut.stdout.split(separator: "\n").count == 150 + 1)
        #expect(cut.stderr.contains("more than 150 rows match"))

        let triggers = try RingwatchProcess.run(["triggers", "--db", daemon.db, "--reason", "e2e test", "--format", "jsonl"] + period + access)
        #expect(triggers.status == 0, "\(triggers.stderr)")
        let stored = triggers.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(stored.count == 1)
        #expect(stored.first?["trigger_id"] as? String == published["trigger_id"] as? String)
        #expect(stored.first?["seq"] as? Int == published["seq"] as? Int)
    }

    @Test func garbageIsQuarantinedWithReasonsWhileGoodReadsAroundItAreProcessed() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n1GOOD01,stolen_vehicle,high,test,\n")
        try daemon.waitUntilReady()
        let context = try Context()
        let publisher = try connectedPublisher(context, to: daemon)
        let start = try daemon.status()

        let garbage: [[UInt8]] = [
            Array("not json at all".utf8),
            Array("{\"ts\":\"2026-11-22T08:00:00Z\",\"plate\":\"1ABC123\"}".utf8),          // camera missing
            Array("{\"camera\":\"R1-01\",\"plate\":\"1ABC123\"}".utf8),                    // ts missing
            Array("{\"camera\":\"R1-01\",\"ts\":\"2026-11-22T08:00:00Z\"}".utf8),          // plate missing
            Array("{\"camera\":\"R1-01\",\"ts\":\"yesterday\",\"plate\":\"1ABC123\"}".utf8),
            Array("{\"camera\":\"R1-01\",\"ts\":\"2026-11-22T08:00:00Z\",\"plate\":\"!!\"}".utf8),
            [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D],                                          // invalid UTF-8
            [UInt8](repeating: 0x20, count: 1 << 20),                                      // 1 MiB body
            Array("[1,2,3]".utf8),
        ]
        try publisher.send(["read.R1.R1-01", ReadMessages.body(camera: "R1-01", ts: base, plate: "1GOOD01")])
        for body in garbage { try publisher.send([Array("read.R1.R1-01".utf8), body]) }
        try publisher.send([Array("read.R1.R1-01".utf8)])                                  // one frame only
        try publisher.send(["read.R1.R1-01", ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 1), plate: "1GOOD01")])

        var status: [String: Any] = [:]
        for _ in 0..<200 {
            status = try daemon.status()
            if (status["reads_received"] as? Int ?? 0) >= (start["reads_received"] as? Int ?? 0) + 12 { break }
            usleep(50_000)
        }
        #expect(status["reads_rejected"] as? Int == 10)
        #expect((status["reads_accepted"] as? Int ?? 0) - (start["reads_accepted"] as? Int ?? 0) == 2)
        #expect(status["triggers_emitted"] as? Int == 2)
        let reasons = status["rejected_by_reason"] as? [String: Int] ?? [:]
        #expect(reasons == ["not_json": 1, "missing_field": 3, "invalid_timestamp": 1, "invalid_plate": 1, "invalid_utf8": 1,
                            "too_large": 1, "not_object": 1, "bad_envelope": 1])

        daemon.process.signal(SIGINT)
        #expect(daemon.process.wait(timeout: 30).status == 0)
        let database = try SQLiteQuarantine(path: daemon.db)
        #expect(database.count == 10)
        #expect(database.sizes.contains(1 << 20))
    }

    @Test func badUsageExitsTwoWithOneLine() throws {
        let unknown = try RingwatchProcess.run(["reads", "--plate", "1ABC123", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let noReason = try RingwatchProcess.run(["reads", "--plate", "1ABC123", "--db", "/nonexistent.sqlite"])
        #expect(noReason.status == 2)
        #expect(noReason.stderr.contains("--reason"))
        let badTime = try RingwatchProcess.run(["triggers", "--from", "monday", "--reason", "x"])
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("RFC 3339"))
        let noEngine = try RingwatchProcess.run(["status", "--control", FreePort.endpoint()], timeout: 30)
        #expect(noEngine.status == 1)
    }

    @Test func aSecondServeOnTheSameDatabaseRefusesWithAClearMessage() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n")
        try daemon.waitUntilReady()
        let second = try RingwatchProcess.run(["serve", "--db", daemon.db, "--ingest", FreePort.endpoint(), "--triggers", FreePort.endpoint(),
                                               "--control", FreePort.endpoint()], timeout: 20)
        #expect(second.status == 1)
        #expect(second.stderr.contains("already running"))
        #expect(daemon.stop().status == 0)
    }
}

/// Reads the quarantine table directly (the CLI has no command for it yet).
struct SQLiteQuarantine {
    let count: Int
    let sizes: [Int]

    init(path: String) throws {
        let database = try RingwatchStorageAccess.open(path)
        let rows = try database.quarantined(limit: 100)
        count = rows.count
        sizes = rows.map(\.size)
    }
}
