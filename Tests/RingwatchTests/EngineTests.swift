import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchStorage
import RingwatchTesting
import Testing
import ZeroMQ

/// The engine in-process on loopback ports chosen by the kernel, driven through real sockets.
final class LoopbackEngine {
    let directory = TemporaryDirectory()
    let engine: Engine
    let context: Context
    let publisher: Socket
    let subscriber: Socket
    var databasePath: String { engine.configuration.databasePath }
    /// Probe reads the engine received while the sockets joined (each counts as received,
    /// accepted and from an unknown camera).
    private(set) var probes = 0

    init(hotlist: String = "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Stolen in Deurne,\n", tune: (inout EngineConfiguration) -> Void = { _ in }) throws {
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("ringwatch.sqlite"), camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv")
        configuration.hotlistPath = try directory.write("hotlist.csv", hotlist)
        tune(&configuration)
        engine = try Engine(configuration: configuration, logger: Logger(label: "test"))
        engine.start()
        context = try Context()
        subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe("trigger.")
        try subscriber.connect(engine.triggerEndpoint)
        publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(0)
        try publisher.connect(engine.ingestEndpoint)
        try waitUntilConnected()
    }

    /// PUB/SUB joins asynchronously: a probe read (on an unregistered camera) is sent until the
    /// engine counts it, so no test read is lost to the slow-joiner window.
    private func waitUntilConnected() throws {
        for attempt in 0..<500 {
            let time = Timestamp(rfc3339: "2026-11-22T07:00:00Z")!.adding(milliseconds: Int64(attempt))
            try publisher.send(["read.probe.probe", ReadMessages.body(camera: "probe", ts: time, plate: "PROBE\(attempt)")])
            usleep(10_000)
            if engine.counters.received.load(ordering: .relaxed) > 0 {
                usleep(100_000)
                probes = engine.counters.received.load(ordering: .relaxed)
                return
            }
        }
        Issue.record("engine never received the probe read")
    }

    func send(_ body: String, topic: String = "read.R1.R1-01") throws { try publisher.send([topic, body]) }

    func sendRaw(_ frames: [[UInt8]]) throws { try publisher.send(frames) }

    /// Waits until `condition` holds, polling every 10 ms, for at most `seconds`.
    func waitFor(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    func control(_ request: String) throws -> [String: Any] {
        let client = try Socket(context, .request)
        try client.setReceiveTimeout(milliseconds: 5000)
        try client.setLinger(milliseconds: 0)
        try client.connect(engine.controlEndpoint)
        try client.send([request])
        let reply = try #require(try client.receiveFrames()?.last)
        return try #require(try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any])
    }

    func nextTrigger(timeoutMilliseconds: Int = 5000) throws -> (topic: String, body: [String: Any])? {
        guard try subscriber.waitForInput(milliseconds: timeoutMilliseconds), let frames = try subscriber.receiveStrings() else { return nil }
        let body = try JSONSerialization.jsonObject(with: Data(frames[1].utf8)) as? [String: Any] ?? [:]
        return (frames[0], body)
    }
}

@Suite("Engine on loopback sockets", .serialized)
struct EngineTests {
    let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    @Test func hotlistReadFiresATriggerWithEveryContractField() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "1-abc-123", id: "cam1-0001", seq: 1))
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.topic == "trigger.hotlist.critical")
        for field in ["trigger_id", "seq", "kind", "severity", "ts", "emitted_at", "plate", "camera", "ring", "read_ids", "explanation",
                      "listed_plate", "match", "substitutions", "score", "category", "reason", "historical"] {
            #expect(trigger.body[field] != nil, "missing \(field)")
        }
        #expect(trigger.body["plate"] as? String == "1ABC123")
        #expect(trigger.body["ring"] as? String == "R1")
        #expect(trigger.body["ts"] as? String == "2026-11-22T08:00:00.000Z")
        #expect(trigger.body["match"] as? String == "exact")
        #expect((trigger.body["explanation"] as? String)?.contains("Stolen in Deurne") == true)
        #expect(trigger.body["seq"] as? Int == 1)
    }

    @Test func statusCountsAcceptedRejectedDuplicateUnknownCameraAndGaps() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R2-01", ts: base, plate: "1XYZ001", id: "a", seq: 10))
        try rig.send(ReadMessages.body(camera: "R2-01", ts: base.adding(seconds: 1), plate: "1XYZ002", id: "b", seq: 13))  // 11, 12 lost
        try rig.send(ReadMessages.body(camera: "R2-01", ts: base.adding(seconds: 1), plate: "1XYZ002", id: "b", seq: 13))  // duplicate
        try rig.send(ReadMessages.body(camera: "NOT-A-CAMERA", ts: base, plate: "1XYZ003"))
        try rig.send("{not json")
        let probes = rig.probes
        #expect(rig.waitFor { rig.engine.counters.received.load(ordering: .relaxed) >= probes + 5 })
        let status = try rig.control("{\"op\":\"status\"}")
        #expect(status["ok"] as? Bool == true)
        #expect(status["reads_received"] as? Int == probes + 5)
        #expect(status["reads_accepted"] as? Int == probes + 3)
        #expect(status["reads_duplicate"] as? Int == 1)
        #expect(status["reads_rejected"] as? Int == 1)
        #expect(status["reads_unknown_camera"] as? Int == probes + 1)
        #expect(status["ingest_gaps"] as? Int == 2)
        for field in ["reads_stored", "triggers_emitted", "last_trigger_seq", "uptime_s"] { #expect(status[field] != nil) }
    }

    @Test func replayReturnsTriggersAfterASequenceOldestFirst() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        for index in 0..<5 {
            try rig.send(ReadMessages.body(camera: "R1-02", ts: base.adding(seconds: Int64(index)), plate: "1ABC123"))
        }
        #expect(rig.waitFor { rig.engine.counters.triggersEmitted.load(ordering: .relaxed) == 5 })
        let reply = try rig.control("{\"op\":\"replay\",\"since_seq\":2,\"limit\":10}")
        let triggers = try #require(reply["triggers"] as? [[String: Any]])
        #expect(triggers.compactMap { $0["seq"] as? Int } == [3, 4, 5])
        let limited = try rig.control("{\"op\":\"replay\",\"since_seq\":0,\"limit\":2}")
        #expect((limited["triggers"] as? [[String: Any]])?.count == 2)
        let bad = try rig.control("{\"op\":\"launch\"}")
        #expect(bad["ok"] as? Bool == false)
        #expect((bad["error"] as? String)?.isEmpty == false)
    }

    @Test func hotlistAddFiresHistoricalTriggersForReadsInTheWindow() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R3-04", ts: base, plate: "2KLM456"))
        let probes = rig.probes
        #expect(rig.waitFor { rig.engine.counters.accepted.load(ordering: .relaxed) == probes + 1 })
        let reply = try rig.control("{\"op\":\"hotlist.add\",\"plate\":\"2-KLM-456\",\"category\":\"wanted_person\",\"severity\":\"high\",\"reason\":\"warrant\"}")
        #expect(reply["ok"] as? Bool == true)
        #expect(reply["entry_id"] as? Int != nil)
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.body["historical"] as? Bool == true)
        #expect(trigger.body["camera"] as? String == "R3-04")
        let removed = try rig.control("{\"op\":\"hotlist.remove\",\"plate\":\"2KLM456\"}")
        #expect(removed["removed"] as? Int == 1)
    }

    @Test func aRestartRebuildsTheWindowAndContinuesTheSequence() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ringwatch.sqlite")
        var firstSeq = 0
        var probes = 0
        do {
            let rig = try LoopbackEngine { $0.databasePath = path }
            try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "1ABC123", id: "r-1"))
            firstSeq = try #require(try rig.nextTrigger()?.body["seq"] as? Int)
            probes = rig.probes
            #expect(rig.engine.stop() == nil)
        }
        let rig = try LoopbackEngine { $0.databasePath = path }
        defer { rig.engine.stop() }
        #expect(rig.engine.restoredReads == probes + 1)
        // The same source id again is recognised as a duplicate after the restart.
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "1ABC123", id: "r-1"))
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 5), plate: "1ABC123", id: "r-2"))
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.body["seq"] as? Int == firstSeq + 1)
        #expect(rig.engine.counters.duplicate.load(ordering: .relaxed) >= 1)
    }

    @Test func aSecondEngineOnTheSameDatabaseIsRefused() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        var configuration = EngineConfiguration()
        configuration.databasePath = rig.databasePath
        configuration.camerasPath = RingwatchProcess.packageRoot + "/Fixtures/cameras.csv"
        let error = #expect(throws: EngineLock.Held.self) { _ = try Engine(configuration: configuration, logger: Logger(label: "t")) }
        #expect(error?.description.contains("already running") == true)
    }
}
