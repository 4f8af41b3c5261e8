import Foundation
import RingwatchCore
import RingwatchStorage

/// Control operations that record who did what: operators' decisions, purges, and the audit
/// rows of every change made through the control socket.
extension ControlServer {
    /// The read-write history connection of the control thread, opened on first use.
    func store() throws -> HistoryDatabase {
        if let store = engine.hotlistStore { return store }
        let store = try HistoryDatabase(path: engine.databasePath)
        engine.hotlistStore = store
        return store
    }

    /// Records a change made through the control socket in the audit log.
    func audit(_ request: [String: Any], command: String, reason: String, parameters: [(String, JSONValue)]) throws {
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        try AuditLog(connection: try store().connection).append(AuditRecord(
            timestamp: .now, user: user, command: command, reason: reason, authorization: nil, parameters: .object(parameters)))
    }

    /// `{"op":"audit","command":C,"reason":R,"user":U,"authorization":A,"parameters":{...}}`
    /// *(addition)*: records the audit row of a client that reads vehicle data from the engine's
    /// sockets rather than from the database (`ringwatch triggers --follow` on a machine without
    /// the database file), before it starts reading.
    func recordClientAudit(_ request: [String: Any]) -> JSONValue {
        guard let command = request["command"] as? String, !command.isEmpty else {
            return Self.failure("audit needs \"command\": what the client is about to run, e.g. \"triggers --follow\"")
        }
        guard let reason = request["reason"] as? String, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Self.failure("audit needs \"reason\": why the client reads vehicle data")
        }
        var parameters: [(String, JSONValue)] = []
        if let given = request["parameters"] as? [String: Any] {
            for key in given.keys.sorted() {
                switch given[key] {
                case let text as String: parameters.append((key, .string(text)))
                case let number as NSNumber: parameters.append((key, .int(number.int64Value)))
                default: parameters.append((key, .null))
                }
            }
        }
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        let authorization = (request["authorization"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        do {
            try AuditLog(connection: try store().connection).append(AuditRecord(
                timestamp: .now, user: user, command: command, reason: reason, authorization: authorization,
                parameters: .object(parameters)))
            return .object([("ok", .bool(true))])
        } catch {
            logger.error("audit failed", metadata: ["error": "\(error)"])
            return Self.failure("could not store the audit row: \(error)")
        }
    }

    /// `{"op":"ack","trigger_id":ID,"decision":"accept"|"reject","reason":R,"user":U}`
    func acknowledge(_ request: [String: Any]) -> JSONValue {
        guard let triggerID = request["trigger_id"] as? String, !triggerID.isEmpty else {
            return Self.failure("ack needs \"trigger_id\" (as in the trigger, e.g. from 'ringwatch triggers')")
        }
        guard let verdict = (request["decision"] as? String).flatMap(Verdict.init(rawValue:)) else {
            return Self.failure("ack needs \"decision\": \"accept\" or \"reject\"")
        }
        guard let reason = request["reason"] as? String, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Self.failure("ack needs \"reason\": why the operator accepts or rejects the hit")
        }
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        do {
            let database = try store()
            // A trigger published a moment ago may not be committed yet; it is in memory then.
            let known = try database.triggerExists(id: triggerID) || engine.recent.since(0).contains { $0.triggerID == triggerID }
            guard known else { return Self.failure("no trigger with id \(triggerID); check the id with 'ringwatch triggers'") }
            try audit(request, command: "ack", reason: reason, parameters: [
                ("trigger_id", .string(triggerID)), ("decision", .string(verdict.rawValue)),
            ])
            let id = try database.record(OperatorDecision(triggerID: triggerID, verdict: verdict, reason: reason, user: user, decidedAt: .now))
            return .object([("ok", .bool(true)), ("decision_id", .int(id))])
        } catch {
            logger.error("ack failed", metadata: ["error": "\(error)"])
            return Self.failure("could not store the decision: \(error)")
        }
    }

    /// `{"op":"purge","before":T,"reason":R,"user":U}`: removes history older than `before`
    /// (default: the retention period), on the writer thread, without stopping ingest.
    func purge(_ request: [String: Any]) -> JSONValue {
        let cutoff: Timestamp
        if let text = request["before"] as? String {
            guard let time = Timestamp(rfc3339: text) else { return Self.failure("\"before\" must be an RFC 3339 time") }
            cutoff = time
        } else {
            let days = engine.writer.retention?.retentionDays ?? 365
            cutoff = Timestamp.now.adding(seconds: -days * 86_400)
        }
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        let reason = (request["reason"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "purge on demand"
        do {
            let removed = try engine.writer.purge(before: cutoff, user: user, reason: reason)
            var fields: [(String, JSONValue)] = [("ok", .bool(true)), ("before", .string(cutoff.rfc3339))]
            if case .object(let counts) = removed.json { fields += counts }
            return .object(fields)
        } catch {
            return Self.failure("purge failed: \(error)")
        }
    }
}
