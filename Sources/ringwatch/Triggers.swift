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
        // With --since-seq the caller is catching up by sequence, not asking for a period; without
        // an authorisation it still sees only triggers of the open-access period.
        var period: (from: Timestamp, to: Timestamp)? = (sinceSeq != nil && options.from == nil && options.to == nil) ? nil : try options.period()
        let database = try options.openDatabase()
        // A period asked for is checked against the open-access period (and a refusal audited);
        // catching up by seq is cut to it instead.
        let reaching = period?.from
        if period == nil && options.authorizationReference == nil {
            period = (try options.accessPolicy(database).openAccessStart(now: .now), Timestamp.now.adding(seconds: 366 * 86_400))
        }
        try options.audit(database, command: stats ? "triggers --stats" : "triggers", parameters: [
            ("kind", .optional(kind)), ("since_seq", sinceSeq.map { .int($0) } ?? .null),
            ("from", .optional(period?.from.rfc3339)), ("to", .optional(period?.to.rfc3339)),
        ], reaching: reaching)
        if stats {
            try printStatistics(database, period: period ?? (Timestamp(milliseconds: 0), .now))
            return
        }
        let triggers = cutAtLimit(try database.triggers(since: sinceSeq ?? 0, limit: limit + 1, kind: kind, from: period?.from, to: period?.to), limit: limit)
        let decisions = try database.latestDecisions(for: triggers.map(\.triggerID))
        if options.format == .jsonl {
            // The objects that were published, with the operator's decision added when there is one.
            emit(triggers.map { trigger in
                guard let decision = decisions[trigger.triggerID], trigger.body.hasSuffix("}") else { return trigger.body + "\n" }
                return trigger.body.dropLast() + ",\"decision\":" + decision.json.serialized + "}\n"
            }.joined())
            return
        }
        let rows: [JSONValue] = triggers.map { Self.row($0, decision: decisions[$0.triggerID]?.verdict.rawValue, format: options.format) }
        let columns = Self.columns(options.format)
        // GeoJSON: each trigger a Point at the camera of the read that fired it.
        let cameras = options.format == .geojson ? try database.cameras() : CameraRegistry()
        let printer = RowPrinter(format: options.format, columns: columns) { row in
            GeoJSON.point(camera: row["camera"]?.stringValue ?? "", in: cameras)
        }
        emit(printer.render(rows))
    }

    /// The columns of the table and CSV forms (the table leaves out the ids). CSV carries every
    /// common field of a trigger (CONTRACT.md section 3); `emitted_at` and `read_ids` come last
    /// so that columns read by position before they were added keep their place.
    static func columns(_ format: OutputFormat) -> [String] {
        format == .table
            ? ["seq", "ts", "kind", "severity", "plate", "camera", "decision", "explanation"]
            : ["seq", "ts", "kind", "severity", "plate", "camera", "ring", "trigger_id", "decision", "explanation",
               "emitted_at", "read_ids"]
    }

    /// One trigger as a row of the table and CSV forms: times to the second for people, to the
    /// millisecond (as published) for machines; `read_ids` space-separated, as lists are in CSV.
    static func row(_ trigger: StoredTrigger, decision: String?, format: OutputFormat) -> JSONValue {
        let time = format == .table ? \Timestamp.rfc3339Seconds : \Timestamp.rfc3339
        return .object([
            ("seq", .int(trigger.sequence)),
            ("ts", .string(trigger.timestamp[keyPath: time])),
            ("kind", .string(trigger.kind)),
            ("severity", .string(trigger.severity)),
            ("plate", .string(trigger.plate)),
            ("camera", .string(trigger.camera)),
            ("ring", .string(trigger.ring)),
            ("trigger_id", .string(trigger.triggerID)),
            ("decision", .optional(decision)),
            ("explanation", .string(TriggerBody.explanation(of: trigger.body))),
            ("emitted_at", .string(trigger.emittedAt[keyPath: time])),
            ("read_ids", .string(TriggerBody.readIDs(of: trigger.body).joined(separator: " "))),
        ])
    }

    /// `--follow`: prints each trigger once, in `seq` order, as it fires or as replay fills a gap.
    private func runFollow() throws {
        if stats { throw UsageError("--follow and --stats do not go together; use one") }
        if options.format == .geojson { throw UsageError("--follow prints triggers as they come; use --format jsonl, table or csv, not geojson") }
        if let count, count < 1 { throw UsageError("--count must be at least 1") }
        // The follower reads from the engine's sockets. Its audit row goes into the database when
        // this machine has the file, else the engine records it; with neither it does not start.
        let parameters: [(String, JSONValue)] = [
            ("kind", .optional(kind)), ("since_seq", sinceSeq.map { .int($0) } ?? .null), ("triggers", .string(triggerEndpoint)),
        ]
        if FileManager.default.fileExists(atPath: options.db) {
            _ = try options.audit(try options.openDatabase(), command: "triggers --follow", parameters: parameters, reaching: nil)
        } else {
            var request: [String: Any] = [
                "op": "audit", "command": "triggers --follow", "reason": try options.requireReason(for: "triggers"), "user": options.userName,
            ]
            var given: [String: Any] = ["triggers": triggerEndpoint]
            if let kind { given["kind"] = kind }
            if let sinceSeq { given["since_seq"] = sinceSeq }
            request["parameters"] = given
            if let authorization = options.authorizationReference { request["authorization"] = authorization }
            do {
                _ = try ControlClient(endpoint: control).request(request)
            } catch {
                throw RuntimeError("cannot record the audit row, so not following: no database at \(options.db) and \(error)")
            }
        }
        Follow.installSignalHandlers()
        // Table and CSV print the same columns as without --follow, a line per trigger as it
        // comes (the table cannot align columns it has not seen yet); CSV starts with its header.
        let format = options.format
        let printer = RowPrinter(format: format, columns: Self.columns(format))
        if format == .csv { emit(printer.csvHeader) }
        if format == .table { emit(printer.columns.map { $0.uppercased() }.joined(separator: "  ") + "\n") }
        let follower = TriggerFollower(
            triggerEndpoint: triggerEndpoint, control: ControlClient(endpoint: control), kind: kind, stateFile: state, count: count
        ) { body in
            if format == .jsonl { return emit(body + "\n") }
            guard let trigger = StoredTrigger(publishedBody: body) else { return emit(body + "\n") }
            let row = Self.row(trigger, decision: nil, format: format)
            emit(format == .csv ? printer.csvLine(row) : printer.columns.map { row[$0]?.tableText ?? "" }.joined(separator: "  ") + "\n")
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

extension StoredTrigger {
    /// A trigger from the JSON object the engine published (for `--follow`); nil if the object
    /// lacks a common field.
    init?(publishedBody body: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let sequence = (object["seq"] as? NSNumber)?.int64Value, let triggerID = object["trigger_id"] as? String,
              let kind = object["kind"] as? String, let severity = object["severity"] as? String,
              let timestamp = (object["ts"] as? String).flatMap(Timestamp.init(rfc3339:)),
              let emittedAt = (object["emitted_at"] as? String).flatMap(Timestamp.init(rfc3339:))
        else { return nil }
        self.init(sequence: sequence, triggerID: triggerID, kind: kind, severity: severity, timestamp: timestamp,
                  plate: object["plate"] as? String ?? "", camera: object["camera"] as? String ?? "",
                  ring: object["ring"] as? String ?? "", emittedAt: emittedAt, body: body)
    }
}
