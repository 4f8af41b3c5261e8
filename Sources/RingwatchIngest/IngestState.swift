import RingwatchCore

/// Remembers which reads were accepted recently so a repeated message is recognised.
///
/// Keyed by `ReadID`: the source `id` when the camera sent one, else camera + time + plate, so a
/// message duplicated on the wire is caught either way. Memory is bounded by the horizon: ids
/// are kept in event-time buckets and dropped with them.
///
/// At national volume a day's ids number tens of millions: in one `Set`, the insert that made it
/// double its storage rehashed all of them, and the ingest thread took no message for a second
/// or more. They are kept in a `ReadIDSet`, which grows a small shard at a time and costs one
/// cache miss an insert (see there).
public struct DuplicateFilter: Sendable {
    /// Shards of the id table by default.
    public static var defaultShards: Int { ShardedDictionary<Void>.defaultShardCount }

    private var seen: ReadIDSet
    private var buckets: [Int64: [UInt64]] = [:]
    private let bucketMilliseconds: Int64
    private let horizonMilliseconds: Int64
    private var oldestBucket: Int64 = .max

    /// - Parameter shards: shards of the id table, a power of two (1: one table, as before).
    public init(horizonMilliseconds: Int64, bucketMilliseconds: Int64 = 300_000, shards: Int = defaultShards) {
        self.horizonMilliseconds = horizonMilliseconds
        self.bucketMilliseconds = bucketMilliseconds
        seen = ReadIDSet(shardCount: shards)
    }

    public var count: Int { seen.count }

    /// Records `id` at event time `time`; false when it was already there.
    public mutating func insert(_ id: ReadID, at time: Timestamp) -> Bool {
        guard seen.insert(id.rawValue) else { return false }
        let bucket = time.milliseconds.floorDivided(by: bucketMilliseconds)
        buckets[bucket, default: []].append(id.rawValue)
        oldestBucket = min(oldestBucket, bucket)
        return true
    }

    public func contains(_ id: ReadID) -> Bool { seen.contains(id.rawValue) }

    /// Starts fetching what an `insert` of `id` will look at (see `ReadIDSet.prefetch`).
    /// Mutating only so that a caller holding the filter in a class property passes it in
    /// place instead of copying it (and retaining its tables) for the call; it changes nothing.
    @inline(__always)
    public mutating func prefetch(_ id: ReadID) { seen.prefetch(id.rawValue) }

    /// Forgets ids older than the horizon behind `eventTime`.
    public mutating func evict(olderThanHorizonBefore eventTime: Timestamp) {
        let cutoff = (eventTime.milliseconds - horizonMilliseconds).floorDivided(by: bucketMilliseconds)
        guard oldestBucket < cutoff else { return }
        for bucket in buckets.keys where bucket < cutoff {
            for id in buckets.removeValue(forKey: bucket) ?? [] { seen.remove(id) }
        }
        oldestBucket = buckets.keys.min() ?? .max
    }
}

/// Counts lost reads per camera from the cameras' `seq` numbers.
///
/// Cameras are numbered in the order they are first seen (`number(of:)`), and the last number
/// of each is kept in an array by camera number: the ingest thread looks a camera up once a
/// read (and uses the same number for what else it keeps per camera) instead of hashing the
/// camera's id for every question. Every camera is numbered, registered or not.
public struct SequenceTracker: Sendable {
    /// What one sequence number says about the stream.
    public enum Observation: Equatable, Sendable {
        /// The next number, or the first from this camera.
        case inOrder
        /// `missing` numbers were skipped: reads lost between camera and engine.
        case gap(missing: Int64)
        /// A number at or below the last one: a late or repeated message, or a camera restart.
        case behind
    }

    private var numbers: [String: Int] = [:]
    /// Camera ids by number.
    public private(set) var cameras: [String] = []
    /// The last sequence number of each camera, by number; nil before its first.
    private var last: [Int64?] = []
    /// Lost reads per camera since start.
    public private(set) var gapsByCamera: [String: Int64] = [:]
    /// Lost reads in all.
    public private(set) var totalGaps: Int64 = 0

    public init() {}

    /// The number of `camera`: 0 for the first camera seen, 1 for the next, and so on.
    public mutating func number(of camera: String) -> Int {
        if let number = numbers[camera] { return number }
        let number = cameras.count
        numbers[camera] = number
        cameras.append(camera)
        last.append(nil)
        return number
    }

    /// Restores the last number seen from a camera (after a restart).
    public mutating func restore(camera: String, sequence: Int64) {
        let number = number(of: camera)
        last[number] = max(last[number] ?? sequence, sequence)
    }

    public mutating func observe(camera: String, sequence: Int64) -> Observation {
        observe(cameraNumber: number(of: camera), sequence: sequence)
    }

    /// `observe(camera:sequence:)` for the camera numbered `cameraNumber` by `number(of:)`.
    public mutating func observe(cameraNumber: Int, sequence: Int64) -> Observation {
        guard let previous = last[cameraNumber] else {
            last[cameraNumber] = sequence
            return .inOrder
        }
        // Written without `previous + 1` so that a camera sending Int64.max cannot overflow it.
        guard sequence > previous else {
            // A camera that restarts its counter begins again near zero: follow it.
            if sequence < previous / 2 { last[cameraNumber] = sequence }
            return .behind
        }
        last[cameraNumber] = sequence
        let missing = sequence - previous - 1
        guard missing > 0 else { return .inOrder }
        let camera = cameras[cameraNumber]
        let (perCamera, overflowA) = gapsByCamera[camera, default: 0].addingReportingOverflow(missing)
        gapsByCamera[camera] = overflowA ? .max : perCamera
        let (total, overflowB) = totalGaps.addingReportingOverflow(missing)
        totalGaps = overflowB ? .max : total
        return .gap(missing: missing)
    }
}

/// Event time as the engine sees it: the latest read time, and the watermark behind which
/// reads count as late.
public struct EventClock: Sendable {
    /// How far behind the latest read a read may arrive and still count as on time.
    public let latenessMilliseconds: Int64
    /// The latest event time accepted so far.
    public private(set) var latest: Timestamp?

    public init(latenessMilliseconds: Int64) { self.latenessMilliseconds = latenessMilliseconds }

    /// Reads before this are late: windows ending before it are closed.
    public var watermark: Timestamp? { latest?.adding(milliseconds: -latenessMilliseconds) }

    /// Advances with `time`; returns true when the read was late.
    public mutating func observe(_ time: Timestamp) -> Bool {
        guard let current = latest else {
            latest = time
            return false
        }
        if time > current {
            latest = time
            return false
        }
        return time.milliseconds < current.milliseconds - latenessMilliseconds
    }
}
