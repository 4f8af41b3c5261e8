import RingwatchCore
import SQLite

/// One audited query: who, when, what, why, under which authorisation.
public struct AuditRecord: Sendable {
    public let timestamp: Timestamp
    public let user: String
    public let command: String
    public let reason: String
    public let authorization: String?
    /// The query's parameters as a JSON object (plates included: the audit log is where they belong).
    public let parameters: JSONValue

    public init(timestamp: Timestamp, user: String, command: String, reason: String, authorization: String?, parameters: JSONValue) {
        self.timestamp = timestamp
        self.user = user
        self.command = command
        self.reason = reason
        self.authorization = authorization
        self.parameters = parameters
    }
}

/// The append-only log of who queried what, and why. Each row carries the SHA-256 of its
/// content and of the previous row's hash, so a changed or deleted row breaks the chain.
public struct AuditLog {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Writes `record` before the query runs; the query must not run if this throws.
    public func append(_ record: AuditRecord) throws {
        try connection.transaction {
            let previous = try connection.rows("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").first?.first?.string ?? ""
            let parameters = record.parameters.serialized
            let hash = AuditLog.hash(previous: previous, record: record, parameters: parameters)
            try connection.cached("""
                INSERT INTO audit (ts, user, command, reason, authorization, parameters, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).run([
                    .integer(record.timestamp.milliseconds), .text(record.user), .text(record.command), .text(record.reason),
                    record.authorization.map { .text($0) } ?? .null, .text(parameters), .text(previous), .text(hash),
                ])
        }
    }

    static func hash(previous: String, record: AuditRecord, parameters: String) -> String {
        let fields = [previous, String(record.timestamp.milliseconds), record.user, record.command, record.reason,
                      record.authorization ?? "", parameters]
        return SHA256.hex(fields.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// Rows in `from...to`, optionally of one user, oldest first.
    public func records(from: Timestamp, to: Timestamp, user: String? = nil) throws -> [JSONValue] {
        var sql = "SELECT ts, user, command, reason, authorization, parameters FROM audit WHERE ts BETWEEN ? AND ?"
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
            ])
        }
    }
}
