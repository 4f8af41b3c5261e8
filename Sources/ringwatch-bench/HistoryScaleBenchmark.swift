import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting

// History at national scale (issue 10): `reads --plate`, `convoys --plate` and `routes --like`
// on a history of 100 million reads, timed with the real `ringwatch` binary.
//
// 1. Build (once; `--db PATH` keeps it and reuses it): a month of simulated three-ring traffic
//    at the rate that makes `--reads` reads (38.6 reads/s for 100 million over 30 days:
//    commuters, vans, buses, visitors and planted convoys), decoded as the engine decodes,
//    duplicates dropped, written hour by hour through `HistoryDatabase.insert(reads:)` and each
//    hour sealed (indexed) once the next one is written, as the engine's writer does. The
//    simulator runs on its own thread, the database on this one.
// 2. Pick the vehicles asked about from the simulator's own knowledge (beside the database in
//    PATH.targets.json): a commuter with many reads (the 90th percentile of commuters), an
//    average vehicle (a visitor with the mean number of reads per vehicle) and the lead of a
//    planted convoy.
// 3. Time `ringwatch reads --plate` over the whole span, `convoys --plate` over 7 days and
//    `routes --like` over 30 days for each, cold (page cache dropped before each run, when
//    this process may) and warm, median of `--runs`.
struct HistoryScaleBenchmark {
    let runs: Int
    /// Reads wanted in the history (`--reads`, default 100 million).
    let reads: Int
    /// Days of history (`--days`, default 31).
    let days: Int
    /// Where to keep the database (`--db`); a temporary file otherwise.
    let path: String?

    /// A Monday, so the span starts with a working week.
    static let start = Timestamp(rfc3339: "2026-10-12T00:00:00Z")!

    var end: Timestamp { HistoryScaleBenchmark.start.adding(seconds: Int64(days) * 86_400) }

    func run() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-history-scale")
        let path = self.path ?? directory.file("history.sqlite")
        let targets: Targets
        if FileManager.default.fileExists(atPath: path), let saved = Targets(file: path + ".targets.json") {
            targets = saved
            print("history-scale: reusing \(path) (\(saved.summary))")
            // A history built by an older schema is re-sealed first, as an idle engine's writer
            // would do it one hour per commit (camera index with the plate, plate summary).
            let database = try HistoryDatabase(path: path)
            let older = try database.unsummarisedHourCount()
            if older > 0 {
                try database.connection.execute("PRAGMA cache_size=-1048576")
                let time = try seconds { try database.summariseOlderHours() }
                try database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                print(String(format: "history-scale: re-sealed %d hours built by an older schema in %.0f s", older, time))
            }
        } else {
            try? FileManager.default.removeItem(atPath: path)
            targets = try build(path: path)
            try targets.write(to: path + ".targets.json")
        }
        try measure(path: path, targets: targets)
    }

    // MARK: Building the history

    /// The vehicles the queries ask about, and how the history was built.
    struct Targets {
        var commuter = "", average = "", convoyLead = ""
        var commuterReads = 0, averageReads = 0
        /// When the planted convoy took place.
        var convoyTime = Timestamp(milliseconds: 0)
        var summary = ""

        init() {}

        init?(file: String) {
            guard let data = FileManager.default.contents(atPath: file),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let commuter = object["commuter"] as? String, let average = object["average"] as? String,
                  let lead = object["convoy_lead"] as? String, let time = object["convoy_ts"] as? String,
                  let convoyTime = Timestamp(rfc3339: time)
            else { return nil }
            self.commuter = commuter
            self.average = average
            convoyLead = lead
            self.convoyTime = convoyTime
            commuterReads = object["commuter_reads"] as? Int ?? 0
            averageReads = object["average_reads"] as? Int ?? 0
            summary = object["summary"] as? String ?? ""
        }

        func write(to file: String) throws {
            let object: JSONValue = .object([
                ("commuter", .string(commuter)), ("commuter_reads", .int(Int64(commuterReads))),
                ("average", .string(average)), ("average_reads", .int(Int64(averageReads))),
                ("convoy_lead", .string(convoyLead)), ("convoy_ts", .string(convoyTime.rfc3339)),
                ("summary", .string(summary)),
            ])
            try (object.serialized + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    /// One hour's reads, handed from the simulator thread to the database thread.
    final class HourHandOff: @unchecked Sendable {
        // @unchecked: `hours` and `done` are guarded by `condition`.
        private let condition = NSCondition()
        private var hours: [[PlateRead]] = []
        private var done = false
        /// Hours the simulator may run ahead of the database.
        let depth = 4

        func put(_ reads: [PlateRead]) {
            condition.withLock {
                while hours.count >= depth { condition.wait() }
                hours.append(reads)
                condition.broadcast()
            }
        }

        func finish() {
            condition.withLock {
                done = true
                condition.broadcast()
            }
        }

        /// The next hour, or nil when the simulator has finished.
        func take() -> [PlateRead]? {
            condition.withLock {
                while hours.isEmpty && !done { condition.wait() }
                guard !hours.isEmpty else { return nil }
                condition.broadcast()
                return hours.removeFirst()
            }
        }
    }

    /// The simulator with what it tells about each vehicle, run on its own thread.
    final class Simulation: @unchecked Sendable {
        // @unchecked: the simulator and the counts are used by the producer thread until it
        // calls `handOff.finish()`, and by the builder only after `take()` has returned nil.
        let simulator: TrafficSimulator
        let handOff = HourHandOff()
        /// Reads published of each vehicle, and its true plate.
        var readsOf: [Int32]
        var plateOf: [String]

        init(_ simulator: TrafficSimulator) {
            self.simulator = simulator
            let fleet = simulator.fleetSummary
            readsOf = [Int32](repeating: 0, count: fleet.commuters + fleet.vans + fleet.buses + fleet.planted + fleet.visitors)
            plateOf = [String](repeating: "", count: readsOf.count)
        }

        /// Decodes the traffic as the engine does, drops duplicates and hands it over hour by
        /// hour, once the stream is two minutes past the hour's end: later reads (late
        /// publication, clock skew) are rare and go in as stragglers.
        func run() {
            simulator.onRead = { [unowned self] truth in
                readsOf[truth.vehicle] += 1
                if plateOf[truth.vehicle].isEmpty { plateOf[truth.vehicle] = truth.plate }
            }
            let decoder = ReadDecoder()
            var pending: [Int64: [PlateRead]] = [:]
            var seen: [Int64: Set<ReadID>] = [:]
            // When the oldest hour held back may go.
            var nextHandOff = Int64.min
            while let message = simulator.next() {
                guard case .success(let decoded) = decoder.decode(message.body) else { continue }
                let read = decoded.read
                let hour = read.timestamp.hourNumber
                guard seen[hour, default: []].insert(read.id).inserted else { continue }
                pending[hour, default: []].append(read)
                guard message.timestamp.milliseconds > nextHandOff else { continue }
                for ready in pending.keys.sorted() where (ready + 1) * 3_600_000 + 120_000 < message.timestamp.milliseconds {
                    handOff.put(pending.removeValue(forKey: ready)!.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) })
                    seen[ready] = nil
                }
                nextHandOff = pending.keys.min().map { ($0 + 1) * 3_600_000 + 120_000 } ?? .min
            }
            for hour in pending.keys.sorted() { handOff.put(pending[hour]!.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }) }
            simulator.onRead = nil
            handOff.finish()
        }
    }

    func build(path: String) throws -> Targets {
        var configuration = SimulationConfiguration()
        configuration.seed = 10
        configuration.start = HistoryScaleBenchmark.start
        configuration.hours = Double(days * 24)
        // Duplicates (0.2 %) are dropped on the way in, as the engine drops them.
        configuration.readsPerSecond = Double(reads) / Double(days * 86_400) / (1 - configuration.duplicateRate)
        let simulation = Simulation(try TrafficSimulator(configuration: configuration, cameras: RoutesBenchmark.cameras))
        let fleet = simulation.simulator.fleetSummary
        print(String(format: "history-scale: building %@ reads over %d days at %.1f reads/s (%d commuters, %d vans, %d buses, %d visitors) into %@",
                     "\(reads)", days, configuration.readsPerSecond, fleet.commuters, fleet.vans, fleet.buses, fleet.visitors, path))
        let handOff = simulation.handOff
        let producer = Thread { simulation.run() }

        let database = try HistoryDatabase(path: path)
        // Bulk-load settings of this connection only: no fsync (a crash here means building
        // again) and a large page cache for the sorts of sealing. The file's layout, tables,
        // indexes and summary are the engine's.
        try database.connection.execute("PRAGMA synchronous=OFF")
        try database.connection.execute("PRAGMA cache_size=-1048576")
        try database.saveCameras(RoutesBenchmark.cameras)
        try database.setMeta("open_access_days", "30")
        var total = 0, hours = 0
        var insertTime = 0.0, sealTime = 0.0
        let began = DispatchTime.now().uptimeNanoseconds
        producer.start()
        while let hour = handOff.take() {
            insertTime += try seconds { try database.connection.transaction { try database.insert(reads: hour, receivedAt: hour.last!.timestamp) } }
            // The engine's writer seals an hour once event time is past it: here, once the next
            // hour's reads are in.
            sealTime += try seconds { try database.sealHours(before: Timestamp(milliseconds: hour.last!.timestamp.hourNumber * 3_600_000)) }
            total += hour.count
            hours += 1
            if hours % 24 == 0 {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                print(String(format: "  day %d: %d reads so far, %.0f s (insert %.0f s, seal %.0f s)", hours / 24, total, elapsed, insertTime, sealTime))
            }
        }
        sealTime += try seconds { try database.sealHours(before: end.adding(seconds: 86_400)) }
        try database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let buildTime = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        // The vehicles to ask about.
        var targets = Targets()
        let readsOf = simulation.readsOf, plateOf = simulation.plateOf
        let commuters = (0..<fleet.commuters).filter { readsOf[$0] > 0 }.sorted { (readsOf[$0], $0) < (readsOf[$1], $1) }
        let commuter = commuters[commuters.count * 9 / 10]
        let seenVehicles = readsOf.filter { $0 > 0 }
        let mean = Int32((Double(seenVehicles.reduce(0) { $0 + Int($1) }) / Double(seenVehicles.count)).rounded())
        let visitorStart = fleet.commuters + fleet.vans + fleet.buses + fleet.planted
        let average = (visitorStart..<readsOf.count).first { readsOf[$0] == mean } ?? visitorStart
        targets.commuter = plateOf[commuter]
        targets.commuterReads = Int(readsOf[commuter])
        targets.average = plateOf[average]
        targets.averageReads = Int(readsOf[average])
        if let convoy = simulation.simulator.groundTruth.first(where: { $0.event == "convoy" }) {
            targets.convoyLead = convoy.plates[0]
            targets.convoyTime = convoy.start
        }
        targets.summary = String(format: "%d reads in %d hour tables over %d days, %.1f GB, built in %.0f s (insert %.0f s, seal %.0f s); %d vehicles seen, %d reads each on average",
                                 total, hours, days, Double(size) / 1e9, buildTime, insertTime, sealTime, seenVehicles.count, Int(mean))
        print("history-scale: " + targets.summary)
        return targets
    }

    // MARK: Timing the real binary

    func measure(path: String, targets: Targets) throws {
        // RINGWATCH_BINARY picks another build (to compare before and after a change).
        let binary = ProcessInfo.processInfo.environment["RINGWATCH_BINARY"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ringwatch").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("history-scale: no \(binary); run `swift build -c release --product ringwatch` first")
            return
        }
        let start = HistoryScaleBenchmark.start
        // The week around the planted convoy (or the span's third week).
        let weekStart = targets.convoyTime.milliseconds > 0
            ? Timestamp(milliseconds: max(start.milliseconds, targets.convoyTime.milliseconds - 3 * 86_400_000)) : start.adding(seconds: 14 * 86_400)
        let weekEnd = min(weekStart.adding(seconds: 7 * 86_400), end)
        let monthEnd = min(start.adding(seconds: 30 * 86_400), end)
        let common = ["--db", path, "--reason", "bench", "--authorization", "bench", "--format", "jsonl"]
        let span = ["--from", start.rfc3339, "--to", end.rfc3339]
        let week = ["--from", weekStart.rfc3339, "--to", weekEnd.rfc3339]
        let month = ["--from", start.rfc3339, "--to", monthEnd.rfc3339]
        var queries: [(String, Double, [String])] = []
        for (label, plate) in [("commuter", targets.commuter), ("average", targets.average)] {
            queries.append(("reads --plate, \(days) days, \(label)", 0.05, ["reads", "--plate", plate] + span + common))
        }
        for (label, plate) in [("commuter", targets.commuter), ("average", targets.average), ("convoy lead", targets.convoyLead)] where !plate.isEmpty {
            queries.append(("convoys --plate, 7 days, \(label)", 2, ["convoys", "--plate", plate] + week + common))
        }
        for (label, plate) in [("commuter", targets.commuter), ("average", targets.average)] {
            queries.append(("routes --like, 30 days, \(label)", 10, ["routes", "--like", plate] + month + common))
        }
        let canDropCaches = FileManager.default.isWritableFile(atPath: "/proc/sys/vm/drop_caches")
        print("history-scale: \(binary), median of \(runs) runs; cold = page cache dropped before each run" + (canDropCaches ? "" : " (not permitted here: cold not measured)"))
        for (name, target, arguments) in queries {
            var lines = 0
            var cold: [Double] = []
            if canDropCaches {
                for _ in 0..<runs {
                    dropPageCache()
                    let run = try timed(binary, arguments)
                    cold.append(run.wall)
                    lines = run.lines
                }
            }
            _ = try timed(binary, arguments)
            var warm: [Double] = [], cpu: [Double] = []
            for _ in 0..<runs {
                let run = try timed(binary, arguments)
                warm.append(run.wall)
                cpu.append(run.cpu)
                lines = run.lines
            }
            let verdict = median(warm) <= target && (cold.isEmpty || median(cold) <= target) ? "met" : "NOT met"
            func list(_ values: [Double]) -> NSString { values.map { String(format: "%.0f", $0 * 1000) }.joined(separator: ", ") as NSString }
            print(String(format: "%-40@ warm %8.1f ms (CPU %7.1f ms)  cold %8.1f ms  target %6.0f ms  %@  (%d rows; warm runs: %@; CPU: %@; cold runs: %@)",
                         name as NSString, median(warm) * 1000, median(cpu) * 1000, cold.isEmpty ? .nan : median(cold) * 1000, target * 1000,
                         verdict as NSString, lines, list(warm), list(cpu), list(cold)))
        }
    }

    /// Runs the binary to its end; returns the wall time, the CPU time (user + system) and the
    /// lines it printed. Spawned directly and reaped with `wait4`, so the time is the process's,
    /// not a polling interval. For the single-threaded queries the CPU time says what the wall
    /// time would be on an idle machine when the page cache is warm; `routes --like` reads on
    /// several threads, so its CPU time can exceed its wall time.
    func timed(_ binary: String, _ arguments: [String]) throws -> (wall: Double, cpu: Double, lines: Int) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ringwatch-history-scale-\(getpid()).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let began = DispatchTime.now().uptimeNanoseconds
        let result = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard result == 0 else { throw BenchFailure("could not start \(binary): error \(result)") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        guard status == 0 else { throw BenchFailure("\(arguments[0]) exited with status \(status)") }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        return (elapsed, cpu, text.split(separator: "\n").count)
    }

    /// Writes dirty pages out and empties the page cache (root only).
    func dropPageCache() {
        sync()
        if let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") {
            handle.write(Data("3\n".utf8))
            try? handle.close()
        }
    }
}

/// A benchmark that cannot go on, with why.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
