import Foundation
import RingwatchCore

/// A convoy of two or more vehicles: pairs that meet the definition and share vehicles, merged,
/// with the lead vehicle first. What a `trigger.convoy.*` and a `ringwatch convoys` row report.
public struct ConvoyGroup: Sendable {
    /// Every member, lead first (by order of passage).
    public let plates: [String]
    /// The pairs that hold the group together.
    public let pairs: [PairConvoy]
    /// Shared cameras in order of first shared passage; a camera passed twice appears once.
    public let cameras: [String]
    /// Passages where two or more members were read together (one per camera visit).
    public let coOccurrences: Int
    /// The widest gap between two members at one camera.
    public let maxGapMilliseconds: Int64
    /// How unlikely the group is by chance, 0...1: its strongest pair's score.
    public let score: Double
    /// The strongest pair's expected number of chance companions (`ConvoyScoring`).
    public let expectedByChance: Double
    public let first: Timestamp
    public let last: Timestamp
    /// Every read in the evidence, sorted.
    public let readIDs: [ReadID]

    /// Summarises `pairs`, which must form one connected group (see `ConvoyGrouping`).
    public init(pairs: [PairConvoy], maxGapMilliseconds definitionGap: Int64) {
        precondition(!pairs.isEmpty)
        let pairs = pairs.sorted { $0.pair < $1.pair }
        self.pairs = pairs

        // Lead first: rank by how many partners each member led, then by first passage.
        var leads: [String: Int] = [:]
        var firstSeen: [String: Timestamp] = [:]
        for pair in pairs {
            leads[pair.leader, default: 0] += 1
            leads[pair.pair.other(than: pair.leader), default: 0] += 0
            for item in pair.passages {
                firstSeen[pair.pair.first] = min(firstSeen[pair.pair.first] ?? item.firstTime, item.firstTime)
                firstSeen[pair.pair.second] = min(firstSeen[pair.pair.second] ?? item.secondTime, item.secondTime)
            }
        }
        plates = leads.keys.sorted { a, b in
            (-leads[a]!, firstSeen[a]!, a) < (-leads[b]!, firstSeen[b]!, b)
        }

        // Camera visits: passages of any pair at one camera within the gap are one visit.
        let visits = pairs.flatMap(\.passages).sorted { ($0.camera, $0.time) < ($1.camera, $1.time) }
        var count = 0
        var firstVisit: [String: Timestamp] = [:]
        var previous: CoOccurrence?
        for item in visits {
            if let previous, previous.camera == item.camera,
               item.time.milliseconds - previous.time.milliseconds <= definitionGap {
            } else {
                count += 1
            }
            firstVisit[item.camera] = min(firstVisit[item.camera] ?? item.time, item.time)
            previous = item
        }
        coOccurrences = count
        cameras = firstVisit.keys.sorted { (firstVisit[$0]!, $0) < (firstVisit[$1]!, $1) }
        maxGapMilliseconds = pairs.map(\.maxGapMilliseconds).max() ?? 0
        // A group is as unlikely as its most unlikely pair, no more. Members of a crowd that moves
        // together (cars of like pace bunching on the ring) are not independent, so multiplying
        // their pairs' chances would make every bunch of four look like a convoy.
        let strongest = pairs.min { ($0.expectedByChance, $0.pair) < ($1.expectedByChance, $1.pair) }!
        expectedByChance = strongest.expectedByChance
        score = strongest.score
        first = pairs.map(\.first).min()!
        last = pairs.map(\.last).max()!
        readIDs = Array(Set(pairs.flatMap(\.readIDs))).sorted()
    }

    /// One sentence for an operator, without plates (they are in the trigger's own fields).
    public var explanation: String {
        let strongest = pairs.min { ($0.expectedByChance, $0.pair) < ($1.expectedByChance, $1.pair) }!
        let minutes = max(1, Int(((last.milliseconds - first.milliseconds) + 59_999) / 60_000))
        let how: String
        switch (strongest.consistentOrder, strongest.consistentGap) {
        case (true, true): how = "in the same order and with a steady gap"
        case (true, false): how = "in the same order"
        default: how = "with a steady gap"
        }
        let shown = cameras.count > 8 ? cameras.prefix(8).joined(separator: ", ") + ", …" : cameras.joined(separator: ", ")
        return "\(plates.count) vehicles travelled together past \(cameras.count) cameras (\(shown)) within \(minutes) min, "
            + "at most \(Int((Double(maxGapMilliseconds) / 1000).rounded())) s apart, \(how) at \(strongest.evidence.count) of them; "
            + "\(ConvoyGroup.format(expected: -log(max(score, .leastNonzeroMagnitude)))) pairs in a day's traffic would keep such company by chance "
            + "at these cameras and hours (score \(String(format: "%.3f", score)))."
    }

    /// An expected count for the sentence ("about 0.034"): two significant figures, no exponent.
    static func format(expected value: Double) -> String {
        guard value.isFinite else { return "many" }
        if value >= 10 { return "about \(Int(value.rounded()))" }
        if value < 0.001 { return "fewer than 0.001" }
        return "about " + String(format: "%.2g", value)
    }
}
