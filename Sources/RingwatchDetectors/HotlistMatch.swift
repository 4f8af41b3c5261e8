import RingwatchCore

/// One hotlist entry a read matched: how, by which edits, and how sure.
public struct HotlistMatch: Sendable {
    /// How the read matched; the trigger's `match` field.
    public enum Kind: String, Sendable, Hashable {
        /// The plate as read is the listed plate, character for character.
        case exact
        /// The plate as read differs from the listed plate by confusion substitutions and/or one
        /// dropped or added character, within the configured limits. Never reported as exact.
        case ocrVariant = "ocr_variant"
        /// The listed entry is a pattern with `?`/`*` (possibly matched with substitutions).
        case wildcard
    }

    public let entry: HotlistEntry
    public let kind: Kind
    /// The edits, in listed order (empty for an exact match or a literal wildcard match).
    public let edits: [PlateEdit]
    /// What each edit weighed (same order as `edits`).
    public let assessments: [HotlistScoring.EditAssessment]
    /// 0...1: 1 for exact only; see `HotlistScoring`. Registry corroboration is applied later,
    /// by the detector.
    public let score: Double

    public init(entry: HotlistEntry, kind: Kind, edits: [PlateEdit], assessments: [HotlistScoring.EditAssessment], score: Double) {
        self.entry = entry
        self.kind = kind
        self.edits = edits
        self.assessments = assessments
        self.score = score
    }
}
