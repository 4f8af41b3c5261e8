import RingwatchCore
import SQLite

/// One change to the hotlist, as logged in `hotlist_changes`.
public struct HotlistChange: Sendable, Hashable {
    public let timestamp: Timestamp
    public let user: String
    /// `add`, `remove`, `import` or `replace`.
    public let operation: String
    /// The plate of an add or remove; nil for imports.
    public let plate: String?
    /// Entries added, or removed.
    public let entries: Int
    public let detail: String
}

// MARK: - Hotlist entries changed while the engine runs, with who and when

extension HistoryDatabase {
    /// Stores an entry added live (superseding a live one with the same plate and category) and
    /// logs the change; returns the new `entry_id`.
    public func addHotlistEntry(_ entry: HotlistEntry, user: String, source: String = "control") throws -> Int64 {
        try connection.transaction {
            let now = Timestamp.now
            try supersede(entry, at: now, user: user)
            let entryID = try insert(entry, at: now, user: user, source: source)
            try logHotlistChange(at: now, user: user, operation: "add", plate: entry.pattern, entries: 1,
                                 detail: "\(entry.category), \(entry.severity.rawValue)")
            return entryID
        }
    }

    /// Marks every live entry for `pattern` removed by `user`; returns how many.
    @discardableResult
    public func removeHotlistEntries(pattern: String, user: String = "control") throws -> Int {
        try connection.transaction {
            let now = Timestamp.now
            try connection.cached("UPDATE hotlist SET removed_at = ?, removed_by = ? WHERE plate = ? AND removed_at IS NULL")
                .run([.integer(now.milliseconds), .text(user), .text(pattern)])
            let removed = connection.changes
            try logHotlistChange(at: now, user: user, operation: "remove", plate: pattern, entries: removed, detail: "")
            return removed
        }
    }

    /// Stores an import and logs it as one change. With `replace`, the file becomes the whole
    /// list: every entry live before it is removed; without, each imported entry supersedes a
    /// live one with the same plate and category. Returns the entries removed or superseded.
    ///
    /// Written in transactions of `chunk` entries so the history writer, which shares the file,
    /// never waits long for the lock. The old entries of a `replace` go only in the last one: a
    /// crash half-way leaves the old list plus part of the new, never less than the old list.
    ///
    /// Rows are written in (plate, category) order — a stable sort, so a later entry for the same
    /// plate and category still supersedes an earlier one — because index inserts in key order
    /// touch each page once: five times faster than file order for a million entries.
    @discardableResult
    public func importHotlist(_ entries: [HotlistEntry], user: String, source: String, replace: Bool, chunk: Int = 50_000) throws -> Int {
        let now = Timestamp.now
        let firstNewID = (try connection.scalarInt("SELECT MAX(entry_id) FROM hotlist") ?? 0) + 1
        // Sorted on the plate's first eight bytes as one integer (byte order is the index's
        // order); strings are compared only on ties, which keep file order per plate and category.
        var keyed = entries.enumerated().map { index, entry in
            (key: entry.pattern.utf8.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } << (8 * UInt64(8 - min(entry.pattern.utf8.count, 8))),
             index: index)
        }
        keyed.sort { a, b in
            if a.key != b.key { return a.key < b.key }
            let x = entries[a.index], y = entries[b.index]
            return (x.pattern, x.category, a.index) < (y.pattern, y.category, b.index)
        }
        let ordered = keyed.map(\.index)
        var removed = 0
        for start in stride(from: 0, to: ordered.count, by: max(chunk, 1)) {
            try connection.transaction {
                for entry in ordered[start..<min(start + chunk, ordered.count)].map({ entries[$0] }) {
                    if !replace {
                        try supersede(entry, at: now, user: user)
                        removed += connection.changes
                    }
                    _ = try insert(entry, at: now, user: user, source: source)
                }
            }
        }
        try connection.transaction {
            if replace {
                try connection.cached("UPDATE hotlist SET removed_at = ?, removed_by = ? WHERE removed_at IS NULL AND entry_id < ?")
                    .run([.integer(now.milliseconds), .text(user), .integer(firstNewID)])
                removed = connection.changes
            }
            try logHotlistChange(at: now, user: user, operation: replace ? "replace" : "import", plate: nil, entries: entries.count,
                                 detail: "\(source): \(entries.count) entries, \(removed) \(replace ? "removed" : "superseded")")
        }
        return removed
    }

    /// Live entries (not removed), oldest first: a later one replaces an earlier one with the
    /// same plate and category when loaded in this order.
    public func activeHotlistEntries() throws -> [HotlistEntry] {
        let statement = try connection.prepare(
            "SELECT plate, category, severity, reason, expires FROM hotlist WHERE removed_at IS NULL ORDER BY entry_id")
        var entries: [HotlistEntry] = []
        while try statement.step() {
            entries.append(HotlistEntry(
                pattern: statement.string(0) ?? "", category: statement.string(1) ?? "",
                severity: Severity(rawValue: statement.string(2) ?? "") ?? .high, reason: statement.string(3) ?? "",
                expires: statement.isNull(4) ? nil : Timestamp(milliseconds: statement.int64(4))))
        }
        return entries
    }

    /// The change log, newest first.
    public func hotlistChanges(limit: Int = 1000) throws -> [HotlistChange] {
        try connection.rows(
            "SELECT ts, user, op, plate, entries, detail FROM hotlist_changes ORDER BY change_id DESC LIMIT ?", [.integer(Int64(limit))]
        ).map { row in
            HotlistChange(timestamp: Timestamp(milliseconds: row[0].int64 ?? 0), user: row[1].string ?? "", operation: row[2].string ?? "",
                          plate: row[3].string, entries: Int(row[4].int64 ?? 0), detail: row[5].string ?? "")
        }
    }

    private func supersede(_ entry: HotlistEntry, at time: Timestamp, user: String) throws {
        try connection.cached("UPDATE hotlist SET removed_at = ?, removed_by = ? WHERE plate = ? AND category = ? AND removed_at IS NULL")
            .run([.integer(time.milliseconds), .text(user), .text(entry.pattern), .text(entry.category)])
    }

    private func insert(_ entry: HotlistEntry, at time: Timestamp, user: String, source: String) throws -> Int64 {
        let insert = try connection.cached("""
            INSERT INTO hotlist (plate, category, severity, reason, expires, added_at, added_by, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(entry.pattern, at: 1)
        insert.bind(entry.category, at: 2)
        insert.bind(entry.severity.rawValue, at: 3)
        insert.bind(entry.reason, at: 4)
        insert.bind(entry.expires?.milliseconds, at: 5)
        insert.bind(time.milliseconds, at: 6)
        insert.bind(user, at: 7)
        insert.bind(source, at: 8)
        try insert.step()
        insert.reset()
        return connection.lastInsertRowID
    }

    private func logHotlistChange(at time: Timestamp, user: String, operation: String, plate: String?, entries: Int, detail: String) throws {
        try connection.cached("INSERT INTO hotlist_changes (ts, user, op, plate, entries, detail) VALUES (?, ?, ?, ?, ?, ?)")
            .run([.integer(time.milliseconds), .text(user), .text(operation), plate.map { .text($0) } ?? .null,
                  .integer(Int64(entries)), .text(detail)])
    }
}
