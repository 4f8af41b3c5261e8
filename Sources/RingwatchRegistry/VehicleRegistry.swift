import RingwatchCore

/// One vehicle of the registry, resolved into values.
public struct RegisteredVehicle: Sendable, Hashable {
    /// The normalised plate.
    public let plate: String
    /// Make, model and colour as the registry spells them (model and colour may be absent).
    public let description: VehicleDescription
    public let vehicleType: String?
    /// Canonical make, model family and colour family (see `VehicleVocabulary`).
    public let normalised: NormalisedVehicle
}

/// The vehicle registry (DIV): which vehicle each Belgian plate belongs to.
///
/// Built for the whole Belgian fleet (eight million vehicles): plates are `PlateKey`s in one
/// sorted array searched by bisection, and beside each key one 64-bit word packs the ids of the
/// vehicle's make+model, colour and type in tables of distinct values — 16 bytes per vehicle. The
/// make/model families and colour families are resolved once per distinct value at load time,
/// so a lookup allocates nothing but the strings it returns.
///
/// Immutable once loaded, hence `Sendable`: a reload builds a new registry on another thread
/// and the pipeline swaps it in (`RegistryLookup.replace(_:)`).
public final class VehicleRegistry: Sendable {
    /// Sorted plate keys.
    let keys: [UInt64]
    /// Every 64th key: a bisection over this 1 MB array (for 8M vehicles) stays in cache and
    /// leaves a 64-key block, where the long-range cache misses of a plain bisection would be.
    let samples: [UInt64]
    static let sampleStride = 64
    /// Per vehicle, packed (see `VehicleWord`): make+model id, colour id, type id.
    let vehicles: [UInt64]

    let kindMakes: [String]
    let kindModels: [String?]
    let kindNormalised: [NormalisedVehicle]
    let colorNames: [String?]
    let colorFamilies: [String?]
    let typeNames: [String?]

    /// The spelling tables the families were resolved with; observations must be normalised
    /// with the same tables.
    public let vocabulary: VehicleVocabulary

    init(
        keys: [UInt64], vehicles: [UInt64], kindMakes: [String], kindModels: [String?],
        kindNormalised: [NormalisedVehicle], colorNames: [String?], colorFamilies: [String?], typeNames: [String?],
        vocabulary: VehicleVocabulary
    ) {
        self.keys = keys
        self.samples = Swift.stride(from: 0, to: keys.count, by: Self.sampleStride).map { keys[$0] }
        self.vehicles = vehicles
        self.kindMakes = kindMakes
        self.kindModels = kindModels
        self.kindNormalised = kindNormalised
        self.colorNames = colorNames
        self.colorFamilies = colorFamilies
        self.typeNames = typeNames
        self.vocabulary = vocabulary
    }

    /// A registry without vehicles (no `--registry` given).
    public convenience init(vocabulary: VehicleVocabulary = VehicleVocabulary()) {
        self.init(
            keys: [], vehicles: [], kindMakes: [], kindModels: [], kindNormalised: [],
            colorNames: [], colorFamilies: [], typeNames: [], vocabulary: vocabulary)
    }

    /// Registered vehicles.
    public var count: Int { keys.count }

    /// Distinct make+model pairs, for the load log.
    public var distinctModels: Int { kindMakes.count }

    /// True when `plate` (normalised) is registered.
    public func contains(_ plate: String) -> Bool { PlateKey(plate).map { position(of: $0) != nil } ?? false }

    /// True when the plate with this key is registered.
    public func contains(_ key: PlateKey) -> Bool { position(of: key) != nil }

    /// The type of the vehicle registered under `key` (`RegisteredVehicle.vehicleType`), if any.
    public func vehicleType(_ key: PlateKey) -> String? {
        position(of: key).flatMap { vehicleType(word: vehicles[$0]) }
    }

    /// The vehicle registered as `plate` (normalised), if any.
    public func vehicle(registeredAs plate: String) -> RegisteredVehicle? {
        guard let key = PlateKey(plate), let index = position(of: key) else { return nil }
        return vehicle(at: index, plate: plate)
    }

    /// The normalised description of the vehicle registered under `key`, without building
    /// strings for the registry's own spelling (the hot path of the detectors): one search.
    public func normalisedVehicle(_ key: PlateKey) -> NormalisedVehicle? {
        guard let index = position(of: key) else { return nil }
        return normalisedVehicle(at: index)
    }

    /// The packed ids of the vehicle at `index` (a `position(of:)`).
    func vehicleWord(at index: Int) -> UInt64 { vehicles[index] }

    /// The normalised description of the vehicle at `index` (a `position(of:)`).
    func normalisedVehicle(at index: Int) -> NormalisedVehicle { normalisedVehicle(word: vehicles[index]) }

    /// The normalised description of a vehicle from its packed ids (`vehicleWord(at:)`).
    func normalisedVehicle(word rawValue: UInt64) -> NormalisedVehicle {
        let word = VehicleWord(rawValue: rawValue)
        var vehicle = kindNormalised[word.kind]
        vehicle.color = colorFamilies[word.color]
        return vehicle
    }

    /// The vehicle type (`RegisteredVehicle.vehicleType`) from packed ids (`vehicleWord(at:)`).
    func vehicleType(word rawValue: UInt64) -> String? { typeNames[VehicleWord(rawValue: rawValue).type] }

    func vehicle(at index: Int, plate: String) -> RegisteredVehicle {
        let word = VehicleWord(rawValue: vehicles[index])
        let kind = word.kind, color = word.color
        var normalised = kindNormalised[kind]
        normalised.color = colorFamilies[color]
        return RegisteredVehicle(
            plate: plate,
            description: VehicleDescription(make: kindMakes[kind], model: kindModels[kind], color: colorNames[color]),
            vehicleType: typeNames[word.type], normalised: normalised)
    }

    /// Bisection over the samples, then over one block of the sorted keys.
    func position(of key: PlateKey) -> Int? {
        let target = key.rawValue
        return samples.withUnsafeBufferPointer { samples in
            // The last sample not above the target opens the only block that can hold it.
            var low = 0, high = samples.count
            while low < high {
                let middle = (low + high) >> 1
                if samples[middle] <= target { low = middle + 1 } else { high = middle }
            }
            guard low > 0 else { return nil }
            let blockStart = (low - 1) * Self.sampleStride
            return keys.withUnsafeBufferPointer { keys in
                var low = blockStart, high = min(blockStart + Self.sampleStride, keys.count)
                while low < high {
                    let middle = (low + high) >> 1
                    if keys[middle] < target { low = middle + 1 } else { high = middle }
                }
                return low < keys.count && keys[low] == target ? low : nil
            }
        }
    }
}

/// One vehicle's ids packed in 64 bits: make+model (32 bits), colour (16), type (16). Packing
/// lets the loader's sort carry the whole vehicle beside its key instead of gathering four
/// arrays through a permutation (random reads over 8 million entries).
struct VehicleWord {
    let rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }

    init(kind: UInt32, color: UInt16, type: UInt16) {
        rawValue = UInt64(kind) << 32 | UInt64(color) << 16 | UInt64(type)
    }

    var kind: Int { Int(rawValue >> 32) }
    var color: Int { Int((rawValue >> 16) & 0xFFFF) }
    var type: Int { Int(rawValue & 0xFFFF) }
}
