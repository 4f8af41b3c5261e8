// Each detector's cost per read, in steady state: the window filled and the detector's own
// memory learnt from the first part of the stream before the measurement starts.
//
// Detectors that look at the window (mismatch, clone, convoy) are measured as the pipeline
// runs them, window insert included; "window insert alone" on the same stream is the part of
// that figure that is the window's. Hotlist and route watch do not look at the window.
import Benchmark
import RingwatchBenchmarkSupport
import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry

/// Four hours of simulated morning rush at 50 reads/s (720,000 reads, 48 cameras).
let traffic = SimulatedTraffic.morningRush
/// The simulator's fleet filled up to 8,000,000 registered vehicles.
let registry = RegistryFixture.registry(for: traffic)

/// A replay of the rush with 40 % of it already seen.
func warmed(_ detectors: [any Detector], inserts: Bool = true) -> WindowReplay {
    let replay = WindowReplay(reads: traffic.reads, detectors: detectors, inserts: inserts)
    replay.warm(fraction: 0.4)
    return replay
}

/// Route watches on real trips of five cameras or more, taken from the first half of the rush.
func learnedWatches(_ count: Int) -> [RouteWatch] {
    var byPlate: [String: [Passage]] = [:]
    for read in traffic.reads.prefix(traffic.reads.count / 2) { byPlate[read.plate.text, default: []].append(Passage(read)) }
    var routes: [[String]] = []
    for plate in byPlate.keys.sorted(by: { StableHash.of($0) < StableHash.of($1) }) where routes.count < count {
        if let trip = Trip.split(byPlate[plate]!).first(where: { Set($0.cameras).count >= 5 }) { routes.append(trip.cameras) }
    }
    return routes.enumerated().map { RouteWatch(name: "watch-\($0)", cameras: $1) }
}

let benchmarks: @Sendable () -> Void = {
    let perRead = Benchmark.Configuration.perOperation(seconds: 3, iterations: 400)

    Benchmark("hotlist: one read against 1,000,000 entries, OCR-tolerant", configuration: .perOperation()) {
        (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        let hotlist = HotlistFixture()
        return WindowReplay(reads: hotlist.reads(count: 200_000), detectors: [HotlistDetector(entries: hotlist.entries)], inserts: false)
    }

    Benchmark("window insert alone (the rush, reference for the next three)", configuration: perRead) {
        (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        warmed([])
    }

    Benchmark("mismatch: window insert + registry check (8M vehicles)", configuration: perRead) {
        (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        warmed([MismatchDetector(lookup: RegistryLookup(registry: registry, cameras: ReadTraffic.cameras))])
    }

    Benchmark("clone: window insert + impossible-journey check", configuration: perRead) { (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        warmed([CloneDetector(lookup: RegistryLookup(registry: registry, cameras: ReadTraffic.cameras))])
    }

    Benchmark("convoy: window insert + convoy tracking", configuration: perRead) { (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        warmed([ConvoyDetector()])
    }

    Benchmark("route watch: one read against 100 watches", configuration: perRead) { (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        warmed([RouteWatchDetector(watches: learnedWatches(100))], inserts: false)
    }

    Benchmark("all five: window insert + every detector, as the pipeline runs them", configuration: perRead) {
        (benchmark: Benchmark, replay: WindowReplay) in
        blackHole(replay.advance(benchmark.scaledIterations.count))
    } setup: {
        let lookup = RegistryLookup(registry: registry, cameras: ReadTraffic.cameras)
        let hotlist = HotlistFixture()
        return warmed([
            HotlistDetector(entries: hotlist.entries), ConvoyDetector(), RouteWatchDetector(watches: learnedWatches(100)),
            MismatchDetector(lookup: lookup), CloneDetector(lookup: lookup),
        ])
    }
}
