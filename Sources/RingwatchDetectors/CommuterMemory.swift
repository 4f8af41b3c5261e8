/// Which days each pair of vehicles met the convoy definition, to recognise commuters: the
/// same two cars together on several different days are colleagues or neighbours, not a
/// covert convoy.
///
/// Bounded: at most `capacity` pairs are remembered; past that, pairs not seen within the
/// look-back go first, then those seen on one earlier day only, then half of the rest. A
/// forgotten pair starts again from one day.
public struct CommuterMemory: Sendable {
    public let minimumDays: Int
    public let lookbackDays: Int
    public let capacity: Int
    /// Distinct day numbers (days since 1970), ascending, within the look-back of the newest.
    private var days: [PairKey: [Int64]] = [:]

    public init(minimumDays: Int, lookbackDays: Int, capacity: Int) {
        precondition(minimumDays >= 1 && lookbackDays >= minimumDays && capacity >= 1)
        self.minimumDays = minimumDays
        self.lookbackDays = lookbackDays
        self.capacity = capacity
    }

    public init(definition: ConvoyDefinition) {
        self.init(minimumDays: definition.commuterMinimumDays, lookbackDays: definition.commuterLookbackDays,
                  capacity: definition.commuterMemoryPairs)
    }

    /// Records that `pair` met the definition on `day`; true when it has now done so on at
    /// least `minimumDays` different days within the look-back (a commuter pair).
    public mutating func record(_ pair: PairKey, day: Int64) -> Bool {
        var seen = days[pair] ?? []
        if !seen.contains(day) {
            seen.append(day)
            seen.sort()
        }
        let newest = seen.last!
        seen.removeAll { $0 <= newest - Int64(lookbackDays) }
        if days.updateValue(seen, forKey: pair) == nil, days.count > capacity { evict(today: newest) }
        return seen.filter { $0 > day - Int64(lookbackDays) && $0 <= day }.count >= minimumDays
    }

    /// Whether `pair` has `minimumDays` distinct days within one look-back span.
    public func isCommuter(_ pair: PairKey) -> Bool {
        guard let seen = days[pair], seen.count >= minimumDays else { return false }
        for start in 0...(seen.count - minimumDays) where seen[start + minimumDays - 1] - seen[start] < Int64(lookbackDays) {
            return true
        }
        return false
    }

    /// Distinct days recorded for `pair`.
    public func dayCount(_ pair: PairKey) -> Int { days[pair]?.count ?? 0 }

    /// Pairs remembered.
    public var count: Int { days.count }

    private mutating func evict(today: Int64) {
        days = days.filter { $0.value.last! > today - Int64(lookbackDays) }
        guard days.count > capacity * 9 / 10 else { return }
        // Still full: forget pairs seen on one day only, not today (the least likely commuters),
        // then, if need be, any half (no sort: this runs when the table is large).
        days = days.filter { $0.value.count > 1 || $0.value.last! == today }
        guard days.count > capacity * 9 / 10 else { return }
        var keep = false
        days = days.filter { _ in
            keep.toggle()
            return keep
        }
    }
}
