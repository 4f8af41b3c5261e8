import RingwatchCore

/// Finds convoys in a stream of passages, in event time, with bounded work per passage: the
/// engine of the live `ConvoyDetector` and of the period-wide history search.
///
/// For each passage it keeps, in compact arrays:
/// - per camera, the recent passages sorted by time (`maxGap` either side of anything that can
///   still arrive on time), to find the vehicles read close to it: at most
///   `maximumCandidates`, nearest first;
/// - per vehicle, its trail of passages over the last `window` (plus lateness), so a pair's
///   co-occurrences at every camera come from merging two short trails, not from storing
///   every pair that was ever close (in dense traffic that would be millions);
/// - the convoys found, as groups of pairs, until they have been quiet for `quietPeriod`.
///
/// A candidate pair is assessed (`ConvoyDefinition.assess`) only when a 64-bit camera mask of
/// each trail says they could share `minCameras` cameras. Reads may arrive out of order: the
/// arrays are kept sorted, so a late read finds the neighbours that came before it.
///
/// Not thread-safe: it belongs to one thread (the engine's pipeline, or a query).
public final class ConvoyTracker {
    /// Why a convoy is reported.
    public enum Change: String, Sendable {
        /// First seen: a pair (or more) met the definition.
        case formed
        /// A new member joined (or two convoys merged).
        case grew
    }

    /// A convoy to report, as it stands after the passage that changed it.
    public struct Event: Sendable {
        public let change: Change
        public let group: ConvoyGroup
    }

    public let definition: ConvoyDefinition
    /// How far behind the newest read a read may arrive and still be paired fully.
    public let latenessMilliseconds: Int64
    private let vehicleType: VehicleTypeLookup?
    private let rates: any TrafficRateSource
    /// The rates this tracker learns itself, when none were given.
    public let learnedRates: TrafficRates?
    private let cameraRetention: Int64
    private let trailRetention: Int64
    private let groupRetention: Int64
    private let keepsClosedGroups: Bool

    private var latest: Int64 = .min
    private var lastSweep: Int64 = .min
    private var stamp: UInt32 = 0

    // Vehicles, by a small id reused once a vehicle leaves the window.
    private var vehicleIDs: [String: Int32] = [:]
    private var vehicles: [Vehicle] = []
    private var freeVehicles: [Int32] = []
    // Cameras.
    private var cameraIDs: [String: Int32] = [:]
    private var cameraNames: [String] = []
    private var sightings: [[Sighting]] = []
    // Trail entries in arrival order, to expire them.
    private var expiry: [(time: Int64, vehicle: Int32)] = []
    private var expiryHead = 0
    // Convoys found.
    private var groups: [Int: GroupState] = [:]
    private var groupOfPlate: [String: Int] = [:]
    private var nextGroup = 0
    private var commuters: CommuterMemory
    private var closed: [ConvoyGroup] = []
    private var scratch: [(Int32, Int32)] = []

    /// Pairs assessed against the definition so far (for measurement).
    public private(set) var assessments = 0
    /// Candidate pairs looked at so far (for measurement).
    public private(set) var candidatesExamined = 0

    /// - Parameters:
    ///   - rates: traffic by camera and hour; nil to learn it from the passages (live).
    ///   - keepsClosedGroups: keep every convoy once it goes quiet, for `drainClosedGroups()`
    ///     (history); the live detector does not need them.
    public init(definition: ConvoyDefinition, latenessMilliseconds: Int64 = 60_000, vehicleType: VehicleTypeLookup? = nil,
                rates: (any TrafficRateSource)? = nil, keepsClosedGroups: Bool = false) {
        precondition(definition.problem == nil, definition.problem ?? "")
        self.definition = definition
        self.latenessMilliseconds = max(0, latenessMilliseconds)
        self.vehicleType = vehicleType
        if let rates {
            self.rates = rates
            learnedRates = nil
        } else {
            let learned = TrafficRates()
            self.rates = learned
            learnedRates = learned
        }
        let gap = definition.maxGapMilliseconds
        cameraRetention = self.latenessMilliseconds + 2 * gap
        trailRetention = definition.windowMilliseconds + self.latenessMilliseconds + gap
        // A group must outlive the trails its evidence came from, or it would form again from them.
        groupRetention = max(definition.quietPeriodMilliseconds, trailRetention)
        self.keepsClosedGroups = keepsClosedGroups
        commuters = CommuterMemory(definition: definition)
    }

    // MARK: - Observing

    /// Takes one passage; returns the convoys it formed or grew (usually none, at most one per
    /// group it touched).
    public func observe(_ passage: Passage) -> [Event] {
        let time = passage.time.milliseconds
        learnedRates?.observe(camera: passage.camera, at: passage.time)
        if time > latest {
            latest = time
            if lastSweep == .min || time - lastSweep >= 10_000 { sweep() }
        }
        // Later than the lateness allows, its neighbours at the camera may be forgotten already:
        // it is still paired with those that remain, but one older still cannot be paired at all.
        guard time >= latest - cameraRetention else { return [] }

        let vehicle = intern(passage.plate)
        vehicles[Int(vehicle)].references += 1
        expiry.append((time, vehicle))
        guard !vehicles[Int(vehicle)].excluded else { return [] }

        let camera = cameraID(passage.camera)
        let direction: UInt8 = passage.direction == .inbound ? 1 : passage.direction == .outbound ? 2 : 0
        let sighting = Sighting(time: time, vehicle: vehicle, direction: direction, read: passage.readID.rawValue)
        let position = insertionIndex(sightings[Int(camera)], time)
        sightings[Int(camera)].insert(sighting, at: position)
        vehicles[Int(vehicle)].add(Mark(time: time, camera: camera, direction: direction, read: passage.readID.rawValue))

        var touched: [Int] = []
        for candidate in candidates(camera: camera, position: position, of: sighting) {
            candidatesExamined += 1
            let maskOverlap = vehicles[Int(vehicle)].cameraMask & vehicles[Int(candidate)].cameraMask
            guard maskOverlap.nonzeroBitCount >= definition.minCameras else { continue }
            guard let (pair, coOccurrences) = coOccurrences(vehicle, candidate) else { continue }
            assessments += 1
            guard let convoy = definition.assess(pair, coOccurrences, rates: rates) else { continue }
            if definition.excludeCommuters, commuters.record(pair, day: time.floorDivided(by: 86_400_000)) { continue }
            guard convoy.score >= definition.minimumScore else { continue }
            let latestEvidence = coOccurrences.reduce(Int64.min) { max($0, $1.time.milliseconds) }
            if let group = join(convoy, latestEvidence: latestEvidence), !touched.contains(group) { touched.append(group) }
        }
        return touched.compactMap(announce)
    }

    /// Closes every open convoy (end of a history search) and returns all closed ones.
    public func finish() -> [ConvoyGroup] {
        for id in groups.keys.sorted() { close(id) }
        return drainClosedGroups()
    }

    /// Convoys that went quiet since the last call (only with `keepsClosedGroups`).
    public func drainClosedGroups() -> [ConvoyGroup] {
        defer { closed.removeAll() }
        return closed
    }

    /// Open convoys now.
    public var openGroupCount: Int { groups.count }

    /// Vehicles with passages in the window now.
    public var vehicleCount: Int { vehicleIDs.count }

    /// Passages held per camera and in trails (for measurement).
    public var heldPassages: Int { sightings.reduce(0) { $0 + $1.count } + (expiry.count - expiryHead) }

    // MARK: - Candidates and co-occurrences

    /// The vehicles read at `camera` within the gap of `sighting`, nearest first, at most
    /// `maximumCandidates` of them, each once.
    private func candidates(camera: Int32, position: Int, of sighting: Sighting) -> [Int32] {
        stamp &+= 1
        if stamp == 0 {
            for index in vehicles.indices { vehicles[index].stamp = 0 }
            stamp = 1
        }
        vehicles[Int(sighting.vehicle)].stamp = stamp
        let list = sightings[Int(camera)]
        let gap = definition.maxGapMilliseconds
        var left = position - 1, right = position + 1
        var out: [Int32] = []
        var scanned = 0
        // Scanning stops at four times the cap, so a crowd going the other way costs no more.
        while out.count < definition.maximumCandidates && scanned < 4 * definition.maximumCandidates {
            let leftGap = left >= 0 ? sighting.time - list[left].time : .max
            let rightGap = right < list.count ? list[right].time - sighting.time : .max
            let index: Int
            if leftGap <= rightGap, leftGap <= gap {
                index = left
                left -= 1
            } else if rightGap <= gap {
                index = right
                right += 1
            } else {
                break
            }
            scanned += 1
            let other = list[index]
            guard vehicles[Int(other.vehicle)].stamp != stamp,
                  other.direction == 0 || sighting.direction == 0 || other.direction == sighting.direction
            else { continue }
            vehicles[Int(other.vehicle)].stamp = stamp
            out.append(other.vehicle)
        }
        return out
    }

    /// Every co-occurrence of two vehicles' trails, when they share at least `minCameras`
    /// distinct cameras; nil otherwise (decided before any string is touched).
    private func coOccurrences(_ a: Int32, _ b: Int32) -> (PairKey, [CoOccurrence])? {
        let trailA = vehicles[Int(a)].trail, trailB = vehicles[Int(b)].trail
        let gap = definition.maxGapMilliseconds
        scratch.removeAll(keepingCapacity: true)
        var start = 0
        for (i, mark) in trailA.enumerated() {
            while start < trailB.count, trailB[start].time < mark.time - gap { start += 1 }
            var j = start
            while j < trailB.count, trailB[j].time <= mark.time + gap {
                let other = trailB[j]
                if other.camera == mark.camera, other.direction == 0 || mark.direction == 0 || other.direction == mark.direction {
                    scratch.append((Int32(i), Int32(j)))
                }
                j += 1
            }
        }
        guard scratch.count >= definition.minCameras else { return nil }
        var distinct: [Int32] = []
        for (i, _) in scratch where !distinct.contains(trailA[Int(i)].camera) {
            distinct.append(trailA[Int(i)].camera)
        }
        guard distinct.count >= definition.minCameras else { return nil }

        let plateA = vehicles[Int(a)].plate, plateB = vehicles[Int(b)].plate
        let pair = PairKey(plateA, plateB)
        let aIsFirst = pair.first == plateA
        let items = scratch.map { (i, j) -> CoOccurrence in
            let markA = trailA[Int(i)], markB = trailB[Int(j)]
            let (first, second) = aIsFirst ? (markA, markB) : (markB, markA)
            return CoOccurrence(
                camera: cameraNames[Int(markA.camera)],
                firstRead: ReadID(rawValue: first.read), firstTime: Timestamp(milliseconds: first.time),
                secondRead: ReadID(rawValue: second.read), secondTime: Timestamp(milliseconds: second.time))
        }
        return (pair, items)
    }

    // MARK: - Convoys

    /// Adds a qualifying pair to its convoy (making, extending or merging groups); returns the
    /// group's id.
    private func join(_ convoy: PairConvoy, latestEvidence: Int64) -> Int? {
        let a = convoy.pair.first, b = convoy.pair.second
        let id: Int
        switch (groupOfPlate[a], groupOfPlate[b]) {
        case (nil, nil):
            id = nextGroup
            nextGroup += 1
            groups[id] = GroupState(members: [a, b])
            groupOfPlate[a] = id
            groupOfPlate[b] = id
        case (let existing?, nil), (nil, let existing?):
            id = existing
            for plate in [a, b] where groupOfPlate[plate] == nil {
                groups[id]!.members.insert(plate)
                groupOfPlate[plate] = id
            }
        case (let x?, let y?) where x == y:
            id = x
        case (let x?, let y?):
            // Two convoys linked by this pair become one; the larger absorbs the smaller.
            let (keep, gone) = groups[x]!.members.count >= groups[y]!.members.count ? (x, y) : (y, x)
            let absorbed = groups.removeValue(forKey: gone)!
            for plate in absorbed.members { groupOfPlate[plate] = keep }
            groups[keep]!.members.formUnion(absorbed.members)
            groups[keep]!.pairs.merge(absorbed.pairs) { current, _ in current }
            groups[keep]!.announcedMembers = max(groups[keep]!.announcedMembers, absorbed.announcedMembers)
            groups[keep]!.lastEvidence = max(groups[keep]!.lastEvidence, absorbed.lastEvidence)
            id = keep
        }
        groups[id]!.pairs[convoy.pair] = convoy
        groups[id]!.lastEvidence = max(groups[id]!.lastEvidence, latestEvidence)
        return id
    }

    /// The event for a touched group, when it has members not yet announced.
    private func announce(_ id: Int) -> Event? {
        guard let state = groups[id], state.members.count > state.announcedMembers else { return nil }
        let change: Change = state.announcedMembers == 0 ? .formed : .grew
        groups[id]!.announcedMembers = state.members.count
        return Event(change: change, group: ConvoyGroup(pairs: Array(state.pairs.values), maxGapMilliseconds: definition.maxGapMilliseconds))
    }

    private func close(_ id: Int) {
        guard let state = groups.removeValue(forKey: id) else { return }
        for plate in state.members where groupOfPlate[plate] == id { groupOfPlate.removeValue(forKey: plate) }
        if keepsClosedGroups {
            closed.append(ConvoyGroup(pairs: Array(state.pairs.values), maxGapMilliseconds: definition.maxGapMilliseconds))
        }
    }

    // MARK: - Housekeeping

    /// Forgets what can no longer matter: passages older than the cameras' and trails'
    /// retention, vehicles without passages, convoys quiet for the retention.
    private func sweep() {
        lastSweep = latest
        let cameraCutoff = latest - cameraRetention
        for index in sightings.indices {
            let stale = sightings[index].prefix { $0.time < cameraCutoff }.count
            if stale > 0 { sightings[index].removeFirst(stale) }
        }
        let trailCutoff = latest - trailRetention
        while expiryHead < expiry.count, expiry[expiryHead].time < trailCutoff {
            let vehicle = Int(expiry[expiryHead].vehicle)
            expiryHead += 1
            vehicles[vehicle].trim(before: trailCutoff)
            vehicles[vehicle].references -= 1
            if vehicles[vehicle].references == 0 { release(Int32(vehicle)) }
        }
        if expiryHead > 4096 && expiryHead * 2 > expiry.count {
            expiry.removeFirst(expiryHead)
            expiryHead = 0
        }
        let groupCutoff = latest - groupRetention
        for (id, state) in groups where state.lastEvidence < groupCutoff { close(id) }
    }

    private func intern(_ plate: String) -> Int32 {
        if let id = vehicleIDs[plate] { return id }
        let excluded = definition.excludes(vehicleType: vehicleType?(plate))
        let vehicle = Vehicle(plate: plate, excluded: excluded)
        let id: Int32
        if let reused = freeVehicles.popLast() {
            id = reused
            vehicles[Int(id)] = vehicle
        } else {
            id = Int32(vehicles.count)
            vehicles.append(vehicle)
        }
        vehicleIDs[plate] = id
        return id
    }

    private func release(_ id: Int32) {
        vehicleIDs.removeValue(forKey: vehicles[Int(id)].plate)
        vehicles[Int(id)] = Vehicle(plate: "", excluded: false)
        freeVehicles.append(id)
    }

    private func cameraID(_ name: String) -> Int32 {
        if let id = cameraIDs[name] { return id }
        let id = Int32(cameraNames.count)
        cameraIDs[name] = id
        cameraNames.append(name)
        sightings.append([])
        return id
    }

    /// Where a passage at `time` goes so the list stays sorted (after equal times: arrival order).
    private func insertionIndex(_ list: [Sighting], _ time: Int64) -> Int {
        if let last = list.last, last.time <= time { return list.count }
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].time <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// One read at a camera, as the tracker holds it.
struct Sighting {
    var time: Int64
    var vehicle: Int32
    /// 0 unknown, 1 in, 2 out.
    var direction: UInt8
    var read: UInt64
}

/// One passage in a vehicle's trail.
struct Mark {
    var time: Int64
    var camera: Int32
    var direction: UInt8
    var read: UInt64
}

/// A vehicle in the window: its trail (sorted by time) and a mask of the cameras on it.
struct Vehicle {
    var plate: String
    var excluded: Bool
    var trail: [Mark] = []
    /// Bit `camera % 64` set for each camera on the trail: two trails sharing fewer bits than
    /// `minCameras` cannot share that many cameras.
    var cameraMask: UInt64 = 0
    /// Passages not yet expired (trail entries, and reads of excluded vehicles).
    var references = 0
    /// Marks a vehicle already taken as a candidate for the current passage.
    var stamp: UInt32 = 0

    init(plate: String, excluded: Bool) {
        self.plate = plate
        self.excluded = excluded
    }

    mutating func add(_ mark: Mark) {
        if let last = trail.last, last.time > mark.time {
            let index = trail.firstIndex { $0.time > mark.time } ?? trail.count
            trail.insert(mark, at: index)
        } else {
            trail.append(mark)
        }
        cameraMask |= 1 << UInt64(mark.camera & 63)
    }

    mutating func trim(before cutoff: Int64) {
        let stale = trail.prefix { $0.time < cutoff }.count
        guard stale > 0 else { return }
        trail.removeFirst(stale)
        cameraMask = trail.reduce(0) { $0 | 1 << UInt64($1.camera & 63) }
    }
}

/// A convoy being followed.
struct GroupState {
    var members: Set<String>
    var pairs: [PairKey: PairConvoy] = [:]
    /// Event time of the newest co-occurrence of any member pair.
    var lastEvidence: Int64 = .min
    /// Members at the last announcement (0: never announced).
    var announcedMembers = 0

    init(members: Set<String>) { self.members = members }
}
