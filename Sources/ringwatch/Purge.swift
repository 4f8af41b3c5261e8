import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchEngine
import RingwatchStorage

/// `ringwatch purge`: removes history past retention now, instead of at the engine's next check.
struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove reads, triggers and quarantined messages past retention (audited).",
        discussion: "Through the running engine when one holds the database (ingest goes on), else directly.")

    @Option(name: .long, help: "SQLite database file.")
    var db = "./data/ringwatch.sqlite"

    @Option(name: .long, help: "Remove what is older than this (RFC 3339). Default: now minus the retention period.")
    var before: String?

    @Option(name: .customLong("retention-days"), help: "Retention period when --before is not given. Default: the engine's (365).")
    var retentionDays: Int64?

    @Option(name: .long, help: "Why (recorded in the audit log).")
    var reason = "purge on demand"

    @Option(name: .long, help: "Who purges. Default: the login name.")
    var user: String?

    @Option(name: .long, help: "The engine's control endpoint, used when an engine runs on --db.")
    var control = "tcp://127.0.0.1:5570"

    func run() throws {
        if let retentionDays, retentionDays < 1 { throw UsageError("--retention-days must be at least 1") }
        let cutoffFlag = try before.map { try parseTime($0, flag: "--before") }
        let user = user ?? LoginName.current
        guard FileManager.default.fileExists(atPath: db) else { throw RuntimeError("no database at \(db); check --db") }

        // Holding the engine's lock tells us no engine runs, and keeps one from starting meanwhile.
        guard let lock = try? EngineLock(database: db) else {
            var request: [String: Any] = ["op": "purge", "reason": reason, "user": user]
            let cutoff = cutoffFlag ?? retentionDays.map { Timestamp.now.adding(seconds: -$0 * 86_400) }
            if let cutoff { request["before"] = cutoff.rfc3339 }
            let reply = try ControlClient(endpoint: control, timeoutMilliseconds: 600_000).request(request)
            report(before: reply["before"] as? String ?? "?", tables: reply["tables_dropped"], reads: reply["reads"],
                   triggers: reply["triggers"], quarantined: reply["quarantined"])
            return
        }
        defer { withExtendedLifetime(lock) {} }
        let database = try HistoryDatabase(path: db)
        let recorded = try database.meta("retention_days").flatMap { Int64($0) }
        let days = retentionDays ?? recorded ?? 365
        let cutoff = cutoffFlag ?? Timestamp.now.adding(seconds: -days * 86_400)
        let removed = try database.purge(before: cutoff)
        try AuditLog(connection: database.connection).append(AuditRecord(
            timestamp: .now, user: user, command: "purge", reason: reason, authorization: nil,
            parameters: .object([("before", .string(cutoff.rfc3339)), ("removed", removed.json)])))
        report(before: cutoff.rfc3339, tables: removed.tablesDropped, reads: removed.reads, triggers: removed.triggers,
               quarantined: removed.quarantined)
    }

    private func report(before: String, tables: Any?, reads: Any?, triggers: Any?, quarantined: Any?) {
        emit("purged history before \(before): \(tables ?? 0) hour tables, \(reads ?? 0) reads, \(triggers ?? 0) triggers, "
            + "\(quarantined ?? 0) quarantined messages\n")
    }
}
