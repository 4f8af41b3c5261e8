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
    /// The INSERT statements' SQL of each hour table written to (see `insertReadsSQLs`).
    private var insertSQL: [String: (one: String, many: String)] = [:]

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
        if let name = knownReadTables[hour] { forgetInsertStatements(name) }
        knownReadTables[hour] = nil
        openHours.remove(hour)
    }

    /// Drops the prepared INSERTs of an hour table that is sealed or gone (a late read prepares
    /// them again), so that the statement cache does not keep two for every hour ever written.
    private func forgetInsertStatements(_ table: String) {
        guard let statements = insertSQL.removeValue(forKey: table) else { return }
        connection.uncache(statements.one)
        connection.uncache(statements.many)
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
            forgetInsertStatements(name)
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
        var start = 0
        while start < reads.count {
            let hour = reads[start].timestamp.hourNumber
            var end = start + 1
            while end < reads.count && reads[end].timestamp.hourNumber == hour { end += 1 }
            try insert(reads[start..<end], hour: hour, receivedAt: receivedAt)
            start = end
        }
    }

    /// Rows one INSERT statement of the write path carries. Each execution of a statement costs
    /// SQLite a fixed amount besides its rows (opening a cursor on the table and finding its last
    /// row for the new row id, then closing it: about a quarter of appending a read one row a
    /// statement); 32 rows share it.
    static let readsPerInsert = 32

    /// The columns of an hour table the write path fills, in binding order.
    static let insertedReadColumns = """
        read_id, source_id, camera, ts, plate, country, confidence, char_confidence,
            make, model, color, vehicle_confidence, direction, seq, received_at
        """
    static let readColumnCount: Int32 = 15

    /// `INSERT INTO table (…) VALUES (…), (…), …` with `rows` rows of parameters.
    static func insertReadsSQL(_ table: String, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: Int(readColumnCount)).joined(separator: ", ") + ")"
        return "INSERT INTO \(table) (\(insertedReadColumns)) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// Appends reads of one hour, `readsPerInsert` to a statement, the rest one by one, in order
    /// (row ids follow the order the reads came in).
    private func insert(_ reads: ArraySlice<PlateRead>, hour: Int64, receivedAt: Timestamp) throws {
        let table = try readsTable(hour: hour)
        if !openHours.contains(hour) {
            let late = try plateHourUpsert()
            for read in reads {
                try late.run([.integer(hour.floorDivided(by: 24)), .text(read.plate.text), .integer(Self.bit(of: hour))])
            }
            let lateCount = try cameraMinuteUpsert()
            for read in reads {
                try lateCount.run([.integer(read.timestamp.milliseconds.floorDivided(by: 60_000)), .text(read.camera)])
            }
        }
        var next = reads.startIndex
        let batched = Self.readsPerInsert
        if reads.count >= batched {
            let insert = try connection.cached(insertReadsSQLs(table).many)
            while reads.endIndex - next >= batched {
                // Texts are bound from the statement's own buffer (no allocation per text).
                insert.beginRow()
                for row in 0..<batched { bind(reads[next + row], receivedAt: receivedAt, to: insert, from: Int32(row) * Self.readColumnCount + 1) }
                try insert.step()
                insert.reset()
                next += batched
            }
        }
        guard next < reads.endIndex else { return }
        let insert = try connection.cached(insertReadsSQLs(table).one)
        while next < reads.endIndex {
            insert.beginRow()
            bind(reads[next], receivedAt: receivedAt, to: insert, from: 1)
            try insert.step()
            insert.reset()
            next += 1
        }
    }

    /// The one-row and the batched INSERT of an hour table (made once per table).
    private func insertReadsSQLs(_ table: String) -> (one: String, many: String) {
        if let known = insertSQL[table] { return known }
        let made = (Self.insertReadsSQL(table, rows: 1), Self.insertReadsSQL(table, rows: Self.readsPerInsert))
        insertSQL[table] = made
        return made
    }

    /// Binds one read's columns to parameters `first` … `first` + 14.
    private func bind(_ read: PlateRead, receivedAt: Timestamp, to insert: Statement, from first: Int32) {
        insert.bind(read.id.storageValue, at: first)
        insert.bindText(read.sourceID, at: first + 1)
        insert.bindText(read.camera, at: first + 2)
        insert.bind(read.timestamp.milliseconds, at: first + 3)
        insert.bindText(read.plate.text, at: first + 4)
        insert.bindText(read.country, at: first + 5)
        insert.bind(read.confidence, at: first + 6)
        // As received when the read came as JSON text (the decoder checked it); formatted only
        // for reads made in-process.
        insert.bindText(read.characterConfidenceText ?? read.characterConfidence.map(JSONValue.serialized(numbers:)), at: first + 7)
        insert.bindText(read.make, at: first + 8)
        insert.bindText(read.model, at: first + 9)
        insert.bindText(read.color, at: first + 10)
        insert.bind(read.vehicleConfidence, at: first + 11)
        insert.bindText(read.direction?.rawValue, at: first + 12)
        insert.bind(read.sequence, at: first + 13)
        insert.bind(receivedAt.milliseconds, at: first + 14)
    }

    /// Appends triggers; call inside a transaction.
    public func insert(triggers: [StoredTrigger]) throws {
        let insert = try connection.cached("""
            INSERT OR IGNORE INTO triggers (seq, trigger_id, kind, severity, ts, emitted_at, plate, camera, ring, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for trigger in triggers {
            // Texts from the statement's buffer, as for reads (no allocation per text).
            insert.beginRow()
            insert.bind(trigger.sequence, at: 1)
            insert.bindText(trigger.triggerID, at: 2)
            insert.bindText(trigger.kind, at: 3)
            insert.bindText(trigger.severity, at: 4)
            insert.bind(trigger.timestamp.milliseconds, at: 5)
            insert.bind(trigger.emittedAt.milliseconds, at: 6)
            insert.bindText(trigger.plate, at: 7)
            insert.bindText(trigger.camera, at: 8)
            insert.bindText(trigger.ring, at: 9)
            insert.bindText(trigger.body, at: 10)
            try insert.step()
            insert.reset()
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
