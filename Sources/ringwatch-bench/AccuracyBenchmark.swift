// Detector accuracy on simulated traffic (issues 4 and 5): the real engine, in process, fed a
// simulated day over loopback ZeroMQ, its triggers read back from SQLite and scored against the
// simulator's ground truth.
//
//   swift build -c release --product ringwatch-bench
//   .build/release/ringwatch-bench accuracy --runs 1
//
// `--runs N` simulates N days with seeds 1...N and adds their counts up. Each day runs the engine
// twice on the same traffic: once with exact-only hotlist matching, once with the defaults an
// operator gets (OCR-tolerant hotlist, registry mismatch and clone detectors as configured by
// `EngineConfiguration()`); issue 5's figures come from the second.
import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting
import ZeroMQ

struct AccuracyBenchmark {
    let runs: Int
    var hours = 24.0
    var readsPerSecond = 20.0
    /// Planted events per day: enough for recall to mean something.
    var plants = SimulationConfiguration.Plants(hotlist: 200, convoys: 0, cloneVehicles: 60, cloneSpeeds: 60, routeTakeovers: 0)
    /// Hotlist entries in all: the planted vehicles plus decoys that never drive.
    var hotlistSize = 100_000

    func simulation(seed: UInt64) -> SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.hours = hours
        configuration.readsPerSecond = readsPerSecond
        configuration.plants = plants
        configuration.hotlistDecoys = hotlistSize - plants.hotlist
        return configuration
    }

    // MARK: What the simulator knows

    /// Per published read, what the messages do not say (from `TrafficSimulator.onRead`),
    /// kept compact: a day at 20 reads/s is 1.7 million reads.
    final class Truths {
        struct Read {
            var vehicle: Int32
            /// 0 none, 1 substitution, 2 dropped character, 3 extra character.
            var misread: UInt8
            var planted: Bool
        }
        var reads: [UInt64: Read] = [:]
        var dayReads = 0, nightReads = 0
        let utcOffsetMilliseconds: Int64

        init(utcOffsetMinutes: Int) { utcOffsetMilliseconds = Int64(utcOffsetMinutes) * 60_000 }

        /// The simulator's darkness: before 08:00 and from 17:00 local time, when the classifier
        /// is less sure and colours go wrong.
        func isDark(_ time: Timestamp) -> Bool {
            let minute = ((time.milliseconds + utcOffsetMilliseconds).floorDivided(by: 60_000) % 1440 + 1440) % 1440
            return minute < 8 * 60 || minute >= 17 * 60
        }

        func record(_ truth: ReadTruth) {
            let misread: UInt8 = ["none": 0, "substitution": 1, "drop": 2, "insert": 3][truth.misread] ?? 0
            reads[truth.readID.rawValue] = Read(vehicle: Int32(truth.vehicle), misread: misread, planted: truth.plantedEvent != nil)
            if isDark(truth.time) { nightReads += 1 } else { dayReads += 1 }
        }
    }

    /// A stored trigger, parsed.
    struct Observed {
        let kind: TriggerKind
        let severity: String
        let plate: String
        let timestamp: Timestamp
        let readIDs: [String]
        let body: [String: Any]

        func string(_ key: String) -> String? { body[key] as? String }
        /// The read that fired it (the last evidence read).
        var firingRead: UInt64? { readIDs.last.flatMap { UInt64($0, radix: 16) } }
        var observation: TriggerObservation {
            TriggerObservation(kind: kind, readIDs: readIDs, plates: [plate])
        }
    }

    /// One engine run over one simulated span.
    struct EngineRun {
        var triggers: [Observed]
        var events: [GroundTruthEvent]
        var sent: Int
        var stored: Int
        var seconds: Double
    }

    // MARK: Running the engine

    /// Simulates with `seed`, publishes everything to an in-process engine with `matching` as
    /// its hotlist matching (all else default), and reads back its triggers.
    func runEngine(seed: UInt64, matching: HotlistMatcher.Configuration, truths: Truths?) throws -> EngineRun {
        let began = DispatchTime.now().uptimeNanoseconds
        let root = RingwatchProcess.packageRoot
        let cameraText = try String(contentsOfFile: root + "/Fixtures/cameras.csv", encoding: .utf8)
        let simulator = try TrafficSimulator(
            configuration: simulation(seed: seed), cameras: CameraRegistry.parse(csv: cameraText, file: "cameras.csv").0)
        guard simulator.visitorsNeverOverlap, simulator.skippedPlants.isEmpty else {
            throw CocoaError(
                .featureUnsupported,
                userInfo: [NSLocalizedDescriptionKey: "the simulation does not fit: skipped \(simulator.skippedPlants.count) plants"])
        }
        if let truths { simulator.onRead = truths.record }

        let directory = TemporaryDirectory(prefix: "ringwatch-bench-accuracy")
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("accuracy.sqlite"), camerasPath: try directory.write("cameras.csv", simulator.camerasCSV))
        configuration.hotlistPath = try directory.write("hotlist.csv", simulator.hotlistCSV)
        configuration.registryPath = try directory.write("registry.csv", simulator.registryCSV)
        configuration.vehicleMakesPath = root + "/Fixtures/vehicle-makes.csv"
        configuration.vehicleModelsPath = root + "/Fixtures/vehicle-models.csv"
        configuration.vehicleColorsPath = root + "/Fixtures/vehicle-colors.csv"
        configuration.hotlistMatching = matching
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let engine = try Engine(configuration: configuration, logger: logger)
        engine.start()

        let (probes, sent) = try publish(simulator, to: engine)
        // Everything received, evaluated and committed; give up after 30 s without progress.
        var last = -1, idleSince = DispatchTime.now().uptimeNanoseconds
        while engine.counters.received.load(ordering: .relaxed) < probes + sent
            || engine.storedReads < engine.counters.accepted.load(ordering: .relaxed)
        {
            let progress = engine.counters.received.load(ordering: .relaxed) + engine.storedReads
            if progress != last {
                last = progress
                idleSince = DispatchTime.now().uptimeNanoseconds
            } else if DispatchTime.now().uptimeNanoseconds - idleSince > 30_000_000_000 {
                break
            }
            usleep(2000)
        }
        let received = engine.counters.received.load(ordering: .relaxed) - probes
        if let failure = engine.stop() { throw failure }
        let stored = engine.storedReads
        guard received == sent else {
            throw CocoaError(
                .featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "the engine received \(received) of \(sent) messages"])
        }

        let database = try HistoryDatabase(path: configuration.databasePath, readOnly: true)
        let triggers = try database.triggers(since: 0, limit: 100_000_000).compactMap { stored -> Observed? in
            guard let kind = TriggerKind(rawValue: stored.kind),
                let body = (try? JSONSerialization.jsonObject(with: Data(stored.body.utf8))) as? [String: Any]
            else { return nil }
            return Observed(
                kind: kind, severity: stored.severity, plate: stored.plate, timestamp: stored.timestamp,
                readIDs: body["read_ids"] as? [String] ?? [], body: body)
        }
        return EngineRun(
            triggers: triggers, events: simulator.groundTruth, sent: sent, stored: stored - probes,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
    }

    /// Publishes every message of `simulator` to the engine's ingest, never dropping one, and
    /// closes the socket once libzmq has sent them all. Returns the probes sent to join first
    /// and the messages published.
    private func publish(_ simulator: TrafficSimulator, to engine: Engine) throws -> (probes: Int, sent: Int) {
        let context = try Context()
        let publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(100_000)
        // Never drop: wait while the engine's queue is full, as `ringwatch simulate` does.
        try publisher.setPublisherNoDrop(true)
        // Closing waits up to this long for what is still queued.
        try publisher.setLinger(milliseconds: 600_000)
        try publisher.connect(engine.ingestEndpoint)
        // PUB/SUB joins asynchronously: probe until the engine has one read (from an unknown
        // camera, an hour before the span, so no detector pairs it with anything).
        var probes = 0
        let probeTime = simulator.configuration.start.adding(seconds: -3600)
        while engine.counters.received.load(ordering: .relaxed) == 0 {
            try publisher.send([
                "read.probe.probe",
                ReadMessages.body(
                    camera: "probe", ts: probeTime.adding(milliseconds: Int64(probes)), plate: "PROBE", id: "probe-\(probes)"),
            ])
            probes += 1
            usleep(5000)
        }
        // Probes sent before the subscription arrived are lost; count those that were not.
        usleep(100_000)
        probes = engine.counters.received.load(ordering: .relaxed)
        var sent = 0
        while let message = simulator.next() {
            try publisher.send([Array(message.topic.utf8), message.body])
            sent += 1
        }
        return (probes, sent)
    }

    // MARK: Scoring

    /// Counts by severity, most severe first.
    struct BySeverity {
        var counts = [Int](repeating: 0, count: Severity.allCases.count)
        mutating func add(_ severity: String) { counts[Severity(rawValue: severity)?.rank ?? Severity.allCases.count - 1] += 1 }
        var total: Int { counts.reduce(0, +) }
        var text: String {
            zip(Severity.allCases, counts).filter { $0.1 > 0 }.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
        }
    }

    /// Issue 4: per planted read, by what the reader made of it, and the triggers on nothing planted.
    struct HotlistTally {
        static let classes = ["none", "1 substitution", "2 substitutions", "drop/insert"]
        var planted = [Int](repeating: 0, count: 4)
        var withinLimits = [Int](repeating: 0, count: 4)
        var fired = [Int](repeating: 0, count: 4)
        var firedWithinLimits = [Int](repeating: 0, count: 4)
        /// Triggers on planted reads: at the entry's severity, or lowered by how many steps.
        var trueTriggers = 0
        var trueLowered = [Int](repeating: 0, count: Severity.allCases.count)
        var falseTriggers = BySeverity()
        /// False `exact` triggers: the plate as read is the listed plate (another vehicle misread
        /// into it), or a variant labelled exact (must never happen).
        var falseExactReadAsListed = 0
        var falseExactVariants = 0
        var falseByCause: [String: BySeverity] = [:]
        /// True triggers below their entry's severity, by the reasons the explanation gives.
        var trueLoweredBy: [String: Int] = [:]
        /// True and false triggers by what the match forgave: nothing, substitutions only, a
        /// dropped character, an added one (with any substitutions).
        static let editClasses = ["exact", "substitutions", "a dropped character", "an added character"]
        var trueByEdit = [Int](repeating: 0, count: 4), falseByEdit = [Int](repeating: 0, count: 4)

        static func editClass(_ trigger: Observed) -> Int {
            let edits = (trigger.body["substitutions"] as? [[String: Any]] ?? []).compactMap { $0["edit"] as? String }
            if edits.contains("dropped") { return 2 }
            if edits.contains("added") { return 3 }
            return edits.isEmpty ? 0 : 1
        }

        static func misreadClass(_ read: GroundTruthRead) -> Int {
            switch read.misread {
            case "substitution": read.substitutions >= 2 ? 2 : 1
            case "drop", "insert": 3
            default: 0
            }
        }
    }

    func tallyHotlist(_ run: EngineRun, tolerance: OCRTolerance, truths: Truths, into tally: inout HotlistTally) {
        // Read id -> listed plates that fired on it.
        var fired: [String: Set<String>] = [:]
        for trigger in run.triggers where trigger.kind == .hotlist {
            for id in trigger.readIDs { fired[id, default: []].insert(trigger.string("listed_plate") ?? "") }
        }
        var plantedReads = Set<String>()
        for event in run.events where event.expect == .hotlist {
            let listed = event.json["listed_plate"]?.stringValue ?? event.plates[0]
            for read in event.reads {
                plantedReads.insert(read.readID)
                let slot = HotlistTally.misreadClass(read)
                // "Within the configured limits": the matcher's own definition of a misread.
                let within = tolerance.edits(read: Array(read.plateRead.utf8), listed: Array(read.plate.utf8)) != nil
                let hit = fired[read.readID]?.contains(listed) ?? false
                tally.planted[slot] += 1
                if hit { tally.fired[slot] += 1 }
                if within {
                    tally.withinLimits[slot] += 1
                    if hit { tally.firedWithinLimits[slot] += 1 }
                }
            }
        }
        for trigger in run.triggers where trigger.kind == .hotlist {
            if trigger.readIDs.contains(where: plantedReads.contains) {
                tally.trueTriggers += 1
                tally.trueByEdit[HotlistTally.editClass(trigger)] += 1
                let listed = Severity(rawValue: trigger.string("listed_severity") ?? trigger.severity)?.rank ?? 0
                tally.trueLowered[max(0, (Severity(rawValue: trigger.severity)?.rank ?? 0) - listed)] += 1
                if let lowered = (trigger.string("explanation") ?? "").range(of: "severity lowered from ") {
                    let rest = (trigger.string("explanation") ?? "")[lowered.upperBound...]
                    let why = rest.firstIndex(of: "(").flatMap { open in rest[open...].firstIndex(of: ")").map { rest[rest.index(after: open)..<$0] } }
                    // Counts vary ("3 other registered plates as close"): keep the kind of reason.
                    let reason = (why.map(String.init) ?? "?").replacing(/\d+ other registered plates/, with: "N other registered plates")
                    tally.trueLoweredBy["\(reason) (\(Severity(rawValue: trigger.string("listed_severity") ?? "")?.rawValue ?? "?") → \(trigger.severity))", default: 0] += 1
                }
                continue
            }
            tally.falseTriggers.add(trigger.severity)
            tally.falseByEdit[HotlistTally.editClass(trigger)] += 1
            let misread = trigger.firingRead.flatMap { truths.reads[$0] }?.misread ?? 0
            let registry = trigger.body["registry"] as? [String: Any]
            func verdict(_ key: String) -> String {
                let text = registry?[key] as? String ?? "not asked"
                return text.hasPrefix("contradicts") ? "contradicts" : text.replacingOccurrences(of: "_", with: " ")
            }
            let cause: String
            if trigger.string("match") == "exact" {
                if trigger.plate == trigger.string("listed_plate") {
                    tally.falseExactReadAsListed += 1
                } else {
                    tally.falseExactVariants += 1
                }
                cause = "exact: another vehicle's plate misread into exactly a listed plate"
            } else if misread == 0 {
                cause =
                    "\(trigger.string("match") ?? "?"): a correct read of a registered plate within the tolerance of a listed one; "
                    + "registry on the plate as read: \(verdict("read_plate"))"
            } else {
                let how = ["", "substitution", "dropped character", "extra character"][Int(misread)]
                let lookAlike = (trigger.string("explanation") ?? "").contains("a registered look-alike fits")
                let rivals = (registry?["rivals"] as? NSNumber)?.intValue
                cause =
                    "\(trigger.string("match") ?? "?"): another vehicle's plate misread (\(how)) into a variant; "
                    + (lookAlike
                        ? "a registered look-alike fits what the camera saw"
                        : "registry on the listed plate: \(verdict("listed_plate"))")
                    + (rivals.map { $0 == 0 ? "; no registered rival" : "; registered rivals" } ?? "")
            }
            tally.falseByCause[cause, default: BySeverity()].add(trigger.severity)
        }
    }

    /// Issue 5: recall of the planted clones and mismatches, and triggers that match none, by
    /// light and cause.
    struct RegistryTally {
        var cloneFound = 0, clonePlanted = 0
        var mismatchFound = 0, mismatchPlanted = 0
        var falseClones = (day: 0, night: 0)
        var falseMismatches = (day: 0, night: 0)
        var falseCloneCauses: [String: Int] = [:]
        var falseMismatchCauses: [String: Int] = [:]
        var missed: [String] = []
    }

    func tallyRegistry(_ run: EngineRun, truths: Truths, into tally: inout RegistryTally) {
        let scores = GroundTruthScorer(events: run.events).score(run.triggers.map(\.observation))
        let clones = run.events.filter { $0.expect == .clone }, mismatches = run.events.filter { $0.expect == .mismatch }
        for score in scores where score.kind == .clone {
            tally.cloneFound += score.found
            tally.missed += score.missedEvents
        }
        for score in scores where score.kind == .mismatch {
            tally.mismatchFound += score.found
            tally.missed += score.missedEvents
        }
        tally.clonePlanted += clones.count
        tally.mismatchPlanted += mismatches.count
        let cloneEvidence = Set(clones.flatMap(\.readIDs)), mismatchEvidence = Set(mismatches.flatMap(\.readIDs))
        for trigger in run.triggers where trigger.kind == .clone && !trigger.readIDs.contains(where: cloneEvidence.contains) {
            let dark = truths.isDark(trigger.timestamp)
            if dark { tally.falseClones.night += 1 } else { tally.falseClones.day += 1 }
            let pair = trigger.readIDs.compactMap { UInt64($0, radix: 16) }.compactMap { truths.reads[$0] }
            let cause: String
            if pair.count == 2 && pair[0].vehicle == pair[1].vehicle {
                cause = "one vehicle read in two places (a simulator fault)"
            } else if pair.contains(where: { $0.misread != 0 }) {
                cause = "one read is another vehicle's plate misread"
            } else {
                cause = "two vehicles with the same plate"
            }
            tally.falseCloneCauses["\(cause) (\(trigger.severity), \(dark ? "night" : "day"))", default: 0] += 1
        }
        for trigger in run.triggers where trigger.kind == .mismatch && !trigger.readIDs.contains(where: mismatchEvidence.contains) {
            let dark = truths.isDark(trigger.timestamp)
            if dark { tally.falseMismatches.night += 1 } else { tally.falseMismatches.day += 1 }
            let rule = trigger.string("rule") ?? "?"
            let firing = trigger.firingRead.flatMap { truths.reads[$0] }
            let fields = (trigger.body["mismatched"] as? [String] ?? []).joined(separator: ", ")
            let cause: String
            if let firing, firing.misread != 0 {
                cause = rule == "unregistered" ? "a misread plate, not registered" : "the plate was misread into another registered plate"
            } else if firing?.planted == true {
                cause = "a planted vehicle of another event"
            } else {
                cause = "the classifier reported another vehicle than the one there (\(fields))"
            }
            tally.falseMismatchCauses["rule \(rule): \(cause) (\(trigger.severity), \(dark ? "night" : "day"))", default: 0] += 1
        }
    }

    // MARK: The report

    func run() throws {
        var exactTally = HotlistTally(), tolerantTally = HotlistTally()
        var registryTally = RegistryTally()
        var dayReads = 0, nightReads = 0, sent = 0, stored = 0
        var triggerCounts: [TriggerKind: Int] = [:]
        var seconds: [Double] = []
        for seed in 1...UInt64(max(1, runs)) {
            let truths = Truths(utcOffsetMinutes: simulation(seed: seed).utcOffsetMinutes)
            let tolerant = try runEngine(seed: seed, matching: HotlistMatcher.Configuration(), truths: truths)
            let exact = try runEngine(seed: seed, matching: .exactOnly, truths: nil)
            precondition(exact.sent == tolerant.sent, "the same seed must give the same traffic")
            tallyHotlist(exact, tolerance: HotlistMatcher.Configuration().tolerance, truths: truths, into: &exactTally)
            tallyHotlist(tolerant, tolerance: HotlistMatcher.Configuration().tolerance, truths: truths, into: &tolerantTally)
            tallyRegistry(tolerant, truths: truths, into: &registryTally)
            dayReads += truths.dayReads
            nightReads += truths.nightReads
            sent += tolerant.sent
            stored += tolerant.stored
            for trigger in tolerant.triggers { triggerCounts[trigger.kind, default: 0] += 1 }
            seconds += [tolerant.seconds, exact.seconds]
        }
        let reads = dayReads + nightReads
        print(
            "accuracy: \(runs) simulated day(s) at \(Int(readsPerSecond)) reads/s (seeds 1...\(runs)): \(sent) messages, "
                + "\(reads) reads (\(dayReads) day, \(nightReads) night by the simulator's clock: dark before 08:00 and from "
                + "17:00 local), \(stored) stored; \(plants.hotlist) hotlisted vehicles, \(plants.cloneVehicles) clone_vehicle, "
                + "\(plants.cloneSpeeds) clone_speed per day; hotlist of \(hotlistSize) entries; engine runs took "
                + "\(seconds.map { String(format: "%.0f", $0) }.joined(separator: ", ")) s")
        print(
            "triggers (default configuration): "
                + TriggerKind.allCases.map { "\($0.rawValue) \(triggerCounts[$0] ?? 0)" }.joined(separator: ", "))

        func percent(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "–" : String(format: "%.1f %%", 100 * Double(part) / Double(whole))
        }
        func per100k(_ count: Int, _ base: Int) -> String {
            base == 0 ? "–" : String(format: "%.2f", Double(count) * 100_000 / Double(base))
        }

        print("\n### Issue 4: hotlist recall per planted read\n")
        print(
            "| misread | planted reads | within the limits | exact-only: fired | OCR-tolerant: fired | OCR-tolerant: fired, of those within the limits |"
        )
        print("|---|---|---|---|---|---|")
        func recallRow(_ name: String, _ slots: [Int]) {
            func sum(_ values: [Int]) -> Int { slots.map { values[$0] }.reduce(0, +) }
            let planted = sum(tolerantTally.planted), within = sum(tolerantTally.withinLimits)
            let exactFired = sum(exactTally.fired), tolerantFired = sum(tolerantTally.fired)
            let firedWithin = sum(tolerantTally.firedWithinLimits)
            print(
                "| \(name) | \(planted) | \(within) | \(exactFired) (\(percent(exactFired, planted))) | "
                    + "\(tolerantFired) (\(percent(tolerantFired, planted))) | \(firedWithin) (\(percent(firedWithin, within))) |")
        }
        for slot in 0..<4 { recallRow(HotlistTally.classes[slot], [slot]) }
        recallRow("all", [0, 1, 2, 3])

        print(
            "\n| matching | false hotlist triggers | per 100,000 reads | critical | high | medium | low | `exact`: read as a listed plate | `exact` on a variant |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for (name, tally) in [("exact-only", exactTally), ("OCR-tolerant (defaults)", tolerantTally)] {
            let counts = tally.falseTriggers.counts.map(String.init).joined(separator: " | ")
            print(
                "| \(name) | \(tally.falseTriggers.total) | \(per100k(tally.falseTriggers.total, reads)) | \(counts) | "
                    + "\(tally.falseExactReadAsListed) | \(tally.falseExactVariants) |")
        }
        print("\n| matching | triggers on planted reads | at the entry's severity | one step lower | two or more steps lower |")
        print("|---|---|---|---|---|")
        for (name, tally) in [("exact-only", exactTally), ("OCR-tolerant (defaults)", tolerantTally)] {
            print(
                "| \(name) | \(tally.trueTriggers) | \(tally.trueLowered[0]) | \(tally.trueLowered[1]) | "
                    + "\(tally.trueLowered.dropFirst(2).reduce(0, +)) |")
        }
        print("\n| OCR-tolerant match forgave | triggers on planted reads | false triggers | share of its triggers that are false |")
        print("|---|---|---|---|")
        for slot in 0..<4 {
            let hits = tolerantTally.trueByEdit[slot], misses = tolerantTally.falseByEdit[slot]
            print("| \(HotlistTally.editClasses[slot]) | \(hits) | \(misses) | \(percent(misses, hits + misses)) |")
        }
        print("\nTrue hotlist triggers (OCR-tolerant) below their entry's severity, by the reasons given:\(tolerantTally.trueLoweredBy.isEmpty ? " none" : "")")
        for (reason, count) in tolerantTally.trueLoweredBy.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { print("  \(count)  \(reason)") }
        print("\nFalse hotlist triggers (OCR-tolerant), by cause:")
        for (cause, counts) in tolerantTally.falseByCause.sorted(by: { $0.value.total > $1.value.total }) {
            print("  \(counts.total)  \(cause) (\(counts.text))")
        }

        print("\n### Issue 5: registry mismatch and cloned plates (default configuration)\n")
        print("| detector | planted | found | recall | false (day) | per 100,000 day reads | false (night) | per 100,000 night reads |")
        print("|---|---|---|---|---|---|---|---|")
        print(
            "| clone (`clone_speed`) | \(registryTally.clonePlanted) | \(registryTally.cloneFound) | "
                + "\(percent(registryTally.cloneFound, registryTally.clonePlanted)) | \(registryTally.falseClones.day) | "
                + "\(per100k(registryTally.falseClones.day, dayReads)) | \(registryTally.falseClones.night) | "
                + "\(per100k(registryTally.falseClones.night, nightReads)) |")
        print(
            "| mismatch (`clone_vehicle`) | \(registryTally.mismatchPlanted) | \(registryTally.mismatchFound) | "
                + "\(percent(registryTally.mismatchFound, registryTally.mismatchPlanted)) | \(registryTally.falseMismatches.day) | "
                + "\(per100k(registryTally.falseMismatches.day, dayReads)) | \(registryTally.falseMismatches.night) | "
                + "\(per100k(registryTally.falseMismatches.night, nightReads)) |")
        if !registryTally.missed.isEmpty { print("\nMissed: \(registryTally.missed.sorted().joined(separator: ", "))") }
        print("\nFalse clone triggers, by cause:\(registryTally.falseCloneCauses.isEmpty ? " none" : "")")
        for (cause, count) in registryTally.falseCloneCauses.sorted(by: { $0.value > $1.value }) { print("  \(count)  \(cause)") }
        print("\nFalse mismatch triggers, by rule and cause:\(registryTally.falseMismatchCauses.isEmpty ? " none" : "")")
        for (cause, count) in registryTally.falseMismatchCauses.sorted(by: { $0.value > $1.value }) { print("  \(count)  \(cause)") }
    }
}
