import RingwatchCore
import RingwatchIndex
import RingwatchRegistry

/// Fires `mismatch` triggers when a Belgian plate is seen on a vehicle that is not the one the
/// registry (DIV) lists for it, and `unregistered` ones (low) for Belgian plates the registry
/// does not know.
///
/// It never decides on one doubtful read. A read is *judged* only when the classifier is
/// confident enough for the light (`ObservationPolicy`); each judged read goes into the plate's
/// `VehicleHistory`, and the history decides:
///
/// | evidence | another make | same make, another model | colour only | rule |
/// |---|---|---|---|---|
/// | the plate matched ≥ `minimumPriorMatches` times, and its last ≥ `minimumMismatches` judged reads all show the same other vehicle | critical | high | medium | `moved` |
/// | ≥ `minimumMismatches` judged reads within the history show the same other vehicle | high | medium | low | `consistent` |
/// | one judged read, by day, confidence ≥ `singleReadConfidence`, and no match on record | medium | low | — | `single` |
/// | anything else (one mismatch after matches, one mismatch at night, low confidence) | — | — | — | noise |
///
/// Another make is the surest evidence; classifiers confuse sister models of one make more
/// often; a colour-only difference (families clearly apart, not merely "near") is the weakest.
/// A read too dark or too unsure to judge fires only when the history alone
/// already shows a `moved` or `consistent` pattern (rule `history`, same severity), so a car
/// carrying a moved plate is still reported when it passes at night.
///
/// One plate fires at most once per `rateLimitSeconds` of event time unless the severity rises.
///
/// OCR imitates a moved plate: a car whose plate is misread into another registered plate shows
/// that plate on the wrong vehicle. A judged mismatch whose vehicle fits a registered
/// OCR-confusion variant of the plate (`RegistryLookup.fittingLookAlike`, up to two
/// substitutions) is taken for that vehicle misread — counted in `lookAlikeMisreads`, kept out
/// of the history, never fired — as the clone detector does with look-alikes. A real clone
/// escapes this only when the car carrying the copy happens to be the make, model and colour
/// registered under one of the plate's few registered look-alikes.
///
/// Unregistered Belgian plates: when exactly one OCR-confusion variant is registered and fits
/// the vehicle, the read is a misread (counted, handed to `onMisread`, no trigger). When some
/// registered variant does not contradict the vehicle, it is probably a misread too and nothing
/// fires. Otherwise an `unregistered` trigger (low) fires once the plate was read with OCR
/// confidence ≥ `unregisteredMinimumOCRConfidence` at ≥ `unregisteredMinimumCameras` cameras
/// within the window — an OCR error rarely repeats itself at another camera — and then at most
/// once per `unregisteredRateLimitSeconds`. Foreign plates are not checked.
public final class MismatchDetector: Detector {
    /// Thresholds; see the type's documentation and docs/operations.md.
    public struct Configuration: Sendable, Hashable {
        /// Judged mismatches of one other vehicle needed for `consistent` / `moved`.
        public var minimumMismatches = 2
        /// Matches on record needed before a mismatch streak counts as `moved`.
        public var minimumPriorMatches = 2
        /// Confidence for one judged daylight read to fire on its own (`single`); above 1 turns it off.
        public var singleReadConfidence = 0.95
        /// How long judged observations count.
        public var historyHours: Int64 = 168
        /// Judged observations kept per plate.
        public var historyLength = 8
        /// At most one trigger per plate in this much event time, unless the severity rises.
        public var rateLimitSeconds: Int64 = 3600
        /// Whether unregistered Belgian plates are reported.
        public var reportUnregistered = true
        public var unregisteredMinimumOCRConfidence = 0.8
        public var unregisteredMinimumCameras = 2
        public var unregisteredRateLimitSeconds: Int64 = 86_400

        public init() {}
    }

    public let kind = TriggerKind.mismatch
    public var configuration: Configuration
    public let lookup: RegistryLookup
    /// Called with a read and the registered plate it is a misread of (for the hotlist).
    public var onMisread: ((PlateRead, String) -> Void)?
    /// Misreads corrected so far (unregistered plate, exactly one fitting registered variant).
    public private(set) var misreadsCorrected = 0
    /// The last correction made, for the engine's status and for tests.
    public private(set) var lastCorrection: (read: ReadID, plate: String)?
    /// Judged mismatches of registered plates taken for a registered look-alike misread.
    public private(set) var lookAlikeMisreads = 0

    /// By plate key, in shards: a week of plates is millions at national volume, and one
    /// dictionary rehashed them all as it grew and was swept all at once every hour, stopping
    /// the pipeline for a tenth of a second or more each time.
    private var histories = ShardedDictionary<VehicleHistory>()
    private var unregisteredFired = ShardedDictionary<Int64>()
    /// Observed vehicles, interned: history entries hold 4-byte ids, and a display spelling.
    private var observedIDs: [NormalisedVehicle: UInt32] = [:]
    private var observedVehicles: [NormalisedVehicle] = []
    private var observedSpellings: [VehicleDescription] = []
    /// `observedIDs` by the window's description number (`InsertedRead.description`), for the
    /// registry whose vocabulary normalised them.
    private var observedByDescription: [UInt64: UInt32] = [:]
    private var observedByDescriptionRegistry: VehicleRegistry?
    /// When the next shard of `histories` and `unregisteredFired` is swept (event time), and which.
    private var nextPurge: Int64 = .min
    private var purgeCursor = 0

    public init(lookup: RegistryLookup, configuration: Configuration = Configuration()) {
        self.lookup = lookup
        self.configuration = configuration
    }

    /// Plates with a history in memory.
    public var trackedPlates: Int { histories.count }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        guard read.country == "BE", lookup.isLoaded, let key = PlateKey(read.plate.text) else { return [] }
        purgeIfDue(at: read.timestamp.milliseconds)
        // The window numbered the read's camera and description as it inserted it.
        let inserted = context.index.inserted(read.id)
        let observation = inserted.map {
            lookup.observation(of: read, camera: Int($0.camera.rawValue), description: $0.description)
        } ?? lookup.observation(of: read)
        guard let registered = lookup.registeredVehicle(key) else {
            return unregistered(read, key: key, observation: observation, context: context)
        }
        if observation.isJudged {
            let comparison = VehicleComparison(
                observed: observation.vehicle, registered: registered, judgeColor: observation.judgesColor,
                vocabulary: lookup.registry.vocabulary)
            return judged(
                read, key: key, registered: registered, observation: observation, description: inserted?.description,
                comparison: comparison, context: context)
        }
        return historyDecides(read, key: key, registered: registered, observation: observation, context: context)
    }

    // MARK: Registered plates

    /// `description`: the window's number for the read's description, if it has one.
    private func judged(
        _ read: PlateRead, key: PlateKey, registered: NormalisedVehicle, observation: Observation, description: UInt64?,
        comparison: VehicleComparison, context: DetectionContext
    ) -> [TriggerDraft] {
        // `comparison.mismatched` would build an array on every judged read.
        let differs = comparison.make == .differs || comparison.model == .differs || comparison.color == .differs
        let isMatch = !differs && (comparison.make == .agrees || comparison.color == .agrees)
        guard isMatch || differs else { return [] }  // nothing comparable was seen
        // Another registered plate the read may be a misread of, whose vehicle is the one seen:
        // far likelier than this plate on the wrong car, and it must not build up a history.
        if !isMatch, lookup.fittingLookAlike(of: read, otherThan: read.plate.text, within: .standard) != nil {
            lookAlikeMisreads += 1
            return []
        }
        let time = read.timestamp.milliseconds
        let entry = VehicleHistory.Entry(
            readID: read.id, time: time, confidence: Float(observation.confidence ?? 0), isMatch: isMatch, isDark: observation.isDark,
            makeDiffers: comparison.make == .differs, modelDiffers: comparison.model == .differs,
            colorDiffers: comparison.color == .differs,
            observed: observedID(observation.vehicle, of: read, description: description))
        // Changed in place in its table: one hash lookup, and the entries' array is not copied.
        return histories.withValue(forKey: key.rawValue) { stored in
            renew(&stored, key: key, registered: registered)
            stored!.record(entry, capacity: configuration.historyLength, horizonStart: time - configuration.historyHours * 3_600_000)
            guard !isMatch, let verdict = verdict(stored!, current: entry, currentConfidence: observation.confidence) else { return [] }
            return fire(verdict, read: read, key: key, history: &stored!, observed: observedJSON(read), context: context)
        }
    }

    /// A read the classifier cannot vouch for: the plate's recent confident observations decide.
    private func historyDecides(
        _ read: PlateRead, key: PlateKey, registered: NormalisedVehicle, observation: Observation,
        context: DetectionContext
    ) -> [TriggerDraft] {
        histories.withValue(forKey: key.rawValue) { stored in
            guard let last = stored?.latest, last.isMismatch else { return [] }
            renew(&stored, key: key, registered: registered)
            return decideFromHistory(read, key: key, history: &stored!, observation: observation, context: context)
        }
    }

    /// `historyDecides` once the plate's last judged observation is known to be a mismatch.
    private func decideFromHistory(
        _ read: PlateRead, key: PlateKey, history: inout VehicleHistory, observation: Observation, context: DetectionContext
    ) -> [TriggerDraft] {
        guard let latest = history.latest, latest.isMismatch,
            read.timestamp.milliseconds - latest.time <= configuration.historyHours * 3_600_000,
            var verdict = verdict(history, current: latest, currentConfidence: nil)
        else { return [] }
        verdict.rule = "history"
        verdict.why =
            "too \(observation.isDark ? "dark" : "unsure") to judge this read"
            + (observation.confidence.map { " (vehicle confidence \(Self.format($0)))" } ?? "") + ", but " + verdict.why
        let spelling = observedSpellings[Int(latest.observed)]
        let observed: JSONValue = .object([
            ("make", spelling.make.map(JSONValue.string) ?? .null), ("model", spelling.model.map(JSONValue.string) ?? .null),
            ("color", spelling.color.map(JSONValue.string) ?? .null), ("confidence", .double(Self.rounded(Double(latest.confidence)))),
        ])
        return fire(verdict, read: read, key: key, history: &history, observed: observed, context: context)
    }

    /// What the history says about the mismatch in `current` (the newest entry).
    struct Verdict {
        var severity: Severity
        var rule: String
        var why: String
        var evidence: [ReadID]
        var matches: Int
        var mismatches: Int
    }

    /// `currentConfidence` is the firing read's own classifier confidence when it was judged
    /// (only such a read may fire alone).
    private func verdict(_ history: VehicleHistory, current: VehicleHistory.Entry, currentConfidence: Double?) -> Verdict? {
        let seen = observedVehicles[Int(current.observed)]
        let identity = current.identityDiffers
        let consistent: (VehicleHistory.Entry) -> Bool = { entry in
            let other = self.observedVehicles[Int(entry.observed)]
            if identity {
                return entry.identityDiffers && other.make == seen.make
                    && (other.model == nil || seen.model == nil || other.model == seen.model)
            }
            return !entry.identityDiffers && entry.colorDiffers && other.color == seen.color
        }
        // The strength of the difference sets the severity: another make is surer than another
        // model of the make (classifiers confuse sister models), which is surer than a colour.
        let strength = current.makeDiffers ? 0 : current.modelDiffers ? 1 : 2
        let streak = history.streak(consistent)
        let all = history.entries.filter { $0.isMismatch && consistent($0) }
        let priorMatches = history.matches(before: streak.startIndex)
        let what = "\(all.count) confident observation\(all.count == 1 ? "" : "s")"
        if streak.count >= configuration.minimumMismatches && priorMatches >= configuration.minimumPriorMatches {
            return Verdict(
                severity: [Severity.critical, .high, .medium][strength], rule: "moved",
                why: "it matched its registration \(priorMatches) times before its last \(streak.count) confident observations "
                    + "consistently showed another vehicle: the plate has probably moved to another car",
                evidence: streak.map(\.readID), matches: priorMatches, mismatches: streak.count)
        }
        if all.count >= configuration.minimumMismatches {
            return Verdict(
                severity: [Severity.high, .medium, .low][strength], rule: "consistent",
                why: "\(what) in the last \(configuration.historyHours / 24) days consistently show another vehicle",
                evidence: all.map(\.readID), matches: history.matchCount, mismatches: all.count)
        }
        if let currentConfidence, identity, history.matchCount == 0, !current.isDark,
            currentConfidence >= configuration.singleReadConfidence
        {
            return Verdict(
                severity: strength == 0 ? .medium : .low, rule: "single",
                why: "one daylight observation with high confidence shows another vehicle (not yet corroborated)",
                evidence: [current.readID], matches: 0, mismatches: 1)
        }
        return nil
    }

    // MARK: Unregistered plates

    private func unregistered(_ read: PlateRead, key: PlateKey, observation: Observation, context: DetectionContext) -> [TriggerDraft] {
        let variants = lookup.registeredVariants(of: read.plate.text)
        let fits = variants.compactMap { PlateKey($0) }.map { lookup.fit(observation, registeredAs: $0) }
        if variants.count == 1, fits[0] == .fits {
            misreadsCorrected += 1
            lastCorrection = (read.id, variants[0])
            onMisread?(read, variants[0])
            return []
        }
        // A registered look-alike the vehicle does not contradict: most likely a misread we
        // cannot pin down, not a plate missing from the registry.
        if fits.contains(where: { if case .contradicts = $0 { return false } else { return true } }) { return [] }
        guard configuration.reportUnregistered, (read.confidence ?? 0) >= configuration.unregisteredMinimumOCRConfidence else { return [] }
        let time = read.timestamp.milliseconds
        if let last = unregisteredFired[key.rawValue], time - last < configuration.unregisteredRateLimitSeconds * 1000, time >= last { return [] }
        let start = context.index.horizonStart ?? read.timestamp
        let confident = context.index.reads(plate: read.plate, from: start, to: context.index.latestTime ?? read.timestamp)
            .filter { ($0.confidence ?? 0) >= configuration.unregisteredMinimumOCRConfidence - 0.002 || $0.id == read.id }
        var cameras = Set(confident.map(\.camera))
        cameras.insert(read.camera)
        guard cameras.count >= configuration.unregisteredMinimumCameras else { return [] }
        unregisteredFired[key.rawValue] = time
        var evidence = confident.filter { $0.camera != read.camera }.suffix(4).map(\.id)
        evidence.append(read.id)
        let explanation =
            "Belgian plate \(place(read, context)) is not in the vehicle registry: read with OCR confidence of at least "
            + "\(Self.format(configuration.unregisteredMinimumOCRConfidence)) by \(cameras.count) cameras, and no registered plate "
            + "it could be a misread of fits the vehicle seen."
        return [
            TriggerDraft(
                kind: .mismatch, severity: .low, read: read, ring: context.cameras.ring(of: read.camera), readIDs: evidence,
                explanation: explanation, rule: "mismatch|unregistered",
                details: [
                    ("registered", .null), ("observed", observedJSON(read)), ("mismatched", .array([.string("plate")])),
                    ("rule", .string("unregistered")),
                ])
        ]
    }

    // MARK: Firing

    private func fire(
        _ verdict: Verdict, read: PlateRead, key: PlateKey, history: inout VehicleHistory, observed: JSONValue,
        context: DetectionContext
    ) -> [TriggerDraft] {
        let time = read.timestamp.milliseconds
        let recent = history.lastFired != .min && time - history.lastFired < configuration.rateLimitSeconds * 1000
        if recent && verdict.severity <= history.lastSeverity { return [] }
        history.lastFired = max(history.lastFired, time)
        history.lastSeverity = verdict.severity
        guard let registered = lookup.registry.vehicle(registeredAs: read.plate.text) else { return [] }
        let mismatched = mismatchedFields(history, registered: registered)
        let registeredText = Self.describe(registered.description)
        let seenSpelling = history.latest.map { observedSpellings[Int($0.observed)] }
        let seenText = seenSpelling.map(Self.describe) ?? "another vehicle"
        let explanation =
            "Plate \(place(read, context)) is registered to \(registeredText) but \(verdict.why) "
            + "(latest: \(seenText)); mismatched: \(mismatched.joined(separator: ", "))."
        var evidence = verdict.evidence
        if !evidence.contains(read.id) { evidence.append(read.id) }
        return [
            TriggerDraft(
                kind: .mismatch, severity: verdict.severity, read: read, ring: context.cameras.ring(of: read.camera), readIDs: evidence,
                explanation: explanation, rule: "mismatch|\(verdict.rule)",
                details: [
                    (
                        "registered",
                        .object([
                            ("make", registered.description.make.map(JSONValue.string) ?? .null),
                            ("model", registered.description.model.map(JSONValue.string) ?? .null),
                            ("color", registered.description.color.map(JSONValue.string) ?? .null),
                        ])
                    ),
                    ("observed", observed),
                    ("mismatched", .array(mismatched.map(JSONValue.string))),
                    ("rule", .string(verdict.rule)),
                    ("evidence", .object([("matches", .int(Int64(verdict.matches))), ("mismatches", .int(Int64(verdict.mismatches)))])),
                ])
        ]
    }

    /// The fields in which the latest mismatching observation differs from the registration.
    private func mismatchedFields(_ history: VehicleHistory, registered: RegisteredVehicle) -> [String] {
        guard let latest = history.entries.last(where: \.isMismatch) else { return [] }
        let seen = observedVehicles[Int(latest.observed)]
        let comparison = VehicleComparison(
            observed: seen, registered: registered.normalised, judgeColor: latest.colorDiffers,
            vocabulary: lookup.registry.vocabulary)
        return comparison.mismatched
    }

    // MARK: Helpers

    /// Starts the plate's history afresh (`stored` nil: a first one) unless it was judged against
    /// the vehicle the registry now lists for the plate.
    private func renew(_ stored: inout VehicleHistory?, key: PlateKey, registered: NormalisedVehicle) {
        // Comparing with the stored registration is cheaper than hashing it on every read.
        if let history = stored, observedVehicles[Int(history.registration)] == registered { return }
        // The registry's own spelling is only needed (and built) when a history starts.
        let registration =
            observedIDs[registered]
            ?? observedID(
                registered,
                spelling: lookup.registry.vehicle(registeredAs: key.text)?.description
                    ?? VehicleDescription(make: nil, model: nil, color: nil))
        stored = VehicleHistory(registration: registration)
    }

    /// The observed-vehicle id of a judged read's `vehicle`, through `observedByDescription`
    /// when the window numbered the read's description: no hashing of the vehicle's texts.
    private func observedID(_ vehicle: NormalisedVehicle, of read: PlateRead, description: UInt64?) -> UInt32 {
        // The numbers stand for descriptions as the registry's vocabulary normalised them.
        if observedByDescriptionRegistry !== lookup.registry {
            observedByDescription.removeAll()
            observedByDescriptionRegistry = lookup.registry
        }
        if let description, let id = observedByDescription[description] { return id }
        let id = observedID(vehicle, spelling: VehicleDescription(make: read.make, model: read.model, color: read.color))
        if let description {
            if observedByDescription.count >= 16_384 { observedByDescription.removeAll(keepingCapacity: true) }
            observedByDescription[description] = id
        }
        return id
    }

    private func observedID(_ vehicle: NormalisedVehicle, spelling: VehicleDescription) -> UInt32 {
        if let id = observedIDs[vehicle] { return id }
        let id = UInt32(observedVehicles.count)
        observedIDs[vehicle] = id
        observedVehicles.append(vehicle)
        observedSpellings.append(spelling)
        return id
    }

    private func observedJSON(_ read: PlateRead) -> JSONValue {
        .object([
            ("make", read.make.map(JSONValue.string) ?? .null), ("model", read.model.map(JSONValue.string) ?? .null),
            ("color", read.color.map(JSONValue.string) ?? .null), ("confidence", read.vehicleConfidence.map(JSONValue.double) ?? .null),
        ])
    }

    private func place(_ read: PlateRead, _ context: DetectionContext) -> String {
        context.cameras[read.camera].map { "read at \($0.id) (\($0.name), ring \($0.ring))" }
            ?? "read at unregistered camera \(read.camera)"
    }

    /// Forgets histories and rate limits older than the history horizon, so memory follows the
    /// traffic rather than growing for ever: one shard at a time, each once an hour of event time
    /// (a shard every 3.5 s of event time with the default 1,024), so no read waits for a sweep
    /// of millions of plates.
    private func purgeIfDue(at time: Int64) {
        guard time >= nextPurge else { return }
        let shards = histories.shardCount
        let interval = max(1, 3_600_000 / Int64(shards))
        // After a jump in event time, catch up, but at most one full round.
        var swept = 0
        while time >= nextPurge, swept < shards {
            purge(shard: purgeCursor, at: time)
            purgeCursor = (purgeCursor + 1) % shards
            swept += 1
            nextPurge = nextPurge == .min ? time + interval : nextPurge + interval
        }
        if time >= nextPurge { nextPurge = time + interval }
    }

    private func purge(shard: Int, at time: Int64) {
        let horizon = time - configuration.historyHours * 3_600_000
        let rateLimitStart = time - configuration.rateLimitSeconds * 1000
        histories.removeAll(inShard: shard) { $0.isStale(before: horizon, firedBefore: rateLimitStart) }
        let unregisteredStart = time - configuration.unregisteredRateLimitSeconds * 1000
        unregisteredFired.removeAll(inShard: shard) { $0 < unregisteredStart }
        if shard == 0, observedVehicles.count > 1_000_000 && histories.count == 0 {
            observedIDs.removeAll()
            observedVehicles.removeAll()
            observedSpellings.removeAll()
            observedByDescription.removeAll()
        }
    }

    /// Three decimals: a `Float` kept in the history printed without float noise.
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    static func describe(_ description: VehicleDescription) -> String {
        let words = [description.color, description.make, description.model].compactMap { $0 }.filter { !$0.isEmpty }
        guard let first = words.first?.lowercased().first else { return "an undescribed vehicle" }
        return ("aeiou".contains(first) ? "an " : "a ") + words.joined(separator: " ")
    }
}
