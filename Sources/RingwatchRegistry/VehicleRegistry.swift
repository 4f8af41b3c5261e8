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
/// sorted array searched by bisection, and each vehicle's make+model, colour and type are
/// small ids into tables of distinct values, in parallel arrays — 16 bytes per vehicle. The
/// make/model families and colour families are resolved once per distinct value at load time,
/// so a lookup allocates nothing but the strings it returns.
///
/// Immutable once loaded, hence `Sendable`: a reload builds a new registry on another thread
/// and the pipeline swaps it in (`RegistryLookup.replace(_:)`).
public final class VehicleRegistry: Sendable {
    /// Sorted plate keys.
    let keys: [UInt64]
    /// Per vehicle: index into the make+model tables.
    let kinds: [UInt32]
    /// Per vehicle: index into the colour tables.
    let colors: [UInt16]
    /// Per vehicle: index into `typeNames`.
    let types: [UInt16]

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
        keys: [UInt64], kinds: [UInt32], colors: [UInt16], types: [UInt16], kindMakes: [String], kindModels: [String?],
        kindNormalised: [NormalisedVehicle], colorNames: [String?], colorFamilies: [String?], typeNames: [String?],
        vocabulary: VehicleVocabulary
    ) {
        self.keys = keys
        self.kinds = kinds
        self.colors = colors
        self.types = types
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
        self.init(keys: [], kinds: [], colors: [], types: [], kindMakes: [], kindModels: [], kindNormalised: [],
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

    /// The vehicle registered as `plate` (normalised), if any.
    public func vehicle(registeredAs plate: String) -> RegisteredVehicle? {
        guard let key = PlateKey(plate), let index = position(of: key) else { return nil }
        return vehicle(at: index, plate: plate)
    }

    /// The normalised description of the vehicle registered under `key`, without building
    /// strings for the registry's own spelling (the hot path of the detectors).
    public func normalisedVehicle(_ key: PlateKey) -> NormalisedVehicle? {
        guard let index = position(of: key) else { return nil }
        var vehicle = kindNormalised[Int(kinds[index])]
        vehicle.color = colorFamilies[Int(colors[index])]
        return vehicle
    }

    func vehicle(at index: Int, plate: String) -> RegisteredVehicle {
        let kind = Int(kinds[index]), color = Int(colors[index])
        var normalised = kindNormalised[kind]
        normalised.color = colorFamilies[color]
        return RegisteredVehicle(
            plate: plate,
            description: VehicleDescription(make: kindMakes[kind], model: kindModels[kind], color: colorNames[color]),
            vehicleType: typeNames[Int(types[index])], normalised: normalised)
    }

    /// Bisection over the sorted keys.
    func position(of key: PlateKey) -> Int? {
        keys.withUnsafeBufferPointer { keys in
            var low = 0, high = keys.count
            let target = key.rawValue
            while low < high {
                let middle = (low + high) >> 1
                if keys[middle] < target { low = middle + 1 } else { high = middle }
            }
            return low < keys.count && keys[low] == target ? low : nil
        }
    }
}
