#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of the traffic moves on together from one camera to another, learned from the
/// reads: for each vehicle's move from camera X to camera Y, how many of its neighbours at X
/// (within the maximum gap) were still its neighbours at Y. Along a busy ring nearly all are;
/// where roads split, few. Convoy scoring uses it as the chance that a car's company carries on
/// (`ConvoyScoring`).
///
/// A move few vehicles make has few such counts; then the share of the vehicles leaving X that
/// went on to Y stands in for it (a car's company can only follow it where it goes), so a
/// convoy that turns off where hardly anyone does is told apart from one that stays on the ring.
///
/// Counts decay exponentially with event time (`timeConstant`, an hour), so rush hour and night
/// are told apart. Keyed by the tracker's camera ids. Not thread-safe.
struct TransitionPersistence {
    struct Counts {
        var neighbours = 0.0
        var followers = 0.0
        /// Vehicles that made the move (or, per camera, left it).
        var moves = 0.0
        var at: Int64
    }

    let timeConstant: Double
    /// Decayed counts below this say too little.
    let minimumNeighbours: Double
    private var moves: [UInt64: Counts] = [:]
    /// Per camera: vehicles that left it for another camera (`followers` unused).
    private var departures: [Int32: Counts] = [:]

    init(timeConstantMilliseconds: Int64 = 3_600_000, minimumNeighbours: Double = 20) {
        timeConstant = Double(timeConstantMilliseconds)
        self.minimumNeighbours = minimumNeighbours
    }

    static func key(_ from: Int32, _ to: Int32) -> UInt64 { UInt64(UInt32(bitPattern: from)) << 32 | UInt64(UInt32(bitPattern: to)) }

    /// Records one vehicle's move: `neighbours` near it at `from`, `followers` of them near it at `to`.
    mutating func record(from: Int32, to: Int32, neighbours: Int, followers: Int, at time: Int64) {
        let key = TransitionPersistence.key(from, to)
        var counts = decayed(moves[key] ?? Counts(at: time), to: time)
        counts.neighbours += Double(neighbours)
        counts.followers += Double(followers)
        counts.moves += 1
        moves[key] = counts
        var leaving = decayed(departures[from] ?? Counts(at: time), to: time)
        leaving.moves += 1
        departures[from] = leaving
    }

    /// Whether the move has been measured on plenty of neighbours recently (ten times the
    /// minimum): more measurements would change little.
    func isWellKnown(from: Int32, to: Int32) -> Bool {
        (moves[TransitionPersistence.key(from, to)]?.neighbours ?? 0) >= 10 * minimumNeighbours
    }

    /// Counts a move without measuring its neighbours (see `isWellKnown`).
    mutating func countMove(from: Int32, to: Int32, at time: Int64) {
        let key = TransitionPersistence.key(from, to)
        var counts = decayed(moves[key] ?? Counts(at: time), to: time)
        counts.moves += 1
        moves[key] = counts
        var leaving = decayed(departures[from] ?? Counts(at: time), to: time)
        leaving.moves += 1
        departures[from] = leaving
    }

    /// The share that carried on from `from` to `to`, when enough has been seen; never below
    /// `minimumShare` (a move nobody else made is rare, not impossible).
    func share(from: Int32, to: Int32) -> Double? {
        let counts = moves[TransitionPersistence.key(from, to)]
        if let counts, counts.neighbours >= minimumNeighbours { return max(counts.followers / counts.neighbours, minimumShare) }
        guard let leaving = departures[from], leaving.moves >= minimumNeighbours else { return nil }
        // Decay both to the later of their times so that they compare.
        let moved = counts.map { decayed($0, to: leaving.at).moves } ?? 0
        return max(moved / decayed(leaving, to: counts?.at ?? leaving.at).moves, minimumShare)
    }

    /// The lowest share reported.
    let minimumShare = 0.02

    private func decayed(_ counts: Counts, to time: Int64) -> Counts {
        guard time > counts.at else { return counts }
        var out = counts
        let decay = exp(-Double(time - counts.at) / timeConstant)
        out.neighbours *= decay
        out.followers *= decay
        out.moves *= decay
        out.at = time
        return out
    }

    /// Camera pairs with a record.
    var count: Int { moves.count }
}
