import ArgumentParser
import Foundation
import Logging
import RingwatchEngine
import ServiceLifecycle

/// `ringwatch serve`: runs the engine in the foreground until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the engine until SIGINT/SIGTERM.")

    @Option(name: .long, help: "TOML configuration (example: deploy/ringwatch.toml). Flags win over it.")
    var config: String?

    @Option(name: .long, help: "Endpoint the ingest SUB socket binds; repeatable. Default: tcp://127.0.0.1:5550.")
    var ingest: [String] = []

    @Option(name: .customLong("ingest-connect"), help: "Camera-ring publisher to connect to; repeatable.")
    var ingestConnect: [String] = []

    @Option(name: .customLong("ingest-pull"), help: "Endpoint a PULL socket binds for lossless ingest (integrators PUSH); repeatable.")
    var ingestPull: [String] = []

    @Option(name: .long, help: "Endpoint the trigger PUB socket binds. Default: tcp://127.0.0.1:5560.")
    var triggers: String?

    @Option(name: .long, help: "Endpoint the control REP socket binds. Default: tcp://127.0.0.1:5570.")
    var control: String?

    @Option(name: .long, help: "SQLite database file (created if missing). Default: ./data/ringwatch.sqlite.")
    var db: String?

    @Option(name: .long, help: "Camera registry CSV. Default: Fixtures/cameras.csv.")
    var cameras: String?

    @Option(name: .long, help: "Hotlist CSV loaded at start.")
    var hotlist: String?

    @Option(name: .long, help: "Vehicle registry (DIV) CSV.")
    var registry: String?

    @Option(name: .long, help: "HOST:PORT serving Prometheus metrics at /metrics and health at /health.")
    var metrics: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Flag(name: .customLong("log-personal-data"), help: "Debugging only: write plates into debug log lines (needs --log-level debug).")
    var logPersonalData = false

    func configuration() throws -> EngineConfiguration {
        var configuration: EngineConfiguration
        do {
            configuration = try config.map { try EngineConfiguration.load(tomlFile: $0) } ?? EngineConfiguration()
        } catch let problem as EngineConfiguration.Problem {
            throw UsageError(problem.description)
        }
        if !ingest.isEmpty { configuration.ingestBind = ingest }
        if !ingestConnect.isEmpty { configuration.ingestConnect = ingestConnect }
        if !ingestPull.isEmpty { configuration.ingestPull = ingestPull }
        if let triggers { configuration.triggers = triggers }
        if let control { configuration.control = control }
        if let db { configuration.databasePath = db }
        if let cameras { configuration.camerasPath = cameras }
        if let hotlist { configuration.hotlistPath = hotlist }
        if let registry { configuration.registryPath = registry }
        if let metrics { configuration.metrics = metrics }
        if logPersonalData { configuration.logPersonalData = true }
        return configuration
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw UsageError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let configuration = try configuration()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ringwatch")
        let engine: Engine
        do {
            engine = try Engine(configuration: configuration, logger: logger)
        } catch let problem as EngineConfiguration.Problem {
            throw UsageError(problem.description)
        } catch {
            throw RuntimeError("cannot start: \(error)")
        }
        for report in engine.loadReports {
            logger.info("\(report.description)")
            for problem in report.problems { logger.warning("\(report.file) \(problem.description)") }
            for warning in report.warnings.prefix(100) { logger.warning("\(report.file) \(warning.description)") }
            if report.warnings.count > 100 { logger.warning("\(report.file): \(report.warnings.count) lines with warnings; the first 100 are listed") }
        }
        // Every bound endpoint (the engine resolves only the last, for a port chosen with `:*`).
        let ingest = engine.ingestEndpoint.isEmpty ? "off" : (configuration.ingestBind.dropLast() + [engine.ingestEndpoint]).joined(separator: " ")
        logger.info("engine ready", metadata: [
            "ingest": "\(ingest)",
            "ingest_connect": "\(configuration.ingestConnect.isEmpty ? "off" : configuration.ingestConnect.joined(separator: " "))", "ingest_pull": "\(engine.pullEndpoint ?? "off")", "triggers": "\(engine.triggerEndpoint)",
            "control": "\(engine.controlEndpoint)", "db": "\(configuration.databasePath)",
            "window_reads_restored": "\(engine.restoredReads)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: EngineService(engine: engine, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
