import RingwatchCore

/// Whether it is dark at a camera in the event-time minutes `minute - span ... minute + span`.
struct DarknessSpan {
    var minute: Int64
    var span: Int64
    var isDark: Bool

    /// Covers no minute.
    static let unknown = DarknessSpan(minute: .min, span: -1, isDark: false)

    func covers(_ other: Int64) -> Bool { span >= 0 && (other &- minute).magnitude <= UInt64(span) }
}

/// What a read's classifier output says, once judged against the observation policy.
public struct Observation: Sendable, Hashable {
    /// Make, model family and colour family as seen.
    public var vehicle: NormalisedVehicle
    /// `vehicle_confidence`, when sent.
    public var confidence: Double?
    /// True when the sun was below the darkness threshold at the camera.
    public var isDark: Bool
    /// True when the classifier is trusted for this read (confident enough for the light).
    public var isJudged: Bool
    /// True when the colour may be compared (judged, and daylight unless configured otherwise).
    public var judgesColor: Bool
}

/// The registry as the detectors see it: the loaded `VehicleRegistry`, the rules for trusting a
/// classifier, and the OCR confusions for misread plates. It answers the hotlist detector's
/// `VehicleRegistryLookup` questions and the mismatch and clone detectors' ones.
///
/// It belongs to the pipeline thread. A reload builds a new `VehicleRegistry` elsewhere and
/// swaps it in with `replace(_:)` through `Pipeline.perform`, so every detector holding this
/// object sees the new registry from the next read on.
public final class RegistryLookup: VehicleRegistryLookup {
    public private(set) var registry: VehicleRegistry
    public var policy: ObservationPolicy {
        didSet {
            darkness.removeAll()
            darknessByNumber.removeAll()
        }
    }
    public let confusions: OCRConfusions
    private var cameras: CameraRegistry
    /// Where the sun is computed for reads from cameras missing from the registry: the middle
    /// of the camera network (or Brussels when there is none).
    private var fallbackPlace: (latitude: Double, longitude: Double)
    /// Classifier outputs repeat endlessly (a few thousand spellings): normalise each once.
    private var normalised: [VehicleDescription: NormalisedVehicle] = [:]
    /// Darkness per camera, for a span of event-time minutes: the sun moves slowly,
    /// trigonometry is not free.
    private var darkness: [String: DarknessSpan] = [:]
    /// The same by the caller's camera number (`observation(of:camera:description:)`): no
    /// camera text is hashed per read.
    private var darknessByNumber: [DarknessSpan] = []
    /// `normalised` by the caller's description number.
    private var normalisedByNumber: [UInt64: NormalisedVehicle] = [:]
    public init(
        registry: VehicleRegistry = VehicleRegistry(), cameras: CameraRegistry, policy: ObservationPolicy = ObservationPolicy(),
        confusions: OCRConfusions = .standard
    ) {
        self.registry = registry
        self.policy = policy
        self.confusions = confusions
        self.cameras = cameras
        self.fallbackPlace = Self.middle(of: cameras)
    }

    /// Swaps in a newly loaded registry (and its vocabulary).
    public func replace(_ registry: VehicleRegistry) {
        self.registry = registry
        normalised.removeAll()
        normalisedByNumber.removeAll()
    }

    /// The normalised description of the vehicle registered under `key`, as
    /// `registry.normalisedVehicle(_:)` gives it.
    public func registeredVehicle(_ key: PlateKey) -> NormalisedVehicle? {
        registry.vehicleWord(of: key).map(registry.normalisedVehicle(word:))
    }

    /// The type of the vehicle registered under `key` (`RegisteredVehicle.vehicleType`): the
    /// convoy tracker asks it for each vehicle it starts following, just after the mismatch
    /// detector asked about the same read (its table slot is still in cache).
    public func registeredVehicleType(_ key: PlateKey) -> String? {
        registry.vehicleWord(of: key).flatMap(registry.vehicleType(word:))
    }

    /// True when a registry with at least one vehicle is loaded.
    public var isLoaded: Bool { registry.count > 0 }

    // MARK: Observations

    /// How far `read`'s classifier output can be trusted, and what it says.
    public func observation(of read: PlateRead) -> Observation {
        observation(of: read, isDark: isDark(read), vehicle: normalise(VehicleDescription(make: read.make, model: read.model, color: read.color)))
    }

    /// `observation(of:)` for a read whose camera and description the caller has numbered (the
    /// window does as it inserts a read), so that the caches answer without hashing text:
    /// `camera` is a small number, the same for every read of a camera (0: none), and
    /// `description` a number equal for equal (make, model, colour) texts (nil: none).
    public func observation(of read: PlateRead, camera: Int, description: UInt64?) -> Observation {
        let dark: Bool
        if camera > 0 {
            let minute = read.timestamp.milliseconds.floorDivided(by: 60_000)
            if camera >= darknessByNumber.count {
                darknessByNumber.append(contentsOf: repeatElement(DarknessSpan.unknown, count: camera - darknessByNumber.count + 1))
            }
            if darknessByNumber[camera].covers(minute) {
                dark = darknessByNumber[camera].isDark
            } else {
                let span = darknessSpan(of: read, minute: minute)
                darknessByNumber[camera] = span
                dark = span.isDark
            }
        } else {
            dark = isDark(read)
        }
        let vehicle: NormalisedVehicle
        if let description {
            if let known = normalisedByNumber[description] {
                vehicle = known
            } else {
                if normalisedByNumber.count >= 16_384 { normalisedByNumber.removeAll(keepingCapacity: true) }
                vehicle = normalise(VehicleDescription(make: read.make, model: read.model, color: read.color))
                normalisedByNumber[description] = vehicle
            }
        } else {
            vehicle = normalise(VehicleDescription(make: read.make, model: read.model, color: read.color))
        }
        return observation(of: read, isDark: dark, vehicle: vehicle)
    }

    private func observation(of read: PlateRead, isDark dark: Bool, vehicle: NormalisedVehicle) -> Observation {
        let threshold = dark ? policy.minimumNightConfidence : policy.minimumConfidence
        let confident = (read.vehicleConfidence ?? -1) >= threshold
        let judgesColor = confident && (!dark || policy.judgeColorAtNight) && vehicle.color != nil
        let judged = confident && (vehicle.make != nil || judgesColor)
        return Observation(vehicle: vehicle, confidence: read.vehicleConfidence, isDark: dark, isJudged: judged, judgesColor: judgesColor)
    }

    /// True when the sun was below the policy's threshold where and when `read` was taken.
    public func isDark(_ read: PlateRead) -> Bool {
        let minute = read.timestamp.milliseconds.floorDivided(by: 60_000)
        if let known = darkness[read.camera], known.covers(minute) { return known.isDark }
        let span = darknessSpan(of: read, minute: minute)
        // Room for every registered camera (a national network has thousands); unknown cameras
        // by the thousand empty it.
        if darkness.count > max(4096, 2 * cameras.count) { darkness.removeAll(keepingCapacity: true) }
        darkness[read.camera] = span
        return span.isDark
    }

    /// Whether it is dark at `read`'s camera in event-time minute `minute`, and for how many
    /// minutes either side that cannot change: the sun's elevation moves at most
    /// `Daylight.maximumElevationChangePerMinute`, so far from the threshold (midday, midnight)
    /// one computation serves a camera for hours, and near it (twilight) for a minute.
    private func darknessSpan(of read: PlateRead, minute: Int64) -> DarknessSpan {
        let place = cameras[read.camera].map { ($0.latitude, $0.longitude) } ?? fallbackPlace
        let elevation = Daylight.sunElevation(at: Timestamp(milliseconds: minute * 60_000), latitude: place.0, longitude: place.1)
        let margin = abs(elevation - policy.darkBelowSunElevation) / Daylight.maximumElevationChangePerMinute
        // One minute less than the margin allows, for rounding; at most four hours.
        let span = margin.isFinite ? Int64(min(margin, 241)) - 1 : 0
        return DarknessSpan(minute: minute, span: max(0, span), isDark: elevation < policy.darkBelowSunElevation)
    }

    /// The normalised form of a description, cached.
    public func normalise(_ description: VehicleDescription) -> NormalisedVehicle {
        if let known = normalised[description] { return known }
        if normalised.count >= 16_384 { normalised.removeAll(keepingCapacity: true) }
        let vehicle = registry.vocabulary.normalise(description)
        normalised[description] = vehicle
        return vehicle
    }

    /// The comparison of an observation with the vehicle registered under `key`; nil when the
    /// plate is not registered.
    public func compare(_ observation: Observation, registeredAs key: PlateKey) -> VehicleComparison? {
        guard let registered = registry.normalisedVehicle(key) else { return nil }
        return VehicleComparison(
            observed: observation.vehicle, registered: registered, judgeColor: observation.judgesColor,
            vocabulary: registry.vocabulary)
    }

    // MARK: VehicleRegistryLookup

    public func fit(of read: PlateRead, registeredAs plate: String) -> VehicleFit {
        guard let key = PlateKey(plate), registry.contains(key) else { return .notRegistered }
        return fit(observation(of: read), registeredAs: key)
    }

    /// `fit(of:registeredAs:)` for an observation already made.
    public func fit(_ observation: Observation, registeredAs key: PlateKey) -> VehicleFit {
        guard let comparison = compare(observation, registeredAs: key) else { return .notRegistered }
        guard observation.isJudged else { return .undetermined }
        let mismatched = comparison.mismatched
        if !mismatched.isEmpty { return .contradicts(mismatched) }
        return comparison.make == .agrees ? .fits : .undetermined
    }

    /// A registered plate other than `plate` that a Belgian read's plate could be a misread of
    /// by confusion substitutions (up to `tolerance.maximumSubstitutions`; `registeredVariants`,
    /// best first), and whose vehicle fits what the camera saw. Nil when none fits or the
    /// classifier cannot be trusted for this read.
    ///
    /// Dropped or added characters are not searched although the tolerance may forgive them:
    /// one character more or less opens a couple of thousand candidates, dozens of them
    /// registered, and one of those fitting the make and model seen is then no evidence at all.
    public func fittingLookAlike(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> String? {
        guard read.country == "BE", isLoaded, tolerance.maximumSubstitutions > 0 else { return nil }
        let observation = observation(of: read)
        guard observation.isJudged else { return nil }
        return registeredVariants(of: read.plate.text, maximumSubstitutions: tolerance.maximumSubstitutions).first { variant in
            guard variant != plate, let key = PlateKey(variant) else { return false }
            return fit(observation, registeredAs: key) == .fits
        }
    }

    /// Registered plates other than `plate` and the plate as read that the read could be a
    /// misread of, with their fits: confusion look-alikes (`registeredVariants`, best first),
    /// then one-character completions and deletions of the read (plate order) where `tolerance`
    /// forgives a dropped or added character. Completions and deletions carry no substitution
    /// besides, so the search stays at about 37 × (n + 1) + n bisections for n characters.
    public func registeredAlternatives(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> [RegisteredAlternative] {
        guard isLoaded else { return [] }
        let text = read.plate.text
        var plates: [String] = tolerance.maximumSubstitutions > 0
            ? registeredVariants(of: text, maximumSubstitutions: tolerance.maximumSubstitutions) : []
        let bytes = Array(text.utf8)
        var lengthChanges = Set<String>()
        func check(_ candidate: [UInt8]) {
            let key = candidate.withUnsafeBufferPointer { PlateKey(normalisedBytes: $0) }
            if let key, registry.contains(key) { lengthChanges.insert(String(decoding: candidate, as: UTF8.self)) }
        }
        if tolerance.forgivesDropInsert(listedLength: bytes.count + 1), bytes.count < 12 {
            // The read dropped a character: put each plate character back at each place.
            for gap in 0...bytes.count {
                for byte in Self.plateCharacters {
                    var candidate = bytes
                    candidate.insert(byte, at: gap)
                    check(candidate)
                }
            }
        }
        if bytes.count >= 2, tolerance.forgivesDropInsert(listedLength: bytes.count - 1) {
            // The read added a character: take each one out.
            for gap in bytes.indices {
                var candidate = bytes
                candidate.remove(at: gap)
                check(candidate)
            }
        }
        plates += lengthChanges.sorted()
        let observation = observation(of: read)
        return plates.compactMap { candidate in
            guard candidate != plate, candidate != text, let key = PlateKey(candidate) else { return nil }
            return RegisteredAlternative(plate: candidate, fit: fit(observation, registeredAs: key))
        }
    }

    /// `0-9A-Z`, the characters of a normalised plate.
    private static let plateCharacters: [UInt8] = Array(48...57) + Array(65...90)

    // MARK: Misreads

    /// The registered plate a Belgian read most likely shows: when the read's own plate is not
    /// registered and exactly one OCR-confusion variant of it (up to two substitutions) is,
    /// and what the camera saw fits that vehicle. Nil otherwise — also when two variants are
    /// registered, since the read cannot say which.
    public func misreadCorrection(for read: PlateRead) -> String? {
        guard read.country == "BE", let key = PlateKey(read.plate.text), !registry.contains(key) else { return nil }
        let variants = registeredVariants(of: read.plate.text)
        guard variants.count == 1, let variant = PlateKey(variants[0]) else { return nil }
        return fit(observation(of: read), registeredAs: variant) == .fits ? variants[0] : nil
    }

    /// The registered plates that differ from `plate` by one or two confusable characters
    /// (`OCRConfusions`), best first: fewer substitutions, then plate order.
    ///
    /// Works on base-37 keys: replacing character `i` adds `(new − old) × 37^(n−1−i)`, so each
    /// candidate costs one bisection and no string.
    public func registeredVariants(of plate: String, maximumSubstitutions: Int = 2) -> [String] {
        let bytes = Array(plate.utf8)
        guard let base = PlateKey(plate)?.rawValue, registry.count > 0 else { return [] }
        var weights = [Int64](repeating: 1, count: bytes.count)
        for index in stride(from: bytes.count - 2, through: 0, by: -1) { weights[index] = weights[index + 1] * 37 }
        // Every single substitution as (position, replacement, key delta).
        var edits: [(position: Int, byte: UInt8, delta: Int64)] = []
        for (position, byte) in bytes.enumerated() {
            for alternative in confusions.alternatives(of: byte) {
                let delta = (Int64(PlateKey.digit(alternative)) - Int64(PlateKey.digit(byte))) * weights[position]
                edits.append((position, alternative, delta))
            }
        }
        var found: [String] = []
        func check(_ delta: Int64, _ changes: [(Int, UInt8)]) {
            let key = PlateKey(rawValue: UInt64(Int64(bitPattern: base) + delta))
            guard registry.contains(key) else { return }
            var variant = bytes
            for (position, byte) in changes { variant[position] = byte }
            found.append(String(decoding: variant, as: UTF8.self))
        }
        for edit in edits { check(edit.delta, [(edit.position, edit.byte)]) }
        let singles = found.sorted()
        found.removeAll()
        if maximumSubstitutions >= 2 {
            for first in edits.indices {
                for second in edits.indices where second > first && edits[second].position != edits[first].position {
                    check(
                        edits[first].delta + edits[second].delta,
                        [(edits[first].position, edits[first].byte), (edits[second].position, edits[second].byte)])
                }
            }
        }
        return singles + found.sorted()
    }

    private static func middle(of cameras: CameraRegistry) -> (latitude: Double, longitude: Double) {
        guard cameras.count > 0 else { return (50.85, 4.35) }
        let all = cameras.cameras.values
        return (all.reduce(0) { $0 + $1.latitude } / Double(all.count), all.reduce(0) { $0 + $1.longitude } / Double(all.count))
    }
}
