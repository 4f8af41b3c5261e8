import RingwatchCore

/// Why a message was quarantined instead of accepted. The raw value is the stable code stored in
/// the quarantine table and shown in metrics; integrators match on it.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// The message did not have exactly two frames (topic, body).
    case badEnvelope = "bad_envelope"
    /// The body is larger than the configured limit (64 KiB by default).
    case tooLarge = "too_large"
    /// The body is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// The body is not JSON.
    case notJSON = "not_json"
    /// The body is JSON but not an object.
    case notObject = "not_object"
    /// `camera`, `ts` or `plate` is missing (or null).
    case missingField = "missing_field"
    /// A required field has the wrong type or an unusable value.
    case malformedField = "malformed_field"
    /// The plate is empty, too long or holds other characters than `A-Z0-9` after normalisation.
    case invalidPlate = "invalid_plate"
    /// `ts` is not an RFC 3339 date-time with an offset.
    case invalidTimestamp = "invalid_timestamp"
    /// `ts` lies further in the future than the configured clock tolerance.
    case futureTimestamp = "future_timestamp"
}

/// A message that cannot be accepted, with a sentence that says what was wrong.
///
/// The sentence names fields, never their values: a plate in a log is personal data.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: RejectionReason
    public let detail: String

    public init(_ reason: RejectionReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// Optional fields that were present but unusable and so left out of an accepted read.
///
/// A bad optional field never costs the read: a plate that matches a hotlist must reach the
/// detectors even when its colour is garbage. The engine counts these.
public struct IgnoredFields: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let id = IgnoredFields(rawValue: 1 << 0)
    public static let seq = IgnoredFields(rawValue: 1 << 1)
    public static let country = IgnoredFields(rawValue: 1 << 2)
    public static let confidence = IgnoredFields(rawValue: 1 << 3)
    public static let charConfidence = IgnoredFields(rawValue: 1 << 4)
    public static let make = IgnoredFields(rawValue: 1 << 5)
    public static let model = IgnoredFields(rawValue: 1 << 6)
    public static let color = IgnoredFields(rawValue: 1 << 7)
    public static let vehicleConfidence = IgnoredFields(rawValue: 1 << 8)
    public static let direction = IgnoredFields(rawValue: 1 << 9)

    /// Field names, as in CONTRACT.md.
    public var names: [String] {
        let all: [(IgnoredFields, String)] = [
            (.id, "id"), (.seq, "seq"), (.country, "country"), (.confidence, "confidence"),
            (.charConfidence, "char_confidence"), (.make, "make"), (.model, "model"), (.color, "color"),
            (.vehicleConfidence, "vehicle_confidence"), (.direction, "direction"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// A read that passed decoding, with any optional fields that had to be left out.
public struct DecodedRead: Sendable {
    public var read: PlateRead
    public var ignored: IgnoredFields
}
