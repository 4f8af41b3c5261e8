// `ringwatch-bench convoy-tail`: the cost of each call of the live convoy detector on national
// traffic, in this process (no sockets), to show the tail a single read can cost.
//
//   ringwatch-bench convoy-tail [--dir DIR] [--reads N] [--runs N]
//
// Uses the national benchmark's inputs (made once in DIR by `ringwatch-bench national`): the
// first N reads of the simulated day, duplicates dropped, 5,500 cameras. Each run replays them
// through a fresh window and a fresh `ConvoyDetector` (no registry: no vehicle is excluded),
// timing every `evaluate` call in thread CPU time (so that other processes on the machine do
// not show as slow calls). Prints the mean per read, the percentiles of single calls,
// how many calls took over 1 ms and 3 ms (and where, in the last run), and a digest of the triggers (kind, read ids,
// explanation) that shows whether a change kept the detector's findings.
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex

struct ConvoyTailBenchmark {
    let directory: String
    let reads: Int
    let runs: Int

    func run() throws {
        let national = NationalBenchmark(directory: directory, reads: reads, latencyRate: 0, runs: 1)
        let cameras = try national.preparedCameras()
        let stream = try national.loadReads()
        print("convoy-tail: \(stream.count) reads of \(national.dayPath); median of \(runs) runs, thread CPU time of each evaluate call")

        var means: [Double] = [], p50s: [Double] = [], p99s: [Double] = [], p999s: [Double] = [], maxima: [Double] = []
        var over1: [Double] = [], over3: [Double] = []
        var digests: Set<String> = []
        var summary = ""
        var slowCalls: [String] = []
        for _ in 0..<runs {
            let index = ReadIndex()
            let detector = ConvoyDetector()
            var calls = [UInt64](repeating: 0, count: stream.count)
            var digest = StableHash()
            var fired = 0
            slowCalls.removeAll()
            for (position, read) in stream.enumerated() {
                index.insert(read)
                let context = DetectionContext(index: index, cameras: cameras, isLate: false)
                let began = threadCPUNanoseconds()
                let drafts = detector.evaluate(read, context: context)
                calls[position] = threadCPUNanoseconds() - began
                if calls[position] > 1_000_000 {
                    // Where the tracker stood: a slow call at a power of two of vehicles or held
                    // passages is a table or queue growing.
                    let tracker = detector.tracker
                    slowCalls.append(String(format: "read %d: %.1f ms; %d vehicles, %d passages held", position, Double(calls[position]) / 1e6,
                                            tracker.vehicleCount, tracker.heldPassages))
                }
                fired += drafts.count
                for draft in drafts {
                    for id in draft.readIDs { digest.combine(Int64(bitPattern: id.rawValue)) }
                    digest.combine(draft.explanation)
                }
            }
            let total = calls.reduce(0, +)
            calls.sort()
            func percentile(_ p: Double) -> Double { Double(calls[min(calls.count - 1, Int(Double(calls.count) * p))]) / 1000 }
            means.append(Double(total) / Double(calls.count) / 1000)
            p50s.append(percentile(0.5))
            p99s.append(percentile(0.99))
            p999s.append(percentile(0.999))
            maxima.append(Double(calls.last ?? 0) / 1000)
            over1.append(Double(calls.count - calls.partitionPoint { $0 <= 1_000_000 }))
            over3.append(Double(calls.count - calls.partitionPoint { $0 <= 3_000_000 }))
            digests.insert(String(digest.value, radix: 16))
            let tracker = detector.tracker
            summary = String(format: "  %d triggers; %.1f candidates and %.2f assessments per read; held at the end: %d vehicles, %d passages",
                             fired, Double(tracker.candidatesExamined) / Double(stream.count),
                             Double(tracker.assessments) / Double(stream.count), tracker.vehicleCount, tracker.heldPassages)
        }
        func line(_ name: String, _ values: [Double], _ unit: String) {
            print(String(format: "  %@ %9.2f %@ (runs: %@)", name.padding(toLength: 16, withPad: " ", startingAt: 0) as NSString, median(values), unit as NSString,
                         values.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        }
        line("mean per read", means, "µs")
        line("p50 of calls", p50s, "µs")
        line("p99 of calls", p99s, "µs")
        line("p99.9 of calls", p999s, "µs")
        line("slowest call", maxima, "µs")
        line("calls over 1 ms", over1, "")
        line("calls over 3 ms", over3, "")
        print(summary)
        print("  calls over 1 ms in the last run: " + (slowCalls.isEmpty ? "none" : ""))
        for call in slowCalls { print("    " + call) }
        print("  digest \(digests.sorted().joined(separator: " / "))")
    }
}

extension Array where Element: Comparable {
    /// The index of the first element for which `belongs` is false, in an array sorted so that
    /// all those for which it is true come first.
    fileprivate func partitionPoint(_ belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
