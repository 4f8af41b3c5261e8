import Benchmark

extension Benchmark.Configuration {
    /// What every Ringwatch micro-benchmark records: time, rate, instructions (where the
    /// kernel lets perf counters be read; not in every VM) and allocations.
    public static let ringwatchMetrics: [BenchmarkMetric] = [.wallClock, .throughput, .instructions, .mallocCountTotal]

    /// One iteration is `scale` operations (a read, a lookup, a trigger), so figures are per
    /// operation; runs for at most `seconds` or `iterations` iterations, after `warmup`.
    public static func perOperation(
        scale: BenchmarkScalingFactor = .kilo, seconds: Int = 2, iterations: Int = 2_000, warmup: Int = 3
    ) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: ringwatchMetrics, timeUnits: .nanoseconds, warmupIterations: warmup, scalingFactor: scale,
            maxDuration: .seconds(seconds), maxIterations: iterations)
    }
}
