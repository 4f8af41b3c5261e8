// Decoding and normalising one read: the first thing the pipeline does with every message.
import Benchmark
import RingwatchBenchmarkSupport
import RingwatchCore
import RingwatchIngest

let benchmarks: @Sendable () -> Void = {
    // 100,000 distinct bodies (about 230 bytes each), cycled: more than the caches hold, as on
    // the wire.
    Benchmark("decode: read body (230-byte JSON) -> PlateRead", configuration: .perOperation()) {
        (benchmark: Benchmark, bodies: [[UInt8]]) in
        let decoder = ReadDecoder()
        var next = benchmark.currentIteration &* 1000
        for _ in benchmark.scaledIterations {
            let body = bodies[next % bodies.count]
            next &+= 1
            body.withUnsafeBytes { raw in
                guard case .success(let decoded) = decoder.decode(raw) else { fatalError("a generated read was rejected") }
                blackHole(decoded)
            }
        }
    } setup: {
        ReadTraffic.bodies(count: 100_000, fleet: 50_000)
    }

    Benchmark("normalise: printed plate String -> Plate", configuration: .perOperation()) { benchmark, plates in
        var next = benchmark.currentIteration &* 1000
        for _ in benchmark.scaledIterations {
            blackHole(Plate(normalising: plates[next % plates.count]))
            next &+= 1
        }
    } setup: {
        (0..<100_000).map { ReadTraffic.printedPlate($0 &* 7919 % 1_000_000) }
    }

    Benchmark("normalise: plate bytes from the wire -> Plate", configuration: .perOperation()) { benchmark, plates in
        var next = benchmark.currentIteration &* 1000
        for _ in benchmark.scaledIterations {
            plates[next % plates.count].withUnsafeBufferPointer { blackHole(Plate(normalising: $0)) }
            next &+= 1
        }
    } setup: {
        (0..<100_000).map { Array(ReadTraffic.printedPlate($0 &* 7919 % 1_000_000).utf8) }
    }
}
