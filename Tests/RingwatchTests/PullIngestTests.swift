import Foundation
import RingwatchCore
import RingwatchEngine
import RingwatchTesting
import Testing
import ZeroMQ

@Suite("Lossless ingest over PUSH/PULL", .serialized)
struct PullIngestTests {
    @Test func readsPushedFasterThanTheEngineTakesThemAreAllStored() throws {
        let rig = try LoopbackEngine(tune: { configuration in
            configuration.ingestPull = ["tcp://127.0.0.1:*"]
            // A tiny high-water mark: the pusher must be held back, not have reads dropped.
            configuration.receiveHighWaterMark = 100
        })
        defer { rig.engine.stop() }
        let endpoint = try #require(rig.engine.pullEndpoint)
        let pusher = try Socket(rig.context, .push)
        try pusher.setSendHighWaterMark(100)
        try pusher.connect(endpoint)
        let count = 20_000
        let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
        for index in 0..<count {
            try pusher.send(["read.R2.R2-03", ReadMessages.body(camera: "R2-03", ts: base.adding(milliseconds: Int64(index)),
                                                                plate: "1PUL\(String(format: "%03d", index % 1000))", id: "pull-\(index)")])
        }
        let expected = rig.probes + count
        #expect(rig.waitFor(30) { rig.engine.storedReads == expected }, "stored \(rig.engine.storedReads) of \(expected)")
        #expect(rig.engine.counters.received.load(ordering: .relaxed) == expected)
    }
}
