import RingwatchCore
import SQLite

// MARK: - Camera minutes: reads per camera and minute

/// The traffic at each camera, minute by minute, kept apart from the reads: what the
/// period-wide convoy search learns the usual traffic from (issue 6). Without it, learning the
/// three days before a period meant grouping 72 hour tables, millions of rows, on every search;
/// with it, that is one range of a table of about 4,000 rows an hour.
///
/// `camera_minutes` has one row per minute and camera with a read. Rows are written:
/// - when an hour is sealed (one `INSERT … SELECT … GROUP BY` over the new (camera, ts) index,
///   in the sealing transaction), and the hour is marked `counted_at`;
/// - for a read that arrives after its hour was sealed (one upsert for each such read).
/// Hours sealed before schema version 8 are counted later by the writer, one per commit
/// (`countOlderHours`); until then `cameraMinuteCounts` counts their tables itself. The rows
/// hold no plates, so a purge may leave the rows of a minute it cut through.
extension HistoryDatabase {
    /// Writes the reads per camera and minute of `table` (hour `hour`) into `camera_minutes`,
    /// replacing any rows of that hour, and marks the hour counted. Call inside a transaction.
    func countMinutes(hour: Int64, table: String) throws {
        try connection.cached("DELETE FROM camera_minutes WHERE minute BETWEEN ? AND ?")
            .run([.integer(hour * 60), .integer(hour * 60 + 59)])
        // One walk of the (camera, ts) index, counting runs of one camera and minute here rather
        // than with `GROUP BY camera, ts / 60000`, which SQLite cannot see follows the index and
        // so sorts every read of the hour again (0.7 s of CPU per million reads; this, 0.3 s).
        // The walk yields each camera's minutes in order: kept in one list per minute, the rows
        // then go in in (minute, camera) order, appended at the end of the table's key order.
        // Every read of an hour table lies in its hour, so the rows it makes are new.
        let scan = try connection.prepare("SELECT camera, ts FROM \(table) ORDER BY camera, ts")
        var byMinute = [[(camera: String, reads: Int64)]](repeating: [], count: 60)
        var elsewhere: [(minute: Int64, camera: String, reads: Int64)] = []
        var camera: [UInt8] = [], cameraText = "", minute = Int64.min, reads: Int64 = 0
        func finishRun() {
            guard reads > 0 else { return }
            let slot = minute - hour * 60
            if (0..<60).contains(slot) {
                byMinute[Int(slot)].append((cameraText, reads))
            } else {
                elsewhere.append((minute, cameraText, reads))
            }
        }
        while try scan.step() {
            // As SQLite's `ts / 60000`: integer division truncating towards zero.
            let readMinute = scan.int64(1) / 60_000
            let sameCamera = scan.withText(0) { $0.elementsEqual(camera) }
            if sameCamera && readMinute == minute {
                reads += 1
                continue
            }
            finishRun()
            if !sameCamera {
                camera = scan.withText(0) { Array($0) }
                cameraText = String(decoding: camera, as: UTF8.self)
            }
            minute = readMinute
            reads = 1
        }
        finishRun()
        let insert = try connection.cached("INSERT INTO camera_minutes (minute, camera, reads) VALUES (?, ?, ?)")
        func add(_ minute: Int64, _ camera: String, _ reads: Int64) throws {
            insert.bind(minute, at: 1)
            insert.bind(camera, at: 2)
            insert.bind(reads, at: 3)
            try insert.step()
            insert.reset()
        }
        for (slot, rows) in byMinute.enumerated() {
            for row in rows { try add(hour * 60 + Int64(slot), row.camera, row.reads) }
        }
        for row in elsewhere { try add(row.minute, row.camera, row.reads) }
        try connection.cached("UPDATE read_partitions SET counted_at = ? WHERE hour = ?")
            .run([.integer(Timestamp.now.milliseconds), .integer(hour)])
    }

    /// The upsert that counts one late read (into an hour already sealed) in `camera_minutes`.
    func cameraMinuteUpsert() throws -> Statement {
        try connection.cached("""
            INSERT INTO camera_minutes (minute, camera, reads) VALUES (?, ?, 1)
                ON CONFLICT (minute, camera) DO UPDATE SET reads = reads + 1
            """)
    }

    /// Reads per camera and minute with the minute's start in `from...to`, oldest minute first
    /// (then by camera): (camera, minute since 1970, reads). Counted hours come from
    /// `camera_minutes`, any other hour (the open one, or one sealed by an older version and
    /// not yet counted) from its table.
    public func cameraMinuteCounts(from: Timestamp, to: Timestamp) throws -> [(camera: String, minute: Int64, reads: Int)] {
        let first = from.milliseconds.floorDivided(by: 60_000) + (from.milliseconds % 60_000 == 0 ? 0 : 1)
        let last = to.milliseconds.floorDivided(by: 60_000)
        guard first <= last else { return [] }
        let partitions = try connection.rows(
            "SELECT hour, table_name, counted_at IS NOT NULL FROM read_partitions WHERE hour BETWEEN ? AND ? ORDER BY hour",
            [.integer(first.floorDivided(by: 60)), .integer(last.floorDivided(by: 60))])
        var out: [(camera: String, minute: Int64, reads: Int)] = []
        let counted = try connection.cached(
            "SELECT camera, minute, reads FROM camera_minutes WHERE minute BETWEEN ? AND ? ORDER BY minute, camera")
        for row in partitions {
            guard let hour = row[0].int64, let table = row[1].string else { continue }
            let low = max(first, hour * 60), high = min(last, hour * 60 + 59)
            if row[2].int64 == 1 {
                defer { counted.reset() }
                try counted.bind([.integer(low), .integer(high)])
                while try counted.step() {
                    if let camera = counted.string(0) { out.append((camera, counted.int64(1), Int(counted.int64(2)))) }
                }
            } else {
                out += try readCountsByMinute(in: table).filter { (low...high).contains($0.minute) }
                    .sorted { ($0.minute, $0.camera) < ($1.minute, $1.camera) }
            }
        }
        return out
    }

    /// Counts up to `limit` sealed hours that are not counted yet, oldest first: hours sealed
    /// before schema version 8. Each in its own short transaction. Returns the hours done.
    @discardableResult
    public func countOlderHours(limit: Int = .max) throws -> Int {
        try catchUpSealedHours(missing: "counted_at", limit: limit) { hour, table in try countMinutes(hour: hour, table: table) }
    }

    /// Hours sealed but not yet counted in `camera_minutes` (sealed before schema version 8).
    public func uncountedHourCount() throws -> Int { try sealedHourCount(missing: "counted_at") }

    /// Forgets the counts of the minutes that end at or before `cutoff` (purge).
    func forgetCameraMinutes(before cutoff: Timestamp) throws {
        try connection.cached("DELETE FROM camera_minutes WHERE minute < ?").run([.integer(cutoff.milliseconds.floorDivided(by: 60_000))])
    }
}
