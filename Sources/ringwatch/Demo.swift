import ArgumentParser
import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchSimulator
import RingwatchStorage
import Synchronization
import ZeroMQ

/// `ringwatch demo`: the engine with embedded defaults and the simulator in accelerated time,
/// printing triggers as they fire, then what each detector found of the planted events.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine on simulated three-ring traffic in accelerated time and show what it finds.",
        discussion: """
            Needs no arguments. Writes the simulated cameras, hotlist, registry and ground truth beside the \
            database (default ./data/demo.sqlite, replaced on every run) and leaves the database for the query \
            commands it suggests at the end.
            """)

    @Option(name: .long, help: "Simulated hours.")
    var hours: Double = 3

    @Option(name: .long, help: "Average reads per simulated second.")
    var rate: Double = 30

    @Option(name: .long, help: "Simulated seconds per real second, or 'max'.")
    var speed = "720"

    @Option(name: .long, help: "Seed of the simulated traffic.")
    var seed: UInt64 = 7

    @Option(name: .long, help: "Start of the simulated span (RFC 3339). Default: the span ends at the start of the current hour.")
    var start: String?

    @Option(name: .long, help: "Database the demo writes (replaced).")
    var db = "./data/demo.sqlite"

    @Option(name: .long, help: "Camera registry the simulated traffic runs on.")
    var cameras = ShippedFiles.path("cameras.csv")

    @Flag(name: .long, help: "Print only the summary, not each trigger.")
    var quiet = false

    @Flag(name: .long, help: "Print low-severity triggers too (by default they are only counted in the summary).")
    var all = false

    func run() throws {
        guard hours > 0, hours <= 24 * 14 else { throw UsageError("--hours must be between 0 and 336") }
        guard rate > 0, rate <= 500_000 else { throw UsageError("--rate must be between 0 and 500000 reads per second") }
        let pace: Double? = speed == "max" ? nil : try Double(speed).flatMap { $0 > 0 ? $0 : nil }
            ?? { throw UsageError("--speed must be a positive number or 'max'") }()
        let now = Timestamp.now
        let startTime = try start.map { try parseTime($0, flag: "--start") }
            ?? Timestamp(milliseconds: now.hourNumber * 3_600_000 - Int64(hours * 3_600_000))

        // Fixtures beside the database.
        let directory = ((db as NSString).deletingLastPathComponent as NSString).appendingPathComponent("demo")
        guard let registryText = try? String(contentsOfFile: cameras, encoding: .utf8) else {
            throw UsageError("--cameras \(cameras): cannot read the file; run from the Ringwatch directory, set RINGWATCH_SHARE to the shipped Fixtures, or pass --cameras CSV")
        }
        let (cameraRegistry, report) = CameraRegistry.parse(csv: registryText, file: cameras)
        guard report.loaded > 0 else { throw UsageError("\(cameras) holds no cameras; pass --cameras CSV") }
        var simulation = SimulationConfiguration()
        simulation.seed = seed
        simulation.start = startTime
        simulation.hours = hours
        simulation.readsPerSecond = rate
        // A route takeover shows over days of history (the same route at the same time, then
        // another vehicle on it), to an analyst's `routes --like`, not as a live trigger: in the
        // demo it would only count as missed.
        simulation.plants.routeTakeovers = 0
        let simulator = try TrafficSimulator(configuration: simulation, cameras: cameraRegistry)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        func write(_ text: String, _ name: String) throws -> String {
            let path = (directory as NSString).appendingPathComponent(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let camerasPath = try write(simulator.camerasCSV, "cameras.csv")
        let hotlistPath = try write(simulator.hotlistCSV, "hotlist.csv")
        let registryPath = try write(simulator.registryCSV, "registry.csv")

        // A fresh database each run, unless an engine holds it.
        do { _ = try EngineLock(database: db) } catch { throw RuntimeError("\(error)") }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }

        var configuration = EngineConfiguration.loopback(databasePath: db, camerasPath: camerasPath)
        configuration.hotlistPath = hotlistPath
        configuration.registryPath = registryPath
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            // The demo's screen is for triggers; per-camera gap warnings would drown them.
            handler.logLevel = .error
            return handler
        }
        let engine: Engine
        do { engine = try Engine(configuration: configuration, logger: Logger(label: "ringwatch-demo")) } catch {
            throw RuntimeError("cannot start the engine: \(error)")
        }
        engine.start()
        let console = DemoConsole(quiet: quiet)
        console.say("Ringwatch demo: \(String(format: "%g", hours)) h of simulated traffic on \(cameraRegistry.order.count) cameras from \(startTime.rfc3339Seconds), "
                    + "about \(Int(rate)) reads/s (seed \(seed)); \(simulator.fleetSummary.total) vehicles, planted events in \(directory)/ground-truth.jsonl")
        let printer = try TriggerPrinter(endpoint: engine.triggerEndpoint, console: console, includeLow: all)

        let sent = try publish(simulator, to: engine, pace: pace, console: console, printer: printer)
        // Everything sent is received, evaluated and committed before the summary.
        let deadline = Date().addingTimeInterval(60)
        while engine.counters.received.load(ordering: .relaxed) < sent && Date() < deadline { usleep(10_000) }
        usleep(300_000)
        if let failure = engine.stop() { throw RuntimeError("the history could not be written: \(failure)") }
        printer.stop()
        console.clearProgress()
        _ = try write(simulator.groundTruthJSONLines, "ground-truth.jsonl")
        try summarise(simulator: simulator, engine: engine, sent: sent, directory: directory, console: console)
    }

    /// Publishes the simulation in event-time order at `pace` simulated seconds per real second.
    private func publish(_ simulator: TrafficSimulator, to engine: Engine, pace: Double?, console: DemoConsole,
                         printer: TriggerPrinter) throws -> Int {
        let context = try Context()
        let publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(0)
        try publisher.connect(engine.ingestEndpoint)
        usleep(500_000)  // PUB/SUB joins asynchronously; loopback needs far less
        let began = DispatchTime.now().uptimeNanoseconds
        var lastProgress = began, sentAtLastProgress = 0
        var sent = 0
        while let message = simulator.next() {
            if let pace {
                let due = began + UInt64(max(0, Double(message.timestamp.milliseconds - simulator.configuration.start.milliseconds) / pace * 1_000_000))
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now + 1_000_000 { usleep(UInt32(min((due - now) / 1000, 100_000))) }
            }
            try publisher.send([Array(message.topic.utf8), message.body])
            sent += 1
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastProgress > 250_000_000 {
                let rate = Double(sent - sentAtLastProgress) / (Double(now - lastProgress) / 1e9)
                console.progress("simulated \(message.timestamp.rfc3339Seconds)  \(Int(rate)) reads/s  \(printer.count) triggers")
                lastProgress = now
                sentAtLastProgress = sent
            }
        }
        usleep(200_000)
        return sent
    }

    private func summarise(simulator: TrafficSimulator, engine: Engine, sent: Int, directory: String, console: DemoConsole) throws {
        let database = try HistoryDatabase(path: db, readOnly: true)
        let stored = try database.triggers(since: 0, limit: 10_000_000)
        let observations = stored.map { trigger -> TriggerObservation in
            let object = (try? JSONSerialization.jsonObject(with: Data(trigger.body.utf8)) as? [String: Any]) ?? [:]
            var plates = [trigger.plate]
            for plate in object["plates"] as? [String] ?? [] where !plates.contains(plate) { plates.append(plate) }
            return TriggerObservation(kind: TriggerKind(rawValue: trigger.kind) ?? .hotlist, readIDs: object["read_ids"] as? [String] ?? [],
                                      plates: plates)
        }
        let statistics = simulator.statistics
        var lines = ["", "Summary: \(sent) messages published (\(statistics.reads) reads, \(statistics.duplicates) duplicates, "
            + "\(statistics.substitutions + statistics.dropsAndInserts) misread), \(engine.storedReads) reads stored, "
            + "\(engine.counters.rejected.load(ordering: .relaxed)) quarantined, \(stored.count) triggers", ""]
        lines.append(pad("kind", 10) + pad("triggers", 10) + pad("planted", 9) + pad("found", 7) + pad("missed", 8) + "by severity")
        let scores = Dictionary(uniqueKeysWithValues: GroundTruthScorer(events: simulator.groundTruth).score(observations).map { ($0.kind, $0) })
        for kind in TriggerKind.allCases {
            let ofKind = stored.filter { $0.kind == kind.rawValue }
            let severities = Severity.allCases.compactMap { severity -> String? in
                let count = ofKind.filter { $0.severity == severity.rawValue }.count
                return count == 0 ? nil : "\(count) \(severity.rawValue)"
            }.joined(separator: ", ")
            let score = scores[kind]
            lines.append(pad(kind.rawValue, 10) + pad("\(ofKind.count)", 10) + pad("\(score?.planted ?? 0)", 9)
                         + pad("\(score?.found ?? 0)", 7) + pad("\(score?.missed ?? 0)", 8) + (severities.isEmpty ? "-" : severities))
        }
        lines.append("Route patterns are an analyst's questions over days of history (routes --like, predict) and watches "
                     + "they set (watch add): none planted here; see docs/operations.md, \"Route patterns\".")
        let missed = scores.values.flatMap(\.missedEvents).sorted()
        if !missed.isEmpty { lines.append("Missed planted events: \(missed.joined(separator: ", ")) (details in \(directory)/ground-truth.jsonl)") }
        let example = simulator.groundTruth.first { $0.expect == .hotlist }?.plates.first
            ?? stored.first?.plate ?? "1ABC123"
        let period = "--from \(simulator.configuration.start.rfc3339Seconds) --to \(simulator.configuration.end.rfc3339Seconds)"
        lines += ["", "The database is \(db). Try:",
                  "  ringwatch triggers --db \(db) --reason demo \(period)",
                  "  ringwatch reads --db \(db) --plate \(example) --fuzzy --reason demo \(period)",
                  "  ringwatch triggers --db \(db) --reason demo --stats \(period)",
                  "  ringwatch audit --db \(db)"]
        console.say(lines.joined(separator: "\n"))
    }

    private func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
}

/// Serialises the demo's output: trigger lines on stdout, a progress line on stderr when it is
/// a terminal (rewritten in place).
final class DemoConsole: Sendable {
    private let lock = Mutex<Bool>(false)  // whether a progress line is showing
    private let quiet: Bool
    private let terminal = isatty(STDERR_FILENO) == 1

    init(quiet: Bool) { self.quiet = quiet }

    func say(_ text: String) {
        lock.withLock { showing in
            if showing { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            showing = false
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }

    func trigger(_ line: String) { if !quiet { say(line) } }

    func progress(_ text: String) {
        guard terminal else { return }
        lock.withLock { showing in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            showing = true
        }
    }

    func clearProgress() {
        lock.withLock { showing in
            if showing { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            showing = false
        }
    }
}

/// Subscribes to the engine's triggers and prints each as one aligned line.
final class TriggerPrinter: @unchecked Sendable {
    // @unchecked: the socket lives on the printer's thread only; `received` is atomic.
    private let received = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    var count: Int { received.load(ordering: .relaxed) }

    init(endpoint: String, console: DemoConsole, includeLow: Bool) throws {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            defer { done.signal() }
            guard let context = try? Context(), let socket = try? Socket(context, .subscriber) else { ready.signal(); return }
            try? socket.subscribe("trigger.")
            try? socket.connect(endpoint)
            ready.signal()
            console.say("time      kind      severity  plate        camera  why" + (includeLow ? "" : "   (low severity: counted, not shown; --all shows them)"))
            while !stopRequested.load(ordering: .relaxed) || ((try? socket.waitForInput(milliseconds: 0)) ?? false) {
                guard (try? socket.waitForInput(milliseconds: 50)) == true, let frames = try? socket.receiveStrings(dontWait: true),
                      frames.count == 2 else { continue }
                received.add(1, ordering: .relaxed)
                if includeLow || !frames[0].hasSuffix(".low") { console.trigger(TriggerPrinter.line(frames[1])) }
            }
        }
        thread.name = "ringwatch-demo-triggers"
        thread.start()
        ready.wait()
    }

    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        done.wait()
    }

    static func line(_ body: String) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        func field(_ key: String, _ width: Int) -> String {
            let text = object[key] as? String ?? ""
            return text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
        }
        let time = (object["ts"] as? String).map { String($0.dropFirst(11).prefix(8)) } ?? ""
        return time.padding(toLength: 10, withPad: " ", startingAt: 0) + field("kind", 10) + field("severity", 10)
            + field("plate", 13) + field("camera", 8) + (object["explanation"] as? String ?? "")
    }
}
