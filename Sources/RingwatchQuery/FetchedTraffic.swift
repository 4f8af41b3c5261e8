import RingwatchCore
import RingwatchDetectors

/// The traffic around one vehicle's passages, as the history search fetched it: counts per
/// camera and minute for the rates, and the reads near each passage for how much of the
/// traffic moved on together (what the live tracker learns from the whole stream).
final class FetchedTraffic: TrafficRateSource {
    let counts: TrafficCounts
    /// Fewer neighbours than this say too little: the share is unknown.
    static let minimumNeighbours = 5
    private var byCamera: [String: [(time: Int64, plate: String)]] = [:]
    private var seen = Set<ReadID>()
    private var sorted = true

    init(counts: TrafficCounts) { self.counts = counts }

    /// Adds reads (each once, however often it is added).
    func add(_ passages: [Passage]) {
        for passage in passages where seen.insert(passage.readID).inserted {
            byCamera[passage.camera, default: []].append((passage.time.milliseconds, passage.plate))
            sorted = false
        }
    }

    func readsPerHour(camera: String, at time: Timestamp) -> Double { counts.readsPerHour(camera: camera, at: time) }

    func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double? {
        let before = plates(at: from, around: fromTime, excluding: pair)
        guard before.count >= FetchedTraffic.minimumNeighbours else { return nil }
        // A move nobody else made is rare, not impossible.
        return max(Double(before.intersection(plates(at: to, around: toTime, excluding: pair)).count) / Double(before.count), 0.02)
    }

    /// Plates read at `camera` within the maximum gap of `time`, but the pair's.
    private func plates(at camera: String, around time: Timestamp, excluding pair: PairKey) -> Set<String> {
        if !sorted {
            for key in byCamera.keys { byCamera[key]!.sort { $0.time < $1.time } }
            sorted = true
        }
        guard let list = byCamera[camera] else { return [] }
        let low = time.milliseconds - window, high = time.milliseconds + window
        var lower = 0, upper = list.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if list[middle].time < low { lower = middle + 1 } else { upper = middle }
        }
        var out = Set<String>()
        var index = lower
        while index < list.count, list[index].time <= high {
            if !pair.contains(list[index].plate) { out.insert(list[index].plate) }
            index += 1
        }
        return out
    }

    /// The maximum gap, set by the search.
    var window: Int64 = 60_000

    /// A vehicle's reads over the search's reach, for the way-in rule (`unaccompaniedReads`);
    /// nil leaves the rule off. Asked once per vehicle.
    var fetchTrail: ((String) throws -> [Passage])?
    /// The first error `fetchTrail` threw: the search throws it once scoring is done.
    private(set) var fetchError: (any Error)?
    private var trails: [String: [Passage]] = [:]

    func unaccompaniedReads(of pair: PairKey, from: Timestamp, to: Timestamp, maxGapMilliseconds maxGap: Int64) -> Int? {
        guard let fetchTrail else { return nil }
        func trail(_ plate: String) -> [Passage] {
            if let known = trails[plate] { return known }
            var fetched: [Passage] = []
            do { fetched = try fetchTrail(plate) } catch { fetchError = fetchError ?? error }
            trails[plate] = fetched
            return fetched
        }
        return ConvoyScoring.unaccompaniedReads(trail(pair.first), trail(pair.second), from: from.milliseconds, to: to.milliseconds,
                                                maxGap: maxGap, time: \.time.milliseconds, camera: \.camera)
    }
}
