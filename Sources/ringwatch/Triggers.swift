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

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "triggers")
        if let kind, TriggerKind(rawValue: kind) == nil {
            throw UsageError("--kind '\(kind)' is not one of \(TriggerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // With --since-seq the caller is catching up by sequence, not asking for a period.
        let period: (from: Timestamp, to: Timestamp)? = (sinceSeq != nil && options.from == nil && options.to == nil) ? nil : try options.period()
        let database = try options.openDatabase()
        try options.audit(database, command: "triggers", parameters: [
            ("kind", .optional(kind)), ("since_seq", sinceSeq.map { .int($0) } ?? .null),
            ("from", .optional(period?.from.rfc3339)), ("to", .optional(period?.to.rfc3339)),
        ])
        let triggers = try database.triggers(since: sinceSeq ?? 0, limit: limit, kind: kind, from: period?.from, to: period?.to)
        if options.format == .jsonl {
            // Exactly the objects that were published.
            emit(triggers.map { $0.body + "\n" }.joined())
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
            fields.append(("explanation", .string(TriggerBody.explanation(of: trigger.body))))
            return .object(fields)
        }
        let columns = options.format == .table
            ? ["seq", "ts", "kind", "severity", "plate", "camera", "explanation"]
            : ["seq", "ts", "kind", "severity", "plate", "camera", "ring", "trigger_id", "explanation"]
        emit(RowPrinter(format: options.format, columns: columns).render(rows))
    }
}
