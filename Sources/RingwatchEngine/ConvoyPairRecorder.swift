import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// Writes the convoy pair log (issue 6) from the live convoy detector: each pair assessment that
/// met the definition, each (pair, hour) for the commuter rule, and each hour the tracker saw
/// whole (`HistoryDatabase+ConvoyLog.swift`), collected into the pipeline's write batches and
/// committed with the next commit after the reads they came from.
///
/// An hour is covered once event time has passed its end by the lateness, if it began at or
/// after the detector's `liveSince` (no restart gap in or before it) and none of its reads came
/// later than the lateness; it carries the definition's fingerprint and how many of its reads
/// the tracker saw, which a search checks against the reads stored.
///
/// Belongs to the thread that runs the detector (the convoy thread, `ConvoyStage`).
public final class ConvoyPairRecorder {
    private let detector: ConvoyDetector
    private let latenessMilliseconds: Int64
    private let fingerprint: String
    private let minimumPairScore: Double
    private let registryLoaded: () -> Bool
    private var pending = ConvoyLogBatch()
    /// Reads the tracker saw per hour not yet settled.
    private var readsPerHour: [Int64: Int64] = [:]
    /// Hours not yet settled that had a read later than the lateness.
    private var lateHours = Set<Int64>()
    /// Pairs that met the definition in each hour not yet settled (hashes), and the oldest read
    /// of their evidence.
    private var pairsInHour: [Int64: (pairs: Set<UInt64>, first: Int64)] = [:]
    private var latest: Int64 = .min
    /// Hours before this one are settled.
    private var settledBefore: Int64 = .min
    private var currentHour: Int64 = .min
    private var currentHourReads: Int64 = 0

    /// Assessments logged since start (for measurement).
    public private(set) var loggedPairs = 0

    /// Hooks `detector`'s tracker. `registryLoaded` says whether vehicle types come from a
    /// registry (so buses were excluded), as the coverage records it.
    public init(detector: ConvoyDetector, latenessMilliseconds: Int64, registryLoaded: @escaping () -> Bool) {
        self.detector = detector
        self.latenessMilliseconds = latenessMilliseconds
        self.fingerprint = detector.definition.pairLogFingerprint
        self.minimumPairScore = detector.definition.minimumPairScore
        self.registryLoaded = registryLoaded
        detector.onPairAssessed = { [unowned self] assessed in record(assessed) }
    }

    /// Counts `read` as seen by the tracker; call after the detector evaluated it. `late`: it
    /// came later than the lateness allows.
    public func observed(_ read: PlateRead, late: Bool) {
        let time = read.timestamp.milliseconds
        let hour = time.floorDivided(by: 3_600_000)
        if hour != currentHour {
            flushCurrentHour()
            currentHour = hour
            currentHourReads = readsPerHour[hour] ?? 0
        }
        currentHourReads += 1
        if late || hour < settledBefore { lateHours.insert(hour) }
        if time > latest {
            latest = time
            if (latest - latenessMilliseconds).floorDivided(by: 3_600_000) > settledBefore { settle() }
        }
    }

    /// Settles the hours before `time` as if a read that late had come: for a replay or a
    /// simulation whose end is known, so its last hour is covered too (the engine itself waits
    /// for the next read past the hour).
    public func advance(to time: Timestamp) {
        if time.milliseconds > latest {
            latest = time.milliseconds
            settle()
        }
    }

    /// What to write with the next batch.
    public func drain() -> ConvoyLogBatch {
        defer { pending = ConvoyLogBatch() }
        return pending
    }

    private func flushCurrentHour() {
        if currentHour != .min { readsPerHour[currentHour] = currentHourReads }
    }

    /// Covers the hours event time has left behind by the lateness.
    private func settle() {
        flushCurrentHour()
        let before = (latest - latenessMilliseconds).floorDivided(by: 3_600_000)
        let since = detector.liveSince ?? .max
        for (hour, reads) in readsPerHour where hour < before {
            if !lateHours.contains(hour), since == .min || hour * 3_600_000 >= since {
                pending.hours.append(ConvoyLogHour(hour: hour, definition: fingerprint, minimumPairScore: minimumPairScore,
                                                   reads: reads, registry: registryLoaded()))
            }
            readsPerHour.removeValue(forKey: hour)
            lateHours.remove(hour)
        }
        for (hour, met) in pairsInHour where hour < before {
            pending.pairHours.append(ConvoyLogPairHour(hour: hour, first: met.first, pairs: met.pairs.sorted()))
            pairsInHour.removeValue(forKey: hour)
        }
        pending.hours.sort { $0.hour < $1.hour }
        pending.pairHours.sort { $0.hour < $1.hour }
        settledBefore = before
        if currentHour < before { currentHour = .min }
    }

    private func record(_ assessed: ConvoyTracker.AssessedPair) {
        let convoy = assessed.convoy
        let first = convoy.passages.reduce(convoy.first.milliseconds) { min($0, $1.firstTime.milliseconds, $1.secondTime.milliseconds) }
        if assessed.kind != .updated {
            let hour = assessed.readTime.floorDivided(by: 3_600_000)
            let hash = ConvoyLogPairHour.hash(convoy.pair.first, convoy.pair.second)
            pairsInHour[hour, default: ([], first)].pairs.insert(hash)
            pairsInHour[hour]!.first = min(pairsInHour[hour]!.first, first)
        }
        guard assessed.kind != .met else { return }
        loggedPairs += 1
        pending.pairs.append(ConvoyLogPair(
            kind: assessed.kind.rawValue, readTime: assessed.readTime, lastEvidence: assessed.lastEvidence,
            plateA: convoy.pair.first, plateB: convoy.pair.second, score: convoy.score, expectedByChance: convoy.expectedByChance,
            consistentOrder: convoy.consistentOrder, consistentGap: convoy.consistentGap,
            passages: convoy.passages.map(ConvoyPairRecorder.passage), evidence: convoy.evidence.map(ConvoyPairRecorder.passage)))
    }

    static func passage(_ item: CoOccurrence) -> ConvoyLogPassage {
        ConvoyLogPassage(camera: item.camera, firstRead: item.firstRead.rawValue, firstTime: item.firstTime.milliseconds,
                         secondRead: item.secondRead.rawValue, secondTime: item.secondTime.milliseconds)
    }
}
