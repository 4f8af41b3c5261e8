// `ringwatch-bench detector-cost`: CPU per read of the window insert and of the hotlist,
// registry-mismatch and clone detectors on national traffic, in this process (no sockets).
//
//   ringwatch-bench detector-cost [--dir DIR] [--reads N] [--runs N]
//
// Uses the national benchmark's inputs (made once in DIR by `ringwatch-bench national`): the
// first N reads of the simulated day (duplicates dropped, as the pipeline's de-duplication
// would), 5,500 cameras, a 1,000,000-entry hotlist with OCR tolerance, an 8,000,000-vehicle
// registry. Each run replays the reads through a fresh window and fresh detectors in the
// pipeline's order, timing each step; the figures are medians over runs, per read. The
// triggers' digest (kind, severity, read ids, explanation of every trigger) shows that a
// change kept the detectors' behaviour.
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchIndex
import RingwatchIngest
import RingwatchRegistry
import RingwatchTesting

struct DetectorCostBenchmark {
    let directory: String
    let reads: Int
    let runs: Int

    func run() throws {
        let national = NationalBenchmark(directory: directory, reads: reads, latencyRate: 0, runs: 1)
        let cameras = try national.preparedCameras()
        var files = RegistryFiles(registry: national.registryPath)
        files.makes = RingwatchProcess.packageRoot + "/Fixtures/vehicle-makes.csv"
        files.models = RingwatchProcess.packageRoot + "/Fixtures/vehicle-models.csv"
        files.colors = RingwatchProcess.packageRoot + "/Fixtures/vehicle-colors.csv"
        let (registry, _) = try Engine.loadRegistry(files)
        let (entries, _) = HotlistEntry.parse(csv: try String(contentsOfFile: national.hotlistPath, encoding: .utf8), file: national.hotlistPath)
        let hotlist = HotlistDetector(entries: entries)
        let stream = try national.loadReads()
        print("detector-cost: \(stream.count) reads of \(national.dayPath); 5,500 cameras, \(entries.count) hotlist entries, "
            + "\(registry.count) registered vehicles; median of \(runs) runs, CPU per read")

        let steps = ["window insert", "hotlist", "mismatch", "clone"]
        var figures: [[Double]] = Array(repeating: [], count: steps.count + 1)
        var digests: Set<String> = []
        var counts = ""
        var pauses: [String] = []
        let threadClock = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_THREAD_CLOCK"] == "1"
        let clock: () -> UInt64 = { threadClock ? threadCPUNanoseconds() : DispatchTime.now().uptimeNanoseconds }
        for _ in 0..<runs {
            let lookup = RegistryLookup(registry: registry, cameras: cameras)
            hotlist.registry = lookup
            let mismatch = MismatchDetector(lookup: lookup)
            let clone = CloneDetector(lookup: lookup)
            let index = ReadIndex()
            let detectors: [any Detector] = [hotlist, mismatch, clone]
            var nanoseconds = [UInt64](repeating: 0, count: steps.count)
            // Pauses: the slowest call of each step, and calls over a millisecond. In wall time a
            // busy host adds pauses of its own; RINGWATCH_BENCH_THREAD_CLOCK=1 times every call
            // in the thread's CPU time instead (a system call each, which the means then include).
            var slowest = [UInt64](repeating: 0, count: steps.count)
            var overOneMillisecond = [Int](repeating: 0, count: steps.count)
            var digest = StableHash()
            var fired = [Int](repeating: 0, count: detectors.count)
            let cpuBefore = threadCPUNanoseconds()
            for read in stream {
                var began = clock()
                index.insert(read)
                var now = clock()
                nanoseconds[0] += now - began
                slowest[0] = max(slowest[0], now - began)
                if now - began > 1_000_000 { overOneMillisecond[0] += 1 }
                let context = DetectionContext(index: index, cameras: cameras, isLate: false)
                for (position, detector) in detectors.enumerated() {
                    began = now
                    let drafts = detector.evaluate(read, context: context)
                    now = clock()
                    nanoseconds[position + 1] += now - began
                    slowest[position + 1] = max(slowest[position + 1], now - began)
                    if now - began > 1_000_000 { overOneMillisecond[position + 1] += 1 }
                    fired[position] += drafts.count
                    for draft in drafts {
                        digest.combine(draft.kind.rawValue)
                        digest.combine(draft.severity.rawValue)
                        for id in draft.readIDs { digest.combine(Int64(bitPattern: id.rawValue)) }
                        digest.combine(draft.explanation)
                    }
                }
            }
            let cpu = threadCPUNanoseconds() - cpuBefore
            for step in steps.indices { figures[step].append(Double(nanoseconds[step]) / Double(stream.count) / 1000) }
            figures[steps.count].append(Double(cpu) / Double(stream.count) / 1000)
            digests.insert(String(digest.value, radix: 16))
            pauses.append((threadClock ? "(thread CPU) " : "(wall) ") + zip(steps, zip(slowest, overOneMillisecond)).map { name, figures in
                String(format: "%@ %.1f ms (%d over 1 ms)", name, Double(figures.0) / 1e6, figures.1)
            }.joined(separator: ", "))
            counts = zip(["hotlist", "mismatch", "clone"], fired).map { "\($0)=\($1)" }.joined(separator: " ")
        }
        for (step, name) in steps.enumerated() {
            print(String(format: "  %-14@ %6.2f µs/read (runs: %@)", name as NSString, median(figures[step]),
                         figures[step].map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        }
        print(String(format: "  %-14@ %6.2f µs/read thread CPU for all four, timing included (runs: %@)", "total" as NSString,
                     median(figures[steps.count]), figures[steps.count].map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        for (run, line) in pauses.enumerated() { print("  slowest call, run \(run + 1): \(line)") }
        print("  triggers: \(counts); digest \(digests.sorted().joined(separator: " / "))")
    }
}
