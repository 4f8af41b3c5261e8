import RingwatchCore
import SQLite

/// An operator's verdict on a trigger.
public enum Verdict: String, Sendable, CaseIterable {
    case accept
    case reject
}

/// An operator's recorded decision on one trigger.
public struct OperatorDecision: Sendable {
    public let triggerID: String
    public let verdict: Verdict
    public let reason: String
    public let user: String
    public let decidedAt: Timestamp

    public init(triggerID: String, verdict: Verdict, reason: String, user: String, decidedAt: Timestamp) {
        self.triggerID = triggerID
        self.verdict = verdict
        self.reason = reason
        self.user = user
        self.decidedAt = decidedAt
    }

    /// `{"decision":…,"reason":…,"user":…,"decided_at":…}`, as shown with a trigger.
    public var json: JSONValue {
        .object([
            ("decision", .string(verdict.rawValue)), ("reason", .string(reason)), ("user", .string(user)),
            ("decided_at", .string(decidedAt.rfc3339)),
        ])
    }
}

/// How operators judged one group of triggers (a detector, or one hotlist entry).
public struct DecisionStatistics: Sendable {
    /// `kind` for a detector; `hotlist <plate> (<category>, <match>)` for a hotlist entry.
    public let scope: String
    public let triggers: Int64
    public let accepted: Int64
    public let rejected: Int64

    public var undecided: Int64 { triggers - accepted - rejected }
    /// Accepted among decided; nil until something is decided.
    public var precision: Double? { accepted + rejected == 0 ? nil : Double(accepted) / Double(accepted + rejected) }
}

extension HistoryDatabase {
    /// True when a trigger with this id is stored.
    public func triggerExists(id: String) throws -> Bool {
        try connection.scalarInt("SELECT 1 FROM triggers WHERE trigger_id = ? LIMIT 1", [.text(id)]) != nil
    }

    /// Stores a decision; the latest decision on a trigger is the one that counts, earlier ones
    /// are kept as its history.
    @discardableResult
    public func record(_ decision: OperatorDecision) throws -> Int64 {
        try connection.cached("INSERT INTO decisions (trigger_id, decision, reason, user, decided_at) VALUES (?, ?, ?, ?, ?)")
            .run([.text(decision.triggerID), .text(decision.verdict.rawValue), .text(decision.reason), .text(decision.user),
                  .integer(decision.decidedAt.milliseconds)])
        return connection.lastInsertRowID
    }

    /// The latest decision on each of `triggerIDs` that has one.
    public func latestDecisions(for triggerIDs: [String]) throws -> [String: OperatorDecision] {
        var out: [String: OperatorDecision] = [:]
        let statement = try connection.cached("""
            SELECT trigger_id, decision, reason, user, decided_at FROM decisions
            WHERE trigger_id = ? ORDER BY id DESC LIMIT 1
            """)
        for id in Set(triggerIDs) {
            try statement.bind([.text(id)])
            if try statement.step(), let verdict = Verdict(rawValue: statement.string(1) ?? "") {
                out[id] = OperatorDecision(triggerID: id, verdict: verdict, reason: statement.string(2) ?? "",
                                           user: statement.string(3) ?? "", decidedAt: Timestamp(milliseconds: statement.int64(4)))
            }
            statement.reset()
        }
        return out
    }

    /// Decisions counted per detector, then per hotlist entry (and match type), for triggers
    /// fired in `from...to`.
    public func decisionStatistics(from: Timestamp, to: Timestamp) throws -> [DecisionStatistics] {
        // One row per trigger with its latest verdict; then counted per group.
        let judged = """
            WITH judged AS (
                SELECT t.kind, t.body,
                       (SELECT d.decision FROM decisions d WHERE d.trigger_id = t.trigger_id ORDER BY d.id DESC LIMIT 1) AS verdict
                FROM triggers t WHERE t.ts BETWEEN ?1 AND ?2
            )
            """
        let counts = "COUNT(*), SUM(verdict = 'accept'), SUM(verdict = 'reject')"
        let arguments: [Value] = [.integer(from.milliseconds), .integer(to.milliseconds)]
        var out: [DecisionStatistics] = []
        for row in try connection.rows("\(judged) SELECT kind, \(counts) FROM judged GROUP BY kind ORDER BY kind", arguments) {
            out.append(DecisionStatistics(scope: row[0].string ?? "", triggers: row[1].int64 ?? 0,
                                          accepted: row[2].int64 ?? 0, rejected: row[3].int64 ?? 0))
        }
        let entries = """
            \(judged)
            SELECT json_extract(body, '$.listed_plate'), json_extract(body, '$.category'), json_extract(body, '$.match'), \(counts)
            FROM judged WHERE kind = 'hotlist' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """
        for row in try connection.rows(entries, arguments) {
            let scope = "hotlist \(row[0].string ?? "?") (\(row[1].string ?? "?"), \(row[2].string ?? "?"))"
            out.append(DecisionStatistics(scope: scope, triggers: row[3].int64 ?? 0, accepted: row[4].int64 ?? 0, rejected: row[5].int64 ?? 0))
        }
        return out
    }
}
