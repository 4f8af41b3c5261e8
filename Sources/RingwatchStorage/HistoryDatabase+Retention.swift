import RingwatchCore
import SQLite

/// What one purge removed.
public struct PurgeResult: Sendable, Equatable {
    /// Hour tables dropped whole.
    public var tablesDropped = 0
    /// Reads removed (rows of dropped tables, counted from their row ids, plus rows deleted
    /// from the hour that straddles the cutoff).
    public var reads: Int64 = 0
    public var triggers: Int64 = 0
    public var decisions: Int64 = 0
    public var quarantined: Int64 = 0
    /// False when a table limit stopped the purge early; call again to go on.
    public var complete = true

    public init() {}

    public mutating func add(_ other: PurgeResult) {
        tablesDropped += other.tablesDropped
        reads += other.reads
        triggers += other.triggers
        decisions += other.decisions
        quarantined += other.quarantined
        complete = other.complete
    }

    /// The result as a JSON object, for replies and the audit log.
    public var json: JSONValue {
        .object([
            ("tables_dropped", .int(Int64(tablesDropped))), ("reads", .int(reads)), ("triggers", .int(triggers)),
            ("decisions", .int(decisions)), ("quarantined", .int(quarantined)),
        ])
    }
}

extension HistoryDatabase {
    /// Removes everything recorded before `cutoff`: reads, triggers with their decisions, and
    /// quarantined messages, and the plate summary of the hours gone (`plate_hours`). The audit
    /// log is kept (it is the record of the purge itself).
    ///
    /// Reads are stored one table per hour, so a purged hour is one `DROP TABLE`, whatever its
    /// volume; only the hour that straddles the cutoff has rows deleted. Each table goes in its
    /// own short transaction, so a writer on another connection waits milliseconds, not the
    /// whole purge. With `tableLimit` it stops after that many tables (`complete` false).
    public func purge(before cutoff: Timestamp, tableLimit: Int = .max) throws -> PurgeResult {
        var result = PurgeResult()
        let expired = try connection.rows(
            "SELECT hour, table_name FROM read_partitions WHERE hour <= ? ORDER BY hour", [.integer(cutoff.hourNumber)])
        for row in expired {
            guard let hour = row[0].int64, let name = row[1].string else { continue }
            let hourEnd = (hour + 1) * 3_600_000
            if hourEnd <= cutoff.milliseconds {
                if result.tablesDropped >= tableLimit {
                    result.complete = false
                    return result
                }
                try connection.transaction {
                    // Row ids only grow, so MAX(id) counts the rows without scanning the table.
                    result.reads += try connection.scalarInt("SELECT MAX(id) FROM \(name)") ?? 0
                    try connection.execute("DROP TABLE IF EXISTS \(name)")
                    try connection.cached("DELETE FROM read_partitions WHERE hour = ?").run([.integer(hour)])
                    // The plate summary of the days before this hour's goes as the day is left.
                    try connection.cached("DELETE FROM plate_hours WHERE day < ?").run([.integer(hour.floorDivided(by: 24))])
                }
                forgetReadsTable(hour: hour)
                result.tablesDropped += 1
            } else {
                try connection.transaction {
                    try connection.cached("DELETE FROM \(name) WHERE ts < ?").run([.integer(cutoff.milliseconds)])
                    result.reads += Int64(connection.changes)
                }
            }
        }
        try connection.transaction {
            try forgetPlateHours(before: cutoff)
            try forgetCameraMinutes(before: cutoff)
            try forgetConvoyLog(before: cutoff)
            try connection.cached("DELETE FROM triggers WHERE ts < ?").run([.integer(cutoff.milliseconds)])
            result.triggers = Int64(connection.changes)
            try connection.execute("DELETE FROM decisions WHERE trigger_id NOT IN (SELECT trigger_id FROM triggers)")
            result.decisions = Int64(connection.changes)
            try connection.cached("DELETE FROM quarantine WHERE received_at < ?").run([.integer(cutoff.milliseconds)])
            result.quarantined = Int64(connection.changes)
        }
        return result
    }

    /// The oldest read time kept, if any (the start of the oldest hour table's reads).
    public func oldestReadTime() throws -> Timestamp? {
        guard let table = try connection.rows("SELECT table_name FROM read_partitions ORDER BY hour LIMIT 1").first?.first?.string
        else { return nil }
        return try connection.scalarInt("SELECT MIN(ts) FROM \(table)").map { Timestamp(milliseconds: $0) }
    }
}
