import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// Options every query command shares.
struct QueryOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file.")
    var db = "./data/ringwatch.sqlite"

    @Option(name: .long, help: "Output: table, jsonl, csv or geojson (a FeatureCollection at the cameras' coordinates).")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Start of the period (RFC 3339). Default: 24 hours ago.")
    var from: String?

    @Option(name: .long, help: "End of the period (RFC 3339). Default: now.")
    var to: String?

    @Option(name: .long, help: "Why you are looking (case number or purpose). Required; audited.")
    var reason: String?

    @Option(name: .long, help: "Who is asking. Default: the login name.")
    var user: String?

    @Option(name: .long, help: "Reference of the magistrate's authorisation, for reads past the open-access period.")
    var authorization: String?

    /// The period asked for, with the contract's defaults.
    func period(now: Timestamp = .now) throws -> (from: Timestamp, to: Timestamp) {
        let to = try to.map { try parseTime($0, flag: "--to") } ?? now
        let from = try from.map { try parseTime($0, flag: "--from") } ?? now.adding(seconds: -86_400)
        guard from <= to else { throw UsageError("--from is after --to; swap them") }
        return (from, to)
    }

    var userName: String {
        user ?? LoginName.current
    }

    /// Opens the database for a query; refuses a path that does not exist rather than creating it.
    func openDatabase() throws -> HistoryDatabase {
        guard FileManager.default.fileExists(atPath: db) else {
            throw RuntimeError("no database at \(db); run 'ringwatch serve' first or pass --db PATH")
        }
        return try HistoryDatabase(path: db)
    }

    /// The reason, or a usage error saying it is required. Call before anything else.
    func requireReason(for command: String) throws -> String {
        guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError("\(command) returns vehicle data and needs --reason TEXT (case number or purpose); every such query is audited")
        }
        return reason
    }

    /// The open-access period the engine recorded in the database (30 days when it did not).
    func accessPolicy(_ database: HistoryDatabase) throws -> AccessPolicy {
        AccessPolicy(openAccessDays: (try database.meta("open_access_days")).flatMap { Int64($0) } ?? 30)
    }

    /// The authorisation's reference; nil when none was given or it is blank.
    var authorizationReference: String? { AccessPolicy.reference(authorization) }

    /// Writes the audit row, then refuses a period starting at `from` (nil: no period asked for)
    /// before the open-access period (the engine's, recorded in the database) unless an
    /// authorisation is given. A refused attempt is written too, with why, so the data
    /// protection officer sees attempts as well as what ran; it then fails with exit 2. Without
    /// a reason it is a usage error and nothing is written. Must run before the query; returns
    /// the record written.
    @discardableResult
    func audit(_ database: HistoryDatabase, command: String, parameters: [(String, JSONValue)],
               reaching from: Timestamp?) throws -> AuditRecord {
        let reason = try requireReason(for: command)
        let now = Timestamp.now
        let refusal = try from.flatMap { try accessPolicy(database).refusal(from: $0, authorization: authorization, now: now) }
        let record = AuditRecord(
            timestamp: now, user: userName, command: command, reason: reason, authorization: authorizationReference,
            parameters: .object(parameters), refusal: refusal)
        try AuditLog(connection: database.connection).append(record)
        if let refusal { throw UsageError(refusal) }
        return record
    }
}

/// `rows` cut to `limit`, saying so on standard error when more matched, so that an answer cut
/// at `--limit` is never taken for the whole one. Ask for `limit + 1` rows to know.
func cutAtLimit<Row>(_ rows: [Row], limit: Int) -> [Row] {
    guard rows.count > limit else { return rows }
    FileHandle.standardError.write(Data("ringwatch: more than \(limit) rows match; showing the first \(limit) (narrow the search or raise --limit)\n".utf8))
    return Array(rows.prefix(limit))
}

func parseTime(_ text: String, flag: String) throws -> Timestamp {
    guard let time = Timestamp(rfc3339: text) else {
        throw UsageError("\(flag) '\(text)' is not an RFC 3339 time; write e.g. 2026-11-22T08:15:30Z")
    }
    return time
}

extension OutputFormat: ExpressibleByArgument {}

/// Writes text to standard output.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
