import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchSimulator
import ZeroMQ

/// `ringwatch simulate`: synthetic three-ring traffic, published over ZeroMQ or written as JSON Lines.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish synthetic three-ring traffic over ZeroMQ, or write it as JSON Lines.",
        discussion: """
            Exactly one of --publish, --bind or --out. The same flags and seed give byte-identical output. \
            --out writes one line per message: {"topic":"read.R1.R1-01","body":{...}}, which --replay publishes again.
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Connect a PUB socket to this endpoint (the engine's ingest, e.g. tcp://127.0.0.1:5550).",
            valueName: "endpoint"))
    var publish: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Bind a PUB socket here instead, for an engine started with --ingest-connect.",
            valueName: "endpoint"))
    var bind: String?

    @Option(name: .long, help: ArgumentHelp("Write JSON Lines to this file instead of publishing.", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Publish a file written by --out instead of simulating.", valueName: "file"))
    var replay: String?

    @Option(name: .long, help: ArgumentHelp("Average reads per simulated second.", valueName: "reads/s"))
    var rate: Double = 20

    @Option(name: .long, help: ArgumentHelp("Simulated hours.", valueName: "hours"))
    var hours: Double = 24

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Start of the simulated span (RFC 3339, or 'now'). Default: 2026-11-23T06:00:00Z, a Monday.",
            valueName: "time"))
    var start: String?

    @Option(name: .long, help: ArgumentHelp("Seed of every random choice.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Simulated seconds per real second when publishing, or 'max'.", valueName: "x"))
    var speed = "1"

    @Option(
        name: .customLong("fixtures-out"),
        help: ArgumentHelp(
            "Directory for cameras.csv, hotlist.csv, registry.csv and ground-truth.jsonl.",
            valueName: "dir"))
    var fixturesOut: String?

    @Option(name: .long, help: ArgumentHelp("Camera registry CSV.", valueName: "csv"))
    var cameras = ShippedFiles.path("cameras.csv")

    @Option(name: .customLong("hotlist-decoys"), help: ArgumentHelp("Extra hotlist entries for plates that never drive.", valueName: "n"))
    var hotlistDecoys = 0

    @Option(
        name: .customLong("misread-rate"),
        help: ArgumentHelp(
            "Share of reads with OCR substitutions (default 0.03).",
            valueName: "share"))
    var misreadRate: Double?

    @Option(
        name: .customLong("warm-up"),
        help: ArgumentHelp(
            "Minutes simulated before --start and not emitted, so roads are busy from the start.",
            valueName: "minutes"))
    var warmUp = 30

    @Option(
        name: .customLong("max-fleet"),
        help: ArgumentHelp(
            "Most distinct vehicles (default 1000000); raise it at national rates so that no vehicle is on two journeys at once.",
            valueName: "n"))
    var maximumFleet: Int?

    func run() throws {
        let sinks = [publish, bind, out].compactMap { $0 }
        guard sinks.count == 1 else { throw UsageError("give exactly one of --publish ENDPOINT, --bind ENDPOINT or --out FILE") }
        let pace = try pacing()

        if let replay {
            guard out == nil else { throw UsageError("--replay publishes a file: use it with --publish or --bind, not --out") }
            guard fixturesOut == nil else { throw UsageError("--fixtures-out needs a simulation; it cannot be used with --replay") }
            try runReplay(replay, pace: pace)
            return
        }

        let simulator = try makeSimulator()
        if !simulator.visitorsNeverOverlap {
            printError("simulate: warning: the fleet is too small for this rate and camera network, so some vehicles are on two "
                + "journeys at once (the clone detector will see them); --max-fleet \(simulator.fleetNeeded) avoids it")
        }
        if let fixturesOut { try writeFixtures(simulator, to: fixturesOut) }
        let began = DispatchTime.now().uptimeNanoseconds
        if let out {
            try writeLines(simulator, to: out)
        } else {
            let publisher = try Publisher(publish: publish, bind: bind)
            var pacer = Pacer(speed: pace, origin: simulator.configuration.start)
            while let message = simulator.next() {
                pacer.wait(until: message.timestamp)
                try publisher.send(message)
            }
            // Leaving this scope closes the socket: libzmq then sends what is queued (up to the linger).
        }
        if let fixturesOut {
            try write(simulator.groundTruthJSONLines, to: (fixturesOut as NSString).appendingPathComponent("ground-truth.jsonl"))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let statistics = simulator.statistics
        let rate = Int(Double(statistics.messages) / max(seconds, 0.001))
        var summary = "simulate: \(statistics.messages) messages (\(statistics.reads) reads, \(statistics.duplicates) duplicates, "
        summary += "\(statistics.lost) lost, \(statistics.plantedReads) planted), "
        summary += "simulated \(simulator.configuration.start.rfc3339Seconds) + \(hours) h, "
        summary += "real \(Simulate.fixed(seconds, 1)) s (\(rate) messages/s)"
        if !simulator.skippedPlants.isEmpty { summary += "; \(simulator.skippedPlants.count) planted events did not fit in the span" }
        printError(summary)
    }

    /// Simulated seconds per real second, or nil for as fast as possible.
    private func pacing() throws -> Double? {
        if speed == "max" { return nil }
        guard let value = Double(speed), value > 0, value.isFinite else {
            throw UsageError("--speed must be a positive number of simulated seconds per real second, or 'max'")
        }
        return value
    }

    private func makeSimulator() throws -> TrafficSimulator {
        guard let text = try? String(contentsOfFile: cameras, encoding: .utf8) else {
            throw UsageError("--cameras \(cameras): cannot read the file; pass the camera registry CSV")
        }
        let (registry, report) = CameraRegistry.parse(csv: text, file: cameras)
        guard registry.count > 0 else {
            throw UsageError("--cameras \(cameras): no usable camera lines (\(report.problems.first?.description ?? "empty file"))")
        }
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.hours = hours
        configuration.readsPerSecond = rate
        configuration.hotlistDecoys = hotlistDecoys
        configuration.warmUpMinutes = warmUp
        if start == "now" {
            // The current minute: for live demonstrations against an engine that refuses future reads.
            configuration.start = Timestamp(milliseconds: Timestamp.now.milliseconds / 60_000 * 60_000)
        } else if let start {
            configuration.start = try parseTime(start, flag: "--start")
        }
        if let misreadRate { configuration.misreadRate = misreadRate }
        if let maximumFleet { configuration.maximumFleet = maximumFleet }
        let flags = [
            ("hours", "--hours"), ("readsPerSecond", "--rate"), ("misreadRate", "--misread-rate"), ("hotlistDecoys", "--hotlist-decoys"),
            ("warmUpMinutes", "--warm-up"), ("maximumFleet", "--max-fleet"),
        ]
        if var problem = configuration.problem {
            for (name, flag) in flags { problem = problem.replacingOccurrences(of: name, with: flag) }
            throw UsageError(problem)
        }
        do {
            return try TrafficSimulator(configuration: configuration, cameras: registry)
        } catch let error as SimulationError {
            throw UsageError("--cameras \(cameras): \(error.description)")
        }
    }

    private func writeFixtures(_ simulator: TrafficSimulator, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError("--fixtures-out \(directory): cannot create the directory (\(error.localizedDescription))")
        }
        for (name, text) in [
            ("cameras.csv", simulator.camerasCSV), ("hotlist.csv", simulator.hotlistCSV), ("registry.csv", simulator.registryCSV),
        ] {
            try write(text, to: (directory as NSString).appendingPathComponent(name))
        }
    }

    private func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw RuntimeError("cannot write \(path); check the directory exists and is writable")
        }
    }

    private func writeLines(_ simulator: TrafficSimulator, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RuntimeError("--out \(path): cannot create the file; check the directory exists and is writable")
        }
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        do {
            while let message = simulator.next() {
                message.appendJSONLine(to: &buffer)
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
        } catch {
            throw RuntimeError("--out \(path): write failed (\(error.localizedDescription))")
        }
    }

    private func runReplay(_ path: String, pace: Double?) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UsageError("--replay \(path): cannot read the file; pass a file written by 'ringwatch simulate --out'")
        }
        defer { try? handle.close() }
        let began = DispatchTime.now().uptimeNanoseconds
        var publisher: Publisher? = try Publisher(publish: publish, bind: bind)
        var pacer: Pacer?
        var count = 0, lineNumber = 0
        var pending: [UInt8] = []
        func publishLine(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            guard line.contains(where: { $0 != 32 && $0 != 13 }) else { return }
            guard let message = SimulatedMessage(jsonLine: line) else {
                throw RuntimeError(
                    "--replay \(path): line \(lineNumber) is not {\"topic\":...,\"body\":{...}} with a ts; stopped after \(count) messages")
            }
            if pacer == nil { pacer = Pacer(speed: pace, origin: message.timestamp) }
            pacer?.wait(until: message.timestamp)
            try publisher?.send(message)
            count += 1
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var lineStart = 0
            while let newline = pending[lineStart...].firstIndex(of: 10) {
                try publishLine(pending[lineStart..<newline])
                lineStart = newline + 1
            }
            pending.removeFirst(lineStart)
        }
        if !pending.isEmpty { try publishLine(pending[...]) }
        publisher = nil  // closes the socket and sends what is queued
        _ = publisher
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        printError("simulate: replayed \(count) messages from \(path), real \(Simulate.fixed(seconds, 1)) s")
    }

    static func fixed(_ value: Double, _ places: Int) -> String { String(format: "%.\(places)f", value) }
}

/// The PUB socket of `simulate`: connects or binds, waits for subscribers to join, and never
/// drops a message (it waits when a subscriber's queue is full). Releasing it closes the socket;
/// the context then waits, up to the linger, until queued messages are sent.
private final class Publisher {
    private let context: Context
    private let socket: Socket

    init(publish: String?, bind: String?) throws {
        do {
            context = try Context()
            socket = try Socket(context, .publisher)
            try socket.setSendHighWaterMark(100_000)
            try socket.setPublisherNoDrop(true)
            // Give queued messages ten seconds to leave on close; a vanished engine cannot hang us longer.
            try socket.setLinger(milliseconds: 10_000)
            if let publish {
                try ClientSecurity.apply(to: socket)
                try socket.connect(publish)
            }
            if let bind { try socket.bind(bind) }
        } catch {
            throw RuntimeError("cannot open the publisher on \(publish ?? bind ?? "?"): \(error)")
        }
        // PUB/SUB joins asynchronously: what is sent before the subscription arrives is lost.
        usleep(500_000)
    }

    func send(_ message: SimulatedMessage) throws {
        do {
            try socket.send([Array(message.topic.utf8), message.body])
        } catch {
            throw RuntimeError("publishing failed: \(error)")
        }
    }
}

/// Holds publishing back to `speed` simulated seconds per real second.
private struct Pacer {
    let speed: Double?
    let origin: Timestamp
    let began = DispatchTime.now().uptimeNanoseconds
    /// The latest event time seen (camera clocks differ by a second or two; never wait backwards).
    private var latest: Int64 = .min

    init(speed: Double?, origin: Timestamp) {
        self.speed = speed
        self.origin = origin
    }

    mutating func wait(until time: Timestamp) {
        guard let speed else { return }
        latest = max(latest, time.milliseconds)
        let due = began + UInt64(max(0, Double(latest - origin.milliseconds) / speed * 1_000_000))
        var now = DispatchTime.now().uptimeNanoseconds
        while due > now + 1_000_000 {
            usleep(useconds_t(min(1_000_000, (due - now) / 1000)))
            now = DispatchTime.now().uptimeNanoseconds
        }
    }
}
