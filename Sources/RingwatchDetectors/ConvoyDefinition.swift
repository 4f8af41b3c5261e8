import RingwatchCore

/// The registry's `vehicle_type` of a plate (`car`, `bus`, …), nil when the plate is not
/// registered. The engine wires it to the vehicle registry, `ringwatch convoys --registry` to
/// the file it is given; without it nothing is excluded by type. Called on the thread of the
/// tracker that holds it, once per vehicle entering the window.
public typealias VehicleTypeLookup = (String) -> String?

/// What makes vehicles a convoy, and how hard to look: the parameters of issue 6 with their
/// defaults, and the test of the definition on one pair's co-occurrences.
///
/// The live `ConvoyDetector` and the history search (`ringwatch convoys`) share this value and
/// `assess(_:_:rates:)`, so both give the same answer for the same reads.
///
/// - Two vehicles *co-occur* at a camera when both are read there at most `maxGapMilliseconds`
///   apart (inclusive), in the same direction when both reads carry one.
/// - A pair is a *convoy* when it co-occurs at `minCameras` or more distinct cameras within
///   `windowMilliseconds`, either in a consistent order (the same vehicle first at each of
///   them) or with a consistent gap (absolute gaps within `gapToleranceMilliseconds` of each
///   other). Several passages at one camera count as one camera.
/// - Each convoy gets a `score` in 0...1 from how likely its co-occurrences are by chance
///   (`ConvoyScoring`); pairs scoring at least `minimumPairScore` make convoys, and the live
///   detector fires, and the period-wide history search lists, only convoys scoring at least
///   `minimumScore`.
public struct ConvoyDefinition: Sendable, Equatable {
    /// Largest gap between two reads at one camera that still counts as together.
    public var maxGapMilliseconds: Int64 = 60_000
    /// Distinct shared cameras a pair needs.
    public var minCameras = 3
    /// Event time within which those cameras must all be passed.
    public var windowMilliseconds: Int64 = 30 * 60_000
    /// Gaps whose absolute values lie within this band of each other are "consistent".
    public var gapToleranceMilliseconds: Int64 = 15_000
    /// Registry vehicle types that never count (lower case): buses run in company by design.
    public var excludedVehicleTypes: Set<String> = ["bus"]
    /// Drop pairs that meet the definition on `commuterMinimumDays` different days within
    /// `commuterLookbackDays`: colleagues driving to the same site every morning.
    public var excludeCommuters = true
    public var commuterMinimumDays = 3
    public var commuterLookbackDays = 14
    /// Pairs whose days the live detector remembers for the commuter test (bounded memory).
    public var commuterMemoryPairs = 100_000
    /// The score a pair needs to count as a convoy at all (and be grouped with others).
    public var minimumPairScore = 0.9
    /// The score a convoy needs to fire live (and to be listed by the period-wide search).
    /// Scores are per vehicle and a day brings hundreds of thousands of vehicles, so this is
    /// high: 0.95 means about one chance in twenty that traffic alone made the pattern.
    public var minimumScore = 0.95
    /// Severity thresholds on the score: at least `highScore` is `high`, at least `mediumScore`
    /// is `medium`, anything else `low`.
    public var highScore = 0.999
    public var mediumScore = 0.99
    /// The share of the vehicles near a car at one camera assumed still near it at the next
    /// shared camera, before the traffic around is measured (`ConvoyScoring`).
    public var routePersistence = 0.5
    /// After the first move between evidence cameras, the share of a car's company assumed to
    /// stay with it at least (`ConvoyScoring`): cars together once mostly stay together (the
    /// shares measured on all traffic are far lower, about 0.1, as most neighbours turn off;
    /// multiplied as they are they would make any long shared way look unlikely).
    public var followOnPersistence = 0.5
    /// Evidence is steady when one vehicle passes first everywhere and the largest gap is at
    /// most this times the smallest (`ConvoyScoring`).
    public var steadyGapRatio = 2.0
    /// Of chance company, the share that keeps a steady gap for one more camera (`ConvoyScoring`);
    /// 1 (the default) gives steady evidence no extra weight.
    public var steadyShare = 1.0
    /// How fast the gap between two unrelated cars changes, as a share of the time they drive:
    /// the spread (σ) of a stranger's gap change over a leg of `L` seconds is `gapDrift × L`
    /// seconds, up to what staying within `maxGap` allows (`ConvoyScoring`). Drivers differ in
    /// pace and every leg brings its own lights and lanes, so strangers drift apart by tens of
    /// seconds over a few kilometres; a convoy keeps its gap on purpose.
    public var gapDrift = 0.15
    /// Gaps within this of each other are indistinguishable: read positions and clocks differ
    /// a little between cameras (`ConvoyScoring`).
    public var gapJitterMilliseconds: Int64 = 500
    /// How many chances the traffic gets to produce a pair like this, as the score counts
    /// them: the score is `exp(−E × chanceScale)` (`ConvoyScoring`), so that it answers for a
    /// day of traffic, not for one vehicle, each of which is in effect one more try. `E`
    /// errs on the side of chance (company assumed to keep together, bands widened by the
    /// jitter), so this is far below the vehicles of a day: 330 puts two to four false convoys
    /// a day above a score of 0.95 in simulated traffic of 1.7 million reads a day, and finds
    /// 95 % or more of the planted ones (docs/performance.md, three seeds; 500 missed up to one
    /// two-car convoy in eight). 1 scores each pair on its own.
    public var chanceScale = 330.0
    /// How much likelier a stranger than a convoy member is to have been read without the other
    /// on the way to the first shared camera: a convoy arrives together, while strangers' ways
    /// join. Each read of either vehicle in the `leadUpMilliseconds` before the pair's first
    /// evidence at which the other was not read (same camera, within `maxGap`) multiplies the
    /// expected chance company by this, for at most `leadUpReadsCounted` reads
    /// (`ConvoyScoring`). One such read is also what a missed or misread plate leaves, hence
    /// the cap. 1 turns the rule off. In simulated traffic this removes three false convoys of
    /// four at the same recall (docs/performance.md).
    public var leadUpDivergence = 10.0
    public var leadUpMilliseconds: Int64 = 15 * 60_000
    public var leadUpReadsCounted = 2
    /// Gaps below this are scored as this: two lanes read side by side are not "closer".
    public var gapFloorMilliseconds: Int64 = 2_000
    /// Live: a convoy with the same members fires again only after no evidence for this long.
    public var quietPeriodMilliseconds: Int64 = 30 * 60_000
    /// Largest convoy: a "convoy" of dozens is a platoon in a jam, and holding it together would
    /// cost work quadratic in its size. A pair that would grow a group past this stays out of it.
    public var maximumGroupSize = 12
    /// Live: the nearest vehicles (in time) at a camera paired with each read. Bounds the cost
    /// per read in dense traffic; vehicles further away in a crowd carry no weight anyway.
    public var maximumCandidates = 32

    public init() {}

    /// Nil when the parameters make sense together, else a sentence naming the one that does not.
    public var problem: String? {
        if maxGapMilliseconds <= 0 || maxGapMilliseconds > 3_600_000 { return "max_gap_s must be in 1...3600" }
        if minCameras < 2 || minCameras > 64 { return "min_cameras must be in 2...64" }
        if windowMilliseconds < maxGapMilliseconds || windowMilliseconds > 24 * 3_600_000 {
            return "window_s must be at least max_gap_s and at most 86400"
        }
        if gapToleranceMilliseconds < 0 { return "gap_tolerance_s must not be negative" }
        if commuterMinimumDays < 2 { return "commuter_days must be at least 2" }
        if commuterLookbackDays < commuterMinimumDays { return "commuter_lookback_days must be at least commuter_days" }
        if commuterMemoryPairs < 1000 { return "commuter_memory_pairs must be at least 1000" }
        if !(0...1).contains(minimumScore) { return "min_score must be in 0...1" }
        if !(0...1).contains(minimumPairScore) { return "min_pair_score must be in 0...1" }
        if !(0...1).contains(mediumScore) || !(mediumScore...1).contains(highScore) {
            return "score_medium and score_high must be in 0...1 with score_medium <= score_high"
        }
        if !(routePersistence > 0 && routePersistence <= 1) { return "route_persistence must be in (0, 1]" }
        if !(0...1).contains(followOnPersistence) { return "follow_on_persistence must be in 0...1" }
        if !(steadyGapRatio >= 1) { return "steady_gap_ratio must be at least 1" }
        if !(steadyShare > 0 && steadyShare <= 1) { return "steady_share must be in (0, 1]" }
        if !(gapDrift > 0 && gapDrift <= 10) { return "gap_drift must be in (0, 10]" }
        if gapJitterMilliseconds < 0 || gapJitterMilliseconds > maxGapMilliseconds { return "gap_jitter_s must be in 0...max_gap_s" }
        if !(chanceScale >= 1 && chanceScale <= 1e12) { return "chance_scale must be in 1...1e12" }
        if !(leadUpDivergence >= 1 && leadUpDivergence <= 1e6) { return "lead_up_divergence must be in 1...1e6" }
        if leadUpMilliseconds < 0 || leadUpMilliseconds > 3_600_000 { return "lead_up_s must be in 0...3600" }
        if !(0...10).contains(leadUpReadsCounted) { return "lead_up_reads must be in 0...10" }
        if gapFloorMilliseconds < 0 || gapFloorMilliseconds > maxGapMilliseconds { return "gap_floor_s must be in 0...max_gap_s" }
        if quietPeriodMilliseconds < 0 { return "quiet_period_s must not be negative" }
        if maximumCandidates < 1 || maximumCandidates > 10_000 { return "max_candidates must be in 1...10000" }
        if maximumGroupSize < 2 || maximumGroupSize > 100 { return "max_group_size must be in 2...100" }
        return nil
    }

    /// True when `type` (a registry `vehicle_type`) is excluded.
    public func excludes(vehicleType type: String?) -> Bool {
        guard let type, !excludedVehicleTypes.isEmpty else { return false }
        return excludedVehicleTypes.contains(type.lowercased())
    }

    /// The severity a convoy of `score` fires with.
    public func severity(score: Double) -> Severity {
        score >= highScore ? .high : score >= mediumScore ? .medium : .low
    }

    /// Two directions are compatible when either is unknown or both agree.
    @inlinable
    public static func compatible(_ a: Direction?, _ b: Direction?) -> Bool {
        a == nil || b == nil || a == b
    }

    /// The co-occurrence of two passages, when they are one: same camera, different plates,
    /// at most `maxGapMilliseconds` apart, directions compatible.
    public func coOccurrence(_ a: Passage, _ b: Passage) -> (pair: PairKey, coOccurrence: CoOccurrence)? {
        guard a.camera == b.camera, a.plate != b.plate, ConvoyDefinition.compatible(a.direction, b.direction),
              abs(a.time.milliseconds - b.time.milliseconds) <= maxGapMilliseconds
        else { return nil }
        let pair = PairKey(a.plate, b.plate)
        let (first, second) = pair.first == a.plate ? (a, b) : (b, a)
        return (pair, CoOccurrence(camera: a.camera, first: first, second: second))
    }

    // MARK: - The test of the definition

    /// Whether the pair's co-occurrences (any order, any number of them) meet the definition,
    /// and if so its best convoy: the window of `windowMilliseconds` with the most distinct
    /// consistent cameras (then the highest score). Nil when no window qualifies, or none can
    /// score `minimumScore`.
    ///
    /// - Parameter rates: the traffic the pair moved in (`ConvoyScoring`).
    public func assess(_ pair: PairKey, _ coOccurrences: [CoOccurrence], rates: some TrafficRateSource,
                       minimumScore: Double = 0) -> PairConvoy? {
        let passages = collapse(coOccurrences)
        guard passages.count >= minCameras else { return nil }
        var distinct = Set<String>()
        for passage in passages { distinct.insert(passage.camera) }
        guard distinct.count >= minCameras else { return nil }

        // The windows with the most consistent cameras; scored afterwards, as scoring looks at
        // the traffic around and costs more than the test itself.
        var candidates: [(evidence: [CoOccurrence], window: ArraySlice<CoOccurrence>, order: Bool, gap: Bool)] = []
        var end = 0
        for start in passages.indices {
            if end < start { end = start }
            while end < passages.count, passages[end].time.milliseconds - passages[start].time.milliseconds <= windowMilliseconds { end += 1 }
            let window = passages[start..<end]
            guard window.count >= minCameras else { continue }
            // One co-occurrence per camera: the tightest, so a camera passed twice counts once.
            var perCamera: [String: CoOccurrence] = [:]
            for passage in window {
                if let kept = perCamera[passage.camera], abs(kept.gapMilliseconds) <= abs(passage.gapMilliseconds) { continue }
                perCamera[passage.camera] = passage
            }
            guard perCamera.count >= minCameras,
                  let (evidence, order, gap) = consistentSubset(Array(perCamera.values))
            else { continue }
            if let most = candidates.first?.evidence.count {
                if evidence.count < most { continue }
                if evidence.count > most { candidates.removeAll() }
            }
            // A window with the same evidence as the previous one adds nothing.
            if candidates.last.map({ $0.evidence == evidence }) == true { continue }
            candidates.append((evidence, window, order, gap))
        }

        let scoring = ConvoyScoring(definition: self)
        var best: PairConvoy?
        for candidate in candidates {
            let leader = PairConvoy.leader(of: pair, evidence: candidate.evidence)
            let chance = scoring.chance(of: candidate.evidence, pair: pair, leader: leader, rates: rates)
            guard chance.score >= minimumScore else { continue }
            let convoy = PairConvoy(
                pair: pair, evidence: candidate.evidence, passages: Array(candidate.window), consistentOrder: candidate.order,
                consistentGap: candidate.gap, expectedByChance: chance.expected, score: chance.score, chance: chance)
            if best == nil || convoy.score > best!.score { best = convoy }
        }
        return best
    }

    /// Co-occurrences sorted by time, with repeated ones of one passage (several reads of the
    /// same vehicles at one camera within the gap) collapsed into the tightest.
    func collapse(_ coOccurrences: [CoOccurrence]) -> [CoOccurrence] {
        let sorted = coOccurrences.sorted { ($0.time, $0.camera, $0.firstRead) < ($1.time, $1.camera, $1.firstRead) }
        var out: [CoOccurrence] = []
        out.reserveCapacity(sorted.count)
        var lastAtCamera: [String: Int] = [:]
        for item in sorted {
            if let index = lastAtCamera[item.camera], item.time.milliseconds - out[index].time.milliseconds <= maxGapMilliseconds {
                if abs(item.gapMilliseconds) < abs(out[index].gapMilliseconds) { out[index] = item }
                continue
            }
            lastAtCamera[item.camera] = out.count
            out.append(item)
        }
        return out.sorted { ($0.time, $0.camera) < ($1.time, $1.camera) }
    }

    /// The largest consistent subset of one-per-camera co-occurrences, oldest first, with which
    /// kind of consistency it shows; nil when neither reaches `minCameras`.
    func consistentSubset(_ items: [CoOccurrence]) -> (evidence: [CoOccurrence], order: Bool, gap: Bool)? {
        // Consistent order: the same vehicle first everywhere (a tie fits either order).
        let firstLeads = items.filter { $0.gapMilliseconds > 0 }
        let secondLeads = items.filter { $0.gapMilliseconds < 0 }
        let ties = items.filter { $0.gapMilliseconds == 0 }
        let ordered = (firstLeads.count >= secondLeads.count ? firstLeads : secondLeads) + ties

        // Consistent gap: the largest band of absolute gaps no wider than the tolerance.
        let byGap = items.sorted { abs($0.gapMilliseconds) < abs($1.gapMilliseconds) }
        var band = 0..<0
        var low = 0
        for high in byGap.indices {
            while abs(byGap[high].gapMilliseconds) - abs(byGap[low].gapMilliseconds) > gapToleranceMilliseconds { low += 1 }
            if high + 1 - low > band.count { band = low..<(high + 1) }
        }
        let steady = Array(byGap[band])

        let chosen: [CoOccurrence]
        if ordered.count >= minCameras && ordered.count >= steady.count {
            chosen = ordered
        } else if steady.count >= minCameras {
            chosen = steady
        } else {
            return nil
        }
        let signs = Set(chosen.map { $0.gapMilliseconds.signum() }.filter { $0 != 0 })
        let magnitudes = chosen.map { abs($0.gapMilliseconds) }
        let gapConsistent = (magnitudes.max()! - magnitudes.min()!) <= gapToleranceMilliseconds
        return (chosen.sorted { ($0.time, $0.camera) < ($1.time, $1.camera) }, signs.count <= 1, gapConsistent)
    }
}
