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
/// hash table (`VehicleTable`), and beside each key one 64-bit word packs the ids of the
/// vehicle's make+model, colour and type in tables of distinct values — 20 bytes per vehicle at
/// the table's load, one cache miss per lookup. The make/model families and colour families are
/// resolved once per distinct value at load time, so a lookup allocates nothing but the strings
/// it returns.
///
/// Immutable once loaded, hence `Sendable`: a reload builds a new registry on another thread
/// and the pipeline swaps it in (`RegistryLookup.replace(_:)`).
public final class VehicleRegistry: Sendable {
    /// Plate key → the vehicle, packed (see `VehicleWord`): make+model id, colour id, type id.
    let table: VehicleTable

    let kindMakes: [String]
    let kindModels: [String?]
    let kindNormalised: [NormalisedVehicle]
    let colorNames: [String?]
    let colorFamilies: [String?]
    let typeNames: [String?]

    /// The spelling tables the families were resolved with; observations must be normalised
    /// with the same tables.
    public let vocabulary: VehicleVocabulary

    /// `keys` distinct, `vehicles` their `VehicleWord`s.
    init(
        keys: [UInt64], vehicles: [UInt64], kindMakes: [String], kindModels: [String?],
        kindNormalised: [NormalisedVehicle], colorNames: [String?], colorFamilies: [String?], typeNames: [String?],
        vocabulary: VehicleVocabulary
    ) {
        self.table = VehicleTable(keys: keys, words: vehicles)
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
    public var count: Int { table.count }

    /// Distinct make+model pairs, for the load log.
    public var distinctModels: Int { kindMakes.count }

    /// True when `plate` (normalised) is registered.
    public func contains(_ plate: String) -> Bool { PlateKey(plate).map(contains) ?? false }

    /// True when the plate with this key is registered.
    public func contains(_ key: PlateKey) -> Bool { table.word(for: key.rawValue) != nil }

    /// The type of the vehicle registered under `key` (`RegisteredVehicle.vehicleType`), if any.
    public func vehicleType(_ key: PlateKey) -> String? {
        vehicleWord(of: key).flatMap(vehicleType(word:))
    }

    /// The vehicle registered as `plate` (normalised), if any.
    public func vehicle(registeredAs plate: String) -> RegisteredVehicle? {
        guard let key = PlateKey(plate), let word = table.word(for: key.rawValue) else { return nil }
        return vehicle(word: word, plate: plate)
    }

    /// The normalised description of the vehicle registered under `key`, without building
    /// strings for the registry's own spelling (the hot path of the detectors): one search.
    public func normalisedVehicle(_ key: PlateKey) -> NormalisedVehicle? {
        vehicleWord(of: key).map(normalisedVehicle(word:))
    }

    /// The packed ids of the vehicle registered under `key` (see `VehicleWord`).
    func vehicleWord(of key: PlateKey) -> UInt64? { table.word(for: key.rawValue) }

    /// The normalised description of a vehicle from its packed ids (`vehicleWord(of:)`).
    func normalisedVehicle(word rawValue: UInt64) -> NormalisedVehicle {
        let word = VehicleWord(rawValue: rawValue)
        var vehicle = kindNormalised[word.kind]
        vehicle.color = colorFamilies[word.color]
        return vehicle
    }

    /// The vehicle type (`RegisteredVehicle.vehicleType`) from packed ids (`vehicleWord(of:)`).
    func vehicleType(word rawValue: UInt64) -> String? { typeNames[VehicleWord(rawValue: rawValue).type] }

    func vehicle(word rawValue: UInt64, plate: String) -> RegisteredVehicle {
        let word = VehicleWord(rawValue: rawValue)
        let kind = word.kind, color = word.color
        var normalised = kindNormalised[kind]
        normalised.color = colorFamilies[color]
        return RegisteredVehicle(
            plate: plate,
            description: VehicleDescription(make: kindMakes[kind], model: kindModels[kind], color: colorNames[color]),
            vehicleType: typeNames[word.type], normalised: normalised)
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
