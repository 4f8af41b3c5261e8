/// Numbers the visitors' arrivals in order — by minute, then parking class, then arrival number —
/// so that `VisitorTraffic` can hand out vehicles in turn and find, hours later, which vehicle a
/// departing arrival was.
///
/// It keeps, for the minutes a departure can look back to, the number of the first arrival of
/// each class; older minutes are forgotten, so memory stays flat at any rate and over any span.
struct ArrivalLedger: Sendable {
    private let classes: Int
    private let minutesKept: Int
    /// A ring of `minutesKept` rows of `classes + 1` numbers: the first arrival of each class in
    /// that minute, then the first arrival of the next minute.
    private var firsts: [Int64]
    /// Minutes `oldest..<next` are recorded.
    private(set) var oldest: Int64
    private(set) var next: Int64

    /// An empty ledger whose first recorded minute will be `minute`; it remembers the last
    /// `minutesKept` minutes recorded.
    init(from minute: Int64, classes: Int, minutesKept: Int) {
        precondition(classes > 0 && minutesKept > 0)
        self.classes = classes
        self.minutesKept = minutesKept
        firsts = Array(repeating: 0, count: minutesKept * (classes + 1))
        oldest = minute
        next = minute
    }

    /// Records minute `next` with `counts[klass]` arrivals per class.
    mutating func record(_ counts: [Int]) {
        precondition(counts.count == classes)
        var running = next == oldest ? 0 : firsts[row(next - 1) + classes]
        let base = row(next)
        for klass in 0..<classes {
            firsts[base + klass] = running
            running += Int64(counts[klass])
        }
        firsts[base + classes] = running
        next += 1
        if next - oldest > Int64(minutesKept) { oldest = next - Int64(minutesKept) }
    }

    /// The number of the first arrival of `klass` in `minute` (a recorded, not yet forgotten minute).
    func first(minute: Int64, klass: Int) -> Int64 {
        precondition(minute >= oldest && minute < next, "minute \(minute) is not in the ledger (\(oldest)..<\(next))")
        return firsts[row(minute) + klass]
    }

    /// Arrivals of `klass` in `minute`.
    func count(minute: Int64, klass: Int) -> Int {
        precondition(minute >= oldest && minute < next, "minute \(minute) is not in the ledger (\(oldest)..<\(next))")
        return Int(firsts[row(minute) + klass + 1] - firsts[row(minute) + klass])
    }

    private func row(_ minute: Int64) -> Int {
        Int((minute % Int64(minutesKept) + Int64(minutesKept)) % Int64(minutesKept)) * (classes + 1)
    }
}
