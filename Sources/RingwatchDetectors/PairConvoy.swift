import RingwatchCore

/// Two vehicles that meet the convoy definition: the evidence, who leads, and how likely it
/// would be by chance. Made by `ConvoyDefinition.assess(_:_:rates:)`.
public struct PairConvoy: Sendable {
    public let pair: PairKey
    /// The consistent co-occurrences that meet the definition: one per distinct camera, oldest first.
    public let evidence: [CoOccurrence]
    /// Every co-occurrence in the window, one per passage, oldest first (includes `evidence`).
    public let passages: [CoOccurrence]
    /// The same vehicle passed first at every camera of `evidence`.
    public let consistentOrder: Bool
    /// The absolute gaps of `evidence` lie within the tolerance of each other.
    public let consistentGap: Bool
    /// Expected number of vehicles that would travel this close to the leader by chance.
    public let expectedByChance: Double
    /// 0...1; higher means less likely by chance (`ConvoyScoring`).
    public let score: Double
    /// The parts of the score, when scored by `ConvoyScoring`.
    public let chance: ConvoyScoring.Chance?

    public init(pair: PairKey, evidence: [CoOccurrence], passages: [CoOccurrence], consistentOrder: Bool, consistentGap: Bool,
                expectedByChance: Double, score: Double, chance: ConvoyScoring.Chance? = nil) {
        self.chance = chance
        self.pair = pair
        self.evidence = evidence
        self.passages = passages
        self.consistentOrder = consistentOrder
        self.consistentGap = consistentGap
        self.expectedByChance = expectedByChance
        self.score = score
    }

    /// The plate that passed first at most evidence cameras (on a tie, at the earliest one).
    public var leader: String { PairConvoy.leader(of: pair, evidence: evidence) }

    /// The plate of `pair` that passed first at most of the `evidence` cameras.
    static func leader(of pair: PairKey, evidence: [CoOccurrence]) -> String {
        var firstLeads = 0
        for item in evidence { firstLeads += Int(item.gapMilliseconds.signum()) }
        if firstLeads != 0 { return firstLeads > 0 ? pair.first : pair.second }
        return evidence.first?.leader(of: pair) ?? pair.first
    }

    /// The distinct shared cameras, in order of first passage.
    public var cameras: [String] {
        var seen = Set<String>()
        return passages.compactMap { seen.insert($0.camera).inserted ? $0.camera : nil }
    }

    /// The first read of the first passage.
    public var first: Timestamp { passages.first?.time ?? evidence.first!.time }

    /// The last read of the last passage.
    public var last: Timestamp {
        passages.reduce(Timestamp(milliseconds: .min)) { max($0, max($1.firstTime, $1.secondTime)) }
    }

    /// The widest gap between the two at one camera, over all passages.
    public var maxGapMilliseconds: Int64 { passages.map { abs($0.gapMilliseconds) }.max() ?? 0 }

    /// The ids of every read in `passages`.
    public var readIDs: [ReadID] { passages.flatMap { [$0.firstRead, $0.secondRead] } }
}
