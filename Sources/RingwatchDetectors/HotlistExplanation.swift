import RingwatchCore

/// The one sentence a dispatcher reads on a hotlist trigger: what was read where, which entry it
/// hit and how, why the score is what it is, and why the severity was lowered if it was.
///
/// Example: "Plate read as 1QZX4I7 at R2-04 (R1 Deurne / Noordersingel, ring R2) is an OCR
/// variant of hotlisted 1QZX417 (stolen_vehicle, critical: Reported stolen 2026-11-10): I at
/// position 6 read where the list has 1 (only a digit is valid there; char confidence 0.41);
/// score 0.92."
///
/// Triggers may name plates (they go to dispatch, who must act on them); logs never do.
enum HotlistExplanation {
    static func sentence(
        read: PlateRead, match: HotlistMatch, place: String, historical: Bool, score: Double,
        severity: Severity, corroboration: HotlistCorroboration, loweredForScoreBelow threshold: Double?
    ) -> String {
        let entry = match.entry
        let listing = "(\(entry.category), \(entry.severity.rawValue): \(entry.reason.isEmpty ? "no reason given" : entry.reason))"
        var clauses: [String] = []
        switch match.kind {
        case .exact:
            let when = historical ? "was read earlier" : "was read"
            // Unchanged from the exact-only engine: the listed plate is the plate in the trigger.
            return "Plate \(when) at \(place) and exactly matches a \(entry.severity.rawValue) hotlist entry "
                + "(\(entry.category)): \(entry.reason.isEmpty ? "no reason given" : entry.reason)."
        case .ocrVariant:
            clauses.append("Plate read \(historical ? "earlier " : "")as \(read.plate.text) at \(place) is an OCR variant of hotlisted "
                + "\(entry.pattern) \(listing): " + describe(match.assessments))
        case .wildcard:
            var text = "Plate read \(historical ? "earlier " : "")as \(read.plate.text) at \(place) matches the hotlisted pattern "
                + "\(entry.pattern) (? one character, * any run) \(listing)"
            if !match.assessments.isEmpty { text += ": " + describe(match.assessments) }
            clauses.append(text)
        }
        clauses.append(contentsOf: corroboration.notes)
        clauses.append("score \(twoDecimals(score))")
        if severity != entry.severity {
            var why: [String] = []
            if let threshold { why.append("score below \(twoDecimals(threshold))") }
            if let reason = corroboration.severityReason { why.append(reason) }
            clauses.append("severity lowered from \(entry.severity.rawValue) to \(severity.rawValue) (\(why.joined(separator: "; ")))")
        }
        return clauses.joined(separator: "; ") + "."
    }

    /// "8 at position 3 read where the list has B (...), and ...".
    static func describe(_ assessments: [HotlistScoring.EditAssessment]) -> String {
        let parts = assessments.map { assessment -> String in
            let edit = assessment.edit
            var notes: [String] = []
            if assessment.breaksFormat, let slot = assessment.requiredSlot {
                notes.append("only \(slot.phrase) is valid there")
            }
            if let confidence = assessment.confidence { notes.append("char confidence \(twoDecimals(confidence))") }
            let detail = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
            switch edit.kind {
            case .substituted:
                return "\(edit.readText) at position \(edit.listedIndex + 1) read where the list has \(edit.listedText)\(detail)"
            case .dropped:
                return "\(edit.listedText) at position \(edit.listedIndex + 1) missing from the read"
            case .added:
                return "an extra \(edit.readText) read before position \(edit.listedIndex + 1)\(detail)"
            }
        }
        switch parts.count {
        case 0: return "no substitutions"
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        }
    }

    /// `0.86`: two decimals without Foundation.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
