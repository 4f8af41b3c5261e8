/// One vehicle: its plate and what it looks like. Derived from its number and the seed, never
/// stored, so a fleet of a million costs no memory until the registry CSV is written.
struct Vehicle: Sendable {
    let index: Int
    let format: PlateFormat
    let plateNumber: UInt64
    /// Index into `VehicleCatalog.models`.
    let model: Int
    /// Index into `VehicleCatalog.colors`.
    let color: Int

    var kind: VehicleCatalog.Kind { VehicleCatalog.models[model].kind }
    var country: String { format.country }

    /// The printed plate (`1-ABC-123`).
    var printedPlate: String {
        var bytes: [UInt8] = []
        format.write(number: plateNumber, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The plate as the engine normalises it (`1ABC123`).
    var normalisedPlate: String {
        var bytes: [UInt8] = []
        format.write(number: plateNumber, into: &bytes)
        return String(decoding: bytes.filter { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }, as: UTF8.self)
    }
}
