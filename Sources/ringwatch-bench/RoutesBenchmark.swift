import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIngest
import RingwatchQuery
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting

// Route patterns (issue 7):
// 1. `routes`: a month of simulated city history in SQLite (the simulator's commuters, vans,
//    six bus lines, visitors and a planted route takeover; hour tables sealed with both
//    indexes), then `routes --like` the original vehicle and a bus, `common` over three places,
//    and `predict --evaluate` over 200 vehicles (calibration on the month's last week).
// 2. `watch`: the live route-watch detector's cost per read with 0, 100 and 500 watches learned
//    from real trips, over half a day of simulated traffic at 20 reads/s.
struct RoutesBenchmark {
    let runs: Int
    /// Reads per simulated second of the month (`--rate`, default 2: 5.2 million reads).
    let rate: Double

    static let cameras: CameraRegistry = {
        let text = try! String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8)
        return CameraRegistry.parse(csv: text, file: "cameras.csv").0
    }()

    /// Simulated traffic, decoded and de-duplicated, in time order; and the route takeover.
    static func traffic(seed: UInt64, start: Timestamp, hours: Double, rate: Double, batch: ([PlateRead]) throws -> Void)
        throws -> (reads: Int, takeover: GroundTruthEvent?, registryCSV: String)
    {
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.start = start
        configuration.hours = hours
        configuration.readsPerSecond = rate
        let simulator = try TrafficSimulator(configuration: configuration, cameras: cameras)
        let decoder = ReadDecoder()
        var pending: [PlateRead] = []
        var seen = Set<ReadID>()
        var total = 0
        var lastHour: Int64 = .min
        while let message = simulator.next() {
            guard case .success(let decoded) = decoder.decode(message.body), seen.insert(decoded.read.id).inserted else { continue }
            pending.append(decoded.read)
            let hour = message.timestamp.hourNumber
            if hour != lastHour {
                if hour % 24 == 0 && !pending.isEmpty {
                    total += pending.count
                    try batch(pending.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) })
                    pending = []
                    seen = []
                }
                lastHour = hour
            }
        }
        total += pending.count
        try batch(pending.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) })
        return (total, simulator.groundTruth.first { $0.event == "route_takeover" }, simulator.registryCSV)
    }

    func run(suite: String) throws {
        if suite != "watch" { try month() }
        if suite != "routes" { try watches() }
    }

    // MARK: A month of history

    func month() throws {
        // RINGWATCH_BENCH_DB=PATH keeps the month (with its ground truth and registry beside
        // it) and reuses it on the next run: building it takes minutes.
        let directory = TemporaryDirectory(prefix: "ringwatch-routes-bench")
        let path = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_DB"] ?? directory.file("month.sqlite")
        let first = Timestamp(rfc3339: "2026-11-02T06:00:00Z")!  // a Monday, 07:00 in Antwerp
        var takeover: Takeover?
        var registryCSV = ""
        if FileManager.default.fileExists(atPath: path + ".registry.csv"), let truth = try? String(contentsOfFile: path + ".truth.json", encoding: .utf8) {
            registryCSV = try String(contentsOfFile: path + ".registry.csv", encoding: .utf8)
            takeover = Takeover(line: truth)
            print("routes: reusing \(path)")
        } else {
            let database = try HistoryDatabase(path: path)
            try database.saveCameras(RoutesBenchmark.cameras)
            var sealing = 0.0
            var total = 0
            var planted: GroundTruthEvent?
            let build = try seconds {
                (total, planted, registryCSV) = try RoutesBenchmark.traffic(seed: 5, start: first, hours: 30 * 24, rate: rate) { reads in
                    try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
                    sealing += try seconds { try database.sealHours(before: reads.last!.timestamp.adding(seconds: -3600)) }
                }
                sealing += try seconds { try database.sealHours(before: first.adding(seconds: 31 * 86_400)) }
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("routes: a month of simulated history, \(total) reads (\(total / 30) a day, \(String(format: "%.1f", rate)) reads/s) on \(RoutesBenchmark.cameras.count) cameras; "
                  + String(format: "built in %.0f s (%.0f s sealing 720 hours); %.0f MB", build, sealing, Double(size) / 1e6))
            try registryCSV.write(toFile: path + ".registry.csv", atomically: true, encoding: .utf8)
            try (planted?.jsonLine ?? "").write(toFile: path + ".truth.json", atomically: true, encoding: .utf8)
            takeover = planted.flatMap { Takeover(line: $0.jsonLine) }
        }
        let database = try HistoryDatabase(path: path)
        guard let takeover else { print("  no route takeover planted"); return }
        let successor = takeover.successor, original = takeover.original
        let from = first.adding(seconds: -6 * 3600), to = first.adding(seconds: 30 * 86_400)
        let buses = Set(registryCSV.split(separator: "\n").filter { $0.hasSuffix(",bus") }.map { String($0.split(separator: ",")[0]) })
        let types = Dictionary(registryCSV.split(separator: "\n").dropFirst().map { line -> (String, String) in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return (String(fields[0]), String(fields.last ?? ""))
        }, uniquingKeysWith: { a, _ in a })

        // routes --like the original
        var found: [SimilarRoute] = []
        var times: [Double] = []
        let phases = Phases()
        for _ in 0..<runs {
            var search = RouteSearch(database: try HistoryDatabase(path: path))
            search.vehicleType = { types[$0] }
            RoutesBenchmark.profiled(&search, into: phases)
            times.append(try seconds { found = try search.similar(to: original, from: from, to: to, top: 20) })
        }
        let rank = found.firstIndex { $0.plate == successor }.map { "\($0 + 1)" } ?? "not listed"
        report("routes --like, a month (ms)", times.map { $0 * 1000 }, unit: "ms")
        print("  original drove \(takeover.originalRuns) runs, successor \(takeover.takeoverRuns); "
              + "successor ranks \(rank); top: " + found.prefix(3).map { "\(String(format: "%.3f", $0.similarity))\($0.marker.map { " (\($0))" } ?? "")" }.joined(separator: ", "))
        print("  phases (last run): " + phases.lines.joined(separator: ", "))

        // routes --like a bus: the most reads, the widest candidate windows
        var counts: [String: Int] = [:]
        for row in try database.connection.rows("SELECT plate, COUNT(*) FROM \(Schema.readsTableName(hour: first.adding(seconds: 86_400 + 3 * 3600).hourNumber)) GROUP BY plate") {
            if let plate = row[0].string, buses.contains(plate) { counts[plate] = Int(row[1].int64 ?? 0) }
        }
        if let bus = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key {
            var busTimes: [Double] = []
            var line: [SimilarRoute] = []
            for _ in 0..<runs {
                var search = RouteSearch(database: try HistoryDatabase(path: path))
                search.vehicleType = { types[$0] }
                RoutesBenchmark.profiled(&search, into: phases)
                busTimes.append(try seconds { line = try search.similar(to: bus, from: from, to: to, top: 20) })
            }
            report("routes --like a bus, a month (ms)", busTimes.map { $0 * 1000 }, unit: "ms")
            let marked = line.filter { buses.contains($0.plate) }
            print("  \(marked.count) of the top 20 are buses, \(marked.filter { $0.marker != nil }.count) of them marked")
            print("  phases (last run): " + phases.lines.joined(separator: ", "))
        }

        // common over three places, an hour each, on three days
        let places = ["R1-03", "R2-06", "R3-09"].enumerated().map { day, camera in
            PlaceWindow(camera: camera, from: first.adding(seconds: Int64(day) * 86_400 + 3600), to: first.adding(seconds: Int64(day) * 86_400 + 7200))
        }
        var commonTimes: [Double] = []
        var common: [CommonVehicle] = []
        for _ in 0..<runs {
            let search = CommonSearch(database: try HistoryDatabase(path: path))
            commonTimes.append(try seconds { common = try search.vehicles(at: places, minimumPlaces: 3) })
        }
        report("common, 3 places (ms)", commonTimes.map { $0 * 1000 }, unit: "ms")
        print("  \(common.count) vehicles at all three")

        // predict --evaluate over 200 vehicles: fitted on three weeks, scored on the last week
        let split = to.adding(seconds: -7 * 86_400)
        var sample: [String: Int] = [:]
        for partition in try database.readPartitions(from: split.adding(seconds: -86_400), to: split.adding(milliseconds: -1)) {
            for passage in try database.passages(in: partition.table, from: split.adding(seconds: -86_400), to: split.adding(milliseconds: -1)) {
                sample[passage.plate, default: 0] += 1
            }
        }
        let plates = sample.keys.sorted { StableHash.of($0) < StableHash.of($1) }.prefix(200).map { $0 }
        var calibration = CalibrationReport()
        let evaluation = try seconds {
            var byPlate: [String: [Passage]] = [:]
            for stored in try database.reads(plates: plates, from: from, to: to, limit: 50_000_000) {
                byPlate[stored.read.plate.text, default: []].append(Passage(stored.read))
            }
            for plate in plates {
                let passages = byPlate[plate] ?? []
                let model = PresenceModel(passages: passages.filter { $0.time < split }, from: from, to: split, utcOffsetMinutes: 60)
                calibration.score(model, passages: passages.filter { $0.time >= split }, from: split, to: to)
            }
        }
        print(String(format: "predict --evaluate, 200 vehicles: %.1f s; %d trials, Brier %.4f, calibration error %.4f",
                     evaluation, calibration.trials, calibration.brier, calibration.expectedCalibrationError))
        for bin in calibration.bins where bin.trials > 0 {
            print(String(format: "  predicted %.1f-%.1f: mean %.3f, came true %.3f (%d trials)", bin.low, bin.high, bin.meanPredicted, bin.observed, bin.trials))
        }
    }

    /// What the benchmark needs of the planted route takeover.
    struct Takeover {
        let successor: String
        let original: String
        let originalRuns: Int
        let takeoverRuns: Int

        init?(line: String) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let plates = object["plates"] as? [String], plates.count == 2 else { return nil }
            successor = plates[0]
            original = plates[1]
            originalRuns = (object["original_runs"] as? [Any])?.count ?? 0
            takeoverRuns = (object["takeover_runs"] as? [Any])?.count ?? 0
        }
    }

    /// A search that prints how long each phase took (the last run's).
    static func profiled(_ search: inout RouteSearch, into phases: Phases) {
        phases.started = DispatchTime.now().uptimeNanoseconds
        phases.lines = []
        search.phaseEnded = { phase, candidates in
            let now = DispatchTime.now().uptimeNanoseconds
            phases.lines.append(String(format: "%@ %.0f ms", phase, Double(now - phases.started) / 1e6) + (phase == "candidates" ? " (\(candidates))" : ""))
            phases.started = now
        }
    }

    final class Phases: @unchecked Sendable {
        // @unchecked: used from the benchmark's one thread.
        var started: UInt64 = 0
        var lines: [String] = []
    }

    // MARK: Watch cost per read

    func watches() throws {
        var reads: [PlateRead] = []
        _ = try RoutesBenchmark.traffic(seed: 9, start: Timestamp(rfc3339: "2026-11-23T06:00:00Z")!, hours: 12, rate: 20) { reads += $0 }
        // Watches are real trips of vehicles in the traffic (five cameras or more), so they fire.
        var byPlate: [String: [Passage]] = [:]
        for read in reads.prefix(reads.count / 2) { byPlate[read.plate.text, default: []].append(Passage(read)) }
        var routes: [[String]] = []
        for plate in byPlate.keys.sorted(by: { StableHash.of($0) < StableHash.of($1) }) where routes.count < 500 {
            if let trip = Trip.split(byPlate[plate]!).first(where: { Set($0.cameras).count >= 5 }) { routes.append(trip.cameras) }
        }
        print("watch: \(reads.count) reads (12 h at 20 reads/s), watches learned from \(routes.count) trips of 5+ cameras")
        for count in [0, 100, 500] where count <= routes.count {
            var perRead: [Double] = []
            var fired = 0, progress = 0
            for _ in 0..<runs {
                let detector = RouteWatchDetector(watches: routes.prefix(count).enumerated().map { RouteWatch(name: "w\($0)", cameras: $1) })
                fired = 0
                progress = 0
                let elapsed = seconds {
                    for (index, read) in reads.enumerated() {
                        fired += detector.observe(read, cameras: RoutesBenchmark.cameras).count
                        if index % 100_000 == 0 { progress = max(progress, detector.progressCount) }
                    }
                }
                perRead.append(elapsed / Double(reads.count) * 1e9)
            }
            report("route watches: \(count) (ns/read)", perRead, unit: "ns")
            print("  \(fired) triggers; at most \(progress) vehicles with a trail held")
        }
    }
}
