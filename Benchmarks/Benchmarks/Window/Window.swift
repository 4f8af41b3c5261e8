// The in-memory window (RingwatchIndex.ReadIndex): inserting a read into a filled 24-hour
// window, and a vehicle's reads over the whole window.
import Benchmark
import RingwatchBenchmarkSupport
import RingwatchCore
import RingwatchIndex

/// A filled window and the reads that follow it.
final class FilledWindow {
    let index = ReadIndex()
    let following: [PlateRead]
    let plates: [Plate]
    var next = 0

    /// 2,000,000 reads of 300,000 vehicles over 24 h (the `ringwatch-bench index` window), then
    /// `following` more reads at the same rate, which push the oldest partitions out.
    init(following count: Int) {
        let perHour = 2_000_000 / 24
        let reads = ReadTraffic.spreadReads(
            count: 2_000_000 + count, fleet: 300_000, hours: Double(2_000_000 + count) / Double(perHour), characterConfidence: false)
        for read in reads.prefix(2_000_000) { index.insert(read) }
        following = Array(reads.dropFirst(2_000_000))
        plates = (0..<10_000).map { reads[($0 &* 7919) % 2_000_000].plate }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("index insert: one read into a filled 24 h window", configuration: .perOperation(iterations: 1_000)) {
        (benchmark: Benchmark, window: FilledWindow) in
        for _ in benchmark.scaledIterations {
            // 1,000 iterations and the warm-up take 1,003,000 of the prepared reads.
            blackHole(window.index.insert(window.following[window.next % window.following.count]))
            window.next &+= 1
        }
    } setup: {
        FilledWindow(following: 1_010_000)
    }

    // About a tenth of a millisecond each: one lookup per iteration is measured well enough.
    Benchmark("index lookup: one vehicle's reads over 24 h", configuration: .perOperation(scale: .one, iterations: 20_000)) {
        (benchmark: Benchmark, window: FilledWindow) in
        let from = ReadTraffic.start, to = ReadTraffic.start.adding(seconds: 86_400)
        for _ in benchmark.scaledIterations {
            blackHole(window.index.reads(plate: window.plates[window.next % window.plates.count], from: from, to: to))
            window.next &+= 1
        }
    } setup: {
        FilledWindow(following: 0)
    }
}
