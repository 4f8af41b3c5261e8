import Dispatch
import Foundation
import RingwatchCore
@testable import RingwatchEngine
import RingwatchTesting
import Testing

/// Hotlist hits go out before the rest of the batch is analysed (docs/architecture.md, "Hotlist
/// hits first"): a hit must not wait behind the convoy, clone and registry work of the reads
/// queued ahead of it.
@Suite("Hotlist hits first", .serialized)
struct HotlistFirstTests {
    let noon = RegistryFixtures.day

    /// Holds the pipeline thread between two batches until `release` is signalled, so that the
    /// reads sent meanwhile reach it as one batch.
    func pause(_ engine: Engine) -> DispatchSemaphore {
        let paused = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread {
            _ = engine.pipeline.perform { _ in
                paused.signal()
                release.wait()
                return .null
            }
        }.start()
        paused.wait()
        return release
    }

    @Test func aHitLaterInABatchIsPublishedBeforeAnEarlierReadsMismatch() throws {
        let rig = try LoopbackEngine { configuration in
            configuration.registryPath = RegistryFixtures.root + "registry.csv"
            configuration.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
            configuration.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
            configuration.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
        }
        defer { rig.engine.stop() }
        let release = pause(rig.engine)
        // 1DKS617 is registered as a blue BMW 3 Series: a red Ford Focus carrying it is a
        // mismatch. The listed 1ABC123 comes a second later.
        try rig.send(
            ReadMessages.body(camera: "R2-05", ts: noon, plate: "1-DKS-617", make: "Ford", model: "Focus", color: "red",
                              extra: [("vehicle_confidence", "0.97"), ("country", "\"BE\"")]),
            topic: "read.R2.R2-05")
        try rig.send(ReadMessages.body(camera: "R2-06", ts: noon.adding(seconds: 1), plate: "1ABC123"), topic: "read.R2.R2-06")
        let queued = rig.waitFor { rig.engine.pipeline.waitingItems == 2 }
        release.signal()
        #expect(queued, "both reads should wait for the pipeline together")

        let first = try #require(try rig.nextTrigger())
        let second = try #require(try rig.nextTrigger())
        #expect(first.topic == "trigger.hotlist.critical")
        #expect(first.body["plate"] as? String == "1ABC123")
        #expect(first.body["seq"] as? Int == 1)
        #expect(second.topic == "trigger.mismatch.medium")
        #expect(second.body["plate"] as? String == "1DKS617")
        #expect(second.body["seq"] as? Int == 2)
        // Both reads were still indexed and stored in arrival order.
        #expect(rig.waitFor { rig.engine.storedReads >= rig.probes + 2 })
    }

    /// A hit that arrives while the pipeline analyses a long batch goes out within a slice of
    /// that batch (`Pipeline.sliceReads`), before the batch's last read fires its mismatch.
    @Test func aHitArrivingDuringALongBatchIsPublishedBeforeTheBatchEnds() throws {
        let rig = try LoopbackEngine { configuration in
            configuration.registryPath = RegistryFixtures.root + "registry.csv"
            configuration.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
            configuration.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
            configuration.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
        }
        defer { rig.engine.stop() }
        let release = pause(rig.engine)
        // A backlog of unremarkable reads, each vehicle seen once (a few hundred milliseconds of
        // analysis in a debug build), whose last read is a mismatch: a red Ford Focus carrying
        // a blue BMW's plate.
        let backlog = 6_000
        let cameras = ["R1-01", "R1-02", "R2-05", "R2-06", "R3-01"]
        for number in 0..<backlog {
            let plate = String(format: "7QX%04d", number)
            let camera = cameras[number % cameras.count]
            try rig.send(ReadMessages.body(camera: camera, ts: noon.adding(milliseconds: Int64(number) * 50), plate: plate,
                                           id: "backlog-\(number)"),
                         topic: "read.\(camera.prefix(2)).\(camera)")
        }
        try rig.send(
            ReadMessages.body(camera: "R2-05", ts: noon.adding(seconds: 400), plate: "1-DKS-617", make: "Ford", model: "Focus", color: "red",
                              extra: [("vehicle_confidence", "0.97"), ("country", "\"BE\"")]),
            topic: "read.R2.R2-05")
        let total = backlog + 1
        #expect(rig.waitFor(30) { rig.engine.pipeline.waitingItems == total }, "the backlog should wait for the pipeline as one batch")
        release.signal()
        let before = rig.probes
        #expect(rig.waitFor { rig.engine.counters.accepted.load(ordering: .relaxed) > before })
        // The listed plate arrives once the analysis of the backlog has begun.
        try rig.send(ReadMessages.body(camera: "R2-06", ts: noon.adding(seconds: 401), plate: "1ABC123"), topic: "read.R2.R2-06")
        let analysedWhenSent = rig.engine.counters.accepted.load(ordering: .relaxed) - before

        let first = try #require(try rig.nextTrigger(timeoutMilliseconds: 30_000))
        let second = try #require(try rig.nextTrigger(timeoutMilliseconds: 30_000))
        try #require(analysedWhenSent < total, "the backlog was analysed before the hit was sent; the test proves nothing")
        #expect(first.topic == "trigger.hotlist.critical")
        #expect(first.body["seq"] as? Int == 1)
        #expect(second.topic == "trigger.mismatch.medium")
        #expect(second.body["plate"] as? String == "1DKS617")
        #expect(rig.waitFor(30) { rig.engine.storedReads >= rig.probes + total + 1 })
    }
}
