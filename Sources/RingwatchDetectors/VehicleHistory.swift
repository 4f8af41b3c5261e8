import RingwatchCore

/// What the mismatch detector remembers about one plate: its last few confident observations
/// (matching the registration or not), how many matches fell out of that ring, and when it
/// last fired. A bounded summary, so a day of a whole fleet fits in memory.
struct VehicleHistory {
    /// One confident observation.
    struct Entry {
        var readID: ReadID
        var time: Int64
        /// `vehicle_confidence`.
        var confidence: Float
        var isMatch: Bool
        var isDark: Bool
        var makeDiffers: Bool
        /// The model differed (the makes agreeing).
        var modelDiffers: Bool
        var colorDiffers: Bool
        /// The observed vehicle, as an id of `MismatchDetector`'s observed-vehicle table.
        var observed: UInt32

        /// Make or model differed: another vehicle, not just another colour.
        var identityDiffers: Bool { makeDiffers || modelDiffers }
        var isMismatch: Bool { identityDiffers || colorDiffers }
    }

    /// The registration the entries were judged against (an id of the same table as
    /// `Entry.observed`): after a registry reload re-registers the plate, they no longer count.
    let registration: UInt32
    private(set) var entries: [Entry] = []
    /// Matches pushed out of the ring (they still show the plate used to match).
    private(set) var olderMatches = 0
    /// Event time of the last trigger for this plate, and its severity.
    var lastFired: Int64 = .min
    var lastSeverity: Severity = .low

    init(registration: UInt32) { self.registration = registration }

    /// Adds an observation, dropping the oldest beyond `capacity` and any older than `horizon`.
    mutating func record(_ entry: Entry, capacity: Int, horizonStart: Int64) {
        entries.append(entry)
        if entries.count > capacity {
            if entries[0].isMatch { olderMatches += 1 }
            entries.removeFirst()
        }
        forget(before: horizonStart)
    }

    /// Forgets observations older than `time` (and, with all of them gone, the older matches).
    mutating func forget(before time: Int64) {
        guard entries.contains(where: { $0.time < time }) else { return }
        entries.removeAll { $0.time < time }
        if entries.isEmpty { olderMatches = 0 }
    }

    /// True when every observation is older than `time` and no trigger since `firedBefore`
    /// needs the rate limit: the plate can be forgotten.
    func isStale(before time: Int64, firedBefore: Int64) -> Bool {
        lastFired < firedBefore && entries.allSatisfy { $0.time < time }
    }

    /// The newest entry.
    var latest: Entry? { entries.last }

    /// The trailing run of mismatches that agree with `isConsistent`, newest last.
    func streak(_ isConsistent: (Entry) -> Bool) -> ArraySlice<Entry> {
        var start = entries.endIndex
        while start > entries.startIndex, entries[start - 1].isMismatch, isConsistent(entries[start - 1]) { start -= 1 }
        return entries[start...]
    }

    /// Matches before the trailing run that starts at `streakStart`, older ones included.
    func matches(before streakStart: Int) -> Int {
        olderMatches + entries[..<streakStart].filter(\.isMatch).count
    }

    /// Matches anywhere in the summary.
    var matchCount: Int { olderMatches + entries.filter(\.isMatch).count }
}
