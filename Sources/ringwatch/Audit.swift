import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch audit`: the log of who queried what, and why; `--verify` checks its hash chain.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The audit log: who queried what, and why. --verify checks that no row was changed or deleted.")

    @Option(name: .long, help: "SQLite database file.")
    var db = "./data/ringwatch.sqlite"

    @Option(name: .long, help: "Output: table, jsonl or csv (audit rows have no place for geojson).")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Start of the period (RFC 3339). Default: 24 hours ago.")
    var from: String?

    @Option(name: .long, help: "End of the period (RFC 3339). Default: now.")
    var to: String?

    @Option(name: .long, help: "Only rows of this user.")
    var user: String?

    @Option(name: .long, help: "Why you are reading the audit log (recorded in it). Default: audit review.")
    var reason: String?

    @Flag(name: .long, help: "Check the whole hash chain instead of listing rows; exit 1 when it is broken.")
    var verify = false

    func run() throws {
        if format == .geojson { throw UsageError("--format geojson: audit rows have no place to map; use table, jsonl or csv") }
        guard FileManager.default.fileExists(atPath: db) else {
            throw RuntimeError("no database at \(db); pass --db PATH")
        }
        let database = try HistoryDatabase(path: db)
        let log = AuditLog(connection: database.connection)
        if verify {
            let result = try log.verify()
            guard result.isIntact else {
                for problem in result.problems { printError("audit log broken: \(problem)") }
                throw ExitCode(1)
            }
            emit("audit log intact: \(result.rows) rows; head hash \(result.headHash)\n")
            return
        }
        let now = Timestamp.now
        let end = try to.map { try parseTime($0, flag: "--to") } ?? now
        let start = try from.map { try parseTime($0, flag: "--from") } ?? now.adding(seconds: -86_400)
        guard start <= end else { throw UsageError("--from is after --to; swap them") }
        let reader = LoginName.current
        // Reading the log shows what others searched for, so the reading is logged too.
        try log.append(AuditRecord(
            timestamp: now, user: reader, command: "audit", reason: reason ?? "audit review", authorization: nil,
            parameters: .object([("user", .optional(user)), ("from", .string(start.rfc3339)), ("to", .string(end.rfc3339))])))
        var rows = try log.records(from: start, to: end, user: user)
        // The contract's columns, then the outcome: `allowed` or `refused`, with why in
        // `refusal` (JSON Lines, CSV), or `refused: why` in the table, last so it does not push
        // the other columns apart.
        var columns = ["ts", "user", "command", "reason", "authorization", "parameters", "outcome"]
        if format == .table {
            rows = rows.map { row in
                guard case .object(let fields) = row, let why = row["refusal"]?.stringValue else { return row }
                return .object(fields.map { $0.0 == "outcome" ? ($0.0, .string("\(AuditRecord.refused): \(why)")) : $0 })
            }
        } else {
            columns.append("refusal")
        }
        emit(RowPrinter(format: format, columns: columns).render(rows))
    }
}
