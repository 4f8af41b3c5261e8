import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import TOMLKit

/// Everything `ringwatch serve` can be told, with the documented defaults of CONTRACT.md.
///
/// Filled from the TOML file first (`deploy/ringwatch.toml` shows every key), then from flags,
/// which win.
public struct EngineConfiguration: Sendable {
    /// Endpoints the ingest SUB socket binds.
    public var ingestBind: [String] = ["tcp://127.0.0.1:5550"]
    /// Camera-ring publishers the ingest SUB socket connects to.
    public var ingestConnect: [String] = []
    /// Endpoints a PULL socket binds for integrators who need lossless delivery (PUSH blocks
    /// instead of dropping). None by default.
    public var ingestPull: [String] = []
    /// Endpoint the trigger PUB socket binds.
    public var triggers = "tcp://127.0.0.1:5560"
    /// Endpoint the control REP socket binds.
    public var control = "tcp://127.0.0.1:5570"
    /// SQLite history file (created if missing).
    public var databasePath = "./data/ringwatch.sqlite"
    /// Camera registry CSV.
    public var camerasPath = ShippedFiles.path("cameras.csv")
    /// Hotlist CSV loaded at start.
    public var hotlistPath: String?
    /// How the hotlist matcher forgives misreads and lowers severities (`[hotlist]` in TOML).
    /// `HotlistMatcher.Configuration.exactOnly` turns OCR tolerance off.
    public var hotlistMatching = HotlistMatcher.Configuration()
    /// Vehicle registry (DIV) CSV.
    public var registryPath: String?
    /// Make aliases (`alias,make`), read with the registry.
    public var vehicleMakesPath = ShippedFiles.path("vehicle-makes.csv")
    /// Model families (`make,model,family`), read with the registry.
    public var vehicleModelsPath = ShippedFiles.path("vehicle-models.csv")
    /// Colour families (`color,family,near`), read with the registry.
    public var vehicleColorsPath = ShippedFiles.path("vehicle-colors.csv")
    /// When a classifier is trusted (confidence by day and night, colours at night).
    public var observationPolicy = ObservationPolicy()
    /// Registry mismatch rules (`[registry]` in TOML).
    public var mismatch = MismatchDetector.Configuration()
    /// Cloned-plate rules (`[clone]` in TOML).
    public var clone = CloneDetector.Configuration()
    /// Whether the clone detector runs.
    public var cloneEnabled = true
    /// `HOST:PORT` of the Prometheus/health HTTP endpoint; nil when off.
    public var metrics: String?

    /// How late (event time) a read may arrive and still count as on time.
    public var latenessSeconds: Int64 = 60
    /// How much event time the in-memory window keeps.
    public var horizonHours: Int64 = 24
    /// Width of one in-memory partition.
    public var partitionMinutes: Int64 = 5
    /// Larger bodies are quarantined unread.
    public var maximumBodyBytes = 64 * 1024
    /// Reads timed further than this ahead of the wall clock are quarantined; 0 turns it off
    /// (for replays of simulated future traffic).
    public var maximumFutureSkewSeconds: Int64 = 300
    /// ZeroMQ receive high-water mark of the ingest socket (messages).
    public var receiveHighWaterMark: Int32 = 1_000_000
    /// ZeroMQ send high-water mark of the trigger socket (messages).
    public var sendHighWaterMark: Int32 = 100_000
    /// Items the history writer may hold before ingest waits for the disk.
    public var writerQueueItems = 1_000_000
    /// Nice levels the history writer thread runs below the read path (`writer_nice`), so that
    /// sealing an hour (seconds of index building) does not take a core from the pipeline on a
    /// busy machine; the writer's queue absorbs the delay. 0 turns it off.
    public var writerNiceness: Int32 = 5
    /// Quarantined bodies are stored up to this many bytes (the size is always recorded).
    public var quarantineMaximumBytes = 1024 * 1024
    /// The convoy detector's definition (`[convoy]`); nil when the detector is off.
    public var convoy: ConvoyDefinition? = ConvoyDefinition()

    /// Reads younger than this may be queried without a magistrate's authorisation.
    public var openAccessDays: Int64 = 30
    /// History older than this is purged while the engine runs.
    public var retentionDays: Int64 = 365
    /// How often (wall clock) the engine looks for history past retention.
    public var purgeIntervalSeconds: Int64 = 3600
    /// `/health` turns unhealthy when no message has arrived on an ingest socket for this long
    /// (counted from start before the first); 0 turns the check off.
    public var healthIngestStallSeconds: Int64 = 60
    /// `/health` turns unhealthy when queued reads have waited this long for a commit.
    public var healthWriterLagSeconds: Int64 = 30
    /// Writes plates into debug log lines (off: plates are personal data).
    public var logPersonalData = false

    /// CURVE encryption and authentication on the ingest, trigger and control sockets.
    public var security = Security()

    /// `[security]`: when `curve` is on, every ZeroMQ socket of the engine is a CURVE server
    /// with `server_secret_key`, and admits only the client public keys listed for it.
    public struct Security: Sendable {
        public var curve = false
        /// File holding the server's Z85 secret key (`ringwatch keygen`).
        public var serverSecretKeyPath: String?
        /// Allow-lists: files with one client public key per line.
        public var ingestClientsPath: String?
        public var triggersClientsPath: String?
        public var controlClientsPath: String?

        public init() {}
    }

    public init() {}

    /// Every endpoint on a kernel-chosen loopback port, no future-time guard: for tests,
    /// benchmarks and replays. `Engine` reports the bound endpoints.
    public static func loopback(databasePath: String, camerasPath: String) -> EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.ingestBind = ["tcp://127.0.0.1:*"]
        configuration.triggers = "tcp://127.0.0.1:*"
        configuration.control = "tcp://127.0.0.1:*"
        configuration.databasePath = databasePath
        configuration.camerasPath = camerasPath
        configuration.maximumFutureSkewSeconds = 0
        return configuration
    }

    /// A configuration error: which key or flag, and what to do.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads a TOML file over the defaults.
    public static func load(tomlFile path: String) throws -> EngineConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem("cannot read config file \(path): check the path and permissions")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw Problem("config file \(path) is not valid TOML: \(error)")
        }
        var config = EngineConfiguration()
        try config.apply(table, file: path)
        return config
    }

    mutating func apply(_ table: TOMLTable, file: String) throws {
        func string(_ table: TOMLTable, _ key: String) throws -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string else { throw Problem("\(file): '\(key)' must be a string") }
            return text
        }
        func strings(_ table: TOMLTable, _ key: String) throws -> [String]? {
            guard let value = table[key] else { return nil }
            if let text = value.string { return [text] }
            guard let array = value.array else { throw Problem("\(file): '\(key)' must be a string or an array of strings") }
            return try array.map { element in
                guard let text = element.string else { throw Problem("\(file): '\(key)' must hold strings only") }
                return text
            }
        }
        func int(_ table: TOMLTable, _ key: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let value = table[key] else { return nil }
            guard let number = value.int, range.contains(Int64(number)) else {
                throw Problem("\(file): '\(key)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return Int64(number)
        }
        func bool(_ table: TOMLTable, _ key: String) throws -> Bool? {
            guard let value = table[key] else { return nil }
            guard let flag = value.bool else { throw Problem("\(file): '\(key)' must be true or false") }
            return flag
        }
        func fraction(_ table: TOMLTable, _ key: String) throws -> Double? {
            guard let value = table[key] else { return nil }
            guard let number = value.double ?? value.int.map(Double.init), (0...1).contains(number) else {
                throw Problem("\(file): '\(key)' must be a number in 0...1")
            }
            return number
        }
        let known: Set<String> = [
            "ingest", "ingest_connect", "ingest_pull", "triggers", "control", "db", "cameras", "hotlist", "registry", "metrics", "tuning",
            "retention", "privacy", "security", "clone", "convoy", "health",
        ]
        for key in table.keys where !known.contains(key) {
            throw Problem("\(file): unknown key '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let value = try strings(table, "ingest") { ingestBind = value }
        if let value = try strings(table, "ingest_connect") { ingestConnect = value }
        if let value = try strings(table, "ingest_pull") { ingestPull = value }
        if let value = try string(table, "triggers") { triggers = value }
        if let value = try string(table, "control") { control = value }
        if let value = try string(table, "db") { databasePath = value }
        if let value = try string(table, "cameras") { camerasPath = value }
        // `hotlist` is either the CSV path or a [hotlist] table holding `file` and the matching keys.
        if let value = table["hotlist"], value.table == nil, let path = try string(table, "hotlist") {
            hotlistPath = path.isEmpty ? nil : path
        } else if let section = table["hotlist"]?.table {
            let keys: Set<String> = ["file", "confusions", "max_substitutions", "allow_drop_insert", "drop_insert_min_length", "lower_severity_below"]
            for key in section.keys where !keys.contains(key) {
                throw Problem("\(file): unknown key '\(key)' in [hotlist] (known: \(keys.sorted().joined(separator: ", ")))")
            }
            if let value = try string(section, "file") { hotlistPath = value.isEmpty ? nil : value }
            var tolerance = hotlistMatching.tolerance
            if let classes = try strings(section, "confusions") {
                let upper = classes.map { $0.uppercased() }
                if let problem = OCRConfusions.problem(with: upper) { throw Problem("\(file): [hotlist] confusions: \(problem)") }
                tolerance.confusions = OCRConfusions(validating: upper)!
            }
            if let value = try int(section, "max_substitutions", 0...4) { tolerance.maximumSubstitutions = Int(value) }
            if let value = try bool(section, "allow_drop_insert") { tolerance.allowsDropInsert = value }
            if let value = try int(section, "drop_insert_min_length", 2...Int64(Plate.maximumLength)) { tolerance.dropInsertMinimumLength = Int(value) }
            hotlistMatching.tolerance = tolerance
            if let value = try fraction(section, "lower_severity_below") { hotlistMatching.lowerSeverityBelowScore = value }
        }
        // `registry` is the CSV path, or a [registry] table holding `path` and the mismatch rules.
        if let registry = table["registry"]?.table {
            try applyRegistry(registry, file: file)
        } else if let value = try string(table, "registry") {
            registryPath = value.isEmpty ? nil : value
        }
        if let clone = table["clone"] {
            guard let clone = clone.table else { throw Problem("\(file): [clone] must be a table") }
            try applyClone(clone, file: file)
        }
        if let value = try string(table, "metrics") { metrics = value.isEmpty ? nil : value }
        if let tuning = table["tuning"] {
            guard let tuning = tuning.table else { throw Problem("\(file): [tuning] must be a table") }
            if let value = try int(tuning, "lateness_s", 0...86_400) { latenessSeconds = value }
            if let value = try int(tuning, "horizon_hours", 1...24 * 31) { horizonHours = value }
            if let value = try int(tuning, "partition_minutes", 1...1440) { partitionMinutes = value }
            if let value = try int(tuning, "max_body_bytes", 256...16_777_216) { maximumBodyBytes = Int(value) }
            if let value = try int(tuning, "max_future_skew_s", 0...31_536_000) { maximumFutureSkewSeconds = value }
            if let value = try int(tuning, "receive_hwm", 0...100_000_000) { receiveHighWaterMark = Int32(value) }
            if let value = try int(tuning, "send_hwm", 0...100_000_000) { sendHighWaterMark = Int32(value) }
            if let value = try int(tuning, "writer_queue_items", 1000...100_000_000) { writerQueueItems = Int(value) }
            if let value = try int(tuning, "writer_nice", 0...19) { writerNiceness = Int32(value) }
            if let value = try int(tuning, "quarantine_max_bytes", 0...16_777_216) { quarantineMaximumBytes = Int(value) }
        }
        if let retention = table["retention"] {
            guard let retention = retention.table else { throw Problem("\(file): [retention] must be a table") }
            if let value = try int(retention, "open_access_days", 1...36_500) { openAccessDays = value }
            if let value = try int(retention, "retention_days", 1...36_500) { retentionDays = value }
            if let value = try int(retention, "purge_interval_s", 1...86_400) { purgeIntervalSeconds = value }
        }
        if let health = table["health"] {
            guard let health = health.table else { throw Problem("\(file): [health] must be a table") }
            if let value = try int(health, "ingest_stall_s", 0...86_400) { healthIngestStallSeconds = value }
            if let value = try int(health, "writer_lag_s", 1...86_400) { healthWriterLagSeconds = value }
        }
        if let privacy = table["privacy"] {
            guard let privacy = privacy.table else { throw Problem("\(file): [privacy] must be a table") }
            if let value = try bool(privacy, "log_personal_data") { logPersonalData = value }
        }
        if let security = table["security"] {
            guard let security = security.table else { throw Problem("\(file): [security] must be a table") }
            if let value = try bool(security, "curve") { self.security.curve = value }
            if let value = try string(security, "server_secret_key") { self.security.serverSecretKeyPath = value }
            if let value = try string(security, "ingest_clients") { self.security.ingestClientsPath = value }
            if let value = try string(security, "triggers_clients") { self.security.triggersClientsPath = value }
            if let value = try string(security, "control_clients") { self.security.controlClientsPath = value }
        }
        if openAccessDays > retentionDays {
            throw Problem("\(file): open_access_days (\(openAccessDays)) exceeds retention_days (\(retentionDays)); nothing is kept that long")
        }
        try applyConvoy(table["convoy"], file: file)
        if partitionMinutes * 60 > horizonHours * 3600 {
            throw Problem("\(file): partition_minutes must not exceed the horizon")
        }
    }

    /// `HOST:PORT` split, for the metrics endpoint.
    public static func hostAndPort(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
