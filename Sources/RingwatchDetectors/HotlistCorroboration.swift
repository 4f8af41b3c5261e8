import RingwatchCore

/// What the vehicle registry (DIV) says about a hotlist hit that is not exact, and how it moves
/// the score and the severity.
///
/// Rules (exact hits are never touched; without a registry nothing changes; the registry takes
/// off at most two severity steps in all):
/// 1. The listed plate (not a pattern): if what the camera saw **fits** the vehicle registered
///    under it, the score moves half-way to 1 — the right vehicle with a misread plate. If it
///    **contradicts** it, the score is multiplied by 0.6 — unless the entry's category is
///    `stolen_plate`, where the plates are expected on another vehicle.
/// 2. The plate as read is itself registered. If what the camera saw **fits** that vehicle, the
///    score is halved; for an OCR variant the score is multiplied by 0.7 even when the camera
///    cannot tell (too dark, classifier unsure: `undetermined`). Either way the severity drops
///    two steps for an OCR variant (one for a wildcard, whose point is to find the registered
///    vehicles a witness's partial plate fits): a reader that reads a real plate has read it
///    right far more often than it has misread another plate into exactly it (on simulated
///    traffic, 99.9 % of such hits were the registered vehicle; docs/performance.md).
/// 3. An OCR variant whose plate as read is not registered, when what the camera saw does not
///    fit the listed vehicle but fits another registered plate the read differs from by
///    confusion substitutions (`VehicleRegistryLookup.fittingLookAlike`): most likely that
///    vehicle misread — score halved, severity lowered a step.
/// 4. Ambiguity. An OCR variant whose plate as read is not a registered vehicle that could be
///    there (not registered, or registered to one that contradicts what the camera saw) is
///    usually just as close a misread of other registered plates
///    (`VehicleRegistryLookup.registeredAlternatives`: confusion look-alikes, one-character
///    completions and deletions). Those the read matches at least as well as the listed plate
///    (same `HotlistScoring`) and whose vehicle nothing the camera saw contradicts are
///    *rivals*; with `k` of them the listed vehicle is roughly one candidate in `k + 1`, so the
///    score is divided by `k + 1` and the severity lowered a step. The rivals are counted, not
///    named: they are uninvolved vehicles.
///
/// `contradicts` on the plate as read changes nothing by itself (it may be the listed vehicle
/// misread).
public struct HotlistCorroboration: Sendable {
    /// The fit of the read against the vehicle registered under the plate as read; nil when
    /// the registry was not asked.
    public let readPlateFit: VehicleFit?
    /// The fit against the vehicle registered under the listed plate; nil when not asked.
    public let listedPlateFit: VehicleFit?
    /// Registered plates the read is at least as close a misread of as of the listed plate,
    /// none contradicted by what the camera saw (rule 4); nil when not searched.
    public let rivals: Int?
    /// The score after corroboration.
    public let score: Double
    /// Severity steps the registry takes off (0...2).
    public let severitySteps: Int
    /// Why the registry lowered the severity, for the explanation; nil when it did not.
    public let severityReason: String?
    /// Clauses for the explanation, in the order the rules applied.
    public let notes: [String]

    /// Most severity steps the registry takes off a hit.
    public static let maximumSeveritySteps = 2

    /// Corroborates `match` of `read` against `registry` (nil: no registry loaded); `tolerance`
    /// is the matcher's, for finding what else the read could be a misread of.
    public init(match: HotlistMatch, read: PlateRead, registry: (any VehicleRegistryLookup)?, tolerance: OCRTolerance = .standard) {
        guard match.kind != .exact, let registry else {
            self.init(
                readPlateFit: nil, listedPlateFit: nil, rivals: nil, score: match.score, severitySteps: 0, severityReason: nil, notes: [])
            return
        }
        var score = match.score
        var steps = 0
        var reasons: [String] = []
        var notes: [String] = []
        let listed = match.entry.pattern
        var listedFit: VehicleFit?
        if match.kind == .ocrVariant {
            let fit = registry.fit(of: read, registeredAs: listed)
            listedFit = fit
            switch fit {
            case .fits:
                score += (1 - score) * 0.5
                notes.append("what the camera saw fits the vehicle registered as \(listed), which raises the score")
            case .contradicts(let fields) where match.entry.category != "stolen_plate":
                score *= 0.6
                notes.append("what the camera saw contradicts the vehicle registered as \(listed) (\(fields.joined(separator: ", "))), which lowers the score")
            default:
                break
            }
        }
        let readFit = registry.fit(of: read, registeredAs: read.plate.text)
        // Rule 2 lowers a variant two steps: see the type's documentation.
        let readPlateSteps = match.kind == .ocrVariant ? 2 : 1
        let lowered = readPlateSteps == 2 ? "score lowered, severity two steps" : "score and severity lowered"
        switch readFit {
        case .fits:
            score *= 0.5
            steps += readPlateSteps
            reasons.append("read plate registered and fitting")
            notes.append("\(read.plate.text) is itself registered to a vehicle that fits what the camera saw, so this is probably that vehicle and not the listed one: \(lowered)")
        case .undetermined where match.kind == .ocrVariant:
            score *= 0.7
            steps += readPlateSteps
            reasons.append("read plate registered")
            notes.append(
                "\(read.plate.text) is itself a registered plate and nothing the camera saw says this is not that vehicle, "
                    + "so it probably is (a reader reads a real plate right far more often than it misreads another into exactly it): \(lowered)")
        case .notRegistered where match.kind == .ocrVariant && listedFit != .fits:
            if let lookAlike = registry.fittingLookAlike(of: read, otherThan: listed, within: tolerance) {
                score *= 0.5
                steps += 1
                reasons.append("a registered look-alike fits")
                notes.append(
                    "\(read.plate.text) is not registered, but its OCR variant \(lookAlike) is, and fits what the camera saw, "
                        + "so this is probably that vehicle misread: score and severity lowered")
            }
        default:
            break
        }
        var rivals: Int?
        if match.kind == .ocrVariant, readFit == .notRegistered || readFit.isContradiction {
            let count = Self.rivals(of: match, read: read, registry: registry, tolerance: tolerance)
            rivals = count
            if count > 0 {
                score /= Double(count + 1)
                steps += 1
                let plates = count == 1 ? "another registered plate" : "\(count) other registered plates"
                reasons.append(count == 1 ? "another registered plate as close" : "\(count) other registered plates as close")
                notes.append(
                    "\(read.plate.text) is at least as close a misread of \(plates) whose vehicle\(count == 1 ? "" : "s") nothing the camera "
                        + "saw rules out, so the listed vehicle is about 1 candidate in \(count + 1): score divided by \(count + 1) and severity lowered")
            }
        }
        self.init(
            readPlateFit: readFit, listedPlateFit: listedFit, rivals: rivals, score: score,
            severitySteps: min(steps, Self.maximumSeveritySteps), severityReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            notes: notes)
    }

    /// Rule 4: how many registered alternatives of the read are not contradicted by what the
    /// camera saw and match the read at least as well as the listed plate does.
    static func rivals(of match: HotlistMatch, read: PlateRead, registry: any VehicleRegistryLookup, tolerance: OCRTolerance) -> Int {
        let alternatives = registry.registeredAlternatives(of: read, otherThan: match.entry.pattern, within: tolerance)
        guard !alternatives.isEmpty else { return 0 }
        let readBytes = Array(read.plate.text.utf8)
        let entry = match.entry
        return alternatives.count { alternative in
            guard !alternative.fit.isContradiction else { return false }
            let rival = HotlistEntry(pattern: alternative.plate, category: entry.category, severity: entry.severity, reason: "", expires: nil)
            guard let other = HotlistMatcher.match(read: read, readBytes: readBytes, entry: rival, tolerance) else { return false }
            // Scores are products of the same factors: allow for rounding in the comparison.
            return other.score >= match.score - 1e-9
        }
    }

    private init(
        readPlateFit: VehicleFit?, listedPlateFit: VehicleFit?, rivals: Int?, score: Double, severitySteps: Int, severityReason: String?,
        notes: [String]
    ) {
        self.readPlateFit = readPlateFit
        self.listedPlateFit = listedPlateFit
        self.rivals = rivals
        self.score = score
        self.severitySteps = severitySteps
        self.severityReason = severityReason
        self.notes = notes
    }

    /// The trigger's `registry` field *(addition)*: how each plate's registration fitted.
    public var json: JSONValue? {
        guard readPlateFit != nil || listedPlateFit != nil else { return nil }
        func text(_ fit: VehicleFit?) -> JSONValue {
            switch fit {
            case nil: .null
            case .notRegistered: .string("not_registered")
            case .undetermined: .string("undetermined")
            case .fits: .string("fits")
            case .contradicts(let fields): .string("contradicts:" + fields.joined(separator: ","))
            }
        }
        var fields: [(String, JSONValue)] = [("read_plate", text(readPlateFit)), ("listed_plate", text(listedPlateFit))]
        if let rivals { fields.append(("rivals", .int(Int64(rivals)))) }
        return .object(fields)
    }
}

extension VehicleFit {
    /// True for `contradicts`, whatever the fields.
    var isContradiction: Bool {
        if case .contradicts = self { return true }
        return false
    }
}
