import RingwatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Traffic volume by camera and hour, as far as it is known: what makes a co-occurrence likely
/// or unlikely by chance.
public protocol TrafficRateSource {
    /// Reads per hour at `camera` around `time` (the camera's traffic, both directions).
    func readsPerHour(camera: String, at time: Timestamp) -> Double
}

/// How likely a pair's co-occurrences would be by chance, and the score that follows.
///
/// At a camera with λ reads per second, the vehicles passing within `g` of a given car number
/// about `2 λ g` (Poisson). So a co-occurrence `g` seconds apart says little on the ring at rush
/// hour (dozens of cars that close) and much at a quiet outer camera at 03:00 (a fraction of
/// one). For the `k` cameras of the evidence the expected number of vehicles that would keep
/// company with the leader this closely by chance is
///
///     E = geometric mean over cameras of (2 λ_c max(|gap_c|, floor))  ×  persistence^(k−1)
///
/// where λ_c is the camera's rate at that hour and `persistence` (`routePersistence`) the share
/// of a car's neighbours still near it at the next camera (traffic moves in platoons, so
/// cameras are not independent). The score is `exp(−E)`: the probability that no vehicle would
/// match the pattern by chance; 1 is certain, 0.5 means about 0.7 chance companions expected.
public struct ConvoyScoring: Sendable {
    public let definition: ConvoyDefinition

    public init(definition: ConvoyDefinition) { self.definition = definition }

    /// Rates below this (reads per hour) are treated as this: a camera that has seen nothing
    /// yet is not infinitely quiet.
    public static let minimumReadsPerHour = 1.0

    /// Expected chance companions and the score, for one-per-camera `evidence`.
    public func chance(of evidence: [CoOccurrence], rates: some TrafficRateSource) -> (expected: Double, score: Double) {
        guard !evidence.isEmpty else { return (.infinity, 0) }
        var logSum = 0.0
        for item in evidence {
            let perSecond = max(rates.readsPerHour(camera: item.camera, at: item.time), ConvoyScoring.minimumReadsPerHour) / 3600
            let gapSeconds = Double(max(abs(item.gapMilliseconds), definition.gapFloorMilliseconds)) / 1000
            logSum += log(max(2 * perSecond * gapSeconds, 1e-12))
        }
        let neighbours = exp(logSum / Double(evidence.count))
        let expected = neighbours * pow(definition.routePersistence, Double(evidence.count - 1))
        return (expected, exp(-expected))
    }
}
