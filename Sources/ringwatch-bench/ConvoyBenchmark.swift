// The convoy benchmarks (docs/performance.md):
//
//   .build/release/ringwatch-bench convoy [--runs N] [--reads READS_PER_DAY]
//
// 1. The live detector on dense rush-hour traffic: 48 cameras, more than a read per camera per
//    second, vehicles driving the rings at speeds of their own (so platoons form), and planted
//    three-car convoys crossing the rings. Per-read cost of ConvoyDetector.evaluate, reads/s.
// 2. `convoys --plate` over a week of history in SQLite (hourly tables sealed with their
//    (plate, ts) and (camera, ts) indexes), and the same without the camera index; the
//    period-wide search over one day; and what sealing with the camera index costs.
import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchIndex
import RingwatchIngest
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting

/// Synthetic three-ring traffic for the convoy benchmarks, from a fixed seed.
struct ConvoyTraffic {
    static let rings: [[String]] = [
        (1...14).map { String(format: "R1-%02d", $0) },
        (1...16).map { String(format: "R2-%02d", $0) },
        (1...18).map { String(format: "R3-%02d", $0) },
    ]

    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(state: seed) }

    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + Double(random.next() >> 11) / Double(1 << 53) * (high - low)
    }

    mutating func integer(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    /// A route: some cameras along one ring (either way round), then perhaps on to the next ring
    /// in at the same angle. Direction is the way round.
    mutating func route() -> (cameras: [String], direction: Direction) {
        var ring = integer(3)
        var index = integer(ConvoyTraffic.rings[ring].count)
        let clockwise = integer(2) == 0
        var cameras: [String] = []
        for _ in 0..<(3 + integer(6)) {
            cameras.append(ConvoyTraffic.rings[ring][index])
            index = (index + (clockwise ? 1 : ConvoyTraffic.rings[ring].count - 1)) % ConvoyTraffic.rings[ring].count
        }
        if integer(10) < 3 {
            let next = ring == 0 ? 1 : ring - 1
            index = index * ConvoyTraffic.rings[next].count / ConvoyTraffic.rings[ring].count
            ring = next
            for _ in 0..<(2 + integer(3)) {
                cameras.append(ConvoyTraffic.rings[ring][index])
                index = (index + (clockwise ? 1 : ConvoyTraffic.rings[ring].count - 1)) % ConvoyTraffic.rings[ring].count
            }
        }
        return (cameras, clockwise ? .inbound : .outbound)
    }

    /// A convoy's route: two to three cameras on each ring from the outside in.
    mutating func convoyRoute() -> [String] {
        var cameras: [String] = []
        var angle = uniform(0, 1)
        for ring in [2, 1, 0] {
            for _ in 0..<(2 + integer(2)) {
                let count = ConvoyTraffic.rings[ring].count
                cameras.append(ConvoyTraffic.rings[ring][Int(angle * Double(count)) % count])
                angle += 1 / Double(count)
            }
        }
        return cameras
    }

    /// Background vehicles (`vehicles` of them, starting within `seconds`) and `convoys` planted
    /// convoys of three; reads sorted by time. Returns the planted members too.
    mutating func reads(vehicles: Int, convoys: Int, seconds: Double, start: Timestamp, prefix: String = "", convoysFrom: Double = 0)
        -> (reads: [PlateRead], planted: [[String]]) {
        var out: [PlateRead] = []
        out.reserveCapacity(vehicles * 7)
        for vehicle in 0..<vehicles {
            let (cameras, direction) = route()
            // Each driver has a pace of their own; lights and lanes add up to 15 s either way per leg.
            let leg = uniform(50, 110)
            var at = uniform(0, seconds)
            let plate = Plate(normalised: "\(prefix)V\(vehicle)")
            for camera in cameras {
                out.append(PlateRead(camera: camera, timestamp: start.adding(milliseconds: Int64(at * 1000)), plate: plate, direction: direction))
                at += leg + uniform(-15, 15)
            }
        }
        var planted: [[String]] = []
        for convoy in 0..<convoys {
            let cameras = convoyRoute()
            let members = (0..<3).map { "\(prefix)C\(convoy)M\($0)" }
            planted.append(members)
            var at = uniform(convoysFrom, seconds * 0.8)
            let spacing = uniform(5, 15)
            for camera in cameras {
                for (position, member) in members.enumerated() {
                    let time = at + Double(position) * spacing + uniform(-2, 2)
                    out.append(PlateRead(camera: camera, timestamp: start.adding(milliseconds: Int64(time * 1000)),
                                         plate: Plate(normalised: member), direction: .inbound))
                }
                at += uniform(70, 100)
            }
        }
        out.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        return (out, planted)
    }
}

struct ConvoyBenchmark {
    let runs: Int
    /// Reads per day of the history benchmark.
    let readsPerDay: Int

    func run() throws {
        // RINGWATCH_BENCH_PART=live or =history runs one half (for profiling).
        let part = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_PART"]
        if part != "history" { try live() }
        if part != "live" { try history() }
    }

    // MARK: - Live

    func live() throws {
        let start = Timestamp(rfc3339: "2026-11-23T07:00:00Z")!
        var traffic = ConvoyTraffic(seed: 6)
        // Ninety minutes of rush, 48,000 vehicles on routes of 3 to 12 cameras; the first half
        // hour lets the detector learn the traffic, the convoys are planted after it.
        let (reads, planted) = traffic.reads(vehicles: 48_000, convoys: 30, seconds: 5400, start: start, convoysFrom: 1800)
        var perCamera: [String: Int] = [:]
        for read in reads { perCamera[read.camera, default: 0] += 1 }
        let busiest = perCamera.values.max() ?? 0
        let cameras = CameraRegistry(ConvoyTraffic.rings.flatMap { ring in
            ring.map { Camera(id: $0, ring: String($0.prefix(2)), latitude: 51.2, longitude: 4.4, name: $0) }
        })
        print("convoy live: \(reads.count) reads in 90 min on \(perCamera.count) cameras ("
              + String(format: "%.2f reads/s per camera on average, %.2f at the busiest", Double(reads.count) / 5400 / Double(perCamera.count), Double(busiest) / 5400)
              + "), 30 planted convoys of 3 after the first 30 min")

        var indexOnly: [Double] = [], withDetector: [Double] = [], perRead: [Double] = []
        var summary = ""
        for _ in 0..<runs {
            let plain = ReadIndex()
            indexOnly.append(seconds { for read in reads { plain.insert(read) } })
            let index = ReadIndex()
            let detector = ConvoyDetector()
            var fired: [TriggerDraft] = []
            let elapsed = seconds {
                for read in reads {
                    index.insert(read)
                    fired += detector.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: false))
                }
            }
            withDetector.append(elapsed)
            perRead.append((elapsed - indexOnly.last!) / Double(reads.count) * 1e6)
            summary = liveSummary(fired, planted: planted, detector: detector, reads: reads.count)
        }
        // The same with the convoy pair log (issue 6): the recorder on the detector, and its rows
        // written to a real SQLite file as the history writer does (its own thread in the engine).
        var withLog: [Double] = [], logWrite: [Double] = [], logRows = 0
        for _ in 0..<runs {
            let index = ReadIndex()
            let detector = ConvoyDetector()
            let recorder = ConvoyPairRecorder(detector: detector, latenessMilliseconds: 60_000, registryLoaded: { false })
            var clock = EventClock(latenessMilliseconds: 60_000)
            var log = ConvoyLogBatch()
            let elapsed = seconds {
                for (position, read) in reads.enumerated() {
                    index.insert(read)
                    _ = detector.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: false))
                    recorder.observed(read, late: clock.observe(read.timestamp))
                    if position % 4096 == 0 { log.append(recorder.drain()) }
                }
                log.append(recorder.drain())
            }
            withLog.append((elapsed - indexOnly[withLog.count]) / Double(reads.count) * 1e6)
            let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log-bench")
            let database = try HistoryDatabase(path: directory.file("log.sqlite"))
            logWrite.append(try seconds { try database.connection.transaction { try database.insert(convoyLog: log) } } / Double(reads.count) * 1e6)
            logRows = log.itemCount
        }
        let detectorRates = zip(withDetector, indexOnly).map { Double(reads.count) / max($0 - $1, 1e-9) }
        report("convoy detector cost per read", perRead.map { $0 * 1000 }, unit: "ns")
        report("convoy detector + pair log recorder cost per read", withLog.map { $0 * 1000 }, unit: "ns")
        report("pair log SQLite write per read (writer thread)", logWrite.map { $0 * 1000 }, unit: "ns")
        print("  pair log rows for \(reads.count) reads: \(logRows)")
        report("convoy detector throughput", detectorRates, unit: "reads/s")
        report("index + convoy detector", withDetector.map { Double(reads.count) / $0 }, unit: "reads/s")
        print(summary)

        // How the thresholds trade found convoys against chance ones, from one run that fires
        // at the lowest of them.
        var lenient = ConvoyDefinition()
        lenient.minimumScore = 0.9
        lenient.minimumPairScore = 0.9
        let sweep = ConvoyDetector(definition: lenient)
        let index = ReadIndex()
        var fired: [TriggerDraft] = []
        for read in reads {
            index.insert(read)
            fired += sweep.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: false))
        }
        print("  min_score  planted found  chance convoys (after the first 30 min)")
        for threshold in [0.9, 0.95, 0.99, 0.999] {
            let (found, chance) = tally(fired.filter { score(of: $0) >= threshold }, planted: planted,
                                        after: start.adding(seconds: 1800))
            print(String(format: "  %9.3f  %6d/%d  %14d", threshold, found, planted.count, chance))
        }

        // For comparison: the window's own camera lookup, which resolves and sorts every read.
        var found = 0
        let probes = 20_000
        let lookups = seconds {
            for probe in 0..<probes {
                let read = reads[(probe * 7919) % reads.count]
                found += index.reads(camera: read.camera, from: read.timestamp.adding(seconds: -60), to: read.timestamp.adding(seconds: 60)).count
            }
        }
        print(String(format: "  (ReadIndex.reads(camera:) for the same ±60 s window: %.1f µs per lookup, %.0f reads each)",
                     lookups / Double(probes) * 1e6, Double(found) / Double(probes)))
    }

    private func score(of draft: TriggerDraft) -> Double {
        draft.details.first { $0.0 == "score" }?.1.doubleValue ?? 0
    }

    private func members(of draft: TriggerDraft) -> Set<String> {
        guard case .array(let plates)? = draft.details.first(where: { $0.0 == "plates" })?.1 else { return [] }
        return Set(plates.compactMap(\.stringValue))
    }

    /// Planted convoys with a trigger, and distinct other convoys with one (fired after `after`).
    private func tally(_ fired: [TriggerDraft], planted: [[String]], after: Timestamp) -> (found: Int, chance: Int) {
        let plantedSets = planted.map(Set.init)
        var found = Set<Int>()
        var chance = Set<Set<String>>()
        for draft in fired {
            let plates = members(of: draft)
            if let hit = plantedSets.firstIndex(where: { !$0.isDisjoint(with: plates) }) {
                found.insert(hit)
            } else if draft.read.timestamp >= after {
                chance.insert(plates)
            }
        }
        return (found.count, chance.count)
    }

    private func liveSummary(_ fired: [TriggerDraft], planted: [[String]], detector: ConvoyDetector, reads: Int) -> String {
        let (found, chance) = tally(fired, planted: planted, after: Timestamp(milliseconds: .min))
        let tracker = detector.tracker
        return "  at the defaults: \(fired.count) triggers, \(found)/\(planted.count) planted convoys found, \(chance) chance convoys; "
            + String(format: "%.1f", Double(tracker.candidatesExamined) / Double(reads)) + " candidates and "
            + String(format: "%.2f", Double(tracker.assessments) / Double(reads)) + " assessments per read; "
            + "held at the end: \(tracker.vehicleCount) vehicles, \(tracker.heldPassages) passages"
    }

    // MARK: - History

    func history() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-bench")
        let path = directory.file("week.sqlite")
        let database = try HistoryDatabase(path: path)
        let first = Timestamp(rfc3339: "2026-11-16T00:00:00Z")!
        var traffic = ConvoyTraffic(seed: 11)
        // Vehicles per day so that the day has about `readsPerDay` reads (routes average ~6.6).
        let vehiclesPerDay = readsPerDay * 10 / 66
        var total = 0
        var sealing = 0.0
        let target = "TARGET1"
        let build = try seconds {
            for day in 0..<7 {
                let dayStart = first.adding(seconds: Int64(day) * 86_400)
                var (reads, _) = traffic.reads(vehicles: vehiclesPerDay, convoys: 20, seconds: 86_400, start: dayStart, prefix: "D\(day)")
                // The vehicle asked about: a few trips a day; two companions join one of them on two
                // days (on three they would count as commuters).
                for trip in 0..<4 {
                    let cameras = traffic.convoyRoute()
                    var at = dayStart.adding(seconds: Int64(7 * 3600 + trip * 10_800 + traffic.integer(1800)))
                    for camera in cameras {
                        reads.append(PlateRead(camera: camera, timestamp: at, plate: Plate(normalised: target), direction: .inbound))
                        if trip == 1 && (day == 1 || day == 4) {
                            for (position, companion) in ["FRIEND1", "FRIEND2"].enumerated() {
                                reads.append(PlateRead(camera: camera, timestamp: at.adding(seconds: Int64(8 + 9 * position)),
                                                       plate: Plate(normalised: companion), direction: .inbound))
                            }
                        }
                        at = at.adding(seconds: Int64(traffic.uniform(70, 100)))
                    }
                }
                reads.sort { $0.timestamp < $1.timestamp }
                total += reads.count
                try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
                sealing += try seconds { try database.sealHours(before: dayStart.adding(seconds: 86_400)) }
            }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("convoy history: a week of \(total) reads (\(total / 7) a day) on 48 cameras, \(vehiclesPerDay) vehicles a day; "
              + String(format: "built in %.0f s, of which %.1f s sealing 168 hours with both indexes; %.0f MB", build, sealing, Double(size) / 1e6))

        let from = first, to = first.adding(seconds: 7 * 86_400 - 1)
        var times: [Double] = []
        var companions: [ConvoyCompanion] = []
        for _ in 0..<runs {
            let search = ConvoySearch(database: try HistoryDatabase(path: path), definition: ConvoyDefinition())
            times.append(try seconds { companions = try search.companions(of: target, from: from, to: to) })
        }
        report("convoys --plate, a week (ms)", times.map { $0 * 1000 }, unit: "ms")
        print("  companions: " + companions.prefix(3).map { "\($0.plate) score \(String(format: "%.3f", $0.score)) on \($0.days) days" }.joined(separator: ", "))

        var dayTimes: [Double] = []
        var convoys: [ConvoyGroup] = []
        let dayFrom = first.adding(seconds: 2 * 86_400), dayTo = dayFrom.adding(seconds: 86_399)
        for _ in 0..<runs {
            let search = ConvoySearch(database: try HistoryDatabase(path: path), definition: ConvoyDefinition())
            dayTimes.append(try seconds { convoys = try search.convoys(from: dayFrom, to: dayTo, minimumScore: ConvoyDefinition().minimumScore) })
        }
        report("convoys (no plate), one day (ms)", dayTimes.map { $0 * 1000 }, unit: "ms")
        print("  \(convoys.count) convoys listed at min_score \(ConvoyDefinition().minimumScore); \(total / 7) reads a day streamed at "
              + String(format: "%.0f", Double(total / 7) / median(dayTimes)) + " reads/s")
        // What each threshold lists that day: planted convoys (20, plates D2C…) and the rest.
        let all = try ConvoySearch(database: try HistoryDatabase(path: path), definition: ConvoyDefinition())
            .convoys(from: dayFrom, to: dayTo, minimumScore: 0.9)
        print("  min_score  planted found  chance convoys (one day, 20 planted)")
        for threshold in [0.9, 0.95, 0.99, 0.999] {
            let listed = all.filter { $0.score >= threshold }
            var found = Set<String>()
            var chance = 0
            for convoy in listed {
                let plantedMembers = convoy.plates.filter { $0.hasPrefix("D2C") }
                if let member = plantedMembers.first {
                    found.insert(String(member.dropLast(2)))
                } else {
                    chance += 1
                }
            }
            print(String(format: "  %9.3f  %6d/20  %14d", threshold, found.count, chance))
        }

        // Without the camera index (hours sealed by an older version): a scan per hour.
        let hours = try database.readPartitions(from: from, to: to)
        let dropped = try seconds { for hour in hours { try database.connection.execute("DROP INDEX IF EXISTS \(hour.table)_by_camera") } }
        _ = dropped
        var scanTimes: [Double] = []
        for _ in 0..<max(1, runs / 2) {
            let search = ConvoySearch(database: try HistoryDatabase(path: path), definition: ConvoyDefinition())
            scanTimes.append(try seconds { companions = try search.companions(of: target, from: from, to: to) })
        }
        report("convoys --plate without camera index (ms)", scanTimes.map { $0 * 1000 }, unit: "ms")

        // What the camera index costs when an hour is sealed.
        var plateIndex: [Double] = [], cameraIndex: [Double] = []
        var rows = 0
        for hour in hours.prefix(24) {
            rows += Int(try database.connection.scalarInt("SELECT COUNT(*) FROM \(hour.table)") ?? 0)
            try database.connection.execute("DROP INDEX IF EXISTS \(hour.table)_by_plate")
            plateIndex.append(try seconds { try database.connection.execute("CREATE INDEX \(hour.table)_by_plate ON \(hour.table) (plate, ts)") })
            cameraIndex.append(try seconds { try database.connection.execute("CREATE INDEX \(hour.table)_by_camera ON \(hour.table) (camera, ts)") })
        }
        print(String(format: "  sealing one day (%d reads): (plate, ts) index %.2f s, (camera, ts) index %.2f s (%.2f s per million reads)",
                     rows, plateIndex.reduce(0, +), cameraIndex.reduce(0, +), cameraIndex.reduce(0, +) / Double(max(rows, 1)) * 1e6))
    }
}
