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
    /// Setting it drops `characterConfidenceText`.
    public var characterConfidence: [Double]? {
        didSet { characterConfidenceText = nil }
    }
    /// `characterConfidence` as compact JSON text (`[0.91,0.88]`), when the read arrived as JSON
    /// text: the history stores it as received instead of formatting the numbers again. Nil for
    /// reads made in-process. Not part of the read's identity (equality and hashing leave it out:
    /// it is another spelling of `characterConfidence`).
    public private(set) var characterConfidenceText: String?
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

    /// Sets `characterConfidence` together with the compact JSON text it was decoded from.
    ///
    /// `text` must be a JSON array of the same numbers, without whitespace, each written so that
    /// `Double(_:)` gives the value back (the ingest decoder checks that as it scans); the history
    /// stores it verbatim.
    public mutating func setCharacterConfidence(_ values: [Double], text: String) {
        characterConfidence = values
        characterConfidenceText = text
    }
}

extension PlateRead {
    // Written out to leave `characterConfidenceText` out: it spells `characterConfidence`.
    public static func == (lhs: PlateRead, rhs: PlateRead) -> Bool {
        lhs.id == rhs.id && lhs.sourceID == rhs.sourceID && lhs.camera == rhs.camera && lhs.timestamp == rhs.timestamp
            && lhs.plate == rhs.plate && lhs.sequence == rhs.sequence && lhs.country == rhs.country
            && lhs.confidence == rhs.confidence && lhs.characterConfidence == rhs.characterConfidence && lhs.make == rhs.make
            && lhs.model == rhs.model && lhs.color == rhs.color && lhs.vehicleConfidence == rhs.vehicleConfidence
            && lhs.direction == rhs.direction
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(sourceID)
        hasher.combine(camera)
        hasher.combine(timestamp)
        hasher.combine(plate)
        hasher.combine(sequence)
        hasher.combine(country)
        hasher.combine(confidence)
        hasher.combine(characterConfidence)
        hasher.combine(make)
        hasher.combine(model)
        hasher.combine(color)
        hasher.combine(vehicleConfidence)
        hasher.combine(direction)
    }
}
