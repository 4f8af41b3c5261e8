import RingwatchCore
import SQLite

/// The database schema, as an ordered list of migrations. A migration never changes once
/// released; new needs get a new version.
///
/// Reads live in one table per UTC hour (`reads_YYYYMMDDHH`), listed in `read_partitions`. The
/// write path only appends: a table gets its (plate, ts) index when its hour is sealed (event
/// time has moved past it by more than the lateness allowance), because a live index makes
/// every insert a random B-tree write and costs 6-11x the insert rate (docs/performance.md).
/// A period is purged by dropping its tables, and queries touch only the hours they ask for.
public enum Schema {
    /// One schema step.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "engine core", sql: """
            CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE cameras (
                camera TEXT PRIMARY KEY,
                ring TEXT NOT NULL,
                lat REAL NOT NULL,
                lon REAL NOT NULL,
                name TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE read_partitions (
                hour INTEGER PRIMARY KEY,         -- hours since 1970-01-01T00:00Z
                table_name TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                indexed_at INTEGER                -- when the hour was sealed and indexed; NULL while open
            );
            CREATE TABLE triggers (
                seq INTEGER PRIMARY KEY,
                trigger_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                severity TEXT NOT NULL,
                ts INTEGER NOT NULL,
                emitted_at INTEGER NOT NULL,
                plate TEXT NOT NULL,
                camera TEXT NOT NULL,
                ring TEXT NOT NULL,
                body TEXT NOT NULL
            );
            CREATE INDEX triggers_by_ts ON triggers (ts);
            CREATE INDEX triggers_by_plate ON triggers (plate, ts);
            CREATE INDEX triggers_by_id ON triggers (trigger_id);
            CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY,
                received_at INTEGER NOT NULL,
                topic TEXT,
                reason TEXT NOT NULL,
                detail TEXT NOT NULL,
                size INTEGER NOT NULL,
                body BLOB NOT NULL
            );
            CREATE INDEX quarantine_by_time ON quarantine (received_at);
            CREATE TABLE hotlist (
                entry_id INTEGER PRIMARY KEY,
                plate TEXT NOT NULL,
                category TEXT NOT NULL,
                severity TEXT NOT NULL,
                reason TEXT NOT NULL,
                expires INTEGER,
                added_at INTEGER NOT NULL,
                added_by TEXT NOT NULL,
                removed_at INTEGER
            );
            CREATE INDEX hotlist_by_plate ON hotlist (plate);
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                ts INTEGER NOT NULL,
                user TEXT NOT NULL,
                command TEXT NOT NULL,
                reason TEXT NOT NULL,
                authorization TEXT,
                parameters TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX audit_by_ts ON audit (ts);
            """),
        Migration(version: 2, name: "operator decisions, audit head", sql: """
            CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                trigger_id TEXT NOT NULL,
                decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject')),
                reason TEXT NOT NULL,
                user TEXT NOT NULL,
                decided_at INTEGER NOT NULL
            );
            CREATE INDEX decisions_by_trigger ON decisions (trigger_id, id);
            INSERT OR REPLACE INTO meta (key, value)
                SELECT 'audit_head', id || ':' || hash FROM audit ORDER BY id DESC LIMIT 1;
            """),
        // Who removed an entry and where each came from, and a log of every change to the list
        // (one row per add or remove, one per import however large). The live entries get a
        // partial (plate, category) index, which serves every hotlist query; the plate index of
        // version 1 goes, as it made a million-entry import several seconds slower.
        Migration(version: 3, name: "hotlist changes", sql: """
            ALTER TABLE hotlist ADD COLUMN removed_by TEXT;
            ALTER TABLE hotlist ADD COLUMN source TEXT;
            DROP INDEX hotlist_by_plate;
            CREATE INDEX hotlist_live ON hotlist (plate, category) WHERE removed_at IS NULL;
            CREATE TABLE hotlist_changes (
                change_id INTEGER PRIMARY KEY,
                ts INTEGER NOT NULL,
                user TEXT NOT NULL,
                op TEXT NOT NULL,                 -- add, remove, import, replace
                plate TEXT,                       -- the plate of an add or remove; NULL for imports
                entries INTEGER NOT NULL,         -- entries added (add, import, replace) or removed (remove)
                detail TEXT NOT NULL
            );
            CREATE INDEX hotlist_changes_by_ts ON hotlist_changes (ts);
            """),
        // Live route watches (issue 7), with who added and removed each and when. A watch
        // replaced under the same name keeps its old row, removed.
        Migration(version: 4, name: "route watches", sql: """
            CREATE TABLE route_watches (
                watch_id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                cameras TEXT NOT NULL,            -- camera ids in order, comma-separated
                max_gap_s REAL NOT NULL,
                min_match REAL NOT NULL,
                severity TEXT NOT NULL,
                origin TEXT NOT NULL,             -- 'cameras' or how the route was learned
                excluded_plate TEXT,              -- the vehicle a learned route came from
                added_at INTEGER NOT NULL,
                added_by TEXT NOT NULL,
                removed_at INTEGER,
                removed_by TEXT
            );
            CREATE INDEX route_watches_live ON route_watches (name) WHERE removed_at IS NULL;
            """),
        // A watch may fire only when a vehicle repeats the route on several days.
        Migration(version: 5, name: "route watch repetition", sql: """
            ALTER TABLE route_watches ADD COLUMN repeat_days INTEGER;
            """),
        // The plate summary (issue 10): in which hours of each day a plate was read, so that a
        // vehicle's history opens only those hour tables (HistoryDatabase+PlateHours.swift).
        // Hours sealed before this version are summarised later by the writer, a few at a
        // time; until then queries search them as before.
        Migration(version: 6, name: "plate hours", sql: """
            CREATE TABLE plate_hours (
                day INTEGER NOT NULL,             -- days since 1970-01-01 (UTC)
                plate TEXT NOT NULL,
                hours INTEGER NOT NULL,           -- bit h: read in UTC hour h of the day
                PRIMARY KEY (day, plate)
            ) WITHOUT ROWID;
            ALTER TABLE read_partitions ADD COLUMN summarised_at INTEGER;  -- when its plates went into plate_hours
            """),
        // The (camera, ts) index of a sealed hour carries the plate too, so "who passed this
        // camera then" (route candidates, common) is answered from the index alone. Hours
        // sealed before are marked for the writer to re-seal, one per commit: it rebuilds the
        // camera index and rewrites the summary (`HistoryDatabase.summariseOlderHours`).
        Migration(version: 7, name: "camera index with plate", sql: """
            UPDATE read_partitions SET summarised_at = NULL;
            """),
        // Reads per camera and minute (issue 6): what the period-wide convoy search learns the
        // traffic from, as a range over this table instead of a scan of every hour table
        // (HistoryDatabase+CameraMinutes.swift). Hours sealed before this version have no
        // counts (`counted_at` NULL): the writer counts them later, one per commit, and until
        // then the search counts their tables itself.
        Migration(version: 8, name: "camera minutes", sql: """
            CREATE TABLE camera_minutes (
                minute INTEGER NOT NULL,          -- minutes since 1970-01-01T00:00Z
                camera TEXT NOT NULL,
                reads INTEGER NOT NULL,
                PRIMARY KEY (minute, camera)
            ) WITHOUT ROWID;
            ALTER TABLE read_partitions ADD COLUMN counted_at INTEGER;  -- when its reads went into camera_minutes
            """),
        // The convoy pair log (issue 6): the pairs the live convoy tracker found to meet the
        // definition, and the hours it saw whole, so `ringwatch convoys --from --to` reads the
        // pairs instead of streaming every read again (HistoryDatabase+ConvoyLog.swift). A
        // database from before has no log: its hours are not covered and are searched as before.
        // (IF NOT EXISTS: the upgrade tests of versions 7 and 8 re-run it on a database that has it.)
        Migration(version: 9, name: "convoy pair log", sql: """
            CREATE TABLE IF NOT EXISTS convoy_pairs (
                id INTEGER PRIMARY KEY,           -- the order the live tracker assessed them in
                hour INTEGER NOT NULL,            -- hour of read_ts
                read_ts INTEGER NOT NULL,         -- event time of the read that led to the assessment
                kind INTEGER NOT NULL,            -- 1 grouped (score >= min pair score), 2 re-assessed at an announcement
                last_evidence INTEGER NOT NULL,   -- newest co-occurrence then
                first_ts INTEGER NOT NULL,        -- oldest read of the evidence (a purge before it removes the row)
                plate_a TEXT NOT NULL,
                plate_b TEXT NOT NULL,
                score REAL NOT NULL,
                expected REAL NOT NULL,
                flags INTEGER NOT NULL,           -- 1 consistent order, 2 consistent gap
                evidence TEXT NOT NULL            -- passages and evidence (ConvoyLogPair.encoded)
            );
            CREATE INDEX IF NOT EXISTS convoy_pairs_by_hour ON convoy_pairs (hour);
            CREATE INDEX IF NOT EXISTS convoy_pairs_by_first ON convoy_pairs (first_ts);
            CREATE TABLE IF NOT EXISTS convoy_pair_hours (
                hour INTEGER PRIMARY KEY,         -- an hour the live tracker settled
                first_ts INTEGER NOT NULL,        -- oldest read of any of its pairs' evidence
                pairs BLOB NOT NULL               -- the pairs that met the definition in it (any score):
                                                  -- ConvoyLogPairHour.hash of each, sorted, 8 bytes little-endian
            );
            CREATE INDEX IF NOT EXISTS convoy_pair_hours_by_first ON convoy_pair_hours (first_ts);
            CREATE TABLE IF NOT EXISTS convoy_log_hours (
                hour INTEGER PRIMARY KEY,         -- an hour the live tracker saw whole
                definition TEXT NOT NULL,         -- ConvoyDefinition.pairLogFingerprint
                min_pair_score REAL NOT NULL,
                reads INTEGER NOT NULL,           -- reads of the hour the tracker saw; must equal those stored
                registry INTEGER NOT NULL,        -- 1 when a vehicle registry excluded vehicles by type
                written_at INTEGER NOT NULL
            );
            """),
        // Refused attempts are audited too (a query past the open-access period without an
        // authorisation): `refusal` holds why, NULL on rows that were allowed, so every row
        // written before keeps its meaning and its hash (AuditLog.hash adds the field only when
        // set).
        Migration(version: 10, name: "audit refusals", sql: """
            ALTER TABLE audit ADD COLUMN refusal TEXT;
            """),
    ]

    /// The SQL of one day's reads table.
    static func createReadsTable(_ name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name) (
            id INTEGER PRIMARY KEY,
            read_id INTEGER NOT NULL,
            source_id TEXT,
            camera TEXT NOT NULL,
            ts INTEGER NOT NULL,
            plate TEXT NOT NULL,
            country TEXT NOT NULL,
            confidence REAL,
            char_confidence TEXT,
            make TEXT,
            model TEXT,
            color TEXT,
            vehicle_confidence REAL,
            direction TEXT,
            seq INTEGER,
            received_at INTEGER NOT NULL
        )
        """
    }

    /// The SQL that seals one hour's table: (plate, ts) for "where was this vehicle", and
    /// (camera, ts, plate) for "who passed this camera then" (convoy and route searches; with
    /// the plate in it, a range answers without visiting the table).
    static func indexReadsTable(_ name: String) -> String {
        "CREATE INDEX IF NOT EXISTS \(name)_by_plate ON \(name) (plate, ts); "
            + "CREATE INDEX IF NOT EXISTS \(cameraIndexName(name)) ON \(name) (camera, ts, plate)"
    }

    /// The SQL that re-seals an hour sealed by an older version: its camera index is rebuilt
    /// with the plate (schema version 7), its plate index made if missing.
    static func reindexReadsTable(_ name: String) -> String {
        "DROP INDEX IF EXISTS \(cameraIndexName(name)); " + indexReadsTable(name)
    }

    /// The name of an hour table's (camera, ts) index.
    static func cameraIndexName(_ table: String) -> String { "\(table)_by_camera" }

    /// `reads_2026112208` for the UTC hour number `hour`.
    public static func readsTableName(hour: Int64) -> String {
        let (year, month, dayOfMonth) = Timestamp.civil(day: hour.floorDivided(by: 24))
        return "reads_" + padded(year, width: 4) + padded(month, width: 2) + padded(dayOfMonth, width: 2) + padded(hour - hour.floorDivided(by: 24) * 24, width: 2)
    }

    /// Applies every migration the database lacks, each in its own transaction.
    public static func migrate(_ connection: Connection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
        let applied = try connection.scalarInt("SELECT MAX(version) FROM schema_migrations") ?? 0
        for migration in migrations where migration.version > applied {
            try connection.transaction {
                try connection.execute(migration.sql)
                try connection.cached("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
                    .run([.integer(Int64(migration.version)), .text(migration.name), .integer(Timestamp.now.milliseconds)])
            }
        }
    }

    /// The newest schema version this build knows.
    public static var currentVersion: Int { migrations.last!.version }
}

extension Timestamp {
    /// Days since 1970-01-01 (UTC).
    public var dayNumber: Int64 { milliseconds.floorDivided(by: 86_400_000) }

    /// Hours since 1970-01-01T00:00Z.
    public var hourNumber: Int64 { milliseconds.floorDivided(by: 3_600_000) }
}

private func padded(_ value: Int64, width: Int) -> String {
    let text = value.description
    return String(repeating: "0", count: max(0, width - text.count)) + text
}
