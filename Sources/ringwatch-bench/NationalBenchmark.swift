// `ringwatch-bench national`: the engine at national scale (issue 10), end to end.
//
//   ringwatch-bench national [--dir DIR] [--reads N] [--rate R] [--runs N]
//
// Inputs, made once in DIR (default /tmp/ringwatch-national) and reused:
// - cameras.csv: 5,500 cameras about a kilometre apart on five rings across a country;
// - day.jsonl: a simulated day at national volume (`ringwatch simulate --out`, 580 reads/s on
//   average, about 50 million reads, 9,000,000 distinct vehicles);
// - hotlist.csv: the simulator's planted entries padded to 1,000,000 plates with plates that
//   do not drive;
// - registry.csv: the simulated fleet padded to 8,000,000 vehicles.
//
// Each run starts an engine in this process with every detector on (hotlist with OCR tolerance,
// registry mismatch, clone, convoy, 100 route watches) and persistence on, and drives it from a
// separate process (`ringwatch-bench drive`) over loopback TCP:
// 1. the transport ceiling: the same messages into a bare SUB socket;
// 2. as fast as it takes: N reads, sent → stored, and reads lost;
// 3. at a fixed rate (default 50,000 reads/s): read received → trigger published inside the
//    engine, and read sent → trigger received outside it.
import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchTesting
import Synchronization
import ZeroMQ

struct NationalBenchmark {
    let directory: String
    let reads: Int
    let latencyRate: Int
    let runs: Int

    static let hotlistEntries = 1_000_000
    static let registryVehicles = 8_000_000
    /// Distinct vehicles on the road (`simulate --max-fleet`); the registry is padded beyond them.
    static let fleet = 9_000_000
    static let readsPerSecond = 580.0

    var camerasPath: String { directory + "/cameras.csv" }
    var dayPath: String { directory + "/day.jsonl" }
    var hotlistPath: String { directory + "/hotlist.csv" }
    var registryPath: String { directory + "/registry.csv" }

    func run() throws {
        try prepare()
        print("national: \(reads) reads per run from \(dayPath); 5,500 cameras, \(Self.hotlistEntries) hotlist entries, "
            + "\(Self.registryVehicles) registered vehicles; all detectors and persistence on")

        var ceilings: [Double] = [], rates: [Double] = [], lost: [Int] = [], inside: [[Double]] = [], outside: [[Double]] = []
        var memory = (engine: 0, growthPerRead: 0.0)
        for _ in 0..<runs {
            ceilings.append(try transportCeiling())
            let result = try withEngine(rate: 0, count: reads, triggers: false) { _, _ in }
            rates.append(result.rate)
            lost.append(result.lost)
            memory = result.memory
            let latency = try latencyRun()
            inside.append(latency.inside)
            outside.append(latency.outside)
        }
        report("transport ceiling (raw libzmq)", ceilings, unit: "msgs/s")
        report("engine, as fast as it takes", rates, unit: "reads/s")
        print("reads lost per run: \(lost.map(String.init).joined(separator: ", "))")
        print(String(format: "engine / transport ceiling: %.2f", median(rates) / median(ceilings)))
        func percentiles(_ runs: [[Double]], _ what: String) {
            let columns = ["p50", "p99", "p99.9", "max"]
            let parts = columns.indices.map { column in
                String(format: "%@ %.3f ms", columns[column] as NSString, median(runs.map { $0[column] }))
            }
            print("\(what) at \(latencyRate) reads/s (median of runs): \(parts.joined(separator: ", ")); triggers/run: \(runs.map { Int($0[4]) })")
        }
        percentiles(inside, "latency read received → trigger published")
        percentiles(outside, "latency read sent → trigger received")
        print(String(format: "resident memory: engine with registry, hotlist and watches %.0f MB; growth while ingesting %.1f bytes per read "
                + "(window, detector state, SQLite cache; the window alone: `ringwatch-bench index`)",
                     Double(memory.engine) / 1_048_576, memory.growthPerRead))
    }

    // MARK: Inputs

    func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: camerasPath) { try Self.writeCameras(to: camerasPath) }
        let fixtures = directory + "/fixtures"
        if !FileManager.default.fileExists(atPath: dayPath) {
            print("national: simulating a day at \(Int(Self.readsPerSecond)) reads/s into \(dayPath) (once; a few minutes)")
            let binary = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/ringwatch"
            let simulate = Process()
            simulate.executableURL = URL(fileURLWithPath: binary)
            // A national fleet: enough vehicles that none is ever on two journeys at once (a
            // smaller one makes the clone detector fire on the simulator's own reuse).
            simulate.arguments = ["simulate", "--out", dayPath + ".partial", "--fixtures-out", fixtures, "--hours", "24",
                                  "--rate", String(Self.readsPerSecond), "--cameras", camerasPath, "--seed", "1",
                                  "--max-fleet", String(Self.fleet)]
            try simulate.run()
            simulate.waitUntilExit()
            guard simulate.terminationStatus == 0 else {
                throw BenchError("national: '\(binary) simulate' failed; build it with 'swift build -c release --product ringwatch'")
            }
            try FileManager.default.moveItem(atPath: dayPath + ".partial", toPath: dayPath)
        }
        if !FileManager.default.fileExists(atPath: hotlistPath) {
            // Padding lists plates that do not drive: the hits of a day are those the simulator
            // planted, and near misses of the OCR-variant matcher.
            let fleet = try Self.plates(in: fixtures + "/registry.csv")
            try Self.pad(fixtures + "/hotlist.csv", to: hotlistPath, lines: Self.hotlistEntries, seed: 11, excluding: fleet) { plate in
                "\(plate),stolen,high,bench padding,"
            }
        }
        if !FileManager.default.fileExists(atPath: registryPath) {
            let vehicles = [("Volkswagen", "Golf", "grey"), ("Skoda", "Octavia", "black"), ("BMW", "3 Series", "blue"),
                            ("Peugeot", "308", "white"), ("Renault", "Clio", "red"), ("Toyota", "Yaris", "silver")]
            var next = 0
            try Self.pad(fixtures + "/registry.csv", to: registryPath, lines: Self.registryVehicles, seed: 12) { plate in
                next += 1
                let (make, model, color) = vehicles[next % vehicles.count]
                return "\(plate),\(make),\(model),\(color),car"
            }
        }
    }

    /// Five concentric rings 60–275 km across, one camera per kilometre of ring road.
    static func writeCameras(to path: String) throws {
        let rings: [(String, Double, Int)] = [("R1", 60, 377), ("R2", 120, 754), ("R3", 180, 1131), ("R4", 240, 1508), ("R5", 275, 1730)]
        let latitude = 50.60, longitude = 4.45
        var text = "camera,ring,lat,lon,name\n"
        for (label, radius, count) in rings {
            for position in 0..<count {
                let angle = 2 * Double.pi * Double(position) / Double(count)
                let lat = latitude + radius * cos(angle) / 111.0
                let lon = longitude + radius * sin(angle) / (111.0 * cos(latitude * .pi / 180))
                text += String(format: "%@-%04d,%@,%.6f,%.6f,%@ km %d\n", label as NSString, position + 1, label as NSString,
                               lat, lon, label as NSString, position)
            }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Copies `source` (a CSV with a header) and adds lines for new Belgian-format plates until
    /// the file has `lines` data lines.
    /// The first column of a CSV file's rows (its plates), without the header.
    static func plates(in path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Set(text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst().map { String($0.prefix { $0 != "," }) })
    }

    static func pad(_ source: String, to path: String, lines: Int, seed: UInt64, excluding: Set<String> = [], line: (String) -> String) throws {
        let original = try String(contentsOfFile: source, encoding: .utf8)
        var rows = original.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var taken = Set(rows.dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }).union(excluding)
        var random = SeededRandom(seed: seed)
        while rows.count - 1 < lines {
            let candidate = random.belgianPlate()
            guard taken.insert(candidate).inserted else { continue }
            rows.append(line(candidate))
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: Runs

    /// Starts the driver process; returns it with its standard input and output.
    func startDriver(endpoint: String, count: Int, rate: Int, triggers: String?) throws -> (Process, FileHandle, FileHandle) {
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        driver.arguments = ["drive", "--file", dayPath, "--count", String(count), "--endpoint", endpoint, "--rate", String(rate)]
            + (triggers.map { ["--triggers", $0] } ?? [])
        let input = Pipe(), output = Pipe()
        driver.standardInput = input
        driver.standardOutput = output
        try driver.run()
        return (driver, input.fileHandleForWriting, output.fileHandleForReading)
    }

    /// Messages per second a bare SUB socket receives from the driver.
    func transportCeiling() throws -> Double {
        let context = try Context(ioThreads: 1)
        let subscriber = try Socket(context, .subscriber)
        try subscriber.setReceiveHighWaterMark(0)
        try subscriber.subscribe("read.")
        try subscriber.bind("tcp://127.0.0.1:*")
        let (driver, go, output) = try startDriver(endpoint: try subscriber.lastEndpoint, count: reads, rate: 0, triggers: nil)
        // The receiving loop runs here; the driver probes until it is told to go.
        var received = 0
        var began: UInt64 = 0
        let probeTopic = Array("read.probe".utf8)
        while true {
            guard let isProbe = try subscriber.receive(maximumFrames: 2, { message in message.frames[0].starts(with: probeTopic) }) else {
                continue
            }
            if isProbe { if began == 0 { began = 1 } else { continue } }
            if began == 1 {
                // A probe: the subscription has joined. Drain other probes and start.
                usleep(20_000)
                while try subscriber.receive(dontWait: true, { _ in 0 }) != nil {}
                go.write(Data("go\n".utf8))
                began = DispatchTime.now().uptimeNanoseconds
                continue
            }
            received += 1
            if received == reads { break }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        _ = output.readDataToEndOfFile()
        driver.waitUntilExit()
        return Double(reads) / elapsed
    }

    func engineConfiguration(database: String) -> EngineConfiguration {
        var configuration = EngineConfiguration.loopback(databasePath: database, camerasPath: camerasPath)
        configuration.hotlistPath = hotlistPath
        configuration.registryPath = registryPath
        // For comparing the writer at the pipeline's priority (0) with the default.
        if let nice = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_WRITER_NICE"].flatMap(Int32.init) {
            configuration.writerNiceness = nice
        }
        configuration.vehicleMakesPath = RingwatchProcess.packageRoot + "/Fixtures/vehicle-makes.csv"
        configuration.vehicleModelsPath = RingwatchProcess.packageRoot + "/Fixtures/vehicle-models.csv"
        configuration.vehicleColorsPath = RingwatchProcess.packageRoot + "/Fixtures/vehicle-colors.csv"
        configuration.cloneEnabled = true
        return configuration
    }

    /// Route watches over random runs of neighbouring cameras.
    func addWatches(_ engine: Engine, count: Int) {
        var random = SeededGenerator(state: 99)
        let rings = [("R1", 377), ("R2", 754), ("R3", 1131), ("R4", 1508), ("R5", 1730)]
        for number in 0..<count {
            let (label, size) = rings[Int(random.next() % 5)]
            let first = Int(random.next() % UInt64(size - 8))
            let cameras = (0..<5).map { "\"\(label)-\(String(format: "%04d", first + 1 + $0 * 2))\"" }.joined(separator: ",")
            let request = #"{"op":"watch.add","name":"bench-\#(number)","cameras":[\#(cameras)],"max_gap_s":900,"min_match":0.8}"#
            _ = engine.handleControlRequest(Array(request.utf8))
        }
    }

    struct LatencyFigures {
        /// p50, p99, p99.9, max in milliseconds, then the number of triggers.
        var inside: [Double]
        var outside: [Double]
    }

    func latencyRun() throws -> LatencyFigures {
        let count = min(reads, latencyRate * 20)
        var figures = LatencyFigures(inside: [], outside: [])
        _ = try withEngine(rate: latencyRate, count: count, triggers: true) { engine, driverOutput in
            let histogram = engine.metricsRegistry.triggerLatency.snapshot
            figures.inside = [0.5, 0.99, 0.999, 1].map { Double(histogram.percentile($0)) / 1e6 } + [Double(histogram.count)]
            let latency = driverOutput["external_latency"] as? [String: Any] ?? [:]
            figures.outside = ["p50_ms", "p99_ms", "p999_ms", "max_ms"].map { latency[$0] as? Double ?? .nan }
                + [Double(latency["count"] as? Int ?? 0)]
        }
        return figures
    }

    /// One engine run: the rate from "go" to the last read stored, reads lost, and memory
    /// (resident after loading, and growth per read while ingesting).
    struct RunResult {
        var rate: Double
        var lost: Int
        var memory: (engine: Int, growthPerRead: Double)
    }

    func withEngine(rate: Int, count: Int, triggers: Bool, after: (Engine, [String: Any]) -> Void) throws -> RunResult {
        let temporary = TemporaryDirectory(prefix: "ringwatch-national")
        var logger = Logger(label: "bench")
        // The simulated cameras lose reads on purpose (seq gaps): keep the log to errors.
        logger.logLevel = .error
        trimHeap()
        let before = residentBytes()
        let engine = try Engine(configuration: engineConfiguration(database: temporary.file("national.sqlite")), logger: logger)
        engine.start()
        addWatches(engine, count: 100)
        let (driver, go, output) = try startDriver(endpoint: engine.ingestEndpoint, count: count, rate: rate,
                                                   triggers: triggers ? engine.triggerEndpoint : nil)
        let counters = engine.counters
        while counters.received.load(ordering: .relaxed) == 0 { usleep(1000) }
        usleep(20_000)
        while engine.storedReads < counters.accepted.load(ordering: .relaxed) { usleep(1000) }
        engine.metricsRegistry.triggerLatency.reset()
        trimHeap()
        let loaded = residentBytes()
        // Probes come from camera "probe", missing from the registry: they are told apart by
        // the unknown-camera count (every camera of the simulated day is registered).
        func arrived() -> Int { counters.received.load(ordering: .relaxed) - counters.unknownCamera.load(ordering: .relaxed) }
        let received = arrived()
        let triggersBefore = counters.triggersEmitted.load(ordering: .relaxed)
        let cpuBefore = processCPUSeconds()
        let threadsBefore = threadCPUSeconds()
        let commitsBefore = engine.historyCommits
        go.write(Data("go\n".utf8))
        let began = DispatchTime.now().uptimeNanoseconds
        // Done when every message has arrived and every accepted read is committed (the
        // simulated day holds duplicates, which are counted and not stored); give up after 20 s
        // without progress: what did not arrive is lost.
        var last = -1, lastChange = began
        // Every message received must also have been taken by the pipeline (accepted, or
        // rejected) or dropped as a duplicate: the pipeline takes a batch at once and matches
        // the hotlist on all of it before it accepts the first read, and meanwhile "stored =
        // accepted" already holds.
        func settled() -> Bool {
            counters.accepted.load(ordering: .relaxed) + counters.duplicate.load(ordering: .relaxed)
                + counters.rejections.reduce(0) { $0 + $1.count } >= counters.received.load(ordering: .relaxed)
        }
        while arrived() - received < count || !settled()
            || engine.storedReads < counters.accepted.load(ordering: .relaxed) {
            let progress = counters.received.load(ordering: .relaxed) + engine.storedReads
            let now = DispatchTime.now().uptimeNanoseconds
            if progress != last {
                last = progress
                lastChange = now
            } else if now - lastChange > 20_000_000_000 {
                break
            }
            // Coarse polling: on two cores a tight loop would take CPU from the engine it measures.
            usleep(5_000)
        }
        let finished = DispatchTime.now().uptimeNanoseconds
        let cpu = processCPUSeconds() - cpuBefore
        let threadsAfter = threadCPUSeconds()
        let window = counters.windowReads.load(ordering: .relaxed)
        trimHeap()
        let grown = residentBytes() - loaded
        let data = output.readDataToEndOfFile()
        driver.waitUntilExit()
        let driverOutput = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        after(engine, driverOutput)
        print("  triggers by kind and severity: " + triggerCounts(engine))
        engine.stop()
        // What did not arrive is lost, and so is an accepted read that was not stored.
        let lost = max(0, count - (arrived() - received)) + (counters.accepted.load(ordering: .relaxed) - engine.storedReads)
        let seconds = Double(finished - began) / 1e9
        print(String(format: "  run at %@: %.1f s, engine CPU %.1f s (%.2f cores incl. this process's waiting loop); "
                + "%d duplicates, %d quarantined, %d triggers; window %d reads",
                     rate == 0 ? "full speed" : "\(rate) reads/s", seconds, cpu, cpu / seconds,
                     counters.duplicate.load(ordering: .relaxed), counters.rejections.reduce(0) { $0 + $1.count }, counters.triggersEmitted.load(ordering: .relaxed) - triggersBefore,
                     window))
        // Where the engine's CPU went, by thread name (µs a read).
        var byThread: [String: (user: Double, system: Double)] = [:]
        for (thread, after) in threadsAfter {
            let before = threadsBefore[thread] ?? (0, 0)
            byThread[thread.name, default: (0, 0)].user += after.user - before.user
            byThread[thread.name, default: (0, 0)].system += after.system - before.system
        }
        let perRead = 1e6 / Double(max(count, 1))
        print("  engine CPU by thread, µs a read (of which system): "
            + byThread.filter { $0.value.user + $0.value.system > 0.0005 * seconds }
            .sorted { $0.value.user + $0.value.system > $1.value.user + $1.value.system }
            .map { String(format: "%@ %.2f (%.2f)", $0.key, ($0.value.user + $0.value.system) * perRead, $0.value.system * perRead) }
            .joined(separator: ", "))
        let commits = engine.historyCommits - commitsBefore
        print("  history commits: \(commits) (\(count / max(commits, 1)) reads each)")
        return RunResult(rate: Double(count) / seconds, lost: lost,
                         memory: (loaded - before, Double(grown) / Double(max(count, 1))))
    }

    /// `kind.severity=count` pairs from the engine's Prometheus counters.
    func triggerCounts(_ engine: Engine) -> String {
        var text: [UInt8] = []
        engine.metricsRegistry.registry.emit(into: &text)
        return String(decoding: text, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("ringwatch_triggers_total{") }
            .map { line in
                line.replacingOccurrences(of: "ringwatch_triggers_total{kind=\"", with: "")
                    .replacingOccurrences(of: "\",severity=\"", with: ".")
                    .replacingOccurrences(of: "\"} ", with: "=")
            }
            .sorted().joined(separator: " ")
    }

    /// A thread of this process: its kernel id and name.
    struct ThreadKey: Hashable {
        let id: Int
        let name: String
    }

    /// CPU time (user, system) of each of this process's threads, from /proc/self/task.
    func threadCPUSeconds() -> [ThreadKey: (user: Double, system: Double)] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [ThreadKey: (user: Double, system: Double)] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let id = Int(entry), let stat = try? String(contentsOfFile: "/proc/self/task/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the name: state is the 3rd field of the line, utime the 14th, stime the 15th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            out[ThreadKey(id: id, name: String(stat[stat.index(after: open)..<close]))] = (user / ticks, system / ticks)
        }
        return out
    }

    /// CPU time (user + system) this process has used.
    func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
