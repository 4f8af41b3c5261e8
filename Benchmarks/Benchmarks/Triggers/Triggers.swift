// Encoding a trigger as the pipeline publishes it (Pipeline.emit): the deterministic id
// (SHA-256 of kind, rule and evidence), the JSON body in contract order, the topic, and the
// two frames' bytes.
import Benchmark
import Foundation
import RingwatchBenchmarkSupport
import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// Encodes `draft` as emit does; returns the frames' sizes.
@inline(__always)
func encode(_ draft: TriggerDraft, sequence: Int64) -> Int {
    let trigger = Trigger(draft: draft, sequence: sequence, emittedAt: Timestamp(milliseconds: 1_795_413_600_000 + sequence))
    let stored = StoredTrigger(trigger)
    let topic = Array(trigger.topic.utf8), body = Array(stored.body.utf8)
    return topic.count + body.count
}

/// Real drafts: hotlist hits (exact and misread) of a 10,000-entry list.
func hotlistDrafts() -> [TriggerDraft] {
    let hotlist = HotlistFixture(count: 10_000)
    let replay = WindowReplay(reads: hotlist.reads(count: 100_000), detectors: [HotlistDetector(entries: hotlist.entries)], inserts: false)
    replay.warm(fraction: 1, keepDrafts: 1_000)
    precondition(!replay.drafts.isEmpty, "no hotlist trigger fired")
    return replay.drafts
}

/// Real drafts: convoys found in two hours of simulated traffic (planted and chance ones).
func convoyDrafts() -> [TriggerDraft] {
    let traffic = SimulatedTraffic(readsPerSecond: 50, hours: 2)
    let replay = WindowReplay(reads: traffic.reads, detectors: [ConvoyDetector()])
    replay.warm(fraction: 1, keepDrafts: 1_000)
    precondition(!replay.drafts.isEmpty, "no convoy trigger fired")
    return replay.drafts
}

let benchmarks: @Sendable () -> Void = {
    for (name, drafts) in [("hotlist", hotlistDrafts), ("convoy", convoyDrafts)] {
        Benchmark("trigger encode: \(name) trigger -> topic + JSON body", configuration: .perOperation()) {
            (benchmark: Benchmark, drafts: [TriggerDraft]) in
            var sequence = Int64(benchmark.currentIteration) * 1000
            for _ in benchmark.scaledIterations {
                blackHole(encode(drafts[Int(sequence) % drafts.count], sequence: sequence))
                sequence += 1
            }
        } setup: {
            drafts()
        }
    }
}
