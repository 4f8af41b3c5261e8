import ArgumentParser
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch triggers`: the history of triggers.
struct Triggers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "History of triggers (audited; needs --reason).")

    @Option(name: .long, help: "Only this kind: hotlist, convoy, route, mismatch, clone.")
    var kind: String?

    @Option(name: .customLong("since-seq"), help: "Only triggers with seq above N (ignores the default period).")
    var sinceSeq: Int64?

    @Option(name: .long, help: "At most this many rows.")
    var limit = 10_000

    @Flag(name: .long, help: "Instead of triggers, operators' decisions counted per detector and per hotlist entry (precision).")
    var stats = false

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "triggers")
        if let kind, TriggerKind(rawValue: kind) == nil {
            throw UsageError("--kind '\(kind)' is not one of \(TriggerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // With --since-seq the caller is catching up by sequence, not asking for a period.
        let period: (from: Timestamp, to: Timestamp)? = (sinceSeq != nil && options.from == nil && options.to == nil) ? nil : try options.period()
        let database = try options.openDatabase()
        if let period { try options.checkAccess(database, from: period.from) }
        try options.audit(database, command: stats ? "triggers --stats" : "triggers", parameters: [
            ("kind", .optional(kind)), ("since_seq", sinceSeq.map { .int($0) } ?? .null),
            ("from", .optional(period?.from.rfc3339)), ("to", .optional(period?.to.rfc3339)),
        ])
        if stats {
            try printStatistics(database, period: period ?? (Timestamp(milliseconds: 0), .now))
            return
        }
        let triggers = try database.triggers(since: sinceSeq ?? 0, limit: limit, kind: kind, from: period?.from, to: period?.to)
        let decisions = try database.latestDecisions(for: triggers.map(\.triggerID))
        if options.format == .jsonl {
            // The objects that were published, with the operator's decision added when there is one.
            emit(triggers.map { trigger in
                guard let decision = decisions[trigger.triggerID], trigger.body.hasSuffix("}") else { return trigger.body + "\n" }
                return trigger.body.dropLast() + ",\"decision\":" + decision.json.serialized + "}\n"
            }.joined())
            return
        }
        let rows: [JSONValue] = triggers.map { trigger in
            var fields: [(String, JSONValue)] = [
                ("seq", .int(trigger.sequence)),
                ("ts", .string(trigger.timestamp.rfc3339Seconds)),
                ("kind", .string(trigger.kind)),
                ("severity", .string(trigger.severity)),
                ("plate", .string(trigger.plate)),
                ("camera", .string(trigger.camera)),
                ("ring", .string(trigger.ring)),
                ("trigger_id", .string(trigger.triggerID)),
            ]
            fields.append(("decision", .optional(decisions[trigger.triggerID]?.verdict.rawValue)))
            fields.append(("explanation", .string(TriggerBody.explanation(of: trigger.body))))
            return .object(fields)
        }
        let columns = options.format == .table
            ? ["seq", "ts", "kind", "severity", "plate", "camera", "decision", "explanation"]
            : ["seq", "ts", "kind", "severity", "plate", "camera", "ring", "trigger_id", "decision", "explanation"]
        emit(RowPrinter(format: options.format, columns: columns).render(rows))
    }

    /// Decisions per detector and per hotlist entry, with precision (accepted among decided).
    private func printStatistics(_ database: HistoryDatabase, period: (from: Timestamp, to: Timestamp)) throws {
        let rows: [JSONValue] = try database.decisionStatistics(from: period.from, to: period.to)
            .filter { kind == nil || $0.scope == kind || $0.scope.hasPrefix("\(kind!) ") }
            .map { statistics in
                .object([
                    ("scope", .string(statistics.scope)), ("triggers", .int(statistics.triggers)),
                    ("accepted", .int(statistics.accepted)), ("rejected", .int(statistics.rejected)),
                    ("undecided", .int(statistics.undecided)),
                    ("precision", statistics.precision.map { .double(($0 * 1000).rounded() / 1000) } ?? .null),
                ])
            }
        emit(RowPrinter(format: options.format, columns: ["scope", "triggers", "accepted", "rejected", "undecided", "precision"]).render(rows))
    }
}
