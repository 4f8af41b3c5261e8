import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// Convoys in the history: the vehicles that travelled with a given vehicle, or every convoy
/// in a period. Behind `ringwatch convoys`; uses the live detector's definition, scoring and
/// grouping (RingwatchDetectors), so a convoy found live is found here too.
///
/// - With a plate, it fetches that vehicle's reads through the hour tables' (plate, ts)
///   index, then the reads within twice the gap of each at the same camera through the (camera, ts)
///   index (one batched scan for an hour without it), and tests each companion's
///   co-occurrences against the definition, trip by trip. Work follows the vehicle's reads,
///   not the size of the history.
/// - Without a plate, it streams the period hour by hour in time order through a
///   `ConvoyTracker`, as the live detector would have seen it.
///
/// The traffic a convoy is scored against comes from the history itself. Period-wide, it is
/// learned exactly as the live detector learns it (`TrafficRates`, primed with the days before
/// the period), so one scoring setting gives the same answer live and here. With a plate, only
/// the traffic around the vehicle is fetched: reads at the camera in the half hour around each
/// co-occurrence (`TrafficCounts`) and how much of the traffic near the vehicle moved on with
/// it between cameras (`FetchedTraffic`).
public struct ConvoySearch {
    public let database: HistoryDatabase
    public var definition: ConvoyDefinition
    /// The registry's vehicle type of a plate; nil when no registry is wired.
    public var vehicleType: VehicleTypeLookup?
    /// List commuter pairs (together on `commuterMinimumDays` days) instead of dropping them.
    public var includeCommuters = false
    /// Called with (steps done, steps in all) as the search advances.
    public var progress: ((Int, Int) -> Void)?

    public init(database: HistoryDatabase, definition: ConvoyDefinition) {
        self.database = database
        self.definition = definition
    }

    // MARK: - Companions of one vehicle

    /// Every vehicle that met the convoy definition with `plate` in `from...to`, best first,
    /// with at least `minimumScore`.
    public func companions(of plate: String, from: Timestamp, to: Timestamp, minimumScore: Double = 0) throws -> [ConvoyCompanion] {
        let own = try database.reads(pattern: plate, from: from, to: to, limit: 1_000_000).map { Passage($0.read) }
        guard !own.isEmpty else { return [] }
        let gap = definition.maxGapMilliseconds
        // Reads within twice the gap are fetched: within the gap of the vehicle they are its
        // co-occurrences, and within the gap of a companion that passed first, its neighbours.
        let reach = 2 * gap

        // The camera windows to look in, grouped by hour table.
        var windows: [ReadPartition: [Passage]] = [:]
        for passage in own {
            let window = try database.readPartitions(from: passage.time.adding(milliseconds: -reach), to: passage.time.adding(milliseconds: reach))
            for partition in window { windows[partition, default: []].append(passage) }
        }
        let partitions = windows.keys.sorted { $0.hour < $1.hour }

        var found: [String: [CoOccurrence]] = [:]
        var types: [String: Bool] = [:]
        let counts = TrafficCounts()
        let rates = FetchedTraffic(counts: counts)
        rates.window = gap
        // The way in, as live: both vehicles' reads from the lead-up before the period on.
        let reachBack = from.adding(milliseconds: -(definition.leadUpMilliseconds + gap))
        rates.fetchTrail = { [database] vehicle in
            try database.reads(pattern: vehicle, from: reachBack, to: to, limit: 1_000_000).map { Passage($0.read) }
        }
        var counted = Set<String>()
        for (step, partition) in partitions.enumerated() {
            let mine = windows[partition]!
            let indexed = try database.hasCameraIndex(partition.table)
            var nearby: [(Passage, [Passage])] = []
            if indexed {
                for passage in mine {
                    nearby.append((passage, try database.passages(
                        in: partition.table, camera: passage.camera,
                        from: passage.time.adding(milliseconds: -reach), to: passage.time.adding(milliseconds: reach))))
                }
            } else {
                // No camera index (the open hour): one scan of the span, shared by every window.
                let low = mine.map(\.time).min()!.adding(milliseconds: -reach), high = mine.map(\.time).max()!.adding(milliseconds: reach)
                var byCamera: [String: [Passage]] = [:]
                for other in try database.passages(in: partition.table, from: low, to: high) { byCamera[other.camera, default: []].append(other) }
                for passage in mine {
                    nearby.append((passage, (byCamera[passage.camera] ?? []).filter {
                        abs($0.time.milliseconds - passage.time.milliseconds) <= reach
                    }))
                }
            }
            for (passage, others) in nearby {
                rates.add(others)
                for other in others where other.plate != plate {
                    if types[other.plate] == nil { types[other.plate] = definition.excludes(vehicleType: vehicleType?(other.plate)) }
                    guard types[other.plate] == false, let (_, item) = definition.coOccurrence(passage, other) else { continue }
                    found[other.plate, default: []].append(item)
                }
            }
            for passage in mine { try count(around: passage, into: counts, done: &counted) }
            progress?(step + 1, partitions.count)
        }

        var out: [ConvoyCompanion] = []
        for (companion, items) in found {
            let pair = PairKey(plate, companion)
            let trips = ConvoySearch.trips(items, separatedBy: definition.windowMilliseconds)
            let episodes = trips.compactMap { definition.assess(pair, $0, rates: rates) }
            guard !episodes.isEmpty else { continue }
            let days = Set(episodes.map { $0.first.milliseconds.floorDivided(by: 86_400_000) })
            let commuter = definition.excludeCommuters && isCommuter(days: days)
            if commuter && !includeCommuters { continue }
            let row = ConvoyCompanion(plate: companion, episodes: episodes, days: days.count, commuter: commuter,
                                      maxGapMilliseconds: definition.maxGapMilliseconds)
            if row.score >= minimumScore { out.append(row) }
        }
        if let error = rates.fetchError { throw error }
        return out.sorted { ($0.score, $0.coOccurrences, $1.plate) > ($1.score, $1.coOccurrences, $0.plate) }
    }

    /// Loads the per-minute counts of `passage`'s camera for the half hour around it, once per
    /// hour table: a range over the (camera, ts) index, or one count of a whole unindexed table.
    private func count(around passage: Passage, into rates: TrafficCounts, done: inout Set<String>) throws {
        let half = TrafficCounts.halfSpanMinutes * 60_000
        for partition in try database.readPartitions(from: passage.time.adding(milliseconds: -half), to: passage.time.adding(milliseconds: half)) {
            guard !done.contains(partition.table), done.insert("\(partition.table)|\(passage.camera)").inserted else { continue }
            if try database.hasCameraIndex(partition.table) {
                for row in try database.readCountsByMinute(in: partition.table, camera: passage.camera) {
                    rates.add(camera: row.camera, minute: row.minute, reads: row.reads)
                }
            } else {
                for row in try database.readCountsByMinute(in: partition.table) { rates.add(camera: row.camera, minute: row.minute, reads: row.reads) }
                done.insert(partition.table)
            }
        }
    }

    /// Co-occurrences split into trips: a gap longer than `window` between two ends a trip.
    static func trips(_ items: [CoOccurrence], separatedBy window: Int64) -> [[CoOccurrence]] {
        var trips: [[CoOccurrence]] = []
        for item in items.sorted(by: { $0.time < $1.time }) {
            if let last = trips.last?.last, item.time.milliseconds - last.time.milliseconds <= window {
                trips[trips.count - 1].append(item)
            } else {
                trips.append([item])
            }
        }
        return trips
    }

    /// Whether `days` hold `commuterMinimumDays` distinct days within one look-back span.
    func isCommuter(days: Set<Int64>) -> Bool {
        let sorted = days.sorted()
        let need = definition.commuterMinimumDays
        guard sorted.count >= need else { return false }
        for start in 0...(sorted.count - need) where sorted[start + need - 1] - sorted[start] < Int64(definition.commuterLookbackDays) {
            return true
        }
        return false
    }

    // MARK: - Every convoy in a period

    /// Days before a period whose traffic the period-wide search learns first, as the live
    /// detector had learned it: the usual traffic at each hour of day (`TrafficRates`, which
    /// weighs the latest day 0.3, so three days carry most of what a long-running detector
    /// knows) and the traffic just before the period starts.
    public var trafficLearningDays = 3

    /// Feeds `rates` the reads per camera and minute of the `trafficLearningDays` before `from`:
    /// a range of the history's camera minute counts (`HistoryDatabase.cameraMinuteCounts`),
    /// not a pass over the reads.
    func learnTraffic(before from: Timestamp, into rates: TrafficRates) throws {
        guard trafficLearningDays > 0 else { return }
        let start = from.adding(milliseconds: -Int64(trafficLearningDays) * 86_400_000)
        for row in try database.cameraMinuteCounts(from: start, to: from.adding(milliseconds: -1)) {
            // At the middle of its minute: the reads were spread over it.
            rates.observe(camera: row.camera, at: Timestamp(milliseconds: row.minute * 60_000 + 30_000), reads: row.reads)
        }
    }

    /// Every convoy in `from...to` scoring at least `minimumScore`, best first.
    public func convoys(from: Timestamp, to: Timestamp, minimumScore: Double) throws -> [ConvoyGroup] {
        var streaming = definition
        // Commuters are judged over the whole period afterwards, not as the days go by.
        streaming.excludeCommuters = false
        // Every pair that meets the definition on a day of the period counts towards it being a
        // commuter pair, however low it scores that day: hundreds of thousands of pairs a day in
        // dense traffic. The live detector's bound (`commuterMemoryPairs`) would make the memory
        // forget pairs at random long before the period ends, commuters among them; a search
        // over a bounded period remembers them all (about 100 bytes a pair).
        streaming.commuterMemoryPairs = Int.max
        streaming.minimumScore = minimumScore
        streaming.minimumPairScore = min(streaming.minimumPairScore, minimumScore)
        // The traffic as the live detector knew it: learned from the days before, then from the
        // passages as they stream by, so a pair scores here as it did live.
        let rates = TrafficRates()
        let partitions = try database.readPartitions(from: from, to: to)
        // Learning the days before counts as one step of the progress.
        progress?(0, partitions.count + 1)
        try learnTraffic(before: from, into: rates)
        progress?(1, partitions.count + 1)
        let tracker = ConvoyTracker(definition: streaming, latenessMilliseconds: 0, vehicleType: vehicleType, rates: rates,
                                    keepsClosedGroups: true, recordsPairDays: definition.excludeCommuters && !includeCommuters)
        for (step, partition) in partitions.enumerated() {
            let passages = try database.passages(in: partition.table, from: from, to: to)
            for passage in passages.sorted(by: { ($0.time, $0.readID) < ($1.time, $1.readID) }) { _ = tracker.observe(passage) }
            progress?(step + 2, partitions.count + 1)
        }
        return listed(tracker.finish(), minimumScore: minimumScore, isCommuterPair: tracker.isCommuterPair)
    }

    /// What a period-wide search lists of the convoys it found, by either path: unless commuters
    /// are asked for, a pair that met the definition on enough days in the period
    /// (`isCommuterPair`) leaves its convoys, the rest regrouped; then those scoring at least
    /// `minimumScore`, best first.
    func listed(_ found: [ConvoyGroup], minimumScore: Double, isCommuterPair: (PairKey) -> Bool) -> [ConvoyGroup] {
        var groups = found
        if definition.excludeCommuters && !includeCommuters {
            groups = groups.flatMap { group -> [ConvoyGroup] in
                let kept = group.pairs.filter { !isCommuterPair($0.pair) }
                if kept.count == group.pairs.count { return [group] }
                return ConvoyGrouping.groups(kept, maxGapMilliseconds: definition.maxGapMilliseconds,
                                             maximumSize: definition.maximumGroupSize)
            }
        }
        return groups.filter { $0.score >= minimumScore }
            .sorted { ($0.score, $0.plates.count, $1.first.milliseconds) > ($1.score, $1.plates.count, $0.first.milliseconds) }
    }
}
