import RingwatchCore
import SQLite

// MARK: - Plate hours: in which hours of a day each plate was read

/// The plate summary lets a vehicle's history skip the hour tables it was never read in. A month
/// of history is 744 hour tables. Without the summary, `reads --plate` searches the (plate, ts)
/// index of every one of them. With it, the query makes one probe per day and then opens only
/// the hours in which the plate was read.
///
/// `plate_hours` has one row per day and plate: `hours` has bit h set when the plate was read in
/// UTC hour h of that day. Because the key is (day, plate), the rows of the current day stay
/// together in the tree, so writing them touches a small part of the file. Rows are written:
/// - when an hour is sealed (one `INSERT … SELECT … GROUP BY plate` over the new (plate, ts)
///   index, in the sealing transaction), and the hour is marked `summarised_at`;
/// - for a read that arrives after its hour was sealed (one upsert for each such read; reads
///   into the open hour cost nothing extra).
/// A summarised hour's bits may say more than its table holds, but never less. For example, a
/// purge that deletes only part of an hour leaves that hour's bit set. Queries treat a set bit
/// as "look here" and a clear bit as "nothing here". Hours that are not summarised (the open
/// hour, or hours sealed before schema version 7) are always searched. The writer re-seals
/// older hours in the background (`summariseOlderHours`).
extension HistoryDatabase {
    /// One hour table as a query sees it.
    struct QueriedPartition {
        let hour: Int64
        let table: String
        /// True when `plate_hours` covers this hour.
        let summarised: Bool
    }

    /// The hour tables overlapping `from...to`, oldest first, each with whether it is summarised.
    func queriedPartitions(from: Timestamp, to: Timestamp) throws -> [QueriedPartition] {
        try connection.rows(
            "SELECT hour, table_name, summarised_at IS NOT NULL FROM read_partitions WHERE hour BETWEEN ? AND ? ORDER BY hour",
            [.integer(from.hourNumber), .integer(to.hourNumber)]
        ).compactMap { row in
            guard let hour = row[0].int64, let table = row[1].string else { return nil }
            return QueriedPartition(hour: hour, table: table, summarised: row[2].int64 == 1)
        }
    }

    /// The hours in `from...to` in which `plate` was read, according to `plate_hours`. There is
    /// one probe of the (day, plate) key for each day.
    func summarisedHours(of plate: String, from: Timestamp, to: Timestamp) throws -> Set<Int64> {
        let statement = try connection.cached("SELECT hours FROM plate_hours WHERE day = ? AND plate = ?")
        defer { statement.reset() }
        var hours = Set<Int64>()
        for day in from.dayNumber...to.dayNumber {
            statement.reset()
            try statement.bind([.integer(day), .text(plate)])
            if try statement.step() { hours.formUnion(Self.hours(ofDay: day, mask: statement.int64(0))) }
        }
        return hours
    }

    /// For each hour in `from...to`, which of the plates in `temp.wanted_plates` were read then,
    /// according to `plate_hours`. There is one probe of the (day, plate) key for each day and
    /// plate.
    func summarisedHoursOfWantedPlates(from: Timestamp, to: Timestamp) throws -> [Int64: [String]] {
        let statement = try connection.cached(
            "SELECT plate, hours FROM plate_hours WHERE day = ? AND plate IN (SELECT plate FROM temp.wanted_plates)")
        defer { statement.reset() }
        var out: [Int64: [String]] = [:]
        for day in from.dayNumber...to.dayNumber {
            statement.reset()
            try statement.bind([.integer(day)])
            while try statement.step() {
                guard let plate = statement.string(0) else { continue }
                for hour in Self.hours(ofDay: day, mask: statement.int64(1)) { out[hour, default: []].append(plate) }
            }
        }
        return out
    }

    /// Fills `temp.hour_plates` with the plates of `temp.wanted_plates` that `plate_hours` places
    /// in each summarised hour of `partitions`; returns those hours. A summarised hour missing
    /// from the result holds none of the plates.
    func fillHourPlates(_ partitions: [QueriedPartition], from: Timestamp, to: Timestamp) throws -> Set<Int64> {
        guard partitions.contains(where: \.summarised) else { return [] }
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS hour_plates (hour INTEGER, plate TEXT, PRIMARY KEY (hour, plate)) WITHOUT ROWID")
        try connection.execute("DELETE FROM temp.hour_plates")
        let add = try connection.cached("INSERT OR IGNORE INTO temp.hour_plates (hour, plate) VALUES (?, ?)")
        var hours = Set<Int64>()
        for (hour, present) in try summarisedHoursOfWantedPlates(from: from, to: to) {
            hours.insert(hour)
            for plate in present { try add.run([.integer(hour), .text(plate)]) }
        }
        return hours
    }

    /// The absolute hour numbers whose bits are set in a day's mask.
    static func hours(ofDay day: Int64, mask: Int64) -> [Int64] {
        (0..<24).compactMap { bit in mask & (1 << bit) != 0 ? day * 24 + Int64(bit) : nil }
    }

    /// Writes the plates of `table` (hour `hour`, just indexed) into `plate_hours`. Call inside
    /// the sealing transaction.
    func summarise(hour: Int64, table: String) throws {
        // GROUP BY walks the new (plate, ts) index, so the day's rows are written in key order.
        try connection.execute("""
            INSERT INTO plate_hours (day, plate, hours) SELECT \(hour.floorDivided(by: 24)), plate, \(Self.bit(of: hour))
                FROM \(table) WHERE true GROUP BY plate
                ON CONFLICT (day, plate) DO UPDATE SET hours = hours | excluded.hours
            """)
        try connection.cached("UPDATE read_partitions SET summarised_at = ? WHERE hour = ?")
            .run([.integer(Timestamp.now.milliseconds), .integer(hour)])
    }

    /// The upsert that records one late read (into an hour already sealed) in `plate_hours`.
    func plateHourUpsert() throws -> Statement {
        try connection.cached("""
            INSERT INTO plate_hours (day, plate, hours) VALUES (?, ?, ?)
                ON CONFLICT (day, plate) DO UPDATE SET hours = hours | excluded.hours
            """)
    }

    /// The bit of `hour` in its day's mask.
    static func bit(of hour: Int64) -> Int64 { 1 << (hour - hour.floorDivided(by: 24) * 24) }

    /// Re-seals up to `limit` sealed hours that are not summarised yet, oldest first: hours
    /// sealed before schema version 7. Each gets its camera index rebuilt with the plate and its
    /// plates written into `plate_hours`, in its own short transaction (about a second per
    /// million reads). Returns the hours done.
    @discardableResult
    public func summariseOlderHours(limit: Int = .max) throws -> Int {
        try catchUpSealedHours(missing: "summarised_at", limit: limit) { hour, table in
            try connection.execute(Schema.reindexReadsTable(table))
            try summarise(hour: hour, table: table)
        }
    }

    /// Hours sealed but not yet summarised (sealed before schema version 7).
    public func unsummarisedHourCount() throws -> Int { try sealedHourCount(missing: "summarised_at") }

    /// Runs `work` on up to `limit` sealed hours whose `column` of `read_partitions` is not set
    /// (hours sealed by a version before that column's work existed), oldest first, each in its
    /// own short transaction; `work` sets the column. Returns the hours done.
    func catchUpSealedHours(missing column: String, limit: Int, _ work: (_ hour: Int64, _ table: String) throws -> Void) throws -> Int {
        let pending = try connection.rows(
            "SELECT hour, table_name FROM read_partitions WHERE indexed_at IS NOT NULL AND \(column) IS NULL ORDER BY hour LIMIT ?",
            [.integer(Int64(min(limit, Int(Int32.max))))])
        for row in pending {
            guard let hour = row[0].int64, let table = row[1].string else { continue }
            try connection.transaction { try work(hour, table) }
        }
        return pending.count
    }

    /// Sealed hours whose `column` of `read_partitions` is not set yet.
    func sealedHourCount(missing column: String) throws -> Int {
        Int(try connection.scalarInt("SELECT COUNT(*) FROM read_partitions WHERE indexed_at IS NOT NULL AND \(column) IS NULL") ?? 0)
    }

    /// Forgets the plates of every hour that ends at or before `cutoff` (purge). Whole days go
    /// as one key range. In the day that holds the cutoff, the bits of the hours before the cutoff
    /// hour are cleared. The bit of the hour that straddles the cutoff stays set (it only makes
    /// queries look there).
    func forgetPlateHours(before cutoff: Timestamp) throws {
        let day = cutoff.dayNumber
        try connection.cached("DELETE FROM plate_hours WHERE day < ?").run([.integer(day)])
        let hoursGone = cutoff.hourNumber - day * 24
        guard hoursGone > 0 else { return }
        let keep = ~((Int64(1) << hoursGone) - 1) & 0xFF_FFFF
        try connection.cached("UPDATE plate_hours SET hours = hours & ? WHERE day = ? AND hours & ? != hours")
            .run([.integer(keep), .integer(day), .integer(keep)])
        try connection.cached("DELETE FROM plate_hours WHERE day = ? AND hours = 0").run([.integer(day)])
    }
}
