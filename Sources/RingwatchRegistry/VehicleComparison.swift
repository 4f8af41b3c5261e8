/// How an observed vehicle compares with a registered one, field by field.
///
/// A field the camera did not report, or one the registry does not hold, is `unknown`. The
/// model is compared only when the makes agree (a different make already says it all), and the
/// colour only when the caller can trust it (by day, usually).
public struct VehicleComparison: Sendable, Hashable {
    /// One field's verdict.
    public enum Outcome: Sendable, Hashable {
        case agrees
        /// Different, but often confused (colour families listed as near).
        case near
        case differs
        case unknown
    }

    public var make: Outcome
    public var model: Outcome
    public var color: Outcome

    /// Compares `observed` with `registered` using the vocabulary's colour neighbours.
    public init(observed: NormalisedVehicle, registered: NormalisedVehicle, judgeColor: Bool, vocabulary: VehicleVocabulary) {
        make = Self.compare(observed.make, registered.make)
        model = make == .agrees ? Self.compare(observed.model, registered.model) : .unknown
        if judgeColor, let seen = observed.color, let listed = registered.color {
            color = seen == listed ? .agrees : vocabulary.colorsAreNear(seen, listed) ? .near : .differs
        } else {
            color = .unknown
        }
    }

    private static func compare(_ a: String?, _ b: String?) -> Outcome {
        guard let a, let b else { return .unknown }
        return a == b ? .agrees : .differs
    }

    /// The contract's names of the fields that differ, in `make, model, color` order.
    public var mismatched: [String] {
        var fields: [String] = []
        if make == .differs { fields.append("make") }
        if model == .differs { fields.append("model") }
        if color == .differs { fields.append("color") }
        return fields
    }

    /// True when the make or the model differs (colour alone is weaker evidence).
    public var identityDiffers: Bool { make == .differs || model == .differs }

    /// True when nothing differs and the make agrees.
    public var fits: Bool { mismatched.isEmpty && make == .agrees }
}
