import RingwatchCore

/// What the vehicle registry (DIV) says about a hotlist hit that is not exact, and how it moves
/// the score and the severity.
///
/// Rules (exact hits are never touched; without a registry nothing changes):
/// 1. The listed plate (not a pattern): if what the camera saw **fits** the vehicle registered
///    under it, the score moves half-way to 1 — the right vehicle with a misread plate. If it
///    **contradicts** it, the score is multiplied by 0.6 — unless the entry's category is
///    `stolen_plate`, where the plates are expected on another vehicle.
/// 2. The plate as read: if it is itself registered and what the camera saw **fits** that
///    vehicle, the score is halved and the severity lowered one step — most likely a different,
///    legitimate vehicle whose plate happens to be a variant of the listed one. For an OCR
///    variant, a registered plate as read lowers the severity a step even when the camera
///    cannot tell (too dark, classifier unsure: `undetermined`), with the score times 0.7: a
///    reader that reads a real plate has far more often read it right than misread another
///    plate into exactly it (on simulated traffic, 99.9 % of such hits were the registered
///    vehicle; docs/performance.md).
/// 3. An OCR variant whose plate as read is not registered, when what the camera saw does not
///    fit the listed vehicle but fits another registered plate the read differs from by
///    confusion substitutions (`VehicleRegistryLookup.fittingLookAlike`): most likely that
///    vehicle misread — score halved, severity lowered a step.
///
/// `contradicts` on the plate as read changes nothing (it may be the listed vehicle misread).
public struct HotlistCorroboration: Sendable {
    /// The fit of the read against the vehicle registered under the plate as read; nil when
    /// the registry was not asked.
    public let readPlateFit: VehicleFit?
    /// The fit against the vehicle registered under the listed plate; nil when not asked.
    public let listedPlateFit: VehicleFit?
    /// The score after corroboration.
    public let score: Double
    /// Severity steps the registry takes off (0 or 1).
    public let severitySteps: Int
    /// Why the registry lowered the severity, for the explanation; nil when it did not.
    public let severityReason: String?
    /// Clauses for the explanation, in the order the rules applied.
    public let notes: [String]

    /// Corroborates `match` of `read` against `registry` (nil: no registry loaded); `tolerance`
    /// is the matcher's, for finding what else the read could be a misread of.
    public init(match: HotlistMatch, read: PlateRead, registry: (any VehicleRegistryLookup)?, tolerance: OCRTolerance = .standard) {
        guard match.kind != .exact, let registry else {
            self.init(readPlateFit: nil, listedPlateFit: nil, score: match.score, severitySteps: 0, severityReason: nil, notes: [])
            return
        }
        var score = match.score
        var steps = 0
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
        var reason: String?
        let readFit = registry.fit(of: read, registeredAs: read.plate.text)
        switch readFit {
        case .fits:
            score *= 0.5
            steps = 1
            reason = "read plate registered and fitting"
            notes.append("\(read.plate.text) is itself registered to a vehicle that fits what the camera saw, so this is probably that vehicle and not the listed one: score and severity lowered")
        case .undetermined where match.kind == .ocrVariant:
            score *= 0.7
            steps = 1
            reason = "read plate registered"
            notes.append(
                "\(read.plate.text) is itself a registered plate and nothing the camera saw says this is not that vehicle, "
                    + "so it probably is: score and severity lowered")
        case .notRegistered where match.kind == .ocrVariant && listedFit != .fits:
            if let lookAlike = registry.fittingLookAlike(of: read, otherThan: listed, within: tolerance) {
                score *= 0.5
                steps = 1
                reason = "a registered look-alike fits"
                notes.append(
                    "\(read.plate.text) is not registered, but its OCR variant \(lookAlike) is, and fits what the camera saw, "
                        + "so this is probably that vehicle misread: score and severity lowered")
            }
        default:
            break
        }
        self.init(
            readPlateFit: readFit, listedPlateFit: listedFit, score: score, severitySteps: steps, severityReason: reason, notes: notes)
    }

    private init(
        readPlateFit: VehicleFit?, listedPlateFit: VehicleFit?, score: Double, severitySteps: Int, severityReason: String?, notes: [String]
    ) {
        self.readPlateFit = readPlateFit
        self.listedPlateFit = listedPlateFit
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
        return .object([("read_plate", text(readPlateFit)), ("listed_plate", text(listedPlateFit))])
    }
}
