import Foundation
import RingwatchCore
import RingwatchTesting
import Testing
import ZeroMQ

/// `ringwatch simulate` as a process: files, real ZeroMQ sockets on free ports, exit codes.
@Suite("ringwatch simulate end to end", .serialized)
struct SimulateCommandTests {
    /// Messages counted in the summary line (`simulate: N messages ...`).
    static func summaryCount(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: "simulate: ") else { return nil }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber })
    }

    static func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    /// Receives on `subscriber` until `process` has ended and nothing more arrives.
    static func drain(_ subscriber: Socket, while process: RingwatchProcess) throws -> [[String]] {
        var received: [[String]] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try subscriber.waitForInput(milliseconds: 1_000), let frames = try subscriber.receiveStrings() {
                received.append(frames)
            } else if !process.process.isRunning {
                break
            }
        }
        return received
    }

    @Test func outWritesReplayableJSONLinesAndTheFixtures() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("traffic.jsonl"), fixtures = directory.file("fixtures")
        let arguments = [
            "simulate", "--hours", "0.5", "--rate", "2", "--seed", "5", "--start", "2026-11-23T07:00:00Z", "--hotlist-decoys", "100",
        ]
        let result = try RingwatchProcess.run(arguments + ["--out", out, "--fixtures-out", fixtures])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)

        let lines = try Self.lines(out)
        #expect(lines.count > 2000)
        #expect(lines.count == Self.summaryCount(result.stderr))
        for line in lines.prefix(200) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let topic = try #require(object["topic"] as? String)
            let body = try #require(object["body"] as? [String: Any])
            #expect(topic.hasPrefix("read.") && topic.hasSuffix(".\(body["camera"] as? String ?? "?")"))
            #expect(body["ts"] is String && body["plate"] is String && body["id"] is String)
        }

        for name in ["cameras.csv", "hotlist.csv", "registry.csv", "ground-truth.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: (fixtures as NSString).appendingPathComponent(name)), "\(name)")
        }
        let truth = try Self.lines((fixtures as NSString).appendingPathComponent("ground-truth.jsonl"))
        #expect(truth.count >= 10, "most planted events fit in half an hour")
        let hotlisted = truth.filter { $0.hasPrefix("{\"event\":\"hotlist\"") }.count
        let hotlist = try String(contentsOfFile: (fixtures as NSString).appendingPathComponent("hotlist.csv"), encoding: .utf8)
        #expect(hotlisted >= 1)
        #expect(HotlistEntry.parse(csv: hotlist, file: "hotlist.csv").0.count == hotlisted + 100)
        let plates = try truth.flatMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["plates"] as? [String] ?? []
        }
        #expect(!plates.isEmpty)
        #expect(plates.allSatisfy { !result.stderr.contains($0) }, "a plate appeared in the log")

        // Same flags, same bytes.
        let again = directory.file("again.jsonl")
        #expect(try RingwatchProcess.run(arguments + ["--out", again]).status == 0)
        #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: again))
    }

    /// The shipped camera registry is the default wherever the command runs: outside the
    /// repository it is found beside the binary (or in an installation's share directory).
    @Test func theShippedCamerasAreFoundFromAnyWorkingDirectory() throws {
        let directory = TemporaryDirectory()
        let process = RingwatchProcess(["simulate", "--out", directory.file("t.jsonl"), "--hours", "0.01", "--seed", "3"],
                                       workingDirectory: directory.path)
        try process.start()
        let result = process.wait(timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Self.lines(directory.file("t.jsonl"))
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains("\"topic\":\"read.R") }, "reads on the Antwerp rings' cameras")
    }

    @Test func publishDeliversEveryMessageToTheEnginesBoundSocket() throws {
        let context = try Context()
        let subscriber = try Socket(context, .subscriber)
        try subscriber.setReceiveHighWaterMark(0)
        try subscriber.subscribe("read.")
        let endpoint = FreePort.endpoint()
        try subscriber.bind(endpoint)
        let process = RingwatchProcess(["simulate", "--publish", endpoint, "--hours", "0.1", "--rate", "3", "--speed", "max"])
        try process.start()
        let received = try Self.drain(subscriber, while: process)
        let result = process.wait(timeout: 10)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received.count > 500)
        #expect(received.count == Self.summaryCount(result.stderr))
        #expect(received.allSatisfy { $0.count == 2 && $0[0].hasPrefix("read.") && $0[1].hasPrefix("{\"camera\":") })
    }

    @Test func replayPublishesAFileOnABoundSocketAtSpeed() throws {
        let directory = TemporaryDirectory()
        let out = directory.file("traffic.jsonl")
        let written = try RingwatchProcess.run(["simulate", "--out", out, "--hours", "0.03", "--rate", "3", "--seed", "9"])
        #expect(written.status == 0, "\(written.stderr)")
        let lines = try Self.lines(out)

        let context = try Context()
        let subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe("read.")
        let endpoint = FreePort.endpoint()
        // The subscriber connects first; libzmq keeps retrying until the replay binds.
        try subscriber.connect(endpoint)
        let started = Date()
        // 108 simulated seconds at 60x: about two seconds.
        let process = RingwatchProcess(["simulate", "--replay", out, "--bind", endpoint, "--speed", "60"])
        try process.start()
        let received = try Self.drain(subscriber, while: process)
        let result = process.wait(timeout: 10)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received.count == lines.count)
        #expect(received.count > 100)
        #expect(Date().timeIntervalSince(started) > 1.5, "--speed 60 should take about two seconds")
        let first = try #require(lines.first)
        #expect(received.first.map { "{\"topic\":\"\($0[0])\",\"body\":\($0[1])}" } == String(first))
    }

    @Test func theEngineAcceptsEverySimulatedReadAndFiresOnPlantedHotlistVehicles() throws {
        let directory = TemporaryDirectory()
        let fixtures = directory.file("fixtures")
        let flags = ["--hours", "0.75", "--rate", "1", "--seed", "11", "--start", "2026-11-23T07:00:00Z"]
        let prepared = try RingwatchProcess.run(["simulate", "--out", "/dev/null", "--fixtures-out", fixtures] + flags)
        #expect(prepared.status == 0, "\(prepared.stderr)")
        let hotlist = try String(contentsOfFile: (fixtures as NSString).appendingPathComponent("hotlist.csv"), encoding: .utf8)
        let daemon = try EndToEndTests.Daemon(hotlist: hotlist)
        try daemon.waitUntilReady()

        let result = try RingwatchProcess.run(["simulate", "--publish", daemon.ingest, "--speed", "max"] + flags)
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(Self.summaryCount(result.stderr))
        var status: [String: Any] = [:]
        for _ in 0..<200 {
            status = try daemon.status()
            if (status["reads_received"] as? Int ?? 0) >= sent { break }
            usleep(50_000)
        }
        #expect(status["reads_received"] as? Int == sent)
        #expect(status["reads_rejected"] as? Int == 0)
        #expect(status["reads_fields_ignored"] as? Int ?? 0 == 0)
        #expect((status["reads_duplicate"] as? Int ?? 0) > 0)
        // Every planted hotlist vehicle is read correctly at least once: the exact matcher fires.
        let truth = try Self.lines((fixtures as NSString).appendingPathComponent("ground-truth.jsonl"))
        let hotlisted = truth.filter { $0.hasPrefix("{\"event\":\"hotlist\"") }.count
        #expect(hotlisted > 0)
        #expect((status["triggers_emitted"] as? Int ?? 0) >= hotlisted)
        #expect(daemon.stop().status == 0)
    }

    @Test(arguments: [
        ["simulate", "--hours", "1"],
        ["simulate", "--out", "/tmp/x.jsonl", "--publish", "tcp://127.0.0.1:1"],
        ["simulate", "--out", "/tmp/x.jsonl", "--rate", "-1"],
        ["simulate", "--out", "/tmp/x.jsonl", "--hours", "0"],
        ["simulate", "--out", "/tmp/x.jsonl", "--start", "monday"],
        ["simulate", "--publish", "tcp://127.0.0.1:1", "--speed", "fast"],
        ["simulate", "--out", "/tmp/x.jsonl", "--misread-rate", "2"],
        ["simulate", "--out", "/tmp/x.jsonl", "--cameras", "/nonexistent/cameras.csv"],
        ["simulate", "--out", "/tmp/x.jsonl", "--replay", "/tmp/y.jsonl"],
        ["simulate", "--out", "/tmp/x.jsonl", "--bogus"],
    ])
    func badFlagsExitTwoWithOneLine(arguments: [String]) throws {
        let result = try RingwatchProcess.run(arguments, timeout: 20)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
