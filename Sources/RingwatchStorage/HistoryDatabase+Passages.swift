import RingwatchCore
import SQLite

/// One hour's reads table, as `read_partitions` lists it.
public struct ReadPartition: Sendable, Hashable {
    /// Hours since 1970-01-01T00:00Z.
    public let hour: Int64
    public let table: String

    /// The first millisecond of the hour.
    public var start: Timestamp { Timestamp(milliseconds: hour * 3_600_000) }
}

// MARK: - Passages: who passed which camera when, for the convoy search

extension HistoryDatabase {
    /// The hour tables overlapping `from...to`, oldest first.
    public func readPartitions(from: Timestamp, to: Timestamp) throws -> [ReadPartition] {
        try connection.rows(
            "SELECT hour, table_name FROM read_partitions WHERE hour BETWEEN ? AND ? ORDER BY hour",
            [.integer(from.hourNumber), .integer(to.hourNumber)]
        ).compactMap { row in
            guard let hour = row[0].int64, let table = row[1].string else { return nil }
            return ReadPartition(hour: hour, table: table)
        }
    }

    /// Whether `table` has its (camera, ts) index: sealed hours get it with the (plate, ts) one
    /// (`Schema.indexReadsTable`); the open hour, and hours sealed by older versions, do not.
    ///
    /// The names are read from the schema once (one scan of it instead of one per call: a
    /// month is 2,000 schema rows); a table not among them is looked up again, since it may have
    /// been sealed since. The SQL that uses the index does not name it, so a stale answer only
    /// costs speed.
    public func hasCameraIndex(_ table: String) throws -> Bool {
        if cameraIndexedTables == nil {
            cameraIndexedTables = Set(try connection.rows(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name LIKE 'reads\\_%\\_by\\_camera' ESCAPE '\\'"
            ).compactMap { $0.first?.string })
        }
        if cameraIndexedTables!.contains(table) { return true }
        let found = try connection.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                                             [.text(Schema.cameraIndexName(table))]) ?? 0 > 0
        if found { cameraIndexedTables!.insert(table) }
        return found
    }

    /// The reads at `camera` in `table` with `from <= ts <= to`, oldest first. Uses the
    /// (camera, ts) index when the table has one; otherwise it is a scan of the table.
    public func passages(in table: String, camera: String, from: Timestamp, to: Timestamp) throws -> [Passage] {
        try collectPassages(
            "SELECT read_id, plate, camera, ts, direction FROM \(table) WHERE camera = ? AND ts BETWEEN ? AND ? ORDER BY ts, read_id",
            [.text(camera), .integer(from.milliseconds), .integer(to.milliseconds)])
    }

    /// Every read in `table` with `from <= ts <= to`, in storage order (roughly by time).
    public func passages(in table: String, from: Timestamp, to: Timestamp) throws -> [Passage] {
        try collectPassages(
            "SELECT read_id, plate, camera, ts, direction FROM \(table) WHERE ts BETWEEN ? AND ?",
            [.integer(from.milliseconds), .integer(to.milliseconds)])
    }

    /// Calls `body` with the plate of each read at `camera` in `table` with `from <= ts <= to`:
    /// a range over the (camera, ts) index when the table has one, else a scan. Lighter than
    /// `passages(in:camera:from:to:)` when only who passed matters.
    public func forEachPlate(in table: String, camera: String, from: Timestamp, to: Timestamp, _ body: (String) -> Void) throws {
        let statement = try connection.cached("SELECT plate FROM \(table) WHERE camera = ? AND ts BETWEEN ? AND ?")
        defer { statement.reset() }
        try statement.bind([.text(camera), .integer(from.milliseconds), .integer(to.milliseconds)])
        while try statement.step() {
            if let plate = statement.string(0) { body(plate) }
        }
    }

    /// Like `forEachPlate(in:camera:from:to:_:)`, but hands over the plate's bytes (valid only
    /// inside `body`) instead of a `String`: for searches that read millions of rows and key
    /// them compactly (route candidates).
    public func forEachPlateBytes(in table: String, camera: String, from: Timestamp, to: Timestamp,
                                  _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        let statement = try connection.cached("SELECT plate FROM \(table) WHERE camera = ? AND ts BETWEEN ? AND ?")
        defer { statement.reset() }
        try statement.bind([.text(camera), .integer(from.milliseconds), .integer(to.milliseconds)])
        while try statement.step() { statement.withText(0, body) }
    }

    /// The passages of any of `plates` (exact texts) in `from...to`, hour table by hour table.
    /// A summarised hour gets one probe of its (plate, ts) index for each plate that
    /// `plate_hours` places there, and is skipped when it places none. Any other sealed hour
    /// gets one probe for each plate; an open hour is scanned. Leaner than `reads(plates:)`
    /// (no OCR or classifier fields), for searches over many vehicles.
    public func passages(plates: [String], from: Timestamp, to: Timestamp) throws -> [Passage] {
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_plates (plate TEXT PRIMARY KEY) WITHOUT ROWID")
        try connection.execute("DELETE FROM temp.wanted_plates")
        let insert = try connection.cached("INSERT OR IGNORE INTO temp.wanted_plates (plate) VALUES (?)")
        for plate in plates { try insert.run([.text(plate)]) }
        let partitions = try queriedPartitions(from: from, to: to)
        let present = try fillHourPlates(partitions, from: from, to: to)
        var out: [Passage] = []
        for partition in partitions where !partition.summarised || present.contains(partition.hour) {
            if partition.summarised {
                out += try collectPassages(
                    "SELECT read_id, plate, camera, ts, direction FROM \(partition.table) "
                        + "WHERE plate IN (SELECT plate FROM temp.hour_plates WHERE hour = ?) AND ts BETWEEN ? AND ?",
                    [.integer(partition.hour), .integer(from.milliseconds), .integer(to.milliseconds)])
            } else {
                out += try collectPassages(
                    "SELECT read_id, plate, camera, ts, direction FROM \(partition.table) "
                        + "WHERE plate IN (SELECT plate FROM temp.wanted_plates) AND ts BETWEEN ? AND ?",
                    [.integer(from.milliseconds), .integer(to.milliseconds)])
            }
        }
        return out
    }

    /// Reads per camera and minute in `table`, for one camera or all: (camera, minute since
    /// 1970, reads). With a camera, a range over the (camera, ts) index when the table has one.
    public func readCountsByMinute(in table: String, camera: String? = nil) throws -> [(camera: String, minute: Int64, reads: Int)] {
        let rows = camera == nil
            ? try connection.rows("SELECT camera, ts / 60000, COUNT(*) FROM \(table) GROUP BY 1, 2")
            : try connection.rows("SELECT camera, ts / 60000, COUNT(*) FROM \(table) WHERE camera = ? GROUP BY 1, 2", [.text(camera!)])
        return rows.compactMap { row in
            guard let camera = row[0].string, let minute = row[1].int64, let reads = row[2].int64 else { return nil }
            return (camera, minute, Int(reads))
        }
    }

    private func collectPassages(_ sql: String, _ arguments: [Value]) throws -> [Passage] {
        let statement = try connection.cached(sql)
        // Reset at once: a statement left on a row keeps a read transaction (and its snapshot) open.
        defer { statement.reset() }
        try statement.bind(arguments)
        var out: [Passage] = []
        while try statement.step() {
            out.append(Passage(
                readID: ReadID(storageValue: statement.int64(0)), plate: statement.string(1) ?? "", camera: statement.string(2) ?? "",
                time: Timestamp(milliseconds: statement.int64(3)), direction: statement.string(4).flatMap(Direction.init(rawValue:))))
        }
        return out
    }
}
