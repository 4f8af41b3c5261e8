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

    /// Reads of either vehicle of `pair` in `from..<to` at which the other vehicle was not read
    /// at the same camera within `maxGap`; nil when the source does not know the vehicles' ways.
    func unaccompaniedReads(of pair: PairKey, from: Timestamp, to: Timestamp, maxGapMilliseconds maxGap: Int64) -> Int?
}

extension TrafficRateSource {
    /// Unknown unless measured.
    public func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double? {
        nil
    }

    /// Unknown unless the source holds the vehicles' ways.
    public func unaccompaniedReads(of pair: PairKey, from: Timestamp, to: Timestamp, maxGapMilliseconds maxGap: Int64) -> Int? {
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
/// - On each move between evidence cameras only a share `p` of a car's neighbours is still near
///   it: measured on the traffic that made the same move (`TrafficRateSource.persistence`:
///   high along a ring where everyone goes on together, low where the traffic splits), else
///   `routePersistence`. Cars that stayed together for one move mostly share the road for the
///   next, so later moves keep at least `followOnPersistence` (`f`) of the company: a further
///   camera adds weight through a kept gap, not merely by being passed together.
/// - What chance company does not do is keep its gap. A stranger's gap changes over a leg of
///   `L` seconds by about `gapDrift × L` (σ; drivers differ in pace and each leg brings its own
///   lights), though no more than staying within the maximum gap allows (σ at most about
///   0.45 × the maximum gap). The pair's gaps lie within a band of width `w` (largest minus
///   smallest, signed, so a swap of order makes it wide), widened by `gapJitterMilliseconds`
///   on each side; at each camera after the first, a chance companion's gap lands in such a
///   band with probability about `q = w′ / (σ √(2π))` (at most 1). A convoy holding its gap
///   within a few seconds over long legs earns a few per cent per camera; gaps wandering as
///   strangers' do earn nothing. The band, not the change from camera to camera, is what
///   counts: strangers' small steps add up to a drift, a convoy's do not.
/// - Optionally (`steadyShare` below 1) evidence in one order whose gaps stay within
///   `steadyGapRatio` of each other keeps a further `steadyShare` per camera after the second.
///
/// - A convoy arrives together; strangers' ways join. Each read of either vehicle shortly
///   before the first evidence camera at which the other was not read (`u` of them, at most
///   `leadUpReadsCounted`) makes chance company `leadUpDivergence` (`d`) times likelier, when the
///   `TrafficRateSource` knows the vehicles' ways (the live tracker and the period-wide search do).
///
///     E = n × p₂ × max(p₃, f) × … × max(p_k, f) × q₂ × … × q_k × d^u  (× steadyShare^(k−2) when steady)
///
/// The score is `exp(−E × chanceScale)`: `E` is per leader, and a day of traffic brings many
/// leaders, each a chance for chance company, so the score answers for the day: 1 is certain;
/// 0.95 means about one chance in twenty that the traffic alone made such a pair.
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
        /// Whether the evidence keeps one order and a steady gap (`steadyGapRatio`).
        public var steady: Bool
        /// Of the company kept on each move, the share whose gap changed no more than the
        /// pair's (`q`), `k − 1` of them.
        public var keptGap: [Double] = []
        /// The traffic at each evidence camera when the pair passed (reads per hour, as the
        /// `TrafficRateSource` gave it), one per evidence camera.
        public var readsPerHour: [Double] = []
        /// Reads of either vehicle before the first evidence camera without the other (`u`,
        /// before the cap); 0 when not known.
        public var unaccompanied = 0
        /// Expected chance companions of one leader, `E`.
        public var expected: Double
        /// exp(−E × chanceScale).
        public var score: Double
    }

    /// The spread (σ, milliseconds) of a chance companion's gap change over a leg of
    /// `legMilliseconds`: `gapDrift` of the leg, but no more than staying within the maximum
    /// gap allows.
    public func driftSpread(leg legMilliseconds: Int64) -> Double {
        // A leg is at least a few seconds long: two cameras read at once say nothing of drift.
        let drift = definition.gapDrift * Double(max(legMilliseconds, 5_000))
        let cap = ConvoyScoring.windowSpread * Double(definition.maxGapMilliseconds)
        return 1 / (1 / (drift * drift) + 1 / (cap * cap)).squareRoot()
    }

    /// Of the vehicles still near a car after a leg of `legMilliseconds`, the share whose gap
    /// lands by chance in a band `bandMilliseconds` wide (before the jitter is added).
    public func keptGapShare(band bandMilliseconds: Int64, leg legMilliseconds: Int64) -> Double {
        let width = Double(max(0, bandMilliseconds) + 2 * definition.gapJitterMilliseconds)
        return min(1, width / (driftSpread(leg: legMilliseconds) * (2 * Double.pi).squareRoot()))
    }

    /// The spread of a companion's gap change once it is limited by staying within the
    /// maximum gap at both cameras, as a share of the maximum gap (two gaps each within ±g:
    /// their difference spreads over about ±g).
    public static let windowSpread = 0.45

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
        var perHour: [Double] = []
        perHour.reserveCapacity(evidence.count)
        for item in evidence {
            perHour.append(rates.readsPerHour(camera: item.camera, at: item.time))
            let perSecond = max(perHour[perHour.count - 1], ConvoyScoring.minimumReadsPerHour) / 3600
            let gapSeconds = Double(max(abs(item.gapMilliseconds), floor) + gap) / 2000
            logSum += log(max(2 * perSecond * gapSeconds, 1e-12))
        }
        let density = exp(logSum / Double(evidence.count))
        var expected = density
        var shares: [Double] = [], keptGap: [Double] = []
        let band = evidence.map(\.gapMilliseconds).max()! - evidence.map(\.gapMilliseconds).min()!
        for index in evidence.indices.dropFirst() {
            let before = evidence[index - 1], after = evidence[index]
            let from = leaderIsFirst ? before.firstTime : before.secondTime
            let to = leaderIsFirst ? after.firstTime : after.secondTime
            let share = rates.persistence(from: before.camera, at: from, to: after.camera, at: to, excluding: pair) ?? definition.routePersistence
            shares.append(share)
            expected *= index == 1 ? share : max(share, definition.followOnPersistence)
            let kept = keptGapShare(band: band, leg: to.milliseconds - from.milliseconds)
            keptGap.append(kept)
            expected *= kept
        }
        let steady = isSteady(evidence)
        if steady, evidence.count > 2 { expected *= pow(definition.steadyShare, Double(evidence.count - 2)) }
        var unaccompanied = 0
        if definition.leadUpDivergence > 1, definition.leadUpReadsCounted > 0, definition.leadUpMilliseconds > 0,
           let start = evidence.first?.time,
           let count = rates.unaccompaniedReads(of: pair, from: start.adding(milliseconds: -definition.leadUpMilliseconds), to: start,
                                                maxGapMilliseconds: gap) {
            unaccompanied = count
            expected *= pow(definition.leadUpDivergence, Double(min(count, definition.leadUpReadsCounted)))
        }
        return Chance(density: density, shares: shares, steady: steady, keptGap: keptGap, readsPerHour: perHour,
                      unaccompanied: unaccompanied, expected: expected, score: exp(-expected * definition.chanceScale))
    }
}

extension ConvoyScoring {
    /// The lead-up rule's count: reads on either vehicle's way in `from..<to` without a read of
    /// the other vehicle at the same camera within `maxGap`. One definition for the live
    /// tracker's trails and the history's fetched reads, so that both score alike.
    public static func unaccompaniedReads<Read, Camera: Equatable>(
        _ first: [Read], _ second: [Read], from: Int64, to: Int64, maxGap: Int64,
        time: (Read) -> Int64, camera: (Read) -> Camera
    ) -> Int {
        func alone(_ trail: [Read], _ other: [Read]) -> Int {
            trail.count { read in
                let at = time(read)
                return at >= from && at < to && !other.contains { camera($0) == camera(read) && abs(time($0) - at) <= maxGap }
            }
        }
        return alone(first, second) + alone(second, first)
    }
}
