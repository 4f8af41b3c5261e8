import ArgumentParser
import Foundation
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

    @Flag(name: .long, help: "Follow live triggers, filling gaps in seq from the engine's replay; runs until interrupted.")
    var follow = false

    @Option(name: .customLong("triggers"), help: "With --follow: the engine's trigger endpoint.")
    var triggerEndpoint = "tcp://127.0.0.1:5560"

    @Option(name: .long, help: "With --follow: the engine's control endpoint (for replay).")
    var control = "tcp://127.0.0.1:5570"

    @Option(name: .long, help: "With --follow: file keeping the last seq handed on, to resume after a restart.")
    var state: String?

    @Option(name: .long, help: "With --follow: stop after this many triggers.")
    var count: Int?

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "triggers")
        if let kind, TriggerKind(rawValue: kind) == nil {
            throw UsageError("--kind '\(kind)' is not one of \(TriggerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if follow { return try runFollow() }
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
        // GeoJSON: each trigger a Point at the camera of the read that fired it.
        let cameras = options.format == .geojson ? try database.cameras() : CameraRegistry()
        let printer = RowPrinter(format: options.format, columns: columns) { row in
            GeoJSON.point(camera: row["camera"]?.stringValue ?? "", in: cameras)
        }
        emit(printer.render(rows))
    }

    /// `--follow`: prints each trigger once, in `seq` order, as it fires or as replay fills a gap.
    private func runFollow() throws {
        if stats { throw UsageError("--follow and --stats do not go together; use one") }
        if options.format == .geojson { throw UsageError("--follow prints triggers as they come; use --format jsonl, table or csv, not geojson") }
        if let count, count < 1 { throw UsageError("--count must be at least 1") }
        // The follower reads from the engine's sockets; its query is audited in the database
        // when this machine has it.
        if FileManager.default.fileExists(atPath: options.db) {
            try options.audit(try options.openDatabase(), command: "triggers --follow", parameters: [
                ("kind", .optional(kind)), ("since_seq", sinceSeq.map { .int($0) } ?? .null), ("triggers", .string(triggerEndpoint)),
            ])
        }
        Follow.installSignalHandlers()
        let format = options.format
        let follower = TriggerFollower(
            triggerEndpoint: triggerEndpoint, control: ControlClient(endpoint: control), kind: kind, stateFile: state, count: count
        ) { body in
            if format == .jsonl {
                emit(body + "\n")
            } else {
                let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
                let fields = ["seq", "ts", "kind", "severity", "plate", "camera", "explanation"].map { "\(object[$0] ?? "")" }
                emit(format == .csv ? fields.map(RowPrinter.csvField).joined(separator: ",") + "\n" : fields.joined(separator: "  ") + "\n")
            }
        }
        try follower.run(startingAfter: sinceSeq)
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
