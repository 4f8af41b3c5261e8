import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import RingwatchStorage
import ZeroMQ

/// What the control and metrics threads need to reach.
final class EngineHandles: @unchecked Sendable {
    // @unchecked: `hotlistStore` is used only by the control thread; everything else is
    // immutable after init or thread-safe itself.
    let counters: EngineCounters
    let writer: HistoryWriter
    let recent: RecentTriggers
    let pipeline: Pipeline
    let databasePath: String
    let startedAt: Timestamp
    let startSequence: Int64
    /// The matcher's configuration, for building a replacement list off the pipeline thread.
    let hotlistMatching: HotlistMatcher.Configuration
    var hotlistStore: HistoryDatabase?
    /// Where `registry.reload` reads from; used only by the control thread.
    var registryFiles = RegistryFiles()
    var registryLoadedAt: Timestamp?

    /// Whole seconds since the engine was built.
    var uptimeSeconds: Int64 { (Timestamp.now.milliseconds - startedAt.milliseconds) / 1000 }

    init(counters: EngineCounters, writer: HistoryWriter, recent: RecentTriggers, pipeline: Pipeline,
         databasePath: String, startedAt: Timestamp, startSequence: Int64, hotlistMatching: HotlistMatcher.Configuration) {
        self.hotlistMatching = hotlistMatching
        self.counters = counters
        self.writer = writer
        self.recent = recent
        self.pipeline = pipeline
        self.databasePath = databasePath
        self.startedAt = startedAt
        self.startSequence = startSequence
    }
}

/// The running engine: history writer, pipeline, control socket and metrics endpoint, started in
/// that order and stopped in the reverse.
///
/// `init` does everything that can fail (lock, database, fixtures, sockets) so that a bad
/// endpoint or a second engine is reported before anything runs.
public final class Engine: @unchecked Sendable {
    // @unchecked: start/stop are called from one place (the service or a test), in order.
    public let configuration: EngineConfiguration
    public let counters = EngineCounters()
    /// Prometheus metrics, served at `/metrics` when `--metrics` is set.
    public let metricsRegistry = EngineMetrics()
    private let logger: Logger
    private let lock: EngineLock
    private let context: Context
    private let writer: HistoryWriter
    let pipeline: Pipeline
    private let control: ControlServer
    private let metrics: MetricsServer?
    private let authenticator: CurveAuthenticator?
    private var running = false

    /// Loader messages ("cameras.csv: loaded 48 lines, skipped 0") for the operator.
    public private(set) var loadReports: [LoadReport] = []
    /// Reads restored into the window from the history.
    public private(set) var restoredReads = 0

    public init(configuration: EngineConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let directory = (configuration.databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            // Owner only: the directory will hold personal data.
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        lock = try EngineLock(database: configuration.databasePath)

        let cameras = try Engine.loadCameras(configuration.camerasPath, reports: &loadReports)
        // The registry comes before the detectors that consult it (mismatch, clone, hotlist).
        let registry = RegistryLookup(cameras: cameras, policy: configuration.observationPolicy)
        if configuration.registryPath != nil {
            let (loaded, reports) = try Engine.loadRegistry(configuration.registryFiles)
            for report in reports { try Engine.refuseUnusable(report) }
            guard loaded.count > 0 else {
                // As `registry.reload` refuses it: without a vehicle every plate would be "unregistered".
                throw EngineConfiguration.Problem("the registry \(configuration.registryPath!) has no usable vehicle; "
                    + "fix the file or start without --registry")
            }
            registry.replace(loaded)
            loadReports += reports
        }
        var entries: [HotlistEntry] = []
        if let path = configuration.hotlistPath {
            let (loaded, report) = HotlistEntry.parse(csv: try Engine.readFile(path, what: "hotlist"), file: path, now: .now)
            try Engine.refuseUnusable(report)
            entries = loaded
            loadReports.append(report)
        }
        let database = try HistoryDatabase(path: configuration.databasePath)
        try database.saveCameras(cameras)
        entries += try database.activeHotlistEntries()
        let hotlist = HotlistDetector(entries: entries, configuration: configuration.hotlistMatching)
        // Route watches added through the control socket survive restarts.
        let routes = RouteWatchDetector(watches: try database.activeRouteWatches().map(\.watch))

        // Query commands read the access period from the database, so they apply the engine's.
        try database.setMeta("open_access_days", String(configuration.openAccessDays))
        try database.setMeta("retention_days", String(configuration.retentionDays))
        writer = try HistoryWriter(
            database: database, logger: logger, maximumQueuedItems: configuration.writerQueueItems,
            sealDelayMilliseconds: (configuration.latenessSeconds + 240) * 1000,
            retention: RetentionPolicy(retentionDays: configuration.retentionDays,
                                       checkIntervalMilliseconds: configuration.purgeIntervalSeconds * 1000),
            niceness: configuration.writerNiceness)
        context = try Context(ioThreads: 1)
        let curveSecretKey: String?
        (authenticator, curveSecretKey) = try Engine.secure(configuration.security, context: context, logger: logger)
        let recent = RecentTriggers()
        pipeline = try Pipeline(configuration: configuration, context: context, cameras: cameras, hotlist: hotlist,
                                registry: registry, writer: writer, counters: counters, recent: recent, metrics: metricsRegistry, logger: logger,
                                routes: routes, curveSecretKey: curveSecretKey)
        restoredReads = try pipeline.rebuild(from: database)
        let commitTimer = metricsRegistry.databaseCommit
        writer.commitObserver = { nanoseconds, _ in commitTimer.recordNanoseconds(Int64(nanoseconds)) }
        let startSequence = writer.lastIssuedSequence
        counters.lastTriggerSequence.store(startSequence, ordering: .relaxed)
        let handles = EngineHandles(counters: counters, writer: writer, recent: recent, pipeline: pipeline,
                                    databasePath: configuration.databasePath, startedAt: .now, startSequence: startSequence,
                                    hotlistMatching: configuration.hotlistMatching)
        handles.registryFiles = configuration.registryFiles
        if configuration.registryPath != nil { handles.registryLoadedAt = .now }
        control = try ControlServer(endpoint: configuration.control, context: context, engine: handles, logger: logger,
                                    curveSecretKey: curveSecretKey)
        if let address = configuration.metrics {
            guard let (host, port) = EngineConfiguration.hostAndPort(address) else {
                throw EngineConfiguration.Problem("--metrics '\(address)' is not HOST:PORT (e.g. 127.0.0.1:9090)")
            }
            metrics = try MetricsServer(host: host, port: port, engine: handles, metrics: metricsRegistry,
                                        health: HealthPolicy(configuration), logger: logger)
        } else {
            metrics = nil
        }
    }

    /// Endpoints as bound (ports resolved when `*` was given).
    public var ingestEndpoint: String { pipeline.ingestEndpoint }
    /// The lossless PULL endpoint, when configured.
    public var pullEndpoint: String? { pipeline.pullEndpoint }
    public var triggerEndpoint: String { pipeline.triggerEndpoint }
    public var controlEndpoint: String { control.endpoint }
    public var metricsPort: UInt16? { metrics?.port }

    public func start() {
        guard !running else { return }
        running = true
        authenticator?.start()
        writer.start()
        pipeline.start()
        control.start()
        metrics?.start()
    }

    /// Stops taking reads, finishes those received, writes everything to SQLite. Returns an
    /// error if the history could not be written.
    @discardableResult
    public func stop() -> (any Error)? {
        guard running else { return nil }
        running = false
        metrics?.stop()
        control.stop()
        pipeline.stop()
        let failure = writer.flush()
        writer.stop()
        authenticator?.stop()
        return failure
    }

    /// Answers one control request as the control socket would, `attachment` being the optional
    /// second frame. For in-process clients and the control-request fuzzer; the engine must be
    /// started, and calls must not overlap with requests arriving on the socket.
    public func handleControlRequest(_ body: [UInt8], attachment: [UInt8]? = nil) -> JSONValue {
        control.handle(body, attachment: attachment)
    }

    /// Reads stored in SQLite so far.
    public var storedReads: Int { writer.storedReads.load(ordering: .relaxed) }

    /// History transactions committed so far.
    public var historyCommits: Int { writer.commits.load(ordering: .relaxed) }

    /// With `[security] curve` on: the ZAP handler (bound before any secured socket) and the
    /// server's secret key.
    static func secure(_ security: EngineConfiguration.Security, context: Context,
                       logger: Logger) throws -> (CurveAuthenticator?, String?) {
        guard security.curve else { return (nil, nil) }
        guard Context.hasCurve else {
            throw EngineConfiguration.Problem("[security] curve is on but this libzmq has no CURVE support; install libzmq built with libsodium")
        }
        guard let keyPath = security.serverSecretKeyPath else {
            throw EngineConfiguration.Problem("[security] curve is on: set server_secret_key to a key file made by 'ringwatch keygen'")
        }
        let keys = try CurveAuthenticator.loadSecretKey(keyPath)
        var allowed: [String: Set<String>] = [:]
        for (domain, path) in [("ingest", security.ingestClientsPath), ("triggers", security.triggersClientsPath),
                               ("control", security.controlClientsPath)] {
            // No list means nobody: with security on, an unlisted socket stays closed.
            allowed[domain] = try path.map { try CurveAuthenticator.loadAllowList($0, what: domain) } ?? []
        }
        let authenticator = try CurveAuthenticator(context: context, allowed: allowed, logger: logger)
        logger.info("CURVE security on", metadata: [
            "server_public_key": "\(keys.publicKey)", "ingest_clients": "\(allowed["ingest"]!.count)",
            "triggers_clients": "\(allowed["triggers"]!.count)", "control_clients": "\(allowed["control"]!.count)",
        ])
        return (authenticator, keys.secretKey)
    }

    static func readFile(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineConfiguration.Problem("cannot read the \(what) file \(path): check the path (--\(what) FILE)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func loadCameras(_ path: String, reports: inout [LoadReport]) throws -> CameraRegistry {
        let (cameras, report) = CameraRegistry.parse(csv: try readFile(path, what: "cameras"), file: path)
        try refuseUnusable(report)
        reports.append(report)
        return cameras
    }

    /// Refuses to start on a configured file whose header made the whole of it unusable: an
    /// engine running without the hotlist, cameras or registry it was given would look healthy
    /// and never fire. (A bad line is skipped and reported; a bad header is not a bad line.)
    static func refuseUnusable(_ report: LoadReport) throws {
        guard let problem = report.headerProblem else { return }
        throw EngineConfiguration.Problem("\(report.file) line \(problem.line): \(problem.message); nothing in it can be loaded, "
            + "so the engine does not start: fix the header row (a file holding only the header is an empty list)")
    }
}
