import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// Which way `ringwatch convoys --from --to` found its convoys.
public enum ConvoySearchPath: Sendable, Equatable {
    /// Read from the convoy pair log the live engine wrote, for this many hours.
    case pairLog(hours: Int)
    /// Streamed every read of the period through a tracker, because of `reason`.
    case reads(reason: String)

    /// One line for an operator, without plates.
    public var summary: String {
        switch self {
        case .pairLog(let hours): "answered from the live engine's convoy pair log (\(hours) hours)"
        case .reads(let reason): "searched the reads: \(reason)"
        }
    }
}

/// How the period-wide search may find its convoys.
public enum ConvoySearchPathChoice: String, Sendable, CaseIterable {
    /// The pair log when it covers the period, else the reads.
    case auto
    /// The pair log only: an error when it does not cover the period.
    case log
    /// The reads only (as before the pair log).
    case reads
}

extension ConvoySearch {
    /// Every convoy in `from...to` scoring at least `minimumScore`, best first, and how they
    /// were found: from the convoy pair log when every hour of the period is covered under this
    /// search's definition (`pairLogProblem`), else by streaming the reads (`convoys(from:to:minimumScore:)`).
    public func convoys(from: Timestamp, to: Timestamp, minimumScore: Double,
                        path choice: ConvoySearchPathChoice) throws -> (convoys: [ConvoyGroup], path: ConvoySearchPath) {
        var problem = "--search-path reads"
        if choice != .reads {
            if let reason = try pairLogProblem(from: from, to: to, minimumScore: minimumScore) {
                if choice == .log { throw ConvoyPairLogNotCovering(reason: reason) }
                problem = reason
            } else {
                let hours = try database.readPartitions(from: from, to: to).count
                return (try convoysFromPairLog(from: from, to: to, minimumScore: minimumScore), .pairLog(hours: hours))
            }
        }
        return (try convoys(from: from, to: to, minimumScore: minimumScore), .reads(reason: problem))
    }

    /// The minimum pair score the search groups with (as the streaming search sets it).
    func groupingPairScore(_ minimumScore: Double) -> Double { min(definition.minimumPairScore, minimumScore) }

    /// Nil when the pair log answers for `from...to`; else why not, in a few words without
    /// plates: an hour the live tracker did not see whole (engine restart, a late or imported
    /// read), or saw under another definition or registry, or a lower score asked for than it logged.
    public func pairLogProblem(from: Timestamp, to: Timestamp, minimumScore: Double) throws -> String? {
        let partitions = try database.readPartitions(from: from, to: to)
        let covered = try database.convoyLogHours(from: from, to: to)
        let fingerprint = definition.pairLogFingerprint
        var missing = 0, otherDefinition = 0, otherRegistry = 0, lowerScore = 0, changed = 0
        for partition in partitions {
            guard let hour = covered[partition.hour] else {
                missing += 1
                continue
            }
            if hour.definition != fingerprint {
                otherDefinition += 1
            } else if hour.registry != (vehicleType != nil) {
                otherRegistry += 1
            } else if hour.minimumPairScore > groupingPairScore(minimumScore) {
                lowerScore += 1
            } else if try database.storedReadCount(in: partition.table) != hour.reads {
                changed += 1
            }
        }
        var reasons: [String] = []
        if missing > 0 { reasons.append("\(missing) of \(partitions.count) hours not seen whole by the live tracker") }
        if otherDefinition > 0 { reasons.append("\(otherDefinition) hours logged under other convoy parameters") }
        if otherRegistry > 0 { reasons.append("\(otherRegistry) hours logged \(vehicleType == nil ? "with" : "without") a vehicle registry") }
        if lowerScore > 0 { reasons.append("\(lowerScore) hours logged only above a higher pair score") }
        if changed > 0 { reasons.append("\(changed) hours with reads stored after they were logged") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// The period-wide search over the pair log: the logged assessments of the period replayed
    /// into the grouping in the order the live tracker made them, convoys closed after the same
    /// quiet time as the streaming search's, then the commuter rule over the whole period from
    /// the hours each pair met the definition. Call only when `pairLogProblem` is nil.
    public func convoysFromPairLog(from: Timestamp, to: Timestamp, minimumScore: Double) throws -> [ConvoyGroup] {
        progress?(0, 3)
        let logged = try database.convoyLogPairs(from: from, to: to)
        progress?(1, 3)
        let pairScore = groupingPairScore(minimumScore)
        let gap = definition.maxGapMilliseconds
        // As the streaming search's tracker (no lateness): a convoy closes once quiet this long.
        let groupRetention = max(definition.quietPeriodMilliseconds, definition.windowMilliseconds + gap)
        var grouping = ConvoyGrouping(maximumSize: definition.maximumGroupSize)
        var closed: [ConvoyGrouping.Group] = []
        var latest = Int64.min, lastSweep = Int64.min
        for row in logged {
            if row.readTime > latest { latest = row.readTime }
            if lastSweep == .min || latest - lastSweep >= 10_000 {
                lastSweep = latest
                closed += grouping.removeQuiet(before: latest - groupRetention)
            }
            let convoy = ConvoySearch.pairConvoy(row)
            switch row.kind {
            case ConvoyTracker.AssessedPair.Kind.grouped.rawValue where row.score >= pairScore:
                grouping.add(convoy, lastEvidence: row.lastEvidence)
            case ConvoyTracker.AssessedPair.Kind.updated.rawValue:
                grouping.update(convoy)
            default:
                break
            }
        }
        closed += grouping.removeAll()
        progress?(2, 3)
        let groups = closed.map { ConvoyGroup(pairs: Array($0.pairs.values), maxGapMilliseconds: gap) }
        // The commuter rule counts the days each pair met the definition, from the period's
        // hour rows, loaded once; only pairs in the convoys found are looked up.
        let pairHours = definition.excludeCommuters && !includeCommuters
            ? try database.convoyPairHours(fromHour: from.hourNumber, toHour: to.hourNumber) : []
        var verdicts: [PairKey: Bool] = [:]
        let found = listed(groups, minimumScore: minimumScore) { pair in
            if let known = verdicts[pair] { return known }
            let hash = ConvoyLogPairHour.hash(pair.first, pair.second)
            let verdict = isCommuter(days: Set(pairHours.lazy.filter { $0.contains(hash) }.map { $0.hour.floorDivided(by: 24) }))
            verdicts[pair] = verdict
            return verdict
        }
        progress?(3, 3)
        return found
    }

    /// A logged assessment as the detector made it (without the parts of its score).
    static func pairConvoy(_ row: ConvoyLogPair) -> PairConvoy {
        let pair = PairKey(row.plateA, row.plateB)
        func item(_ passage: ConvoyLogPassage) -> CoOccurrence {
            CoOccurrence(camera: passage.camera, firstRead: ReadID(rawValue: passage.firstRead), firstTime: Timestamp(milliseconds: passage.firstTime),
                         secondRead: ReadID(rawValue: passage.secondRead), secondTime: Timestamp(milliseconds: passage.secondTime))
        }
        return PairConvoy(pair: pair, evidence: row.evidence.map(item), passages: row.passages.map(item), consistentOrder: row.consistentOrder,
                          consistentGap: row.consistentGap, expectedByChance: row.expectedByChance, score: row.score)
    }
}

/// `--search-path log` on a period the pair log does not cover.
public struct ConvoyPairLogNotCovering: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "the convoy pair log does not cover this period (\(reason)); use --search-path auto or reads" }
}
