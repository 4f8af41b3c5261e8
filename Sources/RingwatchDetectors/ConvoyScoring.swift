import RingwatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Traffic volume by camera and time, as far as it is known: what makes a co-occurrence likely
/// or unlikely by chance.
public protocol TrafficRateSource {
    /// Reads per hour at `camera` around `time` (the camera's traffic, both directions).
    func readsPerHour(camera: String, at time: Timestamp) -> Double
}

/// The other vehicles read near a given passage: the traffic a convoy moved in.
public protocol NeighbourSource {
    /// Vehicles other than the pair's two read at `camera` within `within` milliseconds of
    /// `time`, nearest first, at most `limit`, each as an id that is stable within this source.
    func neighbours(camera: String, around time: Timestamp, within: Int64, excluding pair: PairKey, limit: Int) -> [UInt64]
}

/// How likely a pair's co-occurrences would be by chance, and the score that follows.
///
/// The question is: how many vehicles would have kept company with the leader like this by
/// chance? At a camera with λ reads per second, about `n = 2 λ g` vehicles pass within `g` of
/// any car (Poisson): dozens on the ring at rush hour, a fraction of one at an outer camera at
/// 03:00. `g` is halfway between the pair's gap there and the maximum gap (anything within the
/// maximum meets the definition; closeness earns half credit), and `n` is the geometric mean
/// over the evidence cameras, so each camera's traffic at that hour weighs in. From each
/// camera to the next only a share `f` of those chance companions is still there:
///
///     E = n × f₂ × … × f_k,   score = exp(−E)
///
/// `f` is measured on the traffic itself: of the vehicles near the leader at the previous
/// evidence camera (at most `maximumCandidates`), the share also near it at this one. Traffic
/// moving along the ring together has `f` near 1 and scores low; two cars that leave the ring
/// together, while the traffic around them goes on, score high. Thin traffic says little, so the share is shrunk
/// towards a prior, `routePersistence` (about half the traffic goes the same way), by two
/// pseudo-counts; with no traffic around at all it is the prior.
///
/// The score is the probability that no vehicle would match the pattern by chance: 1 is
/// certain, 0.5 means about 0.7 chance companions expected.
public struct ConvoyScoring: Sendable {
    public let definition: ConvoyDefinition

    public init(definition: ConvoyDefinition) { self.definition = definition }

    /// Rates below this (reads per hour) are treated as this: a camera that has seen nothing
    /// yet is not infinitely quiet.
    public static let minimumReadsPerHour = 1.0
    /// Weight of the prior in the measured share, in vehicles.
    static let priorWeight = 2.0

    /// Expected chance companions and the score, for one-per-camera `evidence` (oldest first)
    /// of `pair`, led by `leader`.
    public func chance(of evidence: [CoOccurrence], pair: PairKey, leader: String, rates: some TrafficRateSource,
                       neighbours: (any NeighbourSource)?) -> (expected: Double, score: Double) {
        guard !evidence.isEmpty else { return (.infinity, 0) }
        let leaderIsFirst = leader == pair.first
        let gap = definition.maxGapMilliseconds
        let floor = definition.gapFloorMilliseconds
        var logSum = 0.0
        for item in evidence {
            let perSecond = max(rates.readsPerHour(camera: item.camera, at: item.time), ConvoyScoring.minimumReadsPerHour) / 3600
            // Anything within the maximum gap meets the definition; a closer pair gets some credit
            // for it, but only half: in a crowd, cars close together stay close together.
            let gapSeconds = Double(max(abs(item.gapMilliseconds), floor) + gap) / 2000
            logSum += log(max(2 * perSecond * gapSeconds, 1e-12))
        }
        var expected = exp(logSum / Double(evidence.count))

        var previous: Set<UInt64>?
        for (index, item) in evidence.enumerated() {
            let leaderTime = leaderIsFirst ? item.firstTime : item.secondTime
            var around: Set<UInt64>?
            if let neighbours {
                around = Set(neighbours.neighbours(camera: item.camera, around: leaderTime, within: gap, excluding: pair,
                                                   limit: definition.maximumCandidates))
            }
            if index > 0 {
                // The prior: about `routePersistence` of the traffic near the leader is still near
                // it at the next camera. Measured on the traffic itself when there is some: the
                // share of the leader's neighbours there that are near it here too, shrunk towards
                // the prior when the traffic is thin. (Not how steady their gaps were: in traffic
                // where each driver keeps their own speed, any two of like speed have steady gaps,
                // and rewarding that turns every platoon into convoys.)
                let prior = definition.routePersistence
                var share = prior
                if let previous, let around {
                    let followers = previous.intersection(around).count
                    share = (Double(followers) + ConvoyScoring.priorWeight * prior) / (Double(previous.count) + ConvoyScoring.priorWeight)
                }
                expected *= share
            }
            previous = around
        }
        return (expected, exp(-expected))
    }
}
