import RingwatchCore
import RingwatchDetectors

/// Reads per camera and minute, as the history holds them: the traffic the history search
/// scores co-occurrences against.
///
/// The rate at a camera at a time is its reads in the half hour centred there (scaled up where
/// the half hour runs past the period searched): local enough that a rush hour's edges and a
/// quiet night are told apart, wide enough to be a count and not noise.
final class TrafficCounts: TrafficRateSource {
    /// Half the span counted around a time.
    static let halfSpanMinutes: Int64 = 15

    private var counts: [String: [Int64: Int]] = [:]
    private var memo: [String: [Int64: Double]] = [:]
    private let from: Int64
    private let to: Int64

    /// Counts of reads within `from...to` (the period searched); nil when whole hours are counted
    /// whatever the period.
    init(from: Timestamp? = nil, to: Timestamp? = nil) {
        self.from = from?.milliseconds ?? .min / 2
        self.to = to?.milliseconds ?? .max / 2
    }

    func add(camera: String, minute: Int64, reads: Int) {
        counts[camera, default: [:]][minute, default: 0] += reads
        memo[camera] = nil
    }

    func add(_ passages: [Passage]) {
        for passage in passages { counts[passage.camera, default: [:]][passage.time.milliseconds.floorDivided(by: 60_000), default: 0] += 1 }
        memo.removeAll(keepingCapacity: true)
    }

    func readsPerHour(camera: String, at time: Timestamp) -> Double {
        let minute = time.milliseconds.floorDivided(by: 60_000)
        if let known = memo[camera]?[minute] { return known }
        let first = minute - TrafficCounts.halfSpanMinutes, last = minute + TrafficCounts.halfSpanMinutes - 1
        var reads = 0
        if let perMinute = counts[camera] {
            for slot in first...last { reads += perMinute[slot] ?? 0 }
        }
        // Only the part of the half hour inside the period was read: scale to it.
        let covered = min(to + 1, (last + 1) * 60_000) - max(from, first * 60_000)
        let perHour = Double(reads) * 3_600_000 / Double(max(covered, 60_000))
        memo[camera, default: [:]][minute] = perHour
        return perHour
    }
}
