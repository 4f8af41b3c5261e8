import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import Testing

/// Two engines fed the same stream emit the same trigger ids, so dispatch can run both and keep
/// the first copy of each id.
@Suite("Active-active engines", .serialized)
struct ActiveActiveTests {
    @Test func twoEnginesFedTheSameReadsEmitTheSameTriggerIDs() throws {
        let hotlist = "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Stolen,\n2KLM456,wanted_person,high,Warrant,\n"
        let first = try LoopbackEngine(hotlist: hotlist)
        let second = try LoopbackEngine(hotlist: hotlist)
        defer {
            first.engine.stop()
            second.engine.stop()
        }
        let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
        // Without source ids too: the read id then comes from camera, time and plate.
        let bodies = (0..<400).map { index -> String in
            let plate = index % 40 == 0 ? "1ABC123" : index % 40 == 20 ? "2-KLM-456" : "1QQ\(String(format: "%c", 65 + index % 26))\(100 + index)"
            let camera = "R\(1 + index % 3)-0\(1 + index % 9)"
            return ReadMessages.body(camera: camera, ts: base.adding(seconds: Int64(index)), plate: plate, id: index % 2 == 0 ? "aa-\(index)" : nil)
        }
        for body in bodies {
            try first.send(body)
            try second.send(body)
        }
        for rig in [first, second] {
            let expected = rig.probes + bodies.count
            #expect(rig.waitFor { rig.engine.counters.received.load(ordering: .relaxed) == expected })
        }
        first.engine.stop()
        second.engine.stop()
        let ids = try [first, second].map { rig in
            try RingwatchStorageAccess.open(rig.databasePath).triggers(since: 0, limit: 1000).map(\.triggerID)
        }
        // 20 hotlist hits, and whatever else the other detectors make of the same reads. The ids
        // agree; their `seq` order need not: hotlist hits go out ahead of the other triggers of
        // the batch they arrived in, and the two engines cut the stream into different batches.
        #expect(ids[0].count >= 20)
        #expect(ids[0].sorted() == ids[1].sorted(), "the engines disagree on trigger ids")
    }
}
