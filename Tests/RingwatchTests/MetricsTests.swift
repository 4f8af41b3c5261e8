import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

/// A plain HTTP/1.1 GET over a socket: the status code and the body.
func httpGet(port: UInt16, path: String) throws -> (status: Int, body: String) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(connected == 0, "cannot connect to the metrics port")
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    _ = request.withCString { write(descriptor, $0, strlen($0)) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    let status = Int(parts[0].split(separator: " ").dropFirst().first ?? "") ?? 0
    return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
}

/// The value of the sample `name` (with its labels exactly as written) in Prometheus text.
func sample(_ text: String, _ name: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.dropFirst(name.count + 1))
    }
    return nil
}

@Suite("Metrics and health endpoints", .serialized)
struct MetricsTests {
    let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    @Test func metricsCountReadsByOutcomeTriggersByKindAndTimeDetectorsAndCommits() throws {
        let rig = try LoopbackEngine { $0.metrics = "127.0.0.1:0" }
        defer { rig.engine.stop() }
        let port = try #require(rig.engine.metricsPort)
        // 40 reads over three minutes of event time, one of them the listed plate, and garbage.
        for index in 0..<40 {
            let plate = index == 20 ? "1ABC123" : "2XYZ\(100 + index)"
            try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: Int64(index) * 5), plate: plate, id: "m-\(index)"))
        }
        try rig.send("this is not json")
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "2XYZ100", id: "m-0"))  // a duplicate
        #expect(rig.waitFor { rig.engine.storedReads >= 40 + rig.probes })
        let text = try httpGet(port: port, path: "/metrics")
        #expect(text.status == 200)
        let body = text.body
        #expect(sample(body, "ringwatch_reads_received_total") == Double(42 + rig.probes))
        #expect(sample(body, "ringwatch_reads_accepted_total") == Double(40 + rig.probes))
        #expect(sample(body, "ringwatch_reads_duplicate_total") == 1)
        #expect(sample(body, "ringwatch_reads_rejected_total{reason=\"not_json\"}") == 1)
        #expect(sample(body, "ringwatch_reads_stored_total") == Double(40 + rig.probes))
        #expect(sample(body, "ringwatch_triggers_total{kind=\"hotlist\",severity=\"critical\"}") == 1)
        // One read in eight is timed per detector: at least five hotlist timings.
        #expect((sample(body, "ringwatch_detector_seconds_count{detector=\"hotlist\"}") ?? 0) >= 5)
        #expect(body.contains("ringwatch_detector_seconds_bucket{detector=\"mismatch\",le="))
        #expect((sample(body, "ringwatch_database_commit_seconds_count") ?? 0) >= 1)
        #expect((sample(body, "ringwatch_window_reads") ?? 0) >= 40)
        #expect((sample(body, "ringwatch_window_bytes") ?? 0) > 0)
        #expect((sample(body, "ringwatch_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect(body.contains("# HELP ringwatch_reads_received_total "))
        #expect(!body.contains("1ABC123"), "plates never appear in metrics")

        // A second scrape adds only what happened in between.
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 300), plate: "2XYZ999", id: "m-99"))
        #expect(rig.waitFor { rig.engine.storedReads >= 41 + rig.probes })
        let again = try httpGet(port: port, path: "/metrics").body
        #expect(sample(again, "ringwatch_reads_received_total") == Double(43 + rig.probes))
        #expect(sample(again, "ringwatch_ingest_reads_per_second") != nil)
    }

    @Test func healthTurnsUnhealthyWhenIngestStallsAndRecovers() throws {
        let rig = try LoopbackEngine {
            $0.metrics = "127.0.0.1:0"
            $0.healthIngestStallSeconds = 1
        }
        defer { rig.engine.stop() }
        let port = try #require(rig.engine.metricsPort)
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "2XYZ100"))
        #expect(rig.waitFor { rig.engine.storedReads >= 1 + rig.probes })
        let fresh = try httpGet(port: port, path: "/health")
        #expect(fresh.status == 200)
        #expect(fresh.body.contains("\"status\":\"ok\""))

        Thread.sleep(forTimeInterval: 1.3)
        let stalled = try httpGet(port: port, path: "/health")
        #expect(stalled.status == 503)
        #expect(stalled.body.contains("ingest stalled"))
        #expect(sample(try httpGet(port: port, path: "/metrics").body, "ringwatch_healthy") == 0)

        try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 1), plate: "2XYZ101"))
        #expect(rig.waitFor { try! httpGet(port: port, path: "/health").status == 200 })
    }

    @Test func healthTurnsUnhealthyWhileTheWriterCannotCommit() throws {
        let rig = try LoopbackEngine {
            $0.metrics = "127.0.0.1:0"
            $0.healthIngestStallSeconds = 0
            $0.healthWriterLagSeconds = 1
        }
        defer { rig.engine.stop() }
        let port = try #require(rig.engine.metricsPort)
        #expect(try httpGet(port: port, path: "/health").status == 200)
        // Another process holds the write lock (the writer waits up to 5 s per attempt).
        let blocker = try Connection(path: rig.databasePath)
        try blocker.execute("BEGIN IMMEDIATE")
        let stored = rig.engine.storedReads
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "2XYZ100"))
        #expect(rig.waitFor(3) { (try? httpGet(port: port, path: "/health").status) == 503 })
        let behind = try httpGet(port: port, path: "/health")
        #expect(behind.body.contains("history writer behind"))
        #expect(rig.engine.storedReads == stored)
        try blocker.execute("COMMIT")
        #expect(rig.waitFor { rig.engine.storedReads == stored + 1 })
        #expect(rig.waitFor { (try? httpGet(port: port, path: "/health").status) == 200 })
    }

    @Test func aStuckDiskHoldsIngestBackWithABoundedQueueAndLosesNothing() throws {
        let rig = try LoopbackEngine {
            $0.metrics = "127.0.0.1:0"
            $0.writerQueueItems = 1000
            $0.healthIngestStallSeconds = 0
        }
        defer { rig.engine.stop() }
        let port = try #require(rig.engine.metricsPort)
        let stored = rig.engine.storedReads
        let blocker = try Connection(path: rig.databasePath)
        try blocker.execute("BEGIN IMMEDIATE")
        for index in 0..<5000 {
            try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(milliseconds: Int64(index) * 100), plate: "2BP\(index)", id: "bp-\(index)"))
        }
        // The writer's queue fills and the pipeline waits for it instead of growing memory.
        Thread.sleep(forTimeInterval: 1.5)
        let during = try httpGet(port: port, path: "/metrics").body
        #expect((sample(during, "ringwatch_writer_backpressure_waits_total") ?? 0) >= 1)
        #expect((sample(during, "ringwatch_writer_queue_items") ?? .infinity) <= 1000 + 4096)
        #expect(rig.engine.storedReads == stored)
        try blocker.execute("COMMIT")
        #expect(rig.waitFor(20) { rig.engine.storedReads == stored + 5000 })
        #expect(try blocker.rows("PRAGMA integrity_check").first?[0].string == "ok")
    }
}
