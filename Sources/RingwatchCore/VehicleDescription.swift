/// What a vehicle looks like, as a classifier saw it or the registry (DIV) records it.
public struct VehicleDescription: Sendable, Hashable {
    public var make: String?
    public var model: String?
    public var color: String?

    public init(make: String?, model: String?, color: String?) {
        self.make = make
        self.model = model
        self.color = color
    }
}

/// How well what a camera saw fits the vehicle registered under a plate.
public enum VehicleFit: Sendable, Hashable {
    /// The plate is not in the registry.
    case notRegistered
    /// Registered, but the read says too little to judge (no classifier output, or too dark).
    case undetermined
    /// What the camera saw agrees with the registered make (and model, when both are known).
    case fits
    /// What the camera saw contradicts the registration in these fields (`make`, `model`, `color`).
    case contradicts([String])
}

/// The registry seen from a detector: whether a plate is registered and whether a read fits the
/// registered vehicle. The hotlist detector uses it to corroborate OCR-variant hits.
public protocol VehicleRegistryLookup: AnyObject {
    /// How well `read`'s classifier output fits the vehicle registered as `plate` (which need
    /// not be the plate the camera read).
    func fit(of read: PlateRead, registeredAs plate: String) -> VehicleFit

    /// A registered plate other than `plate` that `read`'s plate could be a misread of by the
    /// substitutions `tolerance` forgives, and whose vehicle fits what the camera saw; nil when
    /// there is none, or when what the camera saw cannot tell.
    func fittingLookAlike(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> String?

    /// The registered plates, other than `plate` and the plate as read, that `read`'s plate
    /// could be a misread of, each with how what the camera saw fits its vehicle: confusion
    /// look-alikes (up to `tolerance.maximumSubstitutions` substitutions) and, where the
    /// tolerance forgives a dropped or added character, the plates one character longer or
    /// shorter than the read with no other change. For a candidate hotlist hit only: it costs a
    /// few hundred registry probes.
    func registeredAlternatives(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> [RegisteredAlternative]
}

/// A registered plate a read could be a misread of, and how what the camera saw fits its vehicle.
public struct RegisteredAlternative: Sendable, Hashable {
    public let plate: String
    public let fit: VehicleFit

    public init(plate: String, fit: VehicleFit) {
        self.plate = plate
        self.fit = fit
    }
}

extension VehicleRegistryLookup {
    /// A registry that cannot search OCR variants knows no look-alike.
    public func fittingLookAlike(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> String? { nil }

    /// A registry that cannot search OCR variants knows no alternative.
    public func registeredAlternatives(of read: PlateRead, otherThan plate: String, within tolerance: OCRTolerance) -> [RegisteredAlternative] {
        []
    }
}
