import RingwatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The traffic as far as it is known: what makes a co-occurrence likely or unlikely by chance.
public protocol TrafficRateSource {
    /// Reads per hour at `camera` around `time` (the camera's traffic, both directions).
    func readsPerHour(camera: String, at time: Timestamp) -> Double

    /// Of the vehicles near a car (within the maximum gap) when it passed `from` at `fromTime`,
    /// the share still near it when it passed `to` at `toTime`, as measured on the traffic
    /// (leaving out the pair being scored); nil when there is too little to say.
    func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double?
}

extension TrafficRateSource {
    /// Unknown unless measured.
    public func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double? {
        nil
    }
}

/// How likely a pair's co-occurrences would be by chance, and the score that follows.
///
/// The question: how many vehicles would have kept company with the leader like this by chance?
///
/// - At a camera with λ reads per second, about `n = 2 λ g` vehicles pass within `g` of any
///   car (Poisson): dozens on the ring at rush hour, a fraction of one at an outer camera at
///   03:00. `g` is halfway between the pair's gap there and the maximum gap (anything within
///   the maximum meets the definition; closeness earns half credit). `n` is the geometric mean
///   over the evidence cameras, so each camera's traffic at that hour weighs in.
/// - On the first move between evidence cameras only a share `p₂` of a car's neighbours is
///   still near it: measured on the traffic that made the same move
///   (`TrafficRateSource.persistence`: high along a ring where everyone goes on together, low
///   where the traffic splits), else `routePersistence`.
/// - After that the moves are not independent: two cars that stayed together for one move
///   mostly stay together for the next (same road, same pace). Each later move keeps at least
///   `followOnPersistence` of the company, so a further camera on a common road adds little
///   (0 by default: the measured shares multiply as they are).
/// - What chance company rarely does is keep its order and its gap: strangers' gaps drift
///   camera by camera. Evidence in one order whose largest gap is at most `steadyGapRatio`
///   times its smallest (gaps below `gapFloorMilliseconds` counted as the floor) keeps, from
///   the third camera on, only a share `steadyShare` per camera of the chance company; evidence
///   without both earns no such credit (1 by default: none for any evidence).
///
///     E = n × p₂ × max(p₃, f) × … × max(p_k, f) × s^(k−2 if steady, else 0)
///
/// The score is the probability that no vehicle would match the pattern by chance: 1 is
/// certain, 0.5 means about 0.7 chance companions expected. It is per vehicle: over a day of
/// hundreds of thousands of vehicles, `minimumScore` must be high.
public struct ConvoyScoring: Sendable {
    public let definition: ConvoyDefinition

    public init(definition: ConvoyDefinition) { self.definition = definition }

    /// Rates below this (reads per hour) are treated as this: a camera that has seen nothing
    /// yet is not infinitely quiet.
    public static let minimumReadsPerHour = 1.0

    /// The parts of a score.
    public struct Chance: Sendable, Equatable {
        /// Vehicles near the leader at a camera (geometric mean over the evidence): `n`.
        public var density: Double
        /// Measured share of the company kept on each move between evidence cameras (before
        /// `followOnPersistence` applies), `k − 1` of them.
        public var shares: [Double]
        /// Whether the evidence keeps one order and a steady gap.
        public var steady: Bool
        /// Expected chance companions `E`.
        public var expected: Double
        /// exp(−E).
        public var score: Double
    }

    /// Whether `evidence` keeps one order and a gap within `steadyGapRatio` of itself.
    public func isSteady(_ evidence: [CoOccurrence]) -> Bool {
        guard let firstSign = evidence.first(where: { $0.gapMilliseconds != 0 })?.gapMilliseconds.signum() else { return true }
        guard evidence.allSatisfy({ $0.gapMilliseconds.signum() != -firstSign }) else { return false }
        let sizes = evidence.map { Double(max(abs($0.gapMilliseconds), definition.gapFloorMilliseconds)) }
        return sizes.max()! <= definition.steadyGapRatio * sizes.min()!
    }

    /// Expected chance companions and the score, for one-per-camera `evidence` (oldest first)
    /// of `pair`, led by `leader`.
    public func chance(of evidence: [CoOccurrence], pair: PairKey, leader: String, rates: some TrafficRateSource) -> Chance {
        guard !evidence.isEmpty else { return Chance(density: .infinity, shares: [], steady: false, expected: .infinity, score: 0) }
        let leaderIsFirst = leader == pair.first
        let gap = definition.maxGapMilliseconds
        let floor = definition.gapFloorMilliseconds
        var logSum = 0.0
        for item in evidence {
            let perSecond = max(rates.readsPerHour(camera: item.camera, at: item.time), ConvoyScoring.minimumReadsPerHour) / 3600
            let gapSeconds = Double(max(abs(item.gapMilliseconds), floor) + gap) / 2000
            logSum += log(max(2 * perSecond * gapSeconds, 1e-12))
        }
        let density = exp(logSum / Double(evidence.count))
        var expected = density
        var shares: [Double] = []
        for index in evidence.indices.dropFirst() {
            let before = evidence[index - 1], after = evidence[index]
            let share = rates.persistence(
                from: before.camera, at: leaderIsFirst ? before.firstTime : before.secondTime,
                to: after.camera, at: leaderIsFirst ? after.firstTime : after.secondTime, excluding: pair) ?? definition.routePersistence
            shares.append(share)
            expected *= index == 1 ? share : max(share, definition.followOnPersistence)
        }
        let steady = isSteady(evidence)
        if steady, evidence.count > 2 { expected *= pow(definition.steadyShare, Double(evidence.count - 2)) }
        return Chance(density: density, shares: shares, steady: steady, expected: expected, score: exp(-expected))
    }
}
