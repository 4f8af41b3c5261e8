/// A vehicle passing a camera: the part of a read that the convoy search needs (who, where,
/// when, which way), light enough to hold many thousands of.
public struct Passage: Sendable, Hashable {
    public var readID: ReadID
    /// The normalised plate text.
    public var plate: String
    public var camera: String
    public var time: Timestamp
    public var direction: Direction?

    public init(readID: ReadID, plate: String, camera: String, time: Timestamp, direction: Direction?) {
        self.readID = readID
        self.plate = plate
        self.camera = camera
        self.time = time
        self.direction = direction
    }

    /// The passage a read records.
    public init(_ read: PlateRead) {
        self.init(readID: read.id, plate: read.plate.text, camera: read.camera, time: read.timestamp, direction: read.direction)
    }
}
