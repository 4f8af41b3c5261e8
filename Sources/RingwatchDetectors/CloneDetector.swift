import RingwatchCore
import RingwatchIndex
import RingwatchRegistry

/// Fires `clone` triggers when one plate is read at two cameras further apart than a vehicle
/// could drive in the time between the reads: two vehicles probably carry the same plate.
///
/// A pair of reads is implausible when `distance > max_speed × (elapsed + skew margin)` and the
/// cameras are at least `minimumDistanceKilometres` apart (neighbouring cameras, and clocks a
/// few seconds apart, must never fire). Only reads within the time it takes to cross the
/// whole camera network at `max_speed` can be implausible, so each read looks at that slice of
/// the window for its plate, and fires once, for the most implausible partner.
///
/// OCR errors imitate clones: a `1-ABC-128` read as `1-ABC-12B` far away from a real
/// `1-ABC-12B`. Before firing, both reads are checked:
/// - a read whose vehicle fits a registered OCR-confusion variant of the plate and not the
///   plate's own registration is that other vehicle — no trigger;
/// - a read with a weak character (per-character confidence below `weakCharacterConfidence`
///   at a confusable position, or without per-character confidences an OCR confidence below
///   `weakOCRConfidence` on a plate with confusable characters) whose variant at those
///   positions is registered is probably that vehicle misread — no trigger;
/// - a weak read without such a variant fires `medium`, saying so; otherwise `high`.
///
/// One plate fires at most once per `rateLimitSeconds` of event time unless the severity rises;
/// the `trigger_id` is a function of the two reads, so the same pair is never reported twice.
public final class CloneDetector: Detector {
    /// Thresholds; see docs/operations.md.
    public struct Configuration: Sendable, Hashable {
        /// The fastest plausible speed between two cameras.
        public var maximumSpeedKilometresPerHour = 200.0
        /// Added to the elapsed time: camera clocks are never exactly in step.
        public var skewMarginSeconds = 5.0
        /// Cameras closer than this never make a clone.
        public var minimumDistanceKilometres = 1.0
        /// A confusable character read with less confidence than this makes a read doubtful.
        public var weakCharacterConfidence = 0.7
        /// Without per-character confidences: a read below this OCR confidence is doubtful.
        public var weakOCRConfidence = 0.6
        /// At most one trigger per plate in this much event time, unless the severity rises.
        public var rateLimitSeconds: Int64 = 600

        public init() {}
    }

    public let kind = TriggerKind.clone
    public var configuration: Configuration
    /// The registry, to tell two look-alike registered vehicles from a clone (optional).
    public let lookup: RegistryLookup?
    /// Pairs not fired because OCR or the registry explained them, for status and tests.
    public private(set) var suppressed = 0

    private var distances: CameraDistances?
    private var distancesFor = -1
    /// The camera registry's place of each window camera id (`CameraDistances` index; -1 when
    /// not registered, -2 not yet looked up), so distances need no camera text.
    private var cameraPlaces: [Int32] = []
    /// What the window does not keep about recent reads: classifier confidence and doubtful
    /// characters, under the read's place in the window. Forgotten a minute after the span.
    private var recent = ReadQualityMemory()
    private var latest: Int64 = .min
    private var lastFired: [PlateKey: (time: Int64, severity: Severity)] = [:]
    private var nextPurge: Int64 = .min

    /// The parts of a read the window drops.
    struct ReadQuality: Equatable {
        var vehicleConfidence: Double?
        /// Positions of confusable characters read with low confidence (bit per position).
        var weakPositions: UInt16
        /// The lowest confidence among them (or the OCR confidence when that made it weak).
        var weakestConfidence: Double
    }

    public init(lookup: RegistryLookup? = nil, configuration: Configuration = Configuration()) {
        self.lookup = lookup
        self.configuration = configuration
    }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        if distancesFor != context.cameras.count {
            distances = CameraDistances(context.cameras)
            distancesFor = context.cameras.count
            cameraPlaces.removeAll()
        }
        guard let distances, configuration.maximumSpeedKilometresPerHour > 0 else { return [] }
        let time = read.timestamp.milliseconds
        let span = Int64((distances.maximum / configuration.maximumSpeedKilometresPerHour * 3600 + configuration.skewMarginSeconds) * 1000)
        let quality = self.quality(of: read)
        // The window numbered the read as it inserted it; a read it did not keep (older than
        // its horizon) is looked up by text and can only pair with reads it kept.
        let inserted = context.index.inserted(read.id)
        remember(quality, of: inserted, at: time, span: span)
        purgeIfDue(at: time, span: span)
        guard let plate = inserted?.plate ?? context.index.plateID(read.plate), PlateKey(read.plate.text) != nil else { return [] }
        // Most plates were not read within the span: the window's newest other read of the
        // plate answers that before any of its reads is visited. (The visit below then asks
        // for one this detector saw: reads restored at a restart alone do not open a search.)
        let camera = inserted?.camera ?? context.index.cameraID(read.camera)
        // A registered camera has a place among the distances (looked up by number when the
        // window numbered the read's camera).
        guard let seenBefore = context.index.newestTime(of: plate, other: inserted?.position),
            seenBefore.milliseconds >= time - span,
            let here = camera.flatMap({ $0.rawValue == 0 ? nil : place(of: $0, in: distances, index: context.index) })
                ?? distances.place(of: read.camera),
            distances.maximum >= configuration.minimumDistanceKilometres
        else { return [] }
        let key = PlateKey(read.plate.text)!

        // Implausible partners, most implausible first. The window's reads of the plate are
        // visited as (id, camera, time); only the few that are implausible are resolved.
        var candidates: [(id: ReadID, kilometres: Double, elapsed: Int64, excess: Double, position: WindowPosition)] = []
        let from = read.timestamp.adding(milliseconds: -span), to = read.timestamp.adding(milliseconds: span)
        var sawOther = false
        // To the newest read: a later read this detector saw counts as seen within the span.
        context.index.forEachSighting(plate: plate, from: from, to: Timestamp(milliseconds: .max)) { id, otherCamera, timestamp, position in
            guard id != read.id else { return }
            if !sawOther && recent.saw(position) { sawOther = true }
            guard timestamp <= to, otherCamera != camera, let there = place(of: otherCamera, in: distances, index: context.index)
            else { return }
            let kilometres = distances.kilometres(here, there)
            guard kilometres >= configuration.minimumDistanceKilometres else { return }
            let elapsed = abs(time - timestamp.milliseconds)
            let reachable = configuration.maximumSpeedKilometresPerHour * (Double(elapsed) / 1000 + configuration.skewMarginSeconds) / 3600
            guard kilometres > reachable else { return }
            candidates.append((id, kilometres, elapsed, kilometres / max(reachable, 1e-9), position))
        }
        guard sawOther, !candidates.isEmpty else { return [] }
        // Oldest first before sorting, as the window lists reads, so ties go the same way.
        candidates.reverse()
        candidates.sort { $0.excess > $1.excess }
        let strongest = candidates.prefix(8)
        let resolved = Dictionary(
            context.index.reads(plate: read.plate, from: from, to: to).filter { other in strongest.contains { $0.id == other.id } }
                .map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        let partners = strongest.compactMap { candidate in
            resolved[candidate.id].map {
                (read: $0, kilometres: candidate.kilometres, elapsed: candidate.elapsed, excess: candidate.excess, position: candidate.position)
            }
        }
        // Qualities older than this were forgotten (a minute of slack for late reads).
        let remembered = latest - span - 60_000
        // The strongest evidence wins: a confident partner over a doubtful but faster one.
        var best: (partner: (read: IndexedRead, kilometres: Double, elapsed: Int64, excess: Double, position: WindowPosition), assessment: Assessment)?
        for partner in partners {
            let known = partner.read.timestamp.milliseconds >= remembered ? recent.quality(at: partner.position) : nil
            let otherQuality = known ?? ReadQuality(vehicleConfidence: nil, weakPositions: 0, weakestConfidence: 1)
            guard let assessment = assess(read, quality, partner.read, otherQuality) else { continue }
            if best == nil || assessment.severity > best!.assessment.severity { best = (partner, assessment) }
        }
        guard let best else {
            suppressed += 1
            return []
        }
        let assessment = best.assessment
        if let last = lastFired[key], time - last.time < configuration.rateLimitSeconds * 1000, time >= last.time,
            assessment.severity <= last.severity
        {
            return []
        }
        lastFired[key] = (time, assessment.severity)
        return [
            draft(
                read, best.partner.read, kilometres: best.partner.kilometres, elapsed: best.partner.elapsed, assessment: assessment,
                context: context)
        ]
    }

    // MARK: OCR and registry

    struct Assessment {
        var severity: Severity
        var certainty: String
    }

    /// How sure the pair is a clone; nil when OCR or the registry explain it as two vehicles.
    private func assess(_ read: PlateRead, _ quality: ReadQuality, _ other: IndexedRead, _ otherQuality: ReadQuality) -> Assessment? {
        let plate = read.plate.text
        if let lookup, lookup.isLoaded {
            let variants = lookup.registeredVariants(of: plate)
            if !variants.isEmpty {
                let otherRead = PlateRead(
                    id: other.id, camera: other.camera, timestamp: other.timestamp, plate: other.plate, confidence: other.confidence,
                    make: other.make, model: other.model, color: other.color, vehicleConfidence: otherQuality.vehicleConfidence)
                for (candidate, candidateQuality) in [(read, quality), (otherRead, otherQuality)] {
                    let ownFit = lookup.fit(of: candidate, registeredAs: plate)
                    for variant in variants {
                        // What this camera saw is the look-alike's registered vehicle, not the plate's.
                        if ownFit != .fits, lookup.fit(of: candidate, registeredAs: variant) == .fits { return nil }
                        // A doubtful character where the look-alike differs: most likely a misread of it.
                        if candidateQuality.weakPositions != 0, differsOnlyAt(plate, variant, candidateQuality.weakPositions) { return nil }
                    }
                }
            }
        }
        let weakest = [quality, otherQuality].filter { $0.weakPositions != 0 }.map(\.weakestConfidence).min()
        if let weakest {
            return Assessment(
                severity: .medium,
                certainty: "one read has a confusable character read with confidence \(MismatchDetector.format(weakest)), "
                    + "so this may be an OCR misread of another vehicle")
        }
        let confidences = [read.confidence, other.confidence].compactMap { $0 }.map(MismatchDetector.format)
        return Assessment(
            severity: .high,
            certainty: confidences.count == 2
                ? "both reads are confident (OCR \(confidences[0]) and \(confidences[1])): two vehicles probably carry this plate"
                : "no sign of an OCR misread: two vehicles probably carry this plate")
    }

    /// True when `variant` differs from `plate` only at positions in `mask`.
    private func differsOnlyAt(_ plate: String, _ variant: String, _ mask: UInt16) -> Bool {
        for (position, (a, b)) in zip(plate.utf8, variant.utf8).enumerated() where a != b {
            if position >= 16 || mask & (1 << UInt16(position)) == 0 { return false }
        }
        return true
    }

    /// The doubtful characters of a read.
    func quality(of read: PlateRead) -> ReadQuality {
        let confusions = lookup?.confusions ?? .standard
        var mask: UInt16 = 0
        var weakest = 1.0
        let bytes = read.plate.text.utf8
        if let characters = read.characterConfidence, characters.count == bytes.count {
            for (position, byte) in bytes.enumerated()
            where position < 16 && characters[position] < configuration.weakCharacterConfidence
                && confusions.isInSomeClass(byte)
            {
                mask |= 1 << UInt16(position)
                weakest = min(weakest, characters[position])
            }
        } else if let confidence = read.confidence, confidence < configuration.weakOCRConfidence {
            for (position, byte) in bytes.enumerated() where position < 16 && confusions.isInSomeClass(byte) {
                mask |= 1 << UInt16(position)
            }
            if mask != 0 { weakest = confidence }
        }
        return ReadQuality(vehicleConfidence: read.vehicleConfidence, weakPositions: mask, weakestConfidence: weakest)
    }

    // MARK: Trigger

    private func draft(
        _ read: PlateRead, _ other: IndexedRead, kilometres: Double, elapsed: Int64, assessment: Assessment,
        context: DetectionContext
    ) -> TriggerDraft {
        let seconds = Double(elapsed) / 1000
        let speed: JSONValue = elapsed > 0 ? .double((kilometres / (seconds / 3600) * 10).rounded() / 10) : .null
        let here = context.cameras[read.camera]!, there = context.cameras[other.camera]
        let order = other.timestamp <= read.timestamp ? "earlier" : "later"
        let speedText = elapsed > 0 ? "an implied \(Int((kilometres / (seconds / 3600)).rounded())) km/h" : "at the same moment"
        let explanation =
            "Plate read at \(here.id) (\(here.name), ring \(here.ring)) was read \(formatSeconds(seconds)) \(order) at "
            + "\(other.camera)\(there.map { " (\($0.name), ring \($0.ring))" } ?? ""), \(formatKilometres(kilometres)) km away: "
            + "\(speedText), over the \(Int(configuration.maximumSpeedKilometresPerHour)) km/h limit even with a "
            + "\(formatSeconds(configuration.skewMarginSeconds)) clock margin; \(assessment.certainty)."
        return TriggerDraft(
            kind: .clone, severity: assessment.severity, read: read, ring: here.ring, readIDs: [other.id, read.id],
            explanation: explanation, rule: "clone",
            details: [
                ("other_read_id", .string(other.id.description)),
                ("other_camera", .string(other.camera)),
                ("distance_km", .double((kilometres * 1000).rounded() / 1000)),
                ("elapsed_s", .double(seconds)),
                ("implied_speed_kmh", speed),
            ])
    }

    private func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(MismatchDetector.format(seconds)) s"
    }

    private func formatKilometres(_ kilometres: Double) -> String {
        let tenths = Int((kilometres * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    // MARK: Memory

    /// The `CameraDistances` place of a window camera id, looked up once per camera.
    private func place(of camera: WindowCameraID, in distances: CameraDistances, index: ReadIndex) -> Int? {
        let slot = Int(camera.rawValue)
        if slot >= cameraPlaces.count { cameraPlaces.append(contentsOf: repeatElement(-2, count: slot - cameraPlaces.count + 1)) }
        if cameraPlaces[slot] == -2 { cameraPlaces[slot] = index.camera(camera).flatMap { distances.place(of: $0) }.map(Int32.init) ?? -1 }
        return cameraPlaces[slot] >= 0 ? Int(cameraPlaces[slot]) : nil
    }

    private func remember(_ quality: ReadQuality, of inserted: InsertedRead?, at time: Int64, span: Int64) {
        // Forget what no later read can pair with (the span, plus lateness slack of a minute),
        // whenever the newest read moves into another minute.
        if time > latest {
            if time / 60_000 != latest / 60_000 { recent.forget(before: time - span - 60_000) }
            latest = time
        }
        guard let inserted else { return }
        recent.remember(quality, at: inserted.position, time: time)
    }

    /// Forgets expired rate limits, once per span (at least a minute) of event time.
    private func purgeIfDue(at time: Int64, span: Int64) {
        guard time >= nextPurge else { return }
        nextPurge = time + max(span, 60_000)
        lastFired = lastFired.filter { time - $0.value.time < configuration.rateLimitSeconds * 1000 }
    }
}
