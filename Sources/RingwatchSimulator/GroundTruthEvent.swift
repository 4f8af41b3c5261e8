import RingwatchCore

/// One planted event, as written to the ground-truth JSON Lines file: what a detector should
/// find, and the reads that show it.
public struct GroundTruthEvent: Sendable {
    /// `hotlist`, `convoy`, `clone_vehicle`, `clone_speed` or `route_takeover`.
    public let event: String
    /// Unique within a run, e.g. `convoy-3`.
    public let id: String
    /// The trigger kind a detector should fire.
    public let expect: TriggerKind
    /// Normalised plates involved; the first is the one a trigger should name (convoy: lead
    /// first; route: the vehicle that took the route over, then the original).
    public let plates: [String]
    /// Engine read ids (`ReadID.from(sourceID:)`, 16 hex digits) of the evidence reads.
    public let readIDs: [String]
    /// Source `id`s of the same reads, in the same order.
    public let sourceIDs: [String]
    /// Time (`ts`) of the first and the last evidence read.
    public let start: Timestamp
    public let end: Timestamp
    /// The evidence reads with what the reader made of them.
    public let reads: [GroundTruthRead]
    /// The full JSON object of the JSON Lines file.
    public let json: JSONValue

    /// The line for the ground-truth file (without the newline).
    public var jsonLine: String { json.serialized }
}

/// One evidence read of a planted event.
public struct GroundTruthRead: Sendable, Equatable {
    /// Engine read id, 16 hex digits.
    public let readID: String
    /// The message's `id`.
    public let sourceID: String
    public let camera: String
    /// The message's `ts`.
    public let timestamp: Timestamp
    /// The true plate, normalised.
    public let plate: String
    /// The plate as the camera read it, normalised.
    public let plateRead: String
    /// `none`, `substitution`, `drop` or `insert`.
    public let misread: String
    /// Characters substituted (0 unless `misread` is `substitution`).
    public let substitutions: Int

    /// A read of a planted event (the simulator makes these; evaluators may build their own).
    public init(
        readID: String, sourceID: String, camera: String, timestamp: Timestamp, plate: String, plateRead: String,
        misread: String, substitutions: Int
    ) {
        self.readID = readID
        self.sourceID = sourceID
        self.camera = camera
        self.timestamp = timestamp
        self.plate = plate
        self.plateRead = plateRead
        self.misread = misread
        self.substitutions = substitutions
    }
}
