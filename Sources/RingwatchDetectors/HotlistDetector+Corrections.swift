import RingwatchCore
import RingwatchIndex

extension HotlistDetector {
    /// Hits for a read the registry corrected: its plate is not registered, and exactly one
    /// OCR-confusion variant is, whose vehicle fits what the camera saw (the mismatch detector
    /// finds these and hands them over through `MismatchDetector.onMisread`).
    ///
    /// The corrected plate is looked up exactly, so a listed plate is caught even when the
    /// list's own tolerance is narrower than the registry's (exact-only, or one substitution).
    /// The hit is reported as `ocr_variant` with the substitutions between the read and the
    /// corrected plate — never as `exact` — and not at all for an entry the read already hit.
    public func correctedMatches(
        for read: PlateRead, correctedPlate: String, alreadyHit: Set<String>, cameras: CameraRegistry
    ) -> [TriggerDraft] {
        let readBytes = Array(read.plate.text.utf8), correctedBytes = Array(correctedPlate.utf8)
        // The registry corrects by confusion substitutions only (up to two, standard classes).
        let substitutions = OCRTolerance(maximumSubstitutions: 2, allowsDropInsert: false)
        guard let edits = substitutions.edits(read: readBytes, listed: correctedBytes), !edits.isEmpty else { return [] }
        var corrected = read
        corrected.plate = Plate(normalised: correctedPlate)
        return matcher.matches(for: corrected)
            .filter { $0.kind == .exact && !alreadyHit.contains($0.entry.pattern) }
            .map { exact in
                let assessments = HotlistScoring.assess(edits, read: read, listed: correctedBytes, isPattern: false)
                let score = HotlistScoring.score(.ocrVariant, assessments, readLength: readBytes.count, patternLiterals: correctedBytes.count)
                let match = HotlistMatch(entry: exact.entry, kind: .ocrVariant, edits: edits, assessments: assessments, score: score)
                var draft = draft(for: read, match: match, cameras: cameras, historical: false)
                draft.explanation += " The registry corrected the read: \(read.plate.text) is not registered and \(correctedPlate), "
                    + "its only registered look-alike, fits what the camera saw."
                draft.details.append(("corrected_by_registry", .bool(true)))
                return draft
            }
    }
}
