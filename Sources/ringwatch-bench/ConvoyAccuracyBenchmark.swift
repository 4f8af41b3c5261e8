// Convoy accuracy on simulated traffic (issue 6): the real simulator's Antwerp traffic (rush
// hours, buses, commuters, vans, visitors) with planted convoys, fed read by read to the live
// ConvoyDetector as the engine would (decoded bodies, duplicates dropped, the registry's
// vehicle types), then stored in a real SQLite history and searched with `ringwatch convoys`'
// own ConvoySearch, period-wide and --plate.
//
//   swift build -c release --product ringwatch-bench
//   .build/release/ringwatch-bench convoy-accuracy [--runs N]
//
// `--runs N` simulates N seeds (1...N), each two weekdays at 20 reads/s with 30 planted convoys
// a day, and adds their counts up (RINGWATCH_BENCH_DAYS=D simulates D days: from the third, the
// live commuter memory drops pairs seen together on three days). Then the
// demo's own traffic (3 h from 07:00 on the simulator's Monday, seed 7, 4 planted convoys) at
// 10 and 30 reads/s, live only.
//
// Per seed it also prints the search time of each day, the live triggers split into formed and
// grew, and each false convoy the history lists with whether the live detector fired it too.
// With three days or more (or RINGWATCH_BENCH_PERIOD=1) it searches the whole period at once,
// with and without the commuter rule, and counts the commuter pairs the rule took out and any
// planted convoy lost with them; RINGWATCH_BENCH_COMPANIONS=N makes N commuters drive behind a
// colleague on most days (the simulator's `commuterCompanions`), e.g.
//   RINGWATCH_BENCH_DAYS=7 RINGWATCH_BENCH_COMPANIONS=40 .build/release/ringwatch-bench convoy-accuracy --runs 1
// RINGWATCH_BENCH_KEEP_DB=PATH keeps the history at PATH-<seed>.sqlite, to time `ringwatch convoys` on it.
//
// A planted convoy "meets the definition" when two of its members were read correctly (plate as
// read = true plate) at `min_cameras` distinct cameras within `max_gap` of each other; those are
// the ones recall is measured on (misreads can leave a planted convoy short of the definition).
// A trigger or listed convoy is true when it names two or more members of one planted convoy.
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchIndex
import RingwatchIngest
import RingwatchQuery
import RingwatchRegistry
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting

struct ConvoyAccuracyBenchmark {
    let runs: Int
    var definition = ConvoyDefinition()

    struct Scenario {
        var name: String
        var seed: UInt64
        var hours: Double
        var rate: Double
        var convoys: Int
        var history: Bool
        var otherPlants = false
    }

    /// Counts over one or more runs.
    struct Tally {
        var planted = 0, meeting = 0, found = 0, foundOutsideDefinition = 0
        var triggers = 0, trueTriggers = 0
        var causes: [String: Int] = [:]
        var reads = 0
        var seconds = 0.0
        var missed: [String] = []
        /// False ones whose evidence is as strong as a planted convoy's: two vehicles at five or
        /// more cameras, the same one first at each, the larger gap at most twice the smaller.
        var platoons = 0

        mutating func add(_ other: Tally) {
            planted += other.planted
            meeting += other.meeting
            found += other.found
            foundOutsideDefinition += other.foundOutsideDefinition
            triggers += other.triggers
            trueTriggers += other.trueTriggers
            for (cause, count) in other.causes { causes[cause, default: 0] += count }
            reads += other.reads
            seconds += other.seconds
            missed += other.missed
            platoons += other.platoons
        }

        var recall: Double { meeting == 0 ? .nan : Double(found) / Double(meeting) }
        var precision: Double { triggers == 0 ? .nan : Double(trueTriggers) / Double(triggers) }

        func line(_ label: String, unit: String = "triggers") -> String {
            let causeText = causes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return "  \(label): planted \(planted), meeting the definition \(meeting), found \(found)"
                + String(format: " (recall %.1f%%)", recall * 100)
                + (foundOutsideDefinition > 0 ? " [+\(foundOutsideDefinition) found that do not meet it]" : "")
                + "; \(triggers) \(unit), \(trueTriggers) true, \(triggers - trueTriggers) false"
                + String(format: " (precision %.1f%%)", precision * 100)
                + (causeText.isEmpty ? "" : "; false: \(causeText)")
                + (platoons > 0 ? String(format: "; of the false, %d platoons (precision %.1f%% counting them apart)", platoons,
                                         Double(trueTriggers) / Double(max(1, triggers - platoons)) * 100) : "")
        }
    }

    func run() throws {
        var definition = definition
        // For studying the population: RINGWATCH_BENCH_MIN_SCORE=0 fires on every pair that meets the definition.
        // RINGWATCH_BENCH_PAIRS=PATH writes every pair that meets it, with the parts of its score, to PATH-<seed>-<rate>.csv.
        if let text = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_MIN_SCORE"], let value = Double(text) {
            definition.minimumScore = value
            definition.minimumPairScore = value
        }
        // RINGWATCH_BENCH_CHANCE_SCALE=X scores with another `chance_scale` (studying the threshold).
        if let text = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_CHANCE_SCALE"], let value = Double(text) {
            definition.chanceScale = value
        }
        let bench = ConvoyAccuracyBenchmark(runs: runs, definition: definition)
        try bench.measure()
    }

    func measure() throws {
        print("convoy accuracy: definition max_gap \(definition.maxGapMilliseconds / 1000) s, min_cameras \(definition.minCameras), "
              + "window \(definition.windowMilliseconds / 60_000) min, min_score \(definition.minimumScore)")
        var live = Tally(), period = Tally(), plate = Tally(), background = (plates: 0, rows: 0)
        let quick = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_QUICK"] != nil
        // RINGWATCH_BENCH_FIRST_SEED=S simulates seeds S...S+N-1 instead (to check a calibration on unseen traffic).
        let firstSeed = UInt64(ProcessInfo.processInfo.environment["RINGWATCH_BENCH_FIRST_SEED"] ?? "") ?? 1
        // RINGWATCH_BENCH_DAYS=D simulates D days instead of two (from three on, the live commuter
        // memory sees commuter pairs on their third day and drops them).
        let days = max(1, Int(ProcessInfo.processInfo.environment["RINGWATCH_BENCH_DAYS"] ?? "") ?? (quick ? 1 : 2))
        for seed in firstSeed...(firstSeed + UInt64(max(1, runs)) - 1) {
            let scenario = Scenario(name: "seed \(seed), \(days) days", seed: seed, hours: Double(24 * days), rate: 20, convoys: 30 * days, history: !quick)
            let result = try evaluate(scenario)
            print(result.live.line("seed \(seed) live"))
            if !result.live.missed.isEmpty { print("    missed live: \(result.live.missed.joined(separator: ", "))") }
            if let history = result.period {
                print(history.line("seed \(seed) convoys (period)", unit: "convoys listed"))
                if !history.missed.isEmpty { print("    missed (period): \(history.missed.joined(separator: ", "))") }
            }
            if let history = result.plate { print(history.line("seed \(seed) convoys --plate", unit: "companions listed")) }
            live.add(result.live)
            if let history = result.period { period.add(history) }
            if let history = result.plate { plate.add(history) }
            background.plates += result.background.plates
            background.rows += result.background.rows
        }
        print("convoy accuracy over \(runs) seed(s) x \(days) days at 20 reads/s (\(live.reads) reads):")
        print(live.line("live triggers"))
        print(String(format: "    live detector: %.2f µs per read including decoding", live.seconds / Double(max(live.reads, 1)) * 1e6))
        print(period.line("convoys (no plate) over each day", unit: "convoys listed"))
        print(plate.line("convoys --plate <each planted member>", unit: "companions listed"))
        print("  convoys --plate <\(background.plates) background vehicles>: \(background.rows) companions listed (all false)")
        if !live.missed.isEmpty { print("  missed live: \(live.missed.sorted().joined(separator: ", "))") }

        if quick { return }
        // The demo's traffic (its default start is the current hour; here the simulator's Monday 07:00).
        for rate in [10.0, 30.0] {
            let scenario = Scenario(name: "demo", seed: 7, hours: 3, rate: rate, convoys: 4, history: false, otherPlants: true)
            let result = try evaluate(scenario)
            print(result.live.line(String(format: "demo traffic (--hours 3 --rate %g --seed 7 from 07:00 Monday)", rate)))
        }
    }

    // MARK: - One scenario

    struct Result {
        var live: Tally
        var period: Tally?
        var plate: Tally?
        var background: (plates: Int, rows: Int)
    }

    /// What the simulator knows about the plates as read.
    final class Roles {
        var roleOfPlate: [String: String] = [:]
        let summary: FleetSummary
        init(summary: FleetSummary) { self.summary = summary }

        func role(ofVehicle index: Int) -> String {
            var bound = summary.commuters
            if index < bound { return "commuter" }
            bound += summary.vans
            if index < bound { return "van" }
            bound += summary.buses
            if index < bound { return "bus" }
            bound += summary.planted
            if index < bound { return "planted" }
            return "visitor"
        }

        func record(_ truth: ReadTruth) {
            if truth.isMisread {
                if roleOfPlate[truth.plateRead] == nil { roleOfPlate[truth.plateRead] = "misread" }
            } else {
                roleOfPlate[truth.plate] = role(ofVehicle: truth.vehicle)
            }
        }
    }

    func evaluate(_ scenario: Scenario) throws -> Result {
        let days = Int((scenario.hours / 24).rounded(.up))
        var configuration = SimulationConfiguration()
        configuration.seed = scenario.seed
        configuration.hours = scenario.hours
        configuration.readsPerSecond = scenario.rate
        // RINGWATCH_BENCH_COMPANIONS=N: N commuters drive a few seconds behind a colleague on most
        // days (the company the commuter rule is for; see `demonstrateCommuters`).
        if scenario.history, let text = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_COMPANIONS"], let value = Int(text) {
            configuration.commuterCompanions = value
        }
        if !scenario.otherPlants {
            configuration.plants = SimulationConfiguration.Plants(hotlist: 0, convoys: scenario.convoys, cloneVehicles: 0, cloneSpeeds: 0, routeTakeovers: 0)
        }
        let root = RingwatchProcess.packageRoot
        let cameraText = try String(contentsOfFile: root + "/Fixtures/cameras.csv", encoding: .utf8)
        let cameras = CameraRegistry.parse(csv: cameraText, file: "cameras.csv").0
        let simulator = try TrafficSimulator(configuration: configuration, cameras: cameras)
        let roles = Roles(summary: simulator.fleetSummary)
        simulator.onRead = roles.record
        let registry = VehicleRegistry.parse(csv: simulator.registryCSV, file: "registry.csv", vocabulary: VehicleVocabulary()).0
        let vehicleType: VehicleTypeLookup = { registry.vehicle(registeredAs: $0)?.vehicleType }

        let detector = ConvoyDetector(definition: definition, latenessMilliseconds: 60_000, vehicleType: vehicleType)
        // The convoy pair log, written by the live detector as the engine's pipeline does.
        let recorder = ConvoyPairRecorder(detector: detector, latenessMilliseconds: 60_000, registryLoaded: { true })
        var clock = EventClock(latenessMilliseconds: 60_000)
        var log = ConvoyLogBatch()
        let decoder = ReadDecoder()
        let index = ReadIndex()
        let context = DetectionContext(index: index, cameras: cameras, isLate: false)
        // Studying: every pair that meets the definition, with its whole evidence once it goes quiet.
        var lenient = definition
        lenient.minimumScore = 0
        lenient.minimumPairScore = 0
        let study = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_PAIRS"] == nil ? nil
            : ConvoyTracker(definition: lenient, vehicleType: vehicleType, keepsClosedGroups: true)
        var seen = Set<UInt64>()
        var reads: [PlateRead] = []
        var fired: [TriggerDraft] = []
        var elapsed = 0.0
        while let message = simulator.next() {
            let began = DispatchTime.now().uptimeNanoseconds
            guard case .success(let decoded) = decoder.decode(message.body) else { continue }
            let read = decoded.read
            guard seen.insert(read.id.rawValue).inserted else { continue }
            fired += detector.evaluate(read, context: context)
            recorder.observed(read, late: clock.observe(read.timestamp))
            if seen.count % 4096 == 0 { log.append(recorder.drain()) }
            _ = study?.observe(Passage(read))
            elapsed += Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
            reads.append(read)
        }
        recorder.advance(to: configuration.end.adding(seconds: 60))
        log.append(recorder.drain())
        let events = simulator.groundTruth.filter { $0.expect == .convoy }
        let meeting = Set(events.filter(meetsDefinition).map(\.id))

        var byID: [ReadID: PlateRead] = [:]
        if !fired.isEmpty {
            let wanted = Set(fired.flatMap(\.readIDs))
            for read in reads where wanted.contains(read.id) { byID[read.id] = read }
        }
        let livePlatoons = fired.map { draft in isPlatoon(draft.readIDs.compactMap { byID[$0] }) }
        var live = score(fired.map { plates(of: $0) }, platoon: livePlatoons, events: events, meeting: meeting, roles: roles)
        if let study, let path = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_PAIRS"] {
            var out = "truth,role,k,expected,hour,order,density,steady,shares,gaps,rates,event,first,second,score\n"
            for group in study.finish() {
                for pair in group.pairs {
                    let truth = events.contains { $0.plates.contains(pair.pair.first) && $0.plates.contains(pair.pair.second) }
                    let hour = ((pair.first.milliseconds / 3_600_000) + 1) % 24
                    out += "\(truth ? 1 : 0),\(truth ? "true" : cause([pair.pair.first, pair.pair.second], events: events, roles: roles)),"
                        + "\(pair.evidence.count),\(pair.expectedByChance),\(hour),\(pair.consistentOrder),"
                        + "\(pair.chance?.density ?? 0),\(pair.chance?.steady ?? false),"
                        + (pair.chance?.shares ?? []).map { String(format: "%.4f", $0) }.joined(separator: " ") + ";"
                        + (pair.chance?.keptGap ?? []).map { String(format: "%.4f", $0) }.joined(separator: " ") + ","
                        + pair.evidence.map { "\($0.camera):\($0.gapMilliseconds):\($0.time.milliseconds)" }.joined(separator: " ") + ","
                        + (pair.chance?.readsPerHour ?? []).map { String(format: "%.0f", $0) }.joined(separator: " ") + ","
                        + (events.first { $0.plates.contains(pair.pair.first) && $0.plates.contains(pair.pair.second) }?.id ?? "")
                        + ",\(pair.pair.first),\(pair.pair.second),\(pair.score)\n"
                }
            }
            try out.write(toFile: path + "-\(scenario.seed)-\(Int(scenario.rate)).csv", atomically: true, encoding: .utf8)
        }
        // RINGWATCH_BENCH_READS=PATH writes every read (plate, camera, time, direction) to PATH-<seed>-<rate>.csv.
        if let path = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_READS"] {
            var out = "plate,camera,ts,direction\n"
            for read in reads { out += "\(read.plate.text),\(read.camera),\(read.timestamp.milliseconds),\(read.direction?.rawValue ?? "")\n" }
            try out.write(toFile: path + "-\(scenario.seed)-\(Int(scenario.rate)).csv", atomically: true, encoding: .utf8)
        }
        if let path = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_DUMP"] { dump(fired, reads: reads, events: events, roles: roles, to: path + "-\(scenario.seed)-\(Int(scenario.rate)).csv") }
        live.reads = seen.count
        live.seconds = elapsed
        guard scenario.history else { return Result(live: live, period: nil, plate: nil, background: (0, 0)) }

        // History: a real SQLite file, hours sealed with their indexes as the engine does.
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-accuracy")
        // RINGWATCH_BENCH_KEEP_DB=PATH keeps the history at PATH-<seed>.sqlite (for timing `ringwatch convoys` on it).
        let kept = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_KEEP_DB"].map { "\($0)-\(scenario.seed).sqlite" }
        if let kept { try? FileManager.default.removeItem(atPath: kept) }
        let database = try HistoryDatabase(path: kept ?? directory.file("history.sqlite"))
        reads.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        let pagesBefore = try database.connection.scalarInt("PRAGMA page_count") ?? 0
        try database.connection.transaction { try database.insert(convoyLog: log) }
        let logBytes = ((try database.connection.scalarInt("PRAGMA page_count") ?? 0) - pagesBefore) * (try database.connection.scalarInt("PRAGMA page_size") ?? 4096)
        print("    convoy pair log: \(log.pairs.count) assessments, \(log.pairHours.reduce(0) { $0 + $1.pairs.count }) pair hours, \(log.hours.count) hours covered; "
              + String(format: "%.1f MB (%.1f MB a day)", Double(logBytes) / 1e6, Double(logBytes) / 1e6 / Double(days)))
        _ = try database.sealHours(before: configuration.end.adding(seconds: 7200))
        if let kept { try simulator.registryCSV.write(toFile: kept.replacingOccurrences(of: ".sqlite", with: "-registry.csv"), atomically: true, encoding: .utf8) }
        var search = ConvoySearch(database: database, definition: definition)
        search.vehicleType = vehicleType
        // Period-wide, one day at a time (as an analyst would ask), commuters judged per day.
        var listed: [[String]] = [], listedPlatoons: [Bool] = []
        var listedGroups: [ConvoyGroup] = []
        var day = configuration.start
        var searchSeconds: [Double] = []
        while day < configuration.end {
            let to = min(configuration.end, day.adding(seconds: 86_400)).adding(milliseconds: -1)
            let began = DispatchTime.now().uptimeNanoseconds
            let found = try search.convoys(from: day, to: to, minimumScore: definition.minimumScore)
            searchSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
            for convoy in found {
                listed.append(convoy.plates)
                listedGroups.append(convoy)
                listedPlatoons.append(convoy.pairs.contains { isPlatoon(gaps: $0.evidence.map(\.gapMilliseconds)) })
            }
            day = day.adding(seconds: 86_400)
        }
        print("    convoys (period) search time per day: " + searchSeconds.map { String(format: "%.2f s", $0) }.joined(separator: ", "))
        let period = score(listed, platoon: listedPlatoons, events: events, meeting: meeting, roles: roles)
        compareFalse(live: fired.map { plates(of: $0) }, liveChanges: fired.map { $0.details.first { $0.0 == "change" }?.1.stringValue ?? "" },
                     listed: listedGroups, events: events, roles: roles)
        if days >= 3 || ProcessInfo.processInfo.environment["RINGWATCH_BENCH_PERIOD"] != nil {
            try demonstrateCommuters(search: search, from: configuration.start, to: configuration.end.adding(milliseconds: -1),
                                     events: events, meeting: meeting, roles: roles)
        }

        // --plate for every planted member: each companion listed is one row.
        var rows: [[String]] = [], rowPlatoons: [Bool] = []
        for event in events {
            for member in event.plates {
                for companion in try search.companions(of: member, from: configuration.start, to: configuration.end) {
                    rows.append([member, companion.plate])
                    rowPlatoons.append(companion.episodes.contains { isPlatoon(gaps: $0.evidence.map(\.gapMilliseconds)) })
                }
            }
        }
        var plate = score(rows, platoon: rowPlatoons, events: events, meeting: meeting, roles: roles)
        plate.planted = live.planted
        // And for background vehicles (every 997th distinct plate): any companion is false.
        let distinct = Array(Set(reads.map(\.plate.text))).sorted()
        var backgroundPlates = 0, backgroundRows = 0
        var position = 0
        while position < distinct.count && backgroundPlates < 200 {
            let candidate = distinct[position]
            position += 997
            guard roles.roleOfPlate[candidate] != "planted" else { continue }
            backgroundPlates += 1
            backgroundRows += try search.companions(of: candidate, from: configuration.start, to: configuration.end).count
        }
        return Result(live: live, period: period, plate: plate, background: (backgroundPlates, backgroundRows))
    }

    /// Why history lists false convoys the live detector does not (issue 6): the false ones of
    /// each, as sets of plates, and which of them the other also named.
    private func compareFalse(live: [[String]], liveChanges: [String], listed: [ConvoyGroup], events: [GroundTruthEvent], roles: Roles) {
        func isTrue(_ plates: [String]) -> Bool { events.contains { event in plates.filter(event.plates.contains).count >= 2 } }
        func overlaps(_ a: [String], _ b: [String]) -> Bool { a.filter(b.contains).count >= 2 }
        let liveFalse = live.filter { !isTrue($0) }
        let liveTrue = live.filter(isTrue)
        var distinctLive: [Set<String>] = []
        for plates in liveFalse where !distinctLive.contains(where: { overlaps(Array($0), plates) }) { distinctLive.append(Set(plates)) }
        let formed = zip(live, liveChanges).filter { $0.1 == "formed" }
        let formedTrue = formed.filter { isTrue($0.0) }.count
        print("    live: \(live.count) triggers (\(liveTrue.count) true), \(formed.count) formed (\(formedTrue) true, "
              + String(format: "precision %.1f%%", Double(formedTrue) / Double(max(1, formed.count)) * 100)
              + "), \(liveChanges.filter { $0 == "grew" }.count) grew; false: \(liveFalse.count) triggers naming \(distinctLive.count) distinct groups")
        let listedFalse = listed.filter { !isTrue($0.plates) }
        for group in listedFalse {
            let firedLive = live.contains { overlaps($0, group.plates) }
            let best = group.pairs.max { $0.score < $1.score }
            print("    false listed: \(cause(group.plates, events: events, roles: roles)), \(group.plates.count) plates, "
                  + "\(best?.evidence.count ?? 0) cameras, gaps \((best?.evidence ?? []).map { String($0.gapMilliseconds / 1000) }.joined(separator: " ")) s, "
                  + String(format: "score %.4f", group.score) + (firedLive ? ", fired live too" : ", NOT fired live"))
        }
        for plates in distinctLive where !listed.contains(where: { overlaps($0.plates, Array(plates)) }) {
            print("    false live only: \(cause(Array(plates), events: events, roles: roles)), \(plates.count) plates")
        }
    }

    /// The commuter rule over a period of several days (issue 6): one search over all the
    /// days with commuters listed and one without, and which pairs of commuters the rule
    /// took out, and whether any planted convoy went with them.
    private func demonstrateCommuters(search: ConvoySearch, from: Timestamp, to: Timestamp, events: [GroundTruthEvent],
                                      meeting: Set<String>, roles: Roles) throws {
        var including = search
        including.includeCommuters = true
        var began = DispatchTime.now().uptimeNanoseconds
        let all = try including.convoys(from: from, to: to, minimumScore: definition.minimumScore)
        let allSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        began = DispatchTime.now().uptimeNanoseconds
        let filtered = try search.convoys(from: from, to: to, minimumScore: definition.minimumScore)
        let filteredSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        func pairs(_ groups: [ConvoyGroup]) -> Set<PairKey> { Set(groups.flatMap { $0.pairs.map(\.pair) }) }
        func isCommuter(_ plate: String) -> Bool { roles.roleOfPlate[plate] == "commuter" }
        let commuterPairs = { (groups: [ConvoyGroup]) in pairs(groups).filter { isCommuter($0.first) && isCommuter($0.second) } }
        let dropped = commuterPairs(all).subtracting(commuterPairs(filtered))
        let withRule = score(filtered.map(\.plates), events: events, meeting: meeting, roles: roles)
        let withoutRule = score(all.map(\.plates), events: events, meeting: meeting, roles: roles)
        let lost = Set(withoutRule.missed).symmetricDifference(Set(withRule.missed))
        print("    commuters over the whole period (one search): without the rule \(all.count) convoys listed, "
              + "\(commuterPairs(all).count) commuter pairs among them; with it \(filtered.count), \(commuterPairs(filtered).count) commuter pairs; "
              + "\(dropped.count) commuter pairs excluded, \(pairs(all).subtracting(pairs(filtered)).count) pairs excluded in all; "
              + "planted found \(withoutRule.found) / \(withRule.found) of \(withRule.meeting)"
              + (lost.isEmpty ? " (none lost)" : " (lost: \(lost.sorted().joined(separator: ", ")))")
              + String(format: "; search %.1f s / %.1f s", allSeconds, filteredSeconds))
        print(withRule.line("convoys (whole period, commuter rule)", unit: "convoys listed"))
        print(withoutRule.line("convoys (whole period, no commuter rule)", unit: "convoys listed"))

        // The same two searches from the convoy pair log the live detector wrote.
        began = DispatchTime.now().uptimeNanoseconds
        let (allLogged, allPath) = try including.convoys(from: from, to: to, minimumScore: definition.minimumScore, path: .auto)
        let allLoggedSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        began = DispatchTime.now().uptimeNanoseconds
        let (logged, path) = try search.convoys(from: from, to: to, minimumScore: definition.minimumScore, path: .auto)
        let loggedSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        func same(_ a: [ConvoyGroup], _ b: [ConvoyGroup]) -> Int {
            let keys = Set(b.map { $0.plates.sorted().joined(separator: ",") + "|" + $0.cameras.joined(separator: " ") })
            return a.filter { keys.contains($0.plates.sorted().joined(separator: ",") + "|" + $0.cameras.joined(separator: " ")) }.count
        }
        print("    pair log path: \(path.summary); search " + String(format: "%.2f s / %.2f s", allLoggedSeconds, loggedSeconds)
              + "; listed \(allLogged.count) / \(logged.count), of them the same plates and cameras as the reads' search: "
              + "\(same(allLogged, all)) / \(same(logged, filtered)) (\(allPath == path ? "same path" : "paths differ"))")
        print(score(logged.map(\.plates), events: events, meeting: meeting, roles: roles).line("convoys (whole period, commuter rule, pair log)", unit: "convoys listed"))
        print(score(allLogged.map(\.plates), events: events, meeting: meeting, roles: roles).line("convoys (whole period, no commuter rule, pair log)", unit: "convoys listed"))
    }

    /// Every trigger's figures as CSV, for looking into what separates true from false.
    private func dump(_ fired: [TriggerDraft], reads: [PlateRead], events: [GroundTruthEvent], roles: Roles, to path: String) {
        var byID: [ReadID: PlateRead] = [:]
        for read in reads { byID[read.id] = read }
        var out = "truth,cause,score,expected,cameras,co_occurrences,max_gap_s,change,local_hour,plates,minutes,gaps\n"
        for draft in fired {
            let plates = plates(of: draft)
            let truth = events.contains { event in plates.filter(event.plates.contains).count >= 2 }
            func value(_ key: String) -> JSONValue? { draft.details.first { $0.0 == key }?.1 }
            let cameras = value("cameras")?.arrayValue?.count ?? 0
            let first = Timestamp(rfc3339: value("first_ts")?.stringValue ?? "")!, last = Timestamp(rfc3339: value("last_ts")?.stringValue ?? "")!
            let hour = ((draft.read.timestamp.milliseconds / 3_600_000) + 1) % 24
            out += "\(truth ? 1 : 0),\(truth ? "true" : cause(plates, events: events, roles: roles)),\(value("score")?.doubleValue ?? 0),"
                + "\(value("expected_by_chance")?.doubleValue ?? 0),\(cameras),\(value("co_occurrences")?.doubleValue ?? 0),"
                + "\(value("max_gap_s")?.doubleValue ?? 0),\(value("change")?.stringValue ?? ""),\(hour),\(plates.count),"
                + "\(Double(last.milliseconds - first.milliseconds) / 60_000),"
            // The first two members' gaps (s) at each camera of the evidence, in time order.
            let evidence = draft.readIDs.compactMap { byID[$0] }.sorted { $0.timestamp < $1.timestamp }
            var gaps: [String] = []
            if plates.count >= 2 {
                for a in evidence where a.plate.text == plates[0] {
                    if let b = evidence.first(where: { $0.plate.text == plates[1] && $0.camera == a.camera
                        && abs($0.timestamp.milliseconds - a.timestamp.milliseconds) <= 60_000 }) {
                        gaps.append("\(a.camera):\((b.timestamp.milliseconds - a.timestamp.milliseconds) / 1000)")
                    }
                }
            }
            out += gaps.joined(separator: " ") + "\n"
        }
        try? out.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func plates(of draft: TriggerDraft) -> [String] {
        guard case .array(let plates)? = draft.details.first(where: { $0.0 == "plates" })?.1 else { return [] }
        return plates.compactMap(\.stringValue)
    }

    /// Found, true and false (with a cause) among `groups` (each the plates it names).
    private func score(_ groups: [[String]], platoon: [Bool]? = nil, events: [GroundTruthEvent], meeting: Set<String>, roles: Roles) -> Tally {
        var tally = Tally()
        tally.planted = events.count
        tally.meeting = meeting.count
        var found = Set<String>()
        for (position, plates) in groups.enumerated() {
            tally.triggers += 1
            let hits = events.filter { event in plates.filter(event.plates.contains).count >= 2 }
            if hits.isEmpty {
                let steady = platoon?[position] == true
                tally.causes[cause(plates, events: events, roles: roles) + (steady ? " [platoon]" : ""), default: 0] += 1
                if steady { tally.platoons += 1 }
            } else {
                tally.trueTriggers += 1
                for event in hits { found.insert(event.id) }
            }
        }
        tally.found = found.intersection(meeting).count
        tally.foundOutsideDefinition = found.subtracting(meeting).count
        tally.missed = meeting.subtracting(found).sorted()
        return tally
    }

    /// Why a group that is no planted convoy was named: the kinds of vehicle in it.
    private func cause(_ plates: [String], events: [GroundTruthEvent], roles: Roles) -> String {
        let kinds = plates.map { plate -> String in
            if events.contains(where: { $0.plates.contains(plate) }) { return "planted" }
            return roles.roleOfPlate[plate] ?? "unknown"
        }
        let set = Set(kinds)
        if set.contains("bus") { return "bus" }
        if set.contains("misread") { return "misread plate" }
        if set.contains("planted") { return "planted member with a stranger" }
        if set == ["commuter"] { return "commuter pair" }
        if set.contains("van") { return "van" }
        if set.contains("commuter") { return "commuter with visitor" }
        return "visitors (chance)"
    }

    /// Whether some two vehicles in `evidence` show a platoon (see `Tally.platoons`).
    private func isPlatoon(_ evidence: [PlateRead]) -> Bool {
        let plates = Array(Set(evidence.map(\.plate.text))).sorted()
        for (i, a) in plates.enumerated() {
            for b in plates.dropFirst(i + 1) {
                var gaps: [String: Int64] = [:]
                for readA in evidence where readA.plate.text == a {
                    for readB in evidence where readB.plate.text == b && readB.camera == readA.camera {
                        let gap = readB.timestamp.milliseconds - readA.timestamp.milliseconds
                        if abs(gap) <= definition.maxGapMilliseconds, abs(gap) < abs(gaps[readA.camera] ?? .max) { gaps[readA.camera] = gap }
                    }
                }
                if isPlatoon(gaps: Array(gaps.values)) { return true }
            }
        }
        return false
    }

    private func isPlatoon(gaps: [Int64]) -> Bool {
        guard gaps.count >= 5, gaps.allSatisfy({ $0 >= 0 }) || gaps.allSatisfy({ $0 <= 0 }) else { return false }
        let sizes = gaps.map { max(abs($0), 2000) }
        return sizes.max()! <= 2 * sizes.min()!
    }

    /// Whether two members were read correctly together at `minCameras` distinct cameras.
    private func meetsDefinition(_ event: GroundTruthEvent) -> Bool {
        let correct = event.reads.filter { $0.misread == "none" }
        for (i, a) in event.plates.enumerated() {
            for b in event.plates.dropFirst(i + 1) {
                var cameras = Set<String>()
                for readA in correct where readA.plate == a {
                    for readB in correct where readB.plate == b && readB.camera == readA.camera
                        && abs(readB.timestamp.milliseconds - readA.timestamp.milliseconds) <= definition.maxGapMilliseconds {
                        cameras.insert(readA.camera)
                    }
                }
                if cameras.count >= definition.minCameras { return true }
            }
        }
        return false
    }
}
