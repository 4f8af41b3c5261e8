/// What fired: one value per detector.
public enum TriggerKind: String, Sendable, Hashable, CaseIterable {
    case hotlist, convoy, route, mismatch, clone
}

/// How urgently dispatch should look, most urgent first.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case critical, high, medium, low

    /// 0 for critical … 3 for low.
    public var rank: Int { Severity.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }
}

/// What a detector decides: everything about a trigger except what the engine assigns
/// (`seq`, `emitted_at`).
public struct TriggerDraft: Sendable {
    public var kind: TriggerKind
    public var severity: Severity
    /// The read that fired it.
    public var read: PlateRead
    /// Ring of the firing read's camera.
    public var ring: String
    /// The evidence, the firing read included.
    public var readIDs: [ReadID]
    /// One sentence an operator can act on.
    public var explanation: String
    /// What makes this trigger distinct besides its evidence (e.g. the hotlist entry), so that
    /// the same read matching two entries gives two ids.
    public var rule: String
    /// The kind-specific fields of CONTRACT.md section 3, in order.
    public var details: [(String, JSONValue)]

    public init(
        kind: TriggerKind, severity: Severity, read: PlateRead, ring: String, readIDs: [ReadID],
        explanation: String, rule: String, details: [(String, JSONValue)]
    ) {
        self.kind = kind
        self.severity = severity
        self.read = read
        self.ring = ring
        self.readIDs = readIDs
        self.explanation = explanation
        self.rule = rule
        self.details = details
    }

    /// The deterministic id: a function of kind, rule and evidence only, so two engines fed the
    /// same stream, or one engine replaying it, give the same id.
    public var triggerID: String {
        var text = "\(kind.rawValue)|\(rule)|"
        text += readIDs.sorted().map(\.description).joined(separator: ",")
        return String(SHA256.hex(text).prefix(32))
    }
}

/// A published trigger: the object of CONTRACT.md section 3.
public struct Trigger: Sendable {
    public var triggerID: String
    public var sequence: Int64
    public var kind: TriggerKind
    public var severity: Severity
    public var timestamp: Timestamp
    public var emittedAt: Timestamp
    public var plate: Plate
    public var camera: String
    public var ring: String
    public var readIDs: [ReadID]
    public var explanation: String
    public var details: [(String, JSONValue)]

    public init(draft: TriggerDraft, sequence: Int64, emittedAt: Timestamp) {
        self.triggerID = draft.triggerID
        self.sequence = sequence
        self.kind = draft.kind
        self.severity = draft.severity
        self.timestamp = draft.read.timestamp
        self.emittedAt = emittedAt
        self.plate = draft.read.plate
        self.camera = draft.read.camera
        self.ring = draft.ring
        self.readIDs = draft.readIDs
        self.explanation = draft.explanation
        self.details = draft.details
    }

    /// The ZeroMQ topic: `trigger.<kind>.<severity>`.
    public var topic: String { "trigger.\(kind.rawValue).\(severity.rawValue)" }

    /// The JSON body, common fields first in contract order, then the kind's own.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("trigger_id", .string(triggerID)),
            ("seq", .int(sequence)),
            ("kind", .string(kind.rawValue)),
            ("severity", .string(severity.rawValue)),
            ("ts", .string(timestamp.rfc3339)),
            ("emitted_at", .string(emittedAt.rfc3339)),
            ("plate", .string(plate.text)),
            ("camera", .string(camera)),
            ("ring", .string(ring)),
            ("read_ids", .array(readIDs.map { .string($0.description) })),
            ("explanation", .string(explanation)),
        ]
        fields.append(contentsOf: details)
        return .object(fields)
    }
}
