import RingwatchCore

/// Two vehicles read at the same camera close together in time: the unit of convoy evidence.
///
/// Belongs to a `PairKey`: `first*` are the read of the pair's first plate, `second*` of the
/// other.
public struct CoOccurrence: Sendable, Hashable {
    public var camera: String
    public var firstRead: ReadID
    public var firstTime: Timestamp
    public var secondRead: ReadID
    public var secondTime: Timestamp

    public init(camera: String, firstRead: ReadID, firstTime: Timestamp, secondRead: ReadID, secondTime: Timestamp) {
        self.camera = camera
        self.firstRead = firstRead
        self.firstTime = firstTime
        self.secondRead = secondRead
        self.secondTime = secondTime
    }

    /// From two passages at one camera, `first` being the pair's first plate's.
    public init(camera: String, first: Passage, second: Passage) {
        self.init(camera: camera, firstRead: first.readID, firstTime: first.time, secondRead: second.readID, secondTime: second.time)
    }

    /// When the pair passed: the earlier of the two reads.
    public var time: Timestamp { min(firstTime, secondTime) }

    /// `secondTime - firstTime`: positive when the pair's first plate passed first.
    public var gapMilliseconds: Int64 { secondTime.milliseconds - firstTime.milliseconds }

    /// The plate of `pair` that passed first (the first plate on a tie).
    public func leader(of pair: PairKey) -> String { gapMilliseconds >= 0 ? pair.first : pair.second }
}
