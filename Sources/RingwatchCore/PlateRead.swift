/// The travel direction a camera reports.
public enum Direction: String, Sendable, Hashable {
    /// Towards the city centre.
    case inbound = "in"
    /// Away from the centre.
    case outbound = "out"
}

/// The identity of one read: a deterministic 64-bit value, the same in every engine that sees
/// the same read (from the source `id` when the camera sent one, else from camera, time and
/// plate). Shown as sixteen hexadecimal digits.
public struct ReadID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The id of a read whose source gave it `sourceID`.
    public static func from(sourceID: String) -> ReadID {
        var hash = StableHash()
        hash.combine("id")
        hash.combine(sourceID)
        return ReadID(rawValue: hash.value)
    }

    /// The id of a read without a source id.
    public static func from(camera: String, timestamp: Timestamp, plate: Plate) -> ReadID {
        var hash = StableHash()
        hash.combine("read")
        hash.combine(camera)
        hash.combine(timestamp.milliseconds)
        hash.combine(plate.text)
        return ReadID(rawValue: hash.value)
    }

    /// The signed form stored in SQLite's 64-bit integers.
    public var storageValue: Int64 { Int64(bitPattern: rawValue) }

    public init(storageValue: Int64) { self.rawValue = UInt64(bitPattern: storageValue) }

    public var description: String { rawValue.hex16 }

    public static func < (lhs: ReadID, rhs: ReadID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One accepted plate read: what a camera saw, validated and normalised.
public struct PlateRead: Sendable, Hashable {
    public var id: ReadID
    /// The source's own read id, when it sent one (used for de-duplication).
    public var sourceID: String?
    public var camera: String
    public var timestamp: Timestamp
    public var plate: Plate
    /// Per-camera sequence number, when sent.
    public var sequence: Int64?
    /// ISO 3166 alpha-2; `BE` when not sent.
    public var country: String
    public var confidence: Double?
    /// Per-character OCR confidence of the normalised plate, when sent and of the right length.
    public var characterConfidence: [Double]?
    public var make: String?
    public var model: String?
    public var color: String?
    public var vehicleConfidence: Double?
    public var direction: Direction?

    public init(
        id: ReadID? = nil, sourceID: String? = nil, camera: String, timestamp: Timestamp, plate: Plate,
        sequence: Int64? = nil, country: String = "BE", confidence: Double? = nil,
        characterConfidence: [Double]? = nil, make: String? = nil, model: String? = nil,
        color: String? = nil, vehicleConfidence: Double? = nil, direction: Direction? = nil
    ) {
        self.id = id ?? (sourceID.map(ReadID.from(sourceID:)) ?? ReadID.from(camera: camera, timestamp: timestamp, plate: plate))
        self.sourceID = sourceID
        self.camera = camera
        self.timestamp = timestamp
        self.plate = plate
        self.sequence = sequence
        self.country = country
        self.confidence = confidence
        self.characterConfidence = characterConfidence
        self.make = make
        self.model = model
        self.color = color
        self.vehicleConfidence = vehicleConfidence
        self.direction = direction
    }
}
