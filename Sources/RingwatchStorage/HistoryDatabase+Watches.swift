import RingwatchCore
import SQLite

/// A stored route watch with who added it and when.
public struct StoredRouteWatch: Sendable {
    public let watch: RouteWatch
    public let addedAt: Timestamp
    public let addedBy: String
}

// MARK: - Route watches, changed while the engine runs, with who and when

extension HistoryDatabase {
    /// Stores a watch, replacing a live one of the same name; returns the new `watch_id`.
    public func addRouteWatch(_ watch: RouteWatch, user: String) throws -> Int64 {
        try connection.transaction {
            let now = Timestamp.now
            try connection.cached("UPDATE route_watches SET removed_at = ?, removed_by = ? WHERE name = ? AND removed_at IS NULL")
                .run([.integer(now.milliseconds), .text(user), .text(watch.name)])
            try connection.cached("""
                INSERT INTO route_watches (name, cameras, max_gap_s, min_match, severity, origin, excluded_plate, added_at, added_by, repeat_days)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                    .text(watch.name), .text(watch.cameras.joined(separator: ",")), .real(watch.maximumGapSeconds),
                    .real(watch.minimumMatch), .text(watch.severity.rawValue), .text(watch.origin),
                    watch.excludedPlate.map { .text($0) } ?? .null, .integer(now.milliseconds), .text(user),
                    watch.repeatDays.map { .integer(Int64($0)) } ?? .null,
                ])
            return connection.lastInsertRowID
        }
    }

    /// Marks the live watch called `name` removed by `user`; returns how many (0 or 1).
    @discardableResult
    public func removeRouteWatch(name: String, user: String) throws -> Int {
        try connection.cached("UPDATE route_watches SET removed_at = ?, removed_by = ? WHERE name = ? AND removed_at IS NULL")
            .run([.integer(Timestamp.now.milliseconds), .text(user), .text(name)])
        return connection.changes
    }

    /// Live watches, oldest first.
    public func activeRouteWatches() throws -> [StoredRouteWatch] {
        try connection.rows("""
            SELECT name, cameras, max_gap_s, min_match, severity, origin, excluded_plate, added_at, added_by, repeat_days
            FROM route_watches WHERE removed_at IS NULL ORDER BY watch_id
            """).map { row in
            StoredRouteWatch(
                watch: RouteWatch(
                    name: row[0].string ?? "", cameras: (row[1].string ?? "").split(separator: ",").map(String.init),
                    maximumGapSeconds: row[2].double ?? RouteWatch.defaultMaximumGapSeconds,
                    minimumMatch: row[3].double ?? RouteWatch.defaultMinimumMatch,
                    severity: Severity(rawValue: row[4].string ?? "") ?? .high, origin: row[5].string ?? "cameras",
                    excludedPlate: row[6].string, repeatDays: row[9].int64.map { Int($0) }),
                addedAt: Timestamp(milliseconds: row[7].int64 ?? 0), addedBy: row[8].string ?? "")
        }
    }
}
