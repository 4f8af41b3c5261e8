// Release-mode benchmarks for the engine core (see docs/performance.md).
//
//   swift build -c release --product ringwatch-bench
//   .build/release/ringwatch-bench [decode|dedup|index|ingest|hotlist|registry|convoy|convoy-accuracy|routes|watch|purge|accuracy|national|all] [--runs N] [--reads N] [--rate N]
//   .build/release/ringwatch-bench detector-cost [--dir DIR] [--reads N] [--runs N]   (national inputs; CPU per read of window and detectors)
//   .build/release/ringwatch-bench convoy-tail [--dir DIR] [--reads N] [--runs N]   (national inputs; each convoy detector call timed)
//   .build/release/ringwatch-bench history-append [--dir DIR] [--reads N] [--runs N]   (national inputs; CPU per read of decoding and storing)
//   .build/release/ringwatch-bench history-writer [--dir DIR] [--reads N] [--runs N]   (national inputs; the writer thread's CPU per read, sealing included)
//   .build/release/ringwatch-bench history-scale [--db PATH] [--reads N] [--days N] [--runs N]   (needs .build/release/ringwatch too)
//
// Each figure is the median of several runs. Inputs are generated from a fixed seed.
import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchIndex
import RingwatchIngest
import RingwatchTesting
import ZeroMQ

struct Arguments {
    var suite = "all"
    var runs = 5
    /// Whether `--runs` was given (suites whose run takes minutes default to one).
    var runsGiven = false
    var reads: Int?
    var rate = 50_000
    /// Where `national` keeps its generated inputs.
    var directory = "/tmp/ringwatch-national"
    /// A database to keep and reuse (`history-scale`).
    var database: String?
    var days = 31

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--runs":
                runs = Int(iterator.next() ?? "") ?? runs
                runsGiven = true
            case "--reads": reads = Int(iterator.next() ?? "")
            case "--rate": rate = Int(iterator.next() ?? "") ?? rate
            case "--dir": directory = iterator.next() ?? directory
            case "--db": database = iterator.next()
            case "--days": days = Int(iterator.next() ?? "") ?? days
            case "decode", "dedup", "index", "ingest", "hotlist", "all", "index-memory", "purge", "registry", "registry-memory", "accuracy", "convoy", "convoy-accuracy", "routes", "watch", "national", "history-scale", "detector-cost", "convoy-tail", "history-append", "history-writer":
                suite = argument
            default:
                FileHandle.standardError.write(Data("ringwatch-bench: unknown argument \(argument); use decode|dedup|index|ingest|hotlist|registry|convoy|convoy-accuracy|routes|watch|purge|accuracy|national|history-scale|detector-cost|convoy-tail|history-append|history-writer|all [--runs N] [--reads N] [--rate N] [--dir DIR] [--db PATH] [--days N]\n".utf8))
                exit(2)
            }
        }
    }
}

/// A deterministic generator (SplitMix64), so every run sees the same traffic.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let cameraIDs = (1...14).map { String(format: "R1-%02d", $0) } + (1...16).map { String(format: "R2-%02d", $0) } + (1...18).map { String(format: "R3-%02d", $0) }
let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ")

func plate(_ number: Int) -> String {
    let a = letters[number % 23], b = letters[(number / 23) % 23], c = letters[(number / 529) % 23]
    return "\(1 + number % 2)-\(a)\(b)\(c)-\(String(format: "%03d", (number / 12_167) % 1000))"
}

/// Realistic read bodies: a fleet of `fleet` vehicles, reads one millisecond apart.
func makeBodies(count: Int, fleet: Int, start: Timestamp, seed: UInt64 = 42) -> [(topic: [UInt8], body: [UInt8])] {
    var random = SeededGenerator(state: seed)
    let makes = [("Volkswagen", "Golf", "grey"), ("Skoda", "Octavia", "black"), ("BMW", "3 Series", "blue"), ("Peugeot", "308", "white"), ("Renault", "Clio", "red")]
    var sequences: [String: Int64] = [:]
    return (0..<count).map { index in
        let camera = cameraIDs[Int(random.next() % UInt64(cameraIDs.count))]
        let vehicle = Int(random.next() % UInt64(fleet))
        let (make, model, color) = makes[vehicle % makes.count]
        sequences[camera, default: 0] += 1
        let body = ReadMessages.body(
            camera: camera, ts: start.adding(milliseconds: Int64(index)), plate: plate(vehicle), id: "\(camera)-\(index)",
            seq: sequences[camera], confidence: 0.8 + Double(random.next() % 200) / 1000, make: make, model: model, color: color,
            direction: index % 2 == 0 ? "in" : "out",
            extra: [("country", "\"BE\""), ("vehicle_confidence", "0.91")])
        return (Array("read.\(camera.prefix(2)).\(camera)".utf8), Array(body.utf8))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Returns freed heap pages to the kernel (glibc `malloc_trim`), so resident memory measures
/// what is live.
func trimHeap() {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
}

/// Resident memory of this process (from /proc/self/statm).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func report(_ name: String, _ values: [Double], unit: String) {
    let formatted = values.map { String(format: "%.0f", $0) }.joined(separator: ", ")
    print(String(format: "%-34@ median %12.0f %@   (runs: %@)", name as NSString, median(values), unit as NSString, formatted as NSString))
}

// The national benchmark's load generator is this binary in another process.
if CommandLine.arguments.dropFirst().first == "drive" {
    do {
        try NationalDriver(arguments: Array(CommandLine.arguments.dropFirst(2))).run()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("ringwatch-bench drive: \(error)\n".utf8))
        exit(1)
    }
}

let arguments = Arguments()
let start = Timestamp(rfc3339: "2026-11-22T06:00:00Z")!
print("ringwatch-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, libzmq \(Context.libraryVersion); median of \(arguments.runs) runs")

// MARK: decode

if arguments.suite == "all" || arguments.suite == "decode" {
    let count = arguments.reads ?? 1_000_000
    let bodies = makeBodies(count: 100_000, fleet: 50_000, start: start)
    let decoder = ReadDecoder()
    var rates: [Double] = []
    var accepted = 0
    for _ in 0..<arguments.runs {
        accepted = 0
        let elapsed = seconds {
            for index in 0..<count {
                bodies[index % bodies.count].body.withUnsafeBytes { raw in
                    if case .success = decoder.decode(raw) { accepted += 1 }
                }
            }
        }
        rates.append(Double(count) / elapsed)
    }
    precondition(accepted == count, "decode rejected generated reads")
    print("decode: \(bodies[0].body.count)-byte JSON bodies, all fields present")
    report("decode + validate", rates, unit: "reads/s")
}

// MARK: dedup

// The ingest thread's duplicate filter: every read id of the horizon. Its slowest insert is
// how long the thread stops taking messages while the filter grows.
if arguments.suite == "all" || arguments.suite == "dedup" {
    let count = arguments.reads ?? 20_000_000
    print("dedup: \(count) distinct read ids over a 24 h horizon, one insert at a time (timing included)")
    for shards in [1, DuplicateFilter.defaultShards] {
        var means: [Double] = [], slowest: [Double] = []
        for run in 0..<arguments.runs {
            var filter = DuplicateFilter(horizonMilliseconds: 86_400_000, shards: shards)
            var random = SeededGenerator(state: UInt64(run) + 11)
            var worst: UInt64 = 0
            let elapsed = seconds {
                for index in 0..<count {
                    let id = ReadID(rawValue: random.next())
                    let began = DispatchTime.now().uptimeNanoseconds
                    _ = filter.insert(id, at: start.adding(milliseconds: Int64(index) * 86_400_000 / Int64(count)))
                    worst = max(worst, DispatchTime.now().uptimeNanoseconds - began)
                }
            }
            precondition(filter.count == count, "the filter lost ids")
            means.append(elapsed / Double(count) * 1e9)
            slowest.append(Double(worst) / 1e3)
        }
        report("insert, \(shards) set(s)", means, unit: "ns")
        report("slowest insert, \(shards) set(s)", slowest, unit: "µs")
    }
}

// MARK: index

/// A filled 24 h window: `count` decoded reads of 300,000 vehicles spread evenly over the day.
func dayOfReads(count: Int) -> [PlateRead] {
    let decoder = ReadDecoder()
    return makeBodies(count: count, fleet: 300_000, start: start).enumerated().map { index, message in
        var read = try! message.body.withUnsafeBytes { decoder.decode($0) }.get().read
        read.timestamp = start.adding(milliseconds: Int64(index) * 86_400_000 / Int64(count))
        return read
    }
}

if arguments.suite == "index-memory" {
    let count = arguments.reads ?? 2_000_000
    let reads = dayOfReads(count: count)
    trimHeap()
    let before = residentBytes()
    let index = ReadIndex()
    for read in reads { index.insert(read) }
    trimHeap()
    let after = residentBytes()
    print(Double(after - before) / Double(index.count))
    withExtendedLifetime((index, reads)) {}
    exit(0)
}

if arguments.suite == "all" || arguments.suite == "index" {
    // A filled 24 h window: 2,000,000 reads of 300,000 vehicles spread over the day.
    let count = arguments.reads ?? 2_000_000
    let reads = dayOfReads(count: count)
    var rates: [Double] = [], bytes: [Double] = [], lookups: [Double] = [], slowest: [Double] = [], slowestAtOnce: [Double] = []
    for _ in 0..<arguments.runs {
        let index = ReadIndex()
        let elapsed = seconds { for read in reads { index.insert(read) } }
        rates.append(Double(count) / elapsed)
        // Resident growth is measured in a fresh process, where the window's pages are new.
        let child = Process()
        let output = Pipe()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["index-memory", "--reads", String(count)]
        child.standardOutput = output
        try child.run()
        child.waitUntilExit()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        bytes.append(lines.last.flatMap { Double($0) } ?? .nan)
        var found = 0
        let probes = 10_000
        let end = reads.last!.timestamp
        let lookupTime = seconds {
            for probe in 0..<probes {
                found += index.reads(plate: reads[(probe * 7919) % count].plate, from: start, to: end).count
            }
        }
        precondition(found >= probes)
        lookups.append(Double(probes) / lookupTime)
        withExtendedLifetime(index) {}
        // The next day's first two hours: partitions leave the window as these arrive. The
        // slowest insert is the pause an eviction causes, with the plates released a few
        // hundred per insert (the default) and all in the evicting insert (as before).
        for (budget, figure) in [(ReadIndex.Configuration().platesReleasedPerInsert, 0), (Int.max, 1)] {
            var configuration = ReadIndex.Configuration()
            configuration.platesReleasedPerInsert = budget
            let filled = ReadIndex(configuration: configuration)
            for read in reads { filled.insert(read) }
            var worst: UInt64 = 0
            for read in reads.prefix(count / 12) {
                var next = read
                next.timestamp = read.timestamp.adding(milliseconds: 86_400_000)
                let began = DispatchTime.now().uptimeNanoseconds
                filled.insert(next)
                worst = max(worst, DispatchTime.now().uptimeNanoseconds - began)
            }
            if figure == 0 { slowest.append(Double(worst) / 1000) } else { slowestAtOnce.append(Double(worst) / 1000) }
        }
    }
    print("index: \(count) reads over 24 h, 300,000 vehicles, 5-minute partitions (\(count / 288) reads each)")
    report("index insert", rates, unit: "reads/s")
    report("index plate lookup (24 h)", lookups, unit: "lookups/s")
    report("index resident bytes per read", bytes, unit: "bytes")
    report("slowest insert while evicting", slowest, unit: "µs")
    report("same, plates released at once", slowestAtOnce, unit: "µs")
}

// MARK: registry (RegistryBenchmark.swift)

if arguments.suite == "registry-memory" { try RegistryBenchmark.measureMemory(); exit(0) }
if arguments.suite == "registry" { try RegistryBenchmark(runs: arguments.runs, reads: arguments.reads ?? 1_000_000).run() }

// MARK: end-to-end ingest

if arguments.suite == "all" || arguments.suite == "ingest" {
    let count = arguments.reads ?? 1_000_000
    let messages = makeBodies(count: count, fleet: 200_000, start: start, seed: 7)
    var rates: [Double] = []
    var lost: [Int] = []
    for run in 0..<arguments.runs {
        let directory = TemporaryDirectory(prefix: "ringwatch-bench")
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("bench.sqlite"), camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv")
        configuration.hotlistPath = RingwatchProcess.packageRoot + "/Fixtures/hotlist.csv"
        // These vehicles jump between random cameras a millisecond apart: every plate would be a
        // clone. The clone detector's own cost is measured by the `registry` suite.
        configuration.cloneEnabled = false
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let engine = try Engine(configuration: configuration, logger: logger)
        engine.start()
        let context = try Context()
        let publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(0)
        try publisher.connect(engine.ingestEndpoint)
        // Join: probe until the engine has seen one read (it is counted and subtracted below).
        var probes = 0
        while engine.counters.received.load(ordering: .relaxed) == 0 {
            try publisher.send(["read.probe.probe", ReadMessages.body(camera: "probe", ts: start.adding(milliseconds: -1 - Int64(probes)), plate: "PROBE")])
            probes += 1
            usleep(5000)
        }
        // Let the probes reach the disk so they are not counted as benchmark reads.
        while engine.storedReads < engine.counters.accepted.load(ordering: .relaxed) { usleep(1000) }
        let baseline = engine.storedReads
        let elapsed = try seconds {
            for message in messages { try publisher.send([message.topic, message.body]) }
            // Done when every read is committed; give up after 10 s without progress (a loss).
            var last = -1, idleSince = DispatchTime.now().uptimeNanoseconds
            while engine.storedReads - baseline < count {
                let stored = engine.storedReads
                if stored != last {
                    last = stored
                    idleSince = DispatchTime.now().uptimeNanoseconds
                } else if DispatchTime.now().uptimeNanoseconds - idleSince > 10_000_000_000 {
                    break
                }
                usleep(500)
            }
        }
        engine.stop()
        let stored = engine.storedReads - baseline
        lost.append(count - stored)
        rates.append(Double(count) / elapsed)
        if run == 0 {
            print("ingest: \(count) reads over loopback TCP, PUB -> engine SUB, decode + dedup + index + exact hotlist + SQLite commit")
        }
    }
    report("end-to-end ingest (sent -> stored)", rates, unit: "reads/s")
    print("reads lost per run: \(lost.map(String.init).joined(separator: ", "))")
}

// MARK: hotlist (HotlistBenchmark.swift)

if arguments.suite == "all" || arguments.suite == "hotlist" {
    try runHotlistBenchmark(runs: arguments.runs, reads: arguments.reads ?? 1_000_000)
}

// MARK: purge

if arguments.suite == "purge" {
    try purgeBenchmark(runs: arguments.runs, readsPerDay: arguments.reads ?? 5_000_000, ingestRate: arguments.rate)
}

// MARK: convoy (ConvoyBenchmark.swift)

if arguments.suite == "convoy" { try ConvoyBenchmark(runs: arguments.runs, readsPerDay: arguments.reads ?? 1_000_000).run() }

// MARK: accuracy (AccuracyBenchmark.swift)

if arguments.suite == "convoy-accuracy" { try ConvoyAccuracyBenchmark(runs: arguments.runsGiven ? arguments.runs : 2).run() }

// MARK: routes, watch (RoutesBenchmark.swift)

if arguments.suite == "routes" || arguments.suite == "watch" {
    // `--rate` here is reads per simulated second of the month (default 2).
    let rate = CommandLine.arguments.contains("--rate") ? Double(arguments.rate) : 2
    try RoutesBenchmark(runs: arguments.runsGiven ? arguments.runs : 3, rate: rate).run(suite: arguments.suite)
}

// MARK: national (NationalBenchmark.swift)

if arguments.suite == "national" {
    try NationalBenchmark(directory: arguments.directory, reads: arguments.reads ?? 5_000_000, latencyRate: arguments.rate,
                          runs: arguments.runsGiven ? arguments.runs : 3).run()
}

if arguments.suite == "history-append" {
    try HistoryAppendBenchmark(directory: arguments.directory, reads: arguments.reads ?? 200_000, runs: arguments.runs).run()
}

if arguments.suite == "history-writer" {
    try HistoryWriterBenchmark(directory: arguments.directory, reads: arguments.reads ?? 1_500_000, runs: arguments.runs).run()
}

if arguments.suite == "detector-cost" {
    try DetectorCostBenchmark(directory: arguments.directory, reads: arguments.reads ?? 1_000_000, runs: arguments.runs).run()
}

if arguments.suite == "convoy-tail" {
    try ConvoyTailBenchmark(directory: arguments.directory, reads: arguments.reads ?? 1_000_000, runs: arguments.runs).run()
}

if arguments.suite == "accuracy" { try AccuracyBenchmark(runs: arguments.runsGiven ? arguments.runs : 1).run() }

// MARK: history at national scale (HistoryScaleBenchmark.swift)

if arguments.suite == "history-scale" {
    try HistoryScaleBenchmark(runs: arguments.runs, reads: arguments.reads ?? 100_000_000, days: arguments.days, path: arguments.database).run()
}
