import Foundation
import RingwatchDetectors
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
    /// Endpoint the trigger PUB socket binds.
    public var triggers = "tcp://127.0.0.1:5560"
    /// Endpoint the control REP socket binds.
    public var control = "tcp://127.0.0.1:5570"
    /// SQLite history file (created if missing).
    public var databasePath = "./data/ringwatch.sqlite"
    /// Camera registry CSV.
    public var camerasPath = "Fixtures/cameras.csv"
    /// Hotlist CSV loaded at start.
    public var hotlistPath: String?
    /// Vehicle registry (DIV) CSV.
    public var registryPath: String?
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
    /// Quarantined bodies are stored up to this many bytes (the size is always recorded).
    public var quarantineMaximumBytes = 1024 * 1024
    /// The convoy detector's definition (`[convoy]`); nil when the detector is off.
    public var convoy: ConvoyDefinition? = ConvoyDefinition()

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
        let known: Set<String> = ["ingest", "ingest_connect", "triggers", "control", "db", "cameras", "hotlist", "registry", "metrics", "tuning", "convoy"]
        for key in table.keys where !known.contains(key) {
            throw Problem("\(file): unknown key '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let value = try strings(table, "ingest") { ingestBind = value }
        if let value = try strings(table, "ingest_connect") { ingestConnect = value }
        if let value = try string(table, "triggers") { triggers = value }
        if let value = try string(table, "control") { control = value }
        if let value = try string(table, "db") { databasePath = value }
        if let value = try string(table, "cameras") { camerasPath = value }
        if let value = try string(table, "hotlist") { hotlistPath = value.isEmpty ? nil : value }
        if let value = try string(table, "registry") { registryPath = value.isEmpty ? nil : value }
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
            if let value = try int(tuning, "quarantine_max_bytes", 0...16_777_216) { quarantineMaximumBytes = Int(value) }
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
