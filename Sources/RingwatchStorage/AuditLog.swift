import RingwatchCore
import SQLite

/// One audited action: who, when, what, why, under which authorisation, and whether it was
/// refused.
public struct AuditRecord: Sendable {
    public let timestamp: Timestamp
    public let user: String
    public let command: String
    public let reason: String
    public let authorization: String?
    /// The action's parameters as a JSON object (plates included: the audit log is where they belong).
    public let parameters: JSONValue
    /// Why the action was refused (e.g. a period past the open-access period without an
    /// authorisation); nil when it was allowed. The attempt is logged all the same: the data
    /// protection officer must see attempts, not only what ran.
    public let refusal: String?

    public init(timestamp: Timestamp, user: String, command: String, reason: String, authorization: String?, parameters: JSONValue,
                refusal: String? = nil) {
        self.timestamp = timestamp
        self.user = user
        self.command = command
        self.reason = reason
        self.authorization = authorization
        self.parameters = parameters
        self.refusal = refusal
    }

    /// `allowed` or `refused`, as `ringwatch audit` prints it.
    public var outcome: String { refusal == nil ? AuditRecord.allowed : AuditRecord.refused }

    public static let allowed = "allowed"
    public static let refused = "refused"
}

/// What `AuditLog.verify()` found.
public struct AuditVerification: Sendable {
    /// Rows checked.
    public let rows: Int
    /// The hash of the newest row: write it down (case file, printout) to anchor the chain.
    public let headHash: String
    /// One sentence per break found, oldest first; empty when the chain is intact.
    public let problems: [String]

    public var isIntact: Bool { problems.isEmpty }
}

/// The append-only log of who queried what, and why, and of every change made through the
/// control socket.
///
/// Each row carries the SHA-256 of its content and of the previous row's hash, so a changed row
/// or a row deleted from the middle breaks the chain. The newest row's id and hash are also kept
/// in `meta` (`audit_head`), written in the same transaction, so that deleting rows from the end
/// is detected too. Someone able to rewrite the whole file could rebuild the chain; `verify()`
/// prints the head hash so that it can be anchored outside the database.
public struct AuditLog {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Writes `record`; a query must not run if this throws.
    public func append(_ record: AuditRecord) throws {
        // IMMEDIATE: the engine and analysts' commands append from several processes, and the
        // chain needs "read the last hash, insert" to be one step.
        try connection.transaction(immediate: true) {
            let previous = try connection.rows("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").first?.first?.string ?? ""
            let parameters = record.parameters.serialized
            let hash = AuditLog.hash(previous: previous, timestamp: record.timestamp.milliseconds, user: record.user,
                                     command: record.command, reason: record.reason, authorization: record.authorization,
                                     parameters: parameters, refusal: record.refusal)
            try connection.cached("""
                INSERT INTO audit (ts, user, command, reason, authorization, parameters, previous_hash, hash, refusal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                    .integer(record.timestamp.milliseconds), .text(record.user), .text(record.command), .text(record.reason),
                    record.authorization.map { .text($0) } ?? .null, .text(parameters), .text(previous), .text(hash),
                    record.refusal.map { .text($0) } ?? .null,
                ])
            try connection.cached("INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .run([.text("\(connection.lastInsertRowID):\(hash)")])
        }
    }

    /// The row's hash. Each field is length-prefixed; `refusal` is added only when set, so that
    /// rows written before refusals were recorded (schema version 10) keep their hashes, and
    /// clearing a refusal afterwards breaks the chain like any other change.
    static func hash(previous: String, timestamp: Int64, user: String, command: String, reason: String,
                     authorization: String?, parameters: String, refusal: String?) -> String {
        var fields = [previous, String(timestamp), user, command, reason, authorization ?? "", parameters]
        if let refusal { fields.append(refusal) }
        return SHA256.hex(fields.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// Rows in `from...to`, optionally of one user, oldest first: the contract's fields, then
    /// `outcome` (`allowed` or `refused`) and `refusal` (why, or null).
    public func records(from: Timestamp, to: Timestamp, user: String? = nil) throws -> [JSONValue] {
        var sql = "SELECT ts, user, command, reason, authorization, parameters, refusal FROM audit WHERE ts BETWEEN ? AND ?"
        var arguments: [Value] = [.integer(from.milliseconds), .integer(to.milliseconds)]
        if let user { sql += " AND user = ?"; arguments.append(.text(user)) }
        sql += " ORDER BY id"
        return try connection.rows(sql, arguments).map { row in
            .object([
                ("ts", .string(Timestamp(milliseconds: row[0].int64 ?? 0).rfc3339)),
                ("user", .string(row[1].string ?? "")),
                ("command", .string(row[2].string ?? "")),
                ("reason", .string(row[3].string ?? "")),
                ("authorization", .optional(row[4].string)),
                ("parameters", .raw(row[5].string ?? "{}")),
                ("outcome", .string(row[6].string == nil ? AuditRecord.allowed : AuditRecord.refused)),
                ("refusal", .optional(row[6].string)),
            ])
        }
    }

    /// Walks the whole chain: recomputes every row's hash, checks each row points at its
    /// predecessor, that ids have no holes, and that the newest row is the recorded head.
    public func verify() throws -> AuditVerification {
        var problems: [String] = []
        var previousHash = ""
        var previousID: Int64 = 0
        var rows = 0
        let statement = try connection.prepare(
            "SELECT id, ts, user, command, reason, authorization, parameters, previous_hash, hash, refusal FROM audit ORDER BY id")
        while try statement.step() {
            rows += 1
            let id = statement.int64(0)
            let stored = statement.string(8) ?? ""
            if id != previousID + 1 {
                problems.append("rows \(previousID + 1)...\(id - 1) are missing (deleted) before row \(id)")
            }
            if statement.string(7) ?? "" != previousHash {
                problems.append("row \(id) does not follow the row before it (its previous_hash differs): a row before it was changed or deleted")
            }
            let recomputed = AuditLog.hash(
                previous: statement.string(7) ?? "", timestamp: statement.int64(1), user: statement.string(2) ?? "",
                command: statement.string(3) ?? "", reason: statement.string(4) ?? "", authorization: statement.string(5),
                parameters: statement.string(6) ?? "", refusal: statement.string(9))
            if recomputed != stored { problems.append("row \(id) was changed after it was written (its content does not match its hash)") }
            previousHash = stored
            previousID = id
        }
        let head = try connection.rows("SELECT value FROM meta WHERE key = 'audit_head'").first?.first?.string
        let expected = rows == 0 ? nil : "\(previousID):\(previousHash)"
        if head != expected {
            if let head, let recordedID = Int64(head.prefix { $0 != ":" }), recordedID > previousID {
                problems.append("the newest rows were deleted: the log ended at row \(recordedID), now at row \(previousID)")
            } else {
                problems.append("the recorded head of the log (\(head ?? "none")) does not match its newest row")
            }
        }
        return AuditVerification(rows: rows, headHash: previousHash, problems: problems)
    }
}
