import RingwatchCore

/// How sure a hotlist match is, 0...1, before registry corroboration.
///
/// - An exact match scores 1; nothing else does.
/// - An OCR variant starts at 0.95 and each edit takes off a share of what is left:
///   a substitution costs `0.05 + 0.20 × c`, where `c` is the reader's confidence in that
///   character (`char_confidence`, else the read's `confidence`, else 0.8) — a confident
///   character read differently is more likely a different plate; a substitution that breaks
///   the listed plate's Belgian format (a digit where only a letter is valid, or the reverse:
///   the read cannot be a real plate of that format) costs a quarter of that; a dropped
///   character costs 0.32 and an added one `0.27 + 0.10 × c`, more than any substitution.
/// - A wildcard match starts at `0.45 + 0.45 × literals / length of the read` (a pattern that
///   fixes more of the plate says more), then substitutions cost as above.
///
/// So one substitution scores between 0.72 (confident, format-valid) and 0.94 (unsure,
/// format-breaking); two confident ones 0.55; a drop 0.65.
public enum HotlistScoring {
    /// What one edit weighed, for the score and the explanation.
    public struct EditAssessment: Sendable, Hashable {
        public let edit: PlateEdit
        /// The reader's confidence in the character read, when known.
        public let confidence: Double?
        /// The kind of character the listed plate's format requires at this position, when the
        /// listed plate fits a known format and the read is Belgian.
        public let requiredSlot: PlateFormat.Slot?
        /// True when the character read cannot stand at this position in that format.
        public let breaksFormat: Bool
        /// The share of the score this edit takes off, 0...1.
        public let cost: Double
    }

    /// Where an OCR variant starts before its edits are weighed.
    public static let variantCeiling = 0.95
    /// Confidence assumed for a character when the read carries none.
    public static let assumedConfidence = 0.8

    /// Weighs each edit of a match between `read` and the listed plate or pattern `listed`.
    public static func assess(_ edits: [PlateEdit], read: PlateRead, listed: [UInt8], isPattern: Bool) -> [EditAssessment] {
        // Formats are Belgian; a pattern has no fixed positions to judge.
        let useFormat = !isPattern && read.country == "BE"
        return edits.map { edit in
            var confidence: Double?
            if edit.read != nil {
                if let characters = read.characterConfidence, edit.readIndex < characters.count {
                    confidence = characters[edit.readIndex]
                } else {
                    confidence = read.confidence
                }
            }
            let c = min(max(confidence ?? assumedConfidence, 0), 1)
            var slot: PlateFormat.Slot?
            var breaks = false
            var cost: Double
            switch edit.kind {
            case .substituted:
                slot = useFormat ? PlateFormat.slot(at: edit.listedIndex, of: listed) : nil
                breaks = slot != nil && edit.read.flatMap(PlateFormat.Slot.init(of:)) != slot
                cost = (0.05 + 0.20 * c) * (breaks ? 0.25 : 1)
            case .dropped:
                cost = 0.32
            case .added:
                cost = 0.27 + 0.10 * c
            }
            return EditAssessment(edit: edit, confidence: confidence, requiredSlot: slot, breaksFormat: breaks, cost: cost)
        }
    }

    /// The score of a match of `kind` with these assessed edits.
    public static func score(_ kind: HotlistMatch.Kind, _ assessments: [EditAssessment], readLength: Int, patternLiterals: Int) -> Double {
        let start: Double
        switch kind {
        case .exact: return 1
        case .ocrVariant: start = variantCeiling
        case .wildcard: start = min(0.9, 0.45 + 0.45 * Double(patternLiterals) / Double(max(readLength, 1)))
        }
        return assessments.reduce(start) { $0 * (1 - $1.cost) }
    }
}
