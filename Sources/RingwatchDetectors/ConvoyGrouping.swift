/// Merges pairs that meet the convoy definition into convoys of two or more vehicles.
///
/// Pairs that share a vehicle merge when the result holds together: a vehicle (or a group)
/// joins a group only if it meets the definition with at least half the members of the larger
/// side. A true convoy passes this easily (lead, load and tail are each together with the other
/// two); a chain of chance pairs in dense traffic (A with B, B with C, C with D, …) does not
/// grow into one long "convoy". A pair that cannot join is a convoy of its own, so no pair
/// that meets the definition is lost; a vehicle may then belong to two convoys.
///
/// Used incrementally by `ConvoyTracker` and in one go by `groups(_:maxGapMilliseconds:)`, so
/// live and history group alike.
public struct ConvoyGrouping: Sendable {
    /// One convoy being built.
    public struct Group: Sendable {
        /// Members in the order they joined.
        public internal(set) var members: [String]
        /// Every qualifying pair among the members.
        public internal(set) var pairs: [PairKey: PairConvoy]
        /// Event time of the newest co-occurrence of any member pair.
        public internal(set) var lastEvidence: Int64
        /// Members when it was last announced (0: never).
        public internal(set) var announcedMembers = 0
    }

    /// Groups never grow past this many members.
    public let maximumSize: Int
    public private(set) var groups: [Int: Group] = [:]
    private var groupsOf: [String: [Int]] = [:]
    private var links: [PairKey: (convoy: PairConvoy, lastEvidence: Int64)] = [:]
    /// Pairs in the order their evidence arrived, for expiring quiet ones without scanning every
    /// pair (an entry whose pair has newer evidence by then is skipped).
    private var expiry: [(time: Int64, pair: PairKey)] = []
    private var expiryHead = 0
    private var nextID = 0

    public init(maximumSize: Int = 12) {
        precondition(maximumSize >= 2)
        self.maximumSize = maximumSize
    }

    /// Adds a pair that meets the definition (again, perhaps with newer evidence); returns the
    /// id of the group it belongs to now, nil when both vehicles are in full groups already.
    @discardableResult
    public mutating func add(_ convoy: PairConvoy, lastEvidence: Int64) -> Int? {
        let a = convoy.pair.first, b = convoy.pair.second
        links[convoy.pair] = (convoy, lastEvidence)
        expiry.append((lastEvidence, convoy.pair))
        let ofA = groupsOf[a] ?? [], ofB = groupsOf[b] ?? []
        if let shared = ofA.first(where: ofB.contains) {
            groups[shared]!.pairs[convoy.pair] = convoy
            groups[shared]!.lastEvidence = max(groups[shared]!.lastEvidence, lastEvidence)
            return shared
        }
        // The best cohesive union of a side holding `a` with a side holding `b` (a side is one of
        // the vehicle's groups, or the vehicle alone).
        var best: (Int?, Int?, Int)?
        for sideA in (ofA.isEmpty ? [nil] : ofA.map(Optional.some)) {
            for sideB in (ofB.isEmpty ? [nil] : ofB.map(Optional.some)) {
                let membersA = sideA.map { groups[$0]!.members } ?? [a]
                let membersB = sideB.map { groups[$0]!.members } ?? [b]
                guard membersA.count + membersB.count <= maximumSize else { continue }
                guard linkCount(membersA, membersB) * 2 >= max(membersA.count, membersB.count) else { continue }
                let size = membersA.count + membersB.count
                if best == nil || size > best!.2 { best = (sideA, sideB, size) }
            }
        }
        let id: Int
        switch best {
        case let (groupA?, groupB?, _)?:
            id = merge(groupA, groupB)
        case let (group?, nil, _)?:
            id = group
            join(b, into: group)
        case let (nil, group?, _)?:
            id = group
            join(a, into: group)
        default:
            // Both alone, or no cohesive union: this pair is a convoy of its own, unless both are
            // in full groups (a jam, not a convoy).
            if !ofA.isEmpty && !ofB.isEmpty && ofA.allSatisfy({ groups[$0]!.members.count >= maximumSize })
                && ofB.allSatisfy({ groups[$0]!.members.count >= maximumSize }) {
                return nil
            }
            id = nextID
            nextID += 1
            groups[id] = Group(members: [a, b], pairs: [:], lastEvidence: lastEvidence)
            groupsOf[a, default: []].append(id)
            groupsOf[b, default: []].append(id)
        }
        groups[id]!.pairs[convoy.pair] = convoy
        groups[id]!.lastEvidence = max(groups[id]!.lastEvidence, lastEvidence)
        return id
    }

    /// Records newer evidence of a known pair already in one group together; returns that
    /// group's id, nil when the pair is not known to be together.
    public mutating func touch(_ pair: PairKey, lastEvidence: Int64) -> Int? {
        guard links[pair] != nil, let ofA = groupsOf[pair.first], let ofB = groupsOf[pair.second],
              let shared = ofA.first(where: ofB.contains)
        else { return nil }
        groups[shared]!.lastEvidence = max(groups[shared]!.lastEvidence, lastEvidence)
        if let known = links[pair]?.lastEvidence, known < lastEvidence {
            links[pair]!.lastEvidence = lastEvidence
            expiry.append((lastEvidence, pair))
        }
        return shared
    }

    /// Replaces the evidence of a pair wherever it is held.
    public mutating func update(_ convoy: PairConvoy) {
        guard links[convoy.pair] != nil else { return }
        links[convoy.pair]!.convoy = convoy
        for id in groupsOf[convoy.pair.first] ?? [] where groups[id]!.pairs[convoy.pair] != nil { groups[id]!.pairs[convoy.pair] = convoy }
    }

    /// Marks group `id` announced with its current members; returns it.
    public mutating func markAnnounced(_ id: Int) -> Group? {
        guard groups[id] != nil else { return nil }
        groups[id]!.announcedMembers = groups[id]!.members.count
        return groups[id]
    }

    /// Removes and returns the groups, and forgets the pairs, with no evidence since `cutoff`.
    ///
    /// Pairs leave in the order their evidence arrived: event time, give or take the lateness
    /// allowance, so a pair may stay that much longer. (Rebuilding the pair table on every sweep
    /// was the convoy detector's largest cost at national volume.)
    public mutating func removeQuiet(before cutoff: Int64) -> [Group] {
        while expiryHead < expiry.count, expiry[expiryHead].time < cutoff {
            let pair = expiry[expiryHead].pair
            if let link = links[pair], link.lastEvidence < cutoff { links.removeValue(forKey: pair) }
            expiryHead += 1
        }
        if expiryHead >= 1024, expiryHead * 2 >= expiry.count {
            expiry.removeFirst(expiryHead)
            expiryHead = 0
        }
        let quiet = groups.compactMap { $0.value.lastEvidence < cutoff ? $0.key : nil }
        return quiet.sorted().compactMap { remove($0) }
    }

    /// Removes and returns every group.
    public mutating func removeAll() -> [Group] {
        links.removeAll()
        expiry.removeAll()
        expiryHead = 0
        return groups.keys.sorted().compactMap { remove($0) }
    }

    /// Pairs remembered.
    public var pairCount: Int { links.count }

    private func linkCount(_ side: [String], _ other: [String]) -> Int {
        var count = 0
        for x in side { for y in other where x != y && links[PairKey(x, y)] != nil { count += 1 } }
        return count
    }

    private mutating func join(_ plate: String, into id: Int) {
        for member in groups[id]!.members {
            if let link = links[PairKey(member, plate)] { groups[id]!.pairs[link.convoy.pair] = link.convoy }
        }
        groups[id]!.members.append(plate)
        groupsOf[plate, default: []].append(id)
    }

    /// Merges two groups; the larger absorbs the smaller. Returns the survivor.
    private mutating func merge(_ x: Int, _ y: Int) -> Int {
        let (keep, gone) = groups[x]!.members.count >= groups[y]!.members.count ? (x, y) : (y, x)
        let absorbed = remove(gone)!
        for plate in absorbed.members where !groups[keep]!.members.contains(plate) { join(plate, into: keep) }
        groups[keep]!.pairs.merge(absorbed.pairs) { current, _ in current }
        groups[keep]!.announcedMembers = max(groups[keep]!.announcedMembers, absorbed.announcedMembers)
        groups[keep]!.lastEvidence = max(groups[keep]!.lastEvidence, absorbed.lastEvidence)
        return keep
    }

    private mutating func remove(_ id: Int) -> Group? {
        guard let group = groups.removeValue(forKey: id) else { return nil }
        for plate in group.members {
            groupsOf[plate]?.removeAll { $0 == id }
            if groupsOf[plate]?.isEmpty == true { groupsOf.removeValue(forKey: plate) }
        }
        return group
    }

    // MARK: - In one go

    /// The convoys `pairs` make, each summarised, strongest first.
    public static func groups(_ pairs: [PairConvoy], maxGapMilliseconds: Int64, maximumSize: Int = 12) -> [ConvoyGroup] {
        var grouping = ConvoyGrouping(maximumSize: maximumSize)
        for pair in pairs.sorted(by: { ($0.first, $0.pair) < ($1.first, $1.pair) }) {
            grouping.add(pair, lastEvidence: pair.last.milliseconds)
        }
        return grouping.removeAll()
            .map { ConvoyGroup(pairs: Array($0.pairs.values), maxGapMilliseconds: maxGapMilliseconds) }
            .sorted { ($0.score, $0.plates.count, $1.first.milliseconds) > ($1.score, $1.plates.count, $0.first.milliseconds) }
    }
}
