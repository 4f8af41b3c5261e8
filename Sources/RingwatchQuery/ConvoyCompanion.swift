import Foundation
import RingwatchCore
import RingwatchDetectors

/// A vehicle that travelled with the vehicle asked about: one row of `ringwatch convoys --plate`.
public struct ConvoyCompanion: Sendable {
    public let plate: String
    /// Each trip on which the pair met the definition, oldest first.
    public let episodes: [PairConvoy]
    /// Distinct days with such a trip.
    public let days: Int
    /// Together on enough days to count as commuters (listed only when asked for).
    public let commuter: Bool
    /// Passages together at a camera, over all trips.
    public let coOccurrences: Int
    /// Shared cameras in order of first shared passage.
    public let cameras: [String]
    public let first: Timestamp
    public let last: Timestamp
    /// Evidence over all trips: one minus the chance that every trip's company was coincidence.
    public let score: Double
    private let maxGapMilliseconds: Int64

    public init(plate: String, episodes: [PairConvoy], days: Int, commuter: Bool, maxGapMilliseconds: Int64) {
        self.plate = plate
        self.episodes = episodes.sorted { $0.first < $1.first }
        self.days = days
        self.commuter = commuter
        self.maxGapMilliseconds = maxGapMilliseconds
        coOccurrences = episodes.reduce(0) { $0 + $1.passages.count }
        var seen = Set<String>()
        cameras = self.episodes.flatMap(\.cameras).filter { seen.insert($0).inserted }
        first = episodes.map(\.first).min()!
        last = episodes.map(\.last).max()!
        score = 1 - episodes.reduce(1.0) { $0 * (1 - $1.score) }
    }

    /// One sentence: how often, and the strongest trip.
    public var explanation: String {
        let best = episodes.max { $0.score < $1.score }!
        let trip = ConvoyGroup(pairs: [best], maxGapMilliseconds: maxGapMilliseconds).explanation
        let strongest = trip.prefix(1).lowercased() + trip.dropFirst()
        let often = episodes.count == 1 ? "Once" : "On \(episodes.count) trips over \(days) day\(days == 1 ? "" : "s")"
        return "\(often)\(commuter ? " (a commuter pair)" : ""); strongest: \(strongest)"
    }
}
