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
/// - From one evidence camera to the next only a share `p` of a car's neighbours is still near
///   it: measured on the traffic that made the same move (`TrafficRateSource.persistence`: high
///   along a ring where everyone goes on together, low where the traffic splits), else
///   `routePersistence`.
///
///     E = n × p₂ × … × p_k,   score = exp(−E)
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

    /// Expected chance companions and the score, for one-per-camera `evidence` (oldest first)
    /// of `pair`, led by `leader`.
    public func chance(of evidence: [CoOccurrence], pair: PairKey, leader: String, rates: some TrafficRateSource)
        -> (expected: Double, score: Double) {
        guard !evidence.isEmpty else { return (.infinity, 0) }
        let leaderIsFirst = leader == pair.first
        let gap = definition.maxGapMilliseconds
        let floor = definition.gapFloorMilliseconds
        var logSum = 0.0
        for item in evidence {
            let perSecond = max(rates.readsPerHour(camera: item.camera, at: item.time), ConvoyScoring.minimumReadsPerHour) / 3600
            let gapSeconds = Double(max(abs(item.gapMilliseconds), floor) + gap) / 2000
            logSum += log(max(2 * perSecond * gapSeconds, 1e-12))
        }
        var expected = exp(logSum / Double(evidence.count))
        for index in evidence.indices.dropFirst() {
            let before = evidence[index - 1], after = evidence[index]
            let share = rates.persistence(
                from: before.camera, at: leaderIsFirst ? before.firstTime : before.secondTime,
                to: after.camera, at: leaderIsFirst ? after.firstTime : after.secondTime, excluding: pair)
            expected *= share ?? definition.routePersistence
        }
        return (expected, exp(-expected))
    }
}
