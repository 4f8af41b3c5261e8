import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchStorage

/// `ringwatch ack`: records an operator's decision on a trigger.
struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record an operator's accept/reject decision on a trigger (audited).")

    @Option(name: .long, help: "The trigger_id of the hit.")
    var trigger: String

    @Option(name: .long, help: "accept or reject.")
    var decision: String

    @Option(name: .long, help: "Why: what the check on the ground or in the files showed.")
    var reason: String

    @Option(name: .long, help: "Who decides. Default: the login name.")
    var user: String?

    @Option(name: .long, help: "The engine's control endpoint.")
    var control = "tcp://127.0.0.1:5570"

    @Option(name: .long, help: "Write to this database directly instead (when no engine runs on it).")
    var db: String?

    func run() throws {
        guard let verdict = Verdict(rawValue: decision) else { throw UsageError("--decision must be accept or reject") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw UsageError("--reason must say why") }
        let user = user ?? LoginName.current
        guard let db else {
            let reply = try ControlClient(endpoint: control).request([
                "op": "ack", "trigger_id": trigger, "decision": verdict.rawValue, "reason": reason, "user": user,
            ])
            emit("recorded: \(verdict.rawValue) on \(trigger) (decision \(reply["decision_id"] ?? "?"))\n")
            return
        }
        guard FileManager.default.fileExists(atPath: db) else { throw RuntimeError("no database at \(db); check --db") }
        let database = try HistoryDatabase(path: db)
        guard try database.triggerExists(id: trigger) else {
            throw RuntimeError("no trigger with id \(trigger) in \(db); check the id with 'ringwatch triggers'")
        }
        try AuditLog(connection: database.connection).append(AuditRecord(
            timestamp: .now, user: user, command: "ack", reason: reason, authorization: nil,
            parameters: .object([("trigger_id", .string(trigger)), ("decision", .string(verdict.rawValue))])))
        let id = try database.record(OperatorDecision(triggerID: trigger, verdict: verdict, reason: reason, user: user, decidedAt: .now))
        emit("recorded: \(verdict.rawValue) on \(trigger) (decision \(id))\n")
    }
}
