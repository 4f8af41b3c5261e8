import Foundation
import RingwatchCore
import SQLite

/// A message that could not be accepted, kept with its raw bytes and why.
public struct QuarantinedMessage: Sendable {
    public let receivedAt: Timestamp
    public let topic: String?
    public let reason: String
    public let detail: String
    /// The body's size as received (it may be stored truncated).
    public let size: Int
    public let body: [UInt8]

    public init(receivedAt: Timestamp, topic: String?, reason: String, detail: String, size: Int, body: [UInt8]) {
        self.receivedAt = receivedAt
        self.topic = topic
        self.reason = reason
        self.detail = detail
        self.size = size
        self.body = body
    }
}

/// A trigger with its JSON body, as stored and replayed.
public struct StoredTrigger: Sendable {
    public let sequence: Int64
    public let triggerID: String
    public let kind: String
    public let severity: String
    public let timestamp: Timestamp
    public let plate: String
    public let camera: String
    public let ring: String
    public let emittedAt: Timestamp
    /// The JSON object exactly as published.
    public let body: String

    public init(sequence: Int64, triggerID: String, kind: String, severity: String, timestamp: Timestamp,
                plate: String, camera: String, ring: String, emittedAt: Timestamp, body: String) {
        self.sequence = sequence
        self.triggerID = triggerID
        self.kind = kind
        self.severity = severity
        self.timestamp = timestamp
        self.plate = plate
        self.camera = camera
        self.ring = ring
        self.emittedAt = emittedAt
        self.body = body
    }

    public init(_ trigger: Trigger) {
        self.init(sequence: trigger.sequence, triggerID: trigger.triggerID, kind: trigger.kind.rawValue,
                  severity: trigger.severity.rawValue, timestamp: trigger.timestamp, plate: trigger.plate.text,
                  camera: trigger.camera, ring: trigger.ring, emittedAt: trigger.emittedAt, body: trigger.json.serialized)
    }
}

/// The SQLite history file: one connection with the schema applied and the pragmas Ringwatch
/// relies on (WAL, so readers never block the writer).
///
/// The engine's writer thread owns one; each CLI command opens its own. Use from one thread.
public final class HistoryDatabase {
    public let connection: Connection
    private var knownReadTables: [Int64: String] = [:]
    /// Hours whose tables are not indexed yet.
    private var openHours: Set<Int64> = []
    /// Hour tables known to have their camera index (loaded on first use; see `hasCameraIndex`).
    var cameraIndexedTables: Set<String>?

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        if !readOnly { HistoryDatabase.createOwnerOnly(path) }
        connection = try Connection(path: path, mode: readOnly ? .readOnly : .readWriteCreate)
        if !readOnly {
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.execute("PRAGMA synchronous=NORMAL")
            try connection.execute("PRAGMA foreign_keys=ON")
            try Schema.migrate(connection)
        }
        try connection.execute("PRAGMA temp_store=MEMORY")
        for row in try connection.rows("SELECT hour, table_name, indexed_at FROM read_partitions") {
            if let hour = row[0].int64, let name = row[1].string {
                knownReadTables[hour] = name
                if row[2] == .null { openHours.insert(hour) }
            }
        }
    }

    /// Creates the file readable by its owner only before SQLite opens it: plate reads are
    /// personal data, and SQLite gives the WAL and shared-memory files the database's mode.
    static func createOwnerOnly(_ path: String) {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
    }

    // MARK: Meta

    public func meta(_ key: String) throws -> String? {
        try connection.rows("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?.first?.string
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try connection.cached("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .run([.text(key), .text(value)])
    }

    // MARK: Writing

    /// The reads table for `hour`, created on first use (unindexed until sealed).
    func readsTable(hour: Int64) throws -> String {
        if let name = knownReadTables[hour] { return name }
        let name = Schema.readsTableName(hour: hour)
        try connection.execute(Schema.createReadsTable(name))
        try connection.cached("INSERT OR IGNORE INTO read_partitions (hour, table_name, created_at) VALUES (?, ?, ?)")
            .run([.integer(hour), .text(name), .integer(Timestamp.now.milliseconds)])
        knownReadTables[hour] = name
        openHours.insert(hour)
        return name
    }

    /// Forgets a dropped hour table, so a late read for that hour creates it again.
    func forgetReadsTable(hour: Int64) {
        knownReadTables[hour] = nil
        openHours.remove(hour)
    }

    /// Indexes every open hour that ends before `watermark`; returns the tables sealed.
    ///
    /// Called by the writer between commits. A read arriving later for a sealed hour is still
    /// stored (the insert then also updates the index).
    @discardableResult
    public func sealHours(before watermark: Timestamp) throws -> [String] {
        var sealed: [String] = []
        for hour in openHours.sorted() where (hour + 1) * 3_600_000 <= watermark.milliseconds {
            guard let name = knownReadTables[hour] else { continue }
            try connection.transaction {
                try connection.execute(Schema.indexReadsTable(name))
                try connection.cached("UPDATE read_partitions SET indexed_at = ? WHERE hour = ?")
                    .run([.integer(Timestamp.now.milliseconds), .integer(hour)])
                try summarise(hour: hour, table: name)
                try countMinutes(hour: hour, table: name)
            }
            openHours.remove(hour)
            sealed.append(name)
        }
        return sealed
    }

    /// Hours still open (unindexed), oldest first.
    public var unsealedHours: [Int64] { openHours.sorted() }

    /// Appends reads; call inside a transaction.
    ///
    /// A read for an hour already sealed also goes into `plate_hours` and `camera_minutes` (one
    /// upsert each); reads for open hours cost nothing more than the row.
    public func insert(reads: [PlateRead], receivedAt: Timestamp) throws {
        var currentHour: Int64 = .min
        var statement: Statement?
        var late: Statement?
        var lateCount: Statement?
        for read in reads {
            let hour = read.timestamp.hourNumber
            if hour != currentHour || statement == nil {
                let table = try readsTable(hour: hour)
                statement = try connection.cached("""
                    INSERT INTO \(table) (read_id, source_id, camera, ts, plate, country, confidence, char_confidence,
                        make, model, color, vehicle_confidence, direction, seq, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                late = openHours.contains(hour) ? nil : try plateHourUpsert()
                lateCount = late == nil ? nil : try cameraMinuteUpsert()
                currentHour = hour
            }
            if let late {
                try late.run([.integer(hour.floorDivided(by: 24)), .text(read.plate.text), .integer(Self.bit(of: hour))])
                try lateCount?.run([.integer(read.timestamp.milliseconds.floorDivided(by: 60_000)), .text(read.camera)])
            }
            let insert = statement!
            insert.bind(read.id.storageValue, at: 1)
            insert.bind(read.sourceID, at: 2)
            insert.bind(read.camera, at: 3)
            insert.bind(read.timestamp.milliseconds, at: 4)
            insert.bind(read.plate.text, at: 5)
            insert.bind(read.country, at: 6)
            insert.bind(read.confidence, at: 7)
            // As received when the read came as JSON text (the decoder checked it); formatted only
            // for reads made in-process.
            insert.bind(read.characterConfidenceText ?? read.characterConfidence.map(JSONValue.serialized(numbers:)), at: 8)
            insert.bind(read.make, at: 9)
            insert.bind(read.model, at: 10)
            insert.bind(read.color, at: 11)
            insert.bind(read.vehicleConfidence, at: 12)
            insert.bind(read.direction?.rawValue, at: 13)
            insert.bind(read.sequence, at: 14)
            insert.bind(receivedAt.milliseconds, at: 15)
            try insert.step()
            insert.reset()
        }
    }

    /// Appends triggers; call inside a transaction.
    public func insert(triggers: [StoredTrigger]) throws {
        let insert = try connection.cached("""
            INSERT OR IGNORE INTO triggers (seq, trigger_id, kind, severity, ts, emitted_at, plate, camera, ring, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for trigger in triggers {
            try insert.run([
                .integer(trigger.sequence), .text(trigger.triggerID), .text(trigger.kind), .text(trigger.severity),
                .integer(trigger.timestamp.milliseconds), .integer(trigger.emittedAt.milliseconds), .text(trigger.plate),
                .text(trigger.camera), .text(trigger.ring), .text(trigger.body),
            ])
        }
    }

    /// Stores quarantined messages; call inside a transaction.
    public func insert(quarantined: [QuarantinedMessage]) throws {
        let insert = try connection.cached("""
            INSERT INTO quarantine (received_at, topic, reason, detail, size, body) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for message in quarantined {
            try insert.run([
                .integer(message.receivedAt.milliseconds), message.topic.map { .text($0) } ?? .null,
                .text(message.reason), .text(message.detail), .integer(Int64(message.size)), .blob(message.body),
            ])
        }
    }

    // MARK: Reading

    /// The reads tables whose hour overlaps `from...to`, oldest first.
    public func readTables(from: Timestamp, to: Timestamp) throws -> [String] {
        try connection.rows(
            "SELECT table_name FROM read_partitions WHERE hour BETWEEN ? AND ? ORDER BY hour",
            [.integer(from.hourNumber), .integer(to.hourNumber)]
        ).compactMap { $0.first?.string }
    }

    /// Stored reads whose plate matches `pattern` in `from...to`, oldest first. The pattern is a
    /// normalised plate, or one with `?` (one character) and `*` (any run).
    public func reads(pattern: String, from: Timestamp, to: Timestamp, camera: String? = nil, limit: Int = 100_000) throws -> [StoredRead] {
        var out: [StoredRead] = []
        // GLOB uses the same wildcards as hotlists and, with a literal prefix, still the index.
        let isPattern = pattern.contains(where: { $0 == "?" || $0 == "*" })
        let comparison = isPattern ? "GLOB" : "="
        // A plain plate skips the summarised hours it was not read in.
        let partitions = try queriedPartitions(from: from, to: to)
        let present = isPattern || !partitions.contains(where: \.summarised) ? [] : try summarisedHours(of: pattern, from: from, to: to)
        for partition in partitions where isPattern || !partition.summarised || present.contains(partition.hour) {
            let table = partition.table
            var sql = "SELECT \(StoredRead.columns) FROM \(table) WHERE plate \(comparison) ? AND ts BETWEEN ? AND ?"
            var arguments: [Value] = [.text(pattern), .integer(from.milliseconds), .integer(to.milliseconds)]
            if let camera {
                sql += " AND camera = ?"
                arguments.append(.text(camera))
            }
            sql += " ORDER BY ts, id LIMIT \(max(0, limit - out.count))"
            let statement = try connection.cached(sql)
            defer { statement.reset() }
            try statement.bind(arguments)
            while try statement.step() { out.append(StoredRead(statement)) }
            if out.count >= limit { break }
        }
        return out
    }

    /// Stored reads whose plate is one of `plates` (exact texts, e.g. a plate's OCR variants) in
    /// `from...to`, oldest first.
    ///
    /// The plates go into a temporary table that the query joins on: each sealed hour is then
    /// searched through its (plate, ts) index once per plate, however many plates there are
    /// (no SQL variable limit); the open hour, unindexed, is scanned once.
    public func reads(plates: [String], from: Timestamp, to: Timestamp, camera: String? = nil, limit: Int = 100_000) throws -> [StoredRead] {
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_plates (plate TEXT PRIMARY KEY) WITHOUT ROWID")
        try connection.execute("DELETE FROM temp.wanted_plates")
        let insert = try connection.cached("INSERT OR IGNORE INTO temp.wanted_plates (plate) VALUES (?)")
        for plate in plates { try insert.run([.text(plate)]) }
        var out: [StoredRead] = []
        let partitions = try queriedPartitions(from: from, to: to)
        let present = try fillHourPlates(partitions, from: from, to: to)
        for partition in partitions where !partition.summarised || present.contains(partition.hour) {
            let sql = partition.summarised
                ? Self.readsOfPlatesSQL(table: partition.table, camera: camera != nil, hour: true)
                : Self.readsOfPlatesSQL(table: partition.table, camera: camera != nil)
            let statement = try connection.cached(sql + " LIMIT \(max(0, limit - out.count))")
            defer { statement.reset() }
            var arguments: [Value] = partition.summarised ? [.integer(partition.hour)] : []
            arguments += [.integer(from.milliseconds), .integer(to.milliseconds)]
            if let camera { arguments.append(.text(camera)) }
            try statement.bind(arguments)
            while try statement.step() { out.append(StoredRead(statement)) }
            if out.count >= limit { break }
        }
        return out
    }

    /// The query of `reads(plates:...)` for one hour's table: every wanted plate, or with `hour`
    /// only those `plate_hours` places in the hour (`temp.hour_plates`, its first parameter).
    static func readsOfPlatesSQL(table: String, camera: Bool, hour: Bool = false) -> String {
        "SELECT \(StoredRead.columns) FROM \(table) WHERE plate IN "
            + (hour ? "(SELECT plate FROM temp.hour_plates WHERE hour = ?)" : "(SELECT plate FROM temp.wanted_plates)")
            + " AND ts BETWEEN ? AND ?" + (camera ? " AND camera = ?" : "") + " ORDER BY ts, id"
    }

    /// Every stored read with `from <= ts <= to`, oldest first, handed over one at a time.
    public func forEachRead(from: Timestamp, to: Timestamp, _ body: (StoredRead) throws -> Void) throws {
        for table in try readTables(from: from, to: to) {
            let statement = try connection.prepare("SELECT \(StoredRead.columns) FROM \(table) WHERE ts BETWEEN ? AND ? ORDER BY ts, id")
            try statement.bind([.integer(from.milliseconds), .integer(to.milliseconds)])
            while try statement.step() { try body(StoredRead(statement)) }
        }
    }

    /// The newest stored read time, if any.
    public func latestReadTime() throws -> Timestamp? {
        guard let table = try connection.rows("SELECT table_name FROM read_partitions ORDER BY hour DESC LIMIT 1").first?.first?.string
        else { return nil }
        return try connection.scalarInt("SELECT MAX(ts) FROM \(table)").map { Timestamp(milliseconds: $0) }
    }

    /// Number of stored reads in all days.
    public func readCount() throws -> Int64 {
        var total: Int64 = 0
        for name in knownReadTables.values { total += try connection.scalarInt("SELECT COUNT(*) FROM \(name)") ?? 0 }
        return total
    }

    /// Triggers with `seq > since`, oldest first.
    public func triggers(since: Int64, limit: Int, kind: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws -> [StoredTrigger] {
        var sql = "SELECT seq, trigger_id, kind, severity, ts, plate, camera, ring, emitted_at, body FROM triggers WHERE seq > ?"
        var arguments: [Value] = [.integer(since)]
        if let kind { sql += " AND kind = ?"; arguments.append(.text(kind)) }
        if let from { sql += " AND ts >= ?"; arguments.append(.integer(from.milliseconds)) }
        if let to { sql += " AND ts <= ?"; arguments.append(.integer(to.milliseconds)) }
        sql += " ORDER BY seq LIMIT ?"
        arguments.append(.integer(Int64(limit)))
        return try connection.rows(sql, arguments).map { row in
            StoredTrigger(sequence: row[0].int64 ?? 0, triggerID: row[1].string ?? "", kind: row[2].string ?? "",
                          severity: row[3].string ?? "", timestamp: Timestamp(milliseconds: row[4].int64 ?? 0),
                          plate: row[5].string ?? "", camera: row[6].string ?? "", ring: row[7].string ?? "",
                          emittedAt: Timestamp(milliseconds: row[8].int64 ?? 0), body: row[9].string ?? "{}")
        }
    }

    /// The highest trigger `seq` stored.
    public func lastTriggerSequence() throws -> Int64 {
        try connection.scalarInt("SELECT MAX(seq) FROM triggers") ?? 0
    }

    public func quarantineCount() throws -> Int64 {
        try connection.scalarInt("SELECT COUNT(*) FROM quarantine") ?? 0
    }

    /// Quarantined messages, oldest first.
    public func quarantined(limit: Int = 1000) throws -> [QuarantinedMessage] {
        try connection.rows("SELECT received_at, topic, reason, detail, size, body FROM quarantine ORDER BY id LIMIT ?", [.integer(Int64(limit))]).map { row in
            var body: [UInt8] = []
            if case .blob(let bytes) = row[5] { body = bytes }
            return QuarantinedMessage(receivedAt: Timestamp(milliseconds: row[0].int64 ?? 0), topic: row[1].string,
                                      reason: row[2].string ?? "", detail: row[3].string ?? "",
                                      size: Int(row[4].int64 ?? 0), body: body)
        }
    }
}

/// One read as stored in the history.
public struct StoredRead: Sendable {
    public let read: PlateRead
    public let receivedAt: Timestamp

    static let columns = "read_id, source_id, camera, ts, plate, country, confidence, char_confidence, make, model, color, vehicle_confidence, direction, seq, received_at"

    init(_ row: Statement) {
        let characterConfidence = row.string(7).flatMap { text -> [Double]? in
            let inner = text.dropFirst().dropLast()
            return inner.isEmpty ? [] : inner.split(separator: ",").compactMap { Double($0) }
        }
        read = PlateRead(
            id: ReadID(storageValue: row.int64(0)), sourceID: row.string(1), camera: row.string(2) ?? "",
            timestamp: Timestamp(milliseconds: row.int64(3)), plate: Plate(normalised: row.string(4) ?? ""),
            sequence: row.isNull(13) ? nil : row.int64(13), country: row.string(5) ?? "BE",
            confidence: row.isNull(6) ? nil : row.double(6), characterConfidence: characterConfidence,
            make: row.string(8), model: row.string(9), color: row.string(10),
            vehicleConfidence: row.isNull(11) ? nil : row.double(11),
            direction: row.string(12).flatMap(Direction.init(rawValue:)))
        receivedAt = Timestamp(milliseconds: row.int64(14))
    }
}

// MARK: - Camera registry, kept with the history so queries can name rings and places

extension HistoryDatabase {
    /// Records the registry the engine runs with (cameras keep their last known ring).
    public func saveCameras(_ registry: CameraRegistry) throws {
        try connection.transaction {
            let upsert = try connection.cached("""
                INSERT INTO cameras (camera, ring, lat, lon, name, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(camera) DO UPDATE SET ring = excluded.ring, lat = excluded.lat, lon = excluded.lon,
                    name = excluded.name, updated_at = excluded.updated_at
                """)
            let now = Timestamp.now.milliseconds
            for id in registry.order {
                let camera = registry[id]!
                try upsert.run([.text(camera.id), .text(camera.ring), .real(camera.latitude), .real(camera.longitude), .text(camera.name), .integer(now)])
            }
        }
    }

    /// The cameras recorded with the history.
    public func cameras() throws -> CameraRegistry {
        CameraRegistry(try connection.rows("SELECT camera, ring, lat, lon, name FROM cameras ORDER BY camera").map { row in
            Camera(id: row[0].string ?? "", ring: row[1].string ?? "", latitude: row[2].double ?? 0, longitude: row[3].double ?? 0, name: row[4].string ?? "")
        })
    }
}
