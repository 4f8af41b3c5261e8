import RingwatchCore
import RingwatchIndex

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
    private let recordsPairDays: Bool

    // MARK: Pair log hook (see ConvoyTracker+PairLog.swift)

    /// Called with every pair assessment that met the definition, whatever its score, and with
    /// every re-assessment of a pair in a convoy being announced again: what the convoy pair
    /// log records so that `ringwatch convoys --from --to` need not stream the reads again.
    /// While it is set, pairs of an announced convoy are assessed on every new co-occurrence
    /// (as the history search does), so the log holds their full evidence.
    public var onPairAssessed: ((AssessedPair) -> Void)?

    private var latest: Int64 = .min
    /// When convoys were last checked for going quiet (every ten seconds of event time).
    private var lastGroupSweep: Int64 = .min
    /// The next camera whose old passages `keepHouse` checks, in turn.
    private var cameraCursor = 0
    private var passagesSinceCameraChecked = 0
    private var stamp: UInt32 = 0
    /// Per vehicle id: the mark of the last scan that took it (see `nextStamp`).
    /// Per vehicle id: that mark, and the mask of the cameras on its trail (`Vehicle.cameraMask`).
    private let marks = VehicleMarks()

    // Vehicles, by a small id reused once a vehicle leaves the window. The ids by plate: by the
    // plate's number (`PlateIDTable.key(of:)`, nearly every plate) in an integer table that grows
    // a step at a time (a dictionary of texts hashed every plate, and rehashed all of them at
    // once at a few hundred thousand vehicles), else by text.
    private var vehicleIDs = PlateIDTable()
    private var unkeyedVehicleIDs: [String: Int32] = [:]
    private var vehicles = ChunkedArray<Vehicle>()
    private var freeVehicles: [Int32] = []
    // Cameras.
    private var cameraIDs: [String: Int32] = [:]
    /// The tracker's numbers by the window's numbers (−1: not known), see `intern(_:windowNumber:)`.
    /// In chunks: one entry per plate number the window has given out, millions at national
    /// volume (an array doubling there copied tens of megabytes within one read).
    private var vehicleOfWindowPlate = ChunkedArray<Int32>()
    private var cameraOfWindowCamera: [Int32] = []
    private var cameraNames: [String] = []
    /// Each camera's number in `learnedRates`.
    private var rateNumbers: [Int] = []
    /// Each camera's recent passages, sorted by time.
    private let passages = PassageLists()
    // Trail entries in arrival order, to expire them.
    private var expiry = RingQueue<(time: Int64, vehicle: Int32)>()
    // Convoys found.
    private var grouping: ConvoyGrouping
    private var commuters: CommuterMemory
    private var closed: [ConvoyGroup] = []
    private var scratch: [(Int32, Int32)] = []
    /// The vehicles and distinct cameras of the co-occurrences made last (`materialize`): what
    /// scoring asks about next, by plate and camera name, found here by comparing a few names
    /// instead of hashing them.
    private var scoredVehicles: (Int32, Int32) = (-1, -1)
    private var scoredCameras: [(name: String, id: Int32)] = []
    /// How the traffic moves on together between cameras, learned from every vehicle's moves.
    private var moves = TransitionPersistence()
    /// Moves whose followers can be counted once the reads behind them have arrived.
    private var pendingMoves = RingQueue<PendingMove>()
    /// Pairs assessed and found wanting, with the distinct cameras they shared then: not
    /// assessed again until they share more.
    /// Keyed by both vehicles' serial numbers; two generations, the older dropped whole once
    /// it is older than the trails (cheaper than sweeping a large table entry by entry).
    private var rejected: [UInt64: Int] = [:]
    private var rejectedBefore: [UInt64: Int] = [:]
    private var rejectedSince: Int64 = .min / 2
    private var nextSerial: UInt32 = 0

    /// The least share of company a move keeps, however few made it together.
    static let minimumShare = 0.02

    /// Neighbours looked at on each side of a move when learning how the traffic moves on.
    static let learningNeighbours = 64

    /// Pairs assessed against the definition so far (for measurement).
    public private(set) var assessments = 0
    /// Candidate pairs looked at so far (for measurement).
    public private(set) var candidatesExamined = 0
    /// Housekeeping steps done so far (a move learned, a trail entry expired, a camera's old
    /// passages checked), and the most done by one passage: `keepHouse()` bounds it.
    public private(set) var housekeepingSteps = 0
    public private(set) var mostHousekeepingStepsInOnePassage = 0

    /// Moves learned at most per passage: each passage queues at most one, so the queue keeps up.
    static let movesLearnedPerPassage = 4
    /// Trail entries expired at most per passage: each passage adds one.
    static let trailEntriesExpiredPerPassage = 4
    /// One camera's old passages are checked every this many passages, besides the passage's
    /// own camera (which is checked as the passage is inserted): that finds cameras gone quiet,
    /// whose lists are only memory. More often, it costs a cache miss or two per read.
    static let passagesPerCameraChecked = 16
    /// The most housekeeping steps one passage does.
    public static let maximumHousekeepingStepsPerPassage = movesLearnedPerPassage + trailEntriesExpiredPerPassage + 1

    /// - Parameters:
    ///   - rates: traffic by camera and hour; nil to learn it from the passages (live). A
    ///     `TrafficRates` given here goes on learning from the passages as the live one does
    ///     (the history search primes it with the days before its period, so it scores as the
    ///     live detector did).
    ///   - keepsClosedGroups: keep every convoy once it goes quiet, for `drainClosedGroups()`
    ///     (history); the live detector does not need them.
    ///   - recordsPairDays: remember the days each pair met the definition even when commuters
    ///     are not excluded as they come, for `isCommuterPair(_:)` (history).
    public init(definition: ConvoyDefinition, latenessMilliseconds: Int64 = 60_000, vehicleType: VehicleTypeLookup? = nil,
                rates: (any TrafficRateSource)? = nil, keepsClosedGroups: Bool = false, recordsPairDays: Bool = false) {
        precondition(definition.problem == nil, definition.problem ?? "")
        self.definition = definition
        self.latenessMilliseconds = max(0, latenessMilliseconds)
        self.vehicleType = vehicleType
        if let learned = rates as? TrafficRates {
            self.rates = learned
            learnedRates = learned
        } else if let rates {
            self.rates = rates
            learnedRates = nil
        } else {
            let learned = TrafficRates()
            self.rates = learned
            learnedRates = learned
        }
        let gap = definition.maxGapMilliseconds
        trailRetention = definition.windowMilliseconds + self.latenessMilliseconds + gap
        // Scoring looks at the traffic around every evidence camera of a trail.
        cameraRetention = trailRetention + gap
        // A group must outlive the trails its evidence came from, or it would form again from them.
        groupRetention = max(definition.quietPeriodMilliseconds, trailRetention)
        self.keepsClosedGroups = keepsClosedGroups
        self.recordsPairDays = recordsPairDays
        commuters = CommuterMemory(definition: definition)
        grouping = ConvoyGrouping(maximumSize: definition.maximumGroupSize)
    }

    // MARK: - Observing

    /// Takes one passage; returns the convoys it formed or grew (usually none, at most one per
    /// group it touched).
    ///
    /// `windowPlate` and `windowCamera` are the window's numbers for the read's plate and camera
    /// (`ReadIndex.inserted(_:)`), when it has them: they spare the tracker hashing the texts.
    public func observe(_ passage: Passage, windowPlate: UInt32? = nil, windowCamera: UInt16? = nil) -> [Event] {
        let time = passage.time.milliseconds
        let camera = cameraID(passage.camera, windowNumber: windowCamera)
        learnedRates?.observe(cameraNumber: rateNumbers[Int(camera)], at: passage.time)
        if time > latest { latest = time }
        keepHouse()
        // Later than the lateness allows, its neighbours at the camera may be forgotten already:
        // it is still paired with those that remain, but one older still cannot be paired at all.
        guard time >= latest - cameraRetention else { return [] }

        let vehicle = intern(passage.plate, windowNumber: windowPlate)
        vehicles[Int(vehicle)].references += 1
        expiry.append((time, vehicle))
        guard !vehicles[Int(vehicle)].excluded else { return [] }

        let direction: UInt8 = passage.direction == .inbound ? 1 : passage.direction == .outbound ? 2 : 0
        let sighting = Sighting(time: time, vehicle: vehicle, direction: direction)
        dropOldPassages(at: Int(camera))
        let position = passages.insert(sighting, camera: Int(camera))
        let mark = Mark(time: time, camera: camera, direction: direction, read: passage.readID.rawValue)
        if let before = vehicles[Int(vehicle)].add(mark), before.camera != camera, time - before.time <= definition.windowMilliseconds {
            pendingMoves.append(PendingMove(vehicle: vehicle, from: before, to: mark))
        }
        let mask = vehicles[Int(vehicle)].cameraMask
        marks.entry(Int(vehicle)).pointee.mask = mask

        var touched: [Int] = []
        let nearby = candidates(camera: camera, position: position, of: sighting)
        candidatesExamined += nearby.count
        // Most candidates cannot share enough cameras: the masks say so without touching trails.
        let minCameras = definition.minCameras
        let possible = nearby.filter { (mask & marks.entry(Int($0)).pointee.mask).nonzeroBitCount >= minCameras }
        for candidate in possible {
            guard let cameras = sharedCameras(vehicle, candidate) else { continue }
            let serials = pairSerial(vehicle, candidate)
            if let seen = rejected[serials] ?? rejectedBefore[serials], seen >= cameras { continue }
            let (pair, coOccurrences) = materialize(vehicle, candidate)
            let latestEvidence = coOccurrences.reduce(Int64.min) { max($0, $1.time.milliseconds) }
            // Already one announced convoy: the live detector only needs to know it is still going
            // (its evidence is refreshed when it is next announced). A convoy not yet announced
            // is assessed again, as more cameras may lift its score; history keeps full evidence.
            if !keepsClosedGroups, onPairAssessed == nil, let group = grouping.touch(pair, lastEvidence: latestEvidence),
               grouping.groups[group]!.announcedMembers > 0 {
                continue
            }
            assessments += 1
            guard let convoy = definition.assess(pair, coOccurrences, rates: self) else {
                rejected[serials] = cameras
                continue
            }
            onPairAssessed?(AssessedPair(convoy: convoy, readTime: time, lastEvidence: latestEvidence,
                                         kind: convoy.score >= definition.minimumPairScore ? .grouped : .met))
            // Commuters: pairs that would be reported on `commuterMinimumDays` different days. The
            // history search records every day the definition is met, whatever the score, and
            // judges afterwards; live, only pairs that would be reported are worth the memory.
            if recordsPairDays { _ = commuters.record(pair, day: time.floorDivided(by: 86_400_000)) }
            guard convoy.score >= definition.minimumPairScore else {
                rejected[serials] = cameras
                continue
            }
            if definition.excludeCommuters, !recordsPairDays, commuters.record(pair, day: time.floorDivided(by: 86_400_000)) {
                continue
            }
            rejected.removeValue(forKey: serials)
            rejectedBefore.removeValue(forKey: serials)
            if let group = grouping.add(convoy, lastEvidence: latestEvidence), !touched.contains(group) { touched.append(group) }
        }
        return touched.compactMap(announce)
    }

    /// Closes every open convoy (end of a history search) and returns all closed ones.
    public func finish() -> [ConvoyGroup] {
        close(grouping.removeAll())
        return drainClosedGroups()
    }

    /// Convoys that went quiet since the last call (only with `keepsClosedGroups`).
    public func drainClosedGroups() -> [ConvoyGroup] {
        defer { closed.removeAll() }
        return closed
    }

    /// Whether `pair` met the definition on `commuterMinimumDays` different days within the
    /// look-back, as far as remembered.
    public func isCommuterPair(_ pair: PairKey) -> Bool { commuters.isCommuter(pair) }

    /// Open convoys now.
    public var openGroupCount: Int { grouping.groups.count }

    /// Vehicles with passages in the window now.
    public var vehicleCount: Int { vehicleIDs.count + unkeyedVehicleIDs.count }

    /// Passages held per camera and in trails (for measurement).
    public var heldPassages: Int { passages.passageCount + expiry.count }

    /// Moves queued to be learned once the reads around their second camera have arrived.
    public var pendingMoveCount: Int { pendingMoves.count }

    // MARK: - Candidates and co-occurrences

    /// The vehicles read at `camera` within the gap of `sighting`, nearest first, at most
    /// `maximumCandidates` of them, each once.
    private func candidates(camera: Int32, position: Int, of sighting: Sighting) -> [Int32] {
        let mark = nextStamp()
        let gap = definition.maxGapMilliseconds, cap = definition.maximumCandidates
        var out: [Int32] = []
        out.reserveCapacity(cap)
        // Unsafe buffers: this loop runs for every read, and checked access to class-held
        // arrays costs more than the loop itself.
        guard cap > 0 else { return out }
        let marks = self.marks
        passages.withPassages(Int(camera)) { list in
            marks.entry(Int(sighting.vehicle)).pointee.stamp = mark
            var scanned = 0
            ConvoyTracker.visitNearest(list, left: position - 1, right: position + 1, time: sighting.time, within: gap) { other in
                scanned += 1
                let entry = marks.entry(Int(other.vehicle))
                if entry.pointee.stamp != mark,
                   other.direction == 0 || sighting.direction == 0 || other.direction == sighting.direction {
                    entry.pointee.stamp = mark
                    out.append(other.vehicle)
                }
                // Scanning stops at four times the cap, so a crowd going the other way costs no more.
                return out.count < cap && scanned < 4 * cap
            }
        }
        return out
    }

    /// A fresh mark for `marks` (clearing them all once in four billion).
    private func nextStamp() -> UInt32 {
        stamp &+= 1
        if stamp == 0 {
            marks.clearStamps()
            stamp = 1
        }
        return stamp
    }

    /// The distinct cameras at which two vehicles' trails co-occur, when at least `minCameras`;
    /// nil otherwise. Leaves the matches in `scratch` for `materialize` (no string is touched).
    private func sharedCameras(_ a: Int32, _ b: Int32) -> Int? {
        let gap = definition.maxGapMilliseconds
        scratch.removeAll(keepingCapacity: true)
        vehicles[Int(a)].trail.withUnsafeBufferPointer { trailA in
            vehicles[Int(b)].trail.withUnsafeBufferPointer { trailB in
                var start = 0
                for i in 0..<trailA.count {
                    let mark = trailA[i]
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
            }
        }
        guard scratch.count >= definition.minCameras else { return nil }
        var distinct: [Int32] = []
        let trailA = vehicles[Int(a)].trail
        for (i, _) in scratch where !distinct.contains(trailA[Int(i)].camera) { distinct.append(trailA[Int(i)].camera) }
        return distinct.count >= definition.minCameras ? distinct.count : nil
    }

    /// The co-occurrences `sharedCameras` found, as values of the pair.
    private func materialize(_ a: Int32, _ b: Int32) -> (PairKey, [CoOccurrence]) {
        let trailA = vehicles[Int(a)].trail, trailB = vehicles[Int(b)].trail
        let plateA = vehicles[Int(a)].plate, plateB = vehicles[Int(b)].plate
        let pair = PairKey(plateA, plateB)
        let aIsFirst = pair.first == plateA
        scoredVehicles = (a, b)
        scoredCameras.removeAll(keepingCapacity: true)
        for (i, _) in scratch {
            let camera = trailA[Int(i)].camera
            if !scoredCameras.contains(where: { $0.id == camera }) { scoredCameras.append((cameraNames[Int(camera)], camera)) }
        }
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

    /// Both vehicles' serial numbers in one key (serials are never reused, unlike ids).
    private func pairSerial(_ a: Int32, _ b: Int32) -> UInt64 {
        let x = vehicles[Int(a)].serial, y = vehicles[Int(b)].serial
        return UInt64(min(x, y)) << 32 | UInt64(max(x, y))
    }

    // MARK: - Convoys

    /// The event for a touched group, when it has members not yet announced and scores enough
    /// to be reported; its pairs' evidence is brought up to date first.
    private func announce(_ id: Int) -> Event? {
        guard let state = grouping.groups[id], state.members.count > state.announcedMembers else { return nil }
        if state.announcedMembers > 0 {
            for (pair, _) in state.pairs {
                guard let a = vehicleID(of: pair.first), let b = vehicleID(of: pair.second), sharedCameras(a, b) != nil,
                      let convoy = definition.assess(pair, materialize(a, b).1, rates: self)
                else { continue }
                onPairAssessed?(AssessedPair(convoy: convoy, readTime: latest, lastEvidence: convoy.last.milliseconds, kind: .updated))
                grouping.update(convoy)
            }
        }
        let current = grouping.groups[id]!
        let group = ConvoyGroup(pairs: Array(current.pairs.values), maxGapMilliseconds: definition.maxGapMilliseconds)
        // Below the reporting score it stays unannounced, and may still grow into a convoy that is.
        guard group.score >= definition.minimumScore else { return nil }
        // A convoy already announced is announced again only for a newcomer that itself travelled
        // with a member convincingly: in dense traffic a convoy picks up chance neighbours whose
        // pairs only just pass `minimumPairScore`, and each would otherwise fire it again.
        if state.announcedMembers > 0 {
            let newcomers = Set(current.members.dropFirst(state.announcedMembers))
            guard current.pairs.values.contains(where: {
                $0.score >= definition.minimumScore && (newcomers.contains($0.pair.first) || newcomers.contains($0.pair.second))
            }) else { return nil }
        }
        let change: Change = state.announcedMembers == 0 ? .formed : .grew
        _ = grouping.markAnnounced(id)
        return Event(change: change, group: group)
    }

    private func close(_ groups: [ConvoyGrouping.Group]) {
        guard keepsClosedGroups else { return }
        for state in groups {
            closed.append(ConvoyGroup(pairs: Array(state.pairs.values), maxGapMilliseconds: definition.maxGapMilliseconds))
        }
    }

    // MARK: - Housekeeping

    /// Forgets what can no longer matter, and learns from the moves whose reads have all
    /// arrived, a few steps per passage (`movesLearnedPerPassage`, …): done every ten seconds at
    /// once, as before, it cost one read up to 50 ms at national volume, and every read queued
    /// behind it waited.
    ///
    /// Each passage queues at most one move and one trail entry, so a few steps each keep the
    /// queues from growing; after a jump in event time they catch up over the next passages.
    private func keepHouse() {
        var steps = 0
        let ready = latest - definition.maxGapMilliseconds - latenessMilliseconds
        var learned = 0
        while learned < ConvoyTracker.movesLearnedPerPassage, let move = pendingMoves.first, move.to.time <= ready {
            pendingMoves.removeFirst()
            learn(move)
            learned += 1
        }
        steps += learned

        let trailCutoff = latest - trailRetention
        var expired = 0
        while expired < ConvoyTracker.trailEntriesExpiredPerPassage, let entry = expiry.first, entry.time < trailCutoff {
            expiry.removeFirst()
            expired += 1
            let vehicle = Int(entry.vehicle)
            vehicles[vehicle].trim(before: trailCutoff)
            marks.entry(vehicle).pointee.mask = vehicles[vehicle].cameraMask
            vehicles[vehicle].references -= 1
            if vehicles[vehicle].references == 0 { release(entry.vehicle) }
        }
        steps += expired

        passagesSinceCameraChecked += 1
        if passagesSinceCameraChecked >= ConvoyTracker.passagesPerCameraChecked, passages.cameraCount > 0 {
            passagesSinceCameraChecked = 0
            if cameraCursor >= passages.cameraCount { cameraCursor = 0 }
            dropOldPassages(at: cameraCursor)
            cameraCursor += 1
            steps += 1
        }

        housekeepingSteps += steps
        mostHousekeepingStepsInOnePassage = max(mostHousekeepingStepsInOnePassage, steps)

        // Every ten seconds: convoys gone quiet (few are open: only pairs that scored are
        // grouped), and the older generation of rejected pairs.
        guard lastGroupSweep == .min || latest - lastGroupSweep >= 10_000 else { return }
        lastGroupSweep = latest
        close(grouping.removeQuiet(before: latest - groupRetention))
        if latest - rejectedSince >= trailRetention {
            rejectedSince = latest
            rejectedBefore = rejected
            // As large as the last generation, so that it fills without rehashing in one read.
            rejected = Dictionary(minimumCapacity: rejectedBefore.count)
        }
    }

    /// Drops a camera's passages older than the retention once the oldest is a quarter of the
    /// retention older still: the scans stop at the gap anyway, and searching a busy camera's
    /// list for every stale passage would cost more. The check reads no list.
    private func dropOldPassages(at camera: Int) {
        let cutoff = latest - cameraRetention
        guard passages.oldest(camera) < cutoff - cameraRetention / 4 else { return }
        passages.drop(before: cutoff, camera: camera)
    }

    /// Counts how many of the vehicle's neighbours at the move's first camera were near it at
    /// the second.
    private func learn(_ move: PendingMove) {
        // A move seen often enough already is only counted: in dense traffic this keeps the
        // learning to a sample, and the estimate is as good.
        if moves.isWellKnown(from: move.from.camera, to: move.to.camera) {
            moves.countMove(from: move.from.camera, to: move.to.camera, at: move.to.time)
            return
        }
        let gap = definition.maxGapMilliseconds
        // Independent of `maximumCandidates`: the share measured depends on how many neighbours
        // are looked at, and the scores must not change with the cost cap.
        let limit = ConvoyTracker.learningNeighbours
        let mark = nextStamp()
        var neighbours = 0, followers = 0
        let marks = self.marks
        passages.withPassages(Int(move.from.camera)) { list in
            ConvoyTracker.forEachNear(list, time: move.from.time, within: gap, direction: move.from.direction,
                                      excluding: move.vehicle, limit: limit) { other in
                marks.entry(Int(other)).pointee.stamp = mark
                neighbours += 1
            }
        }
        if neighbours > 0 {
            passages.withPassages(Int(move.to.camera)) { list in
                ConvoyTracker.forEachNear(list, time: move.to.time, within: gap, direction: move.to.direction,
                                          excluding: move.vehicle, limit: limit) { other in
                    if marks.entry(Int(other)).pointee.stamp == mark { followers += 1 }
                }
            }
        }
        moves.record(from: move.from.camera, to: move.to.camera, neighbours: neighbours, followers: followers, at: move.to.time)
    }

    /// Calls `body` with each vehicle read within `within` of `time` in a compatible direction,
    /// nearest first, at most `limit`, from one camera's sorted passages.
    private static func forEachNear(_ list: UnsafeBufferPointer<Sighting>, time: Int64, within: Int64, direction: UInt8,
                                    excluding: Int32, limit: Int, _ body: (Int32) -> Void) {
        guard limit > 0 else { return }
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].time <= time { low = middle + 1 } else { high = middle }
        }
        var taken = 0
        visitNearest(list, left: low - 1, right: low, time: time, within: within) { other in
            if other.vehicle != excluding, other.direction == 0 || direction == 0 || other.direction == direction {
                taken += 1
                body(other.vehicle)
            }
            return taken < limit
        }
    }

    /// Visits the passages of a sorted list within `within` of `time`, nearest first, walking
    /// outwards from `left` and `right` (the nearer side first, the earlier on a tie), while
    /// `visit` returns true.
    @inline(__always)
    private static func visitNearest(_ list: UnsafeBufferPointer<Sighting>, left: Int, right: Int, time: Int64, within: Int64,
                                     _ visit: (Sighting) -> Bool) {
        var left = left, right = right
        while true {
            let leftGap = left >= 0 ? time - list[left].time : .max
            let rightGap = right < list.count ? list[right].time - time : .max
            let index: Int
            if leftGap <= rightGap, leftGap <= within {
                index = left
                left -= 1
            } else if rightGap <= within {
                index = right
                right += 1
            } else {
                return
            }
            guard visit(list[index]) else { return }
        }
    }

    /// `intern(_:)` through the window's number for the plate: an array lookup, checked against
    /// the text because the window gives a departed plate's number to another plate (and the
    /// tracker a released vehicle's number to another vehicle).
    private func intern(_ plate: String, windowNumber: UInt32?) -> Int32 {
        guard let windowNumber else { return intern(plate) }
        let slot = Int(windowNumber)
        if slot < vehicleOfWindowPlate.count {
            let known = vehicleOfWindowPlate[slot]
            if known >= 0, vehicles[Int(known)].plate == plate { return known }
        } else {
            while vehicleOfWindowPlate.count <= slot { vehicleOfWindowPlate.append(-1) }
        }
        let id = intern(plate)
        vehicleOfWindowPlate[slot] = id
        return id
    }

    /// The id of `plate` when it is one of the pair being scored (`scoredVehicles`).
    private func scoredVehicle(_ plate: String) -> Int32? {
        let (a, b) = scoredVehicles
        // A released id holds an empty plate, a reused one another vehicle's: the plate decides.
        if a >= 0, vehicles[Int(a)].plate == plate { return a }
        if b >= 0, vehicles[Int(b)].plate == plate { return b }
        return nil
    }

    /// The id of the vehicle with `plate`, when it is in the window.
    private func vehicleID(of plate: String) -> Int32? {
        if let key = PlateIDTable.key(of: plate) { return vehicleIDs.value(for: key).map { Int32(bitPattern: $0) } }
        return unkeyedVehicleIDs[plate]
    }

    private func intern(_ plate: String) -> Int32 {
        let key = PlateIDTable.key(of: plate)
        if let key {
            if let id = vehicleIDs.value(for: key) { return Int32(bitPattern: id) }
        } else if let id = unkeyedVehicleIDs[plate] {
            return id
        }
        let excluded = definition.excludes(vehicleType: vehicleType?(plate))
        let vehicle = Vehicle(plate: plate, excluded: excluded, serial: nextSerial)
        nextSerial &+= 1
        let id: Int32
        if let reused = freeVehicles.popLast() {
            id = reused
            vehicles[Int(id)] = vehicle
            marks.entry(Int(id)).pointee = VehicleMarks.Entry()
        } else {
            id = Int32(vehicles.count)
            vehicles.append(vehicle)
            marks.append()
        }
        if let key { vehicleIDs.set(UInt32(bitPattern: id), for: key) } else { unkeyedVehicleIDs[plate] = id }
        return id
    }

    private func release(_ id: Int32) {
        let plate = vehicles[Int(id)].plate
        if let key = PlateIDTable.key(of: plate) { vehicleIDs.remove(key) } else { unkeyedVehicleIDs.removeValue(forKey: plate) }
        vehicles[Int(id)] = Vehicle(plate: "", excluded: false, serial: 0)
        marks.entry(Int(id)).pointee.mask = 0
        freeVehicles.append(id)
    }

    /// `cameraID(_:)` through the window's number for the camera (0: a camera the window did
    /// not number), checked against the name.
    private func cameraID(_ name: String, windowNumber: UInt16?) -> Int32 {
        guard let windowNumber, windowNumber != 0 else { return cameraID(name) }
        let slot = Int(windowNumber)
        if slot < cameraOfWindowCamera.count {
            let known = cameraOfWindowCamera[slot]
            if known >= 0, cameraNames[Int(known)] == name { return known }
        } else {
            cameraOfWindowCamera.append(contentsOf: repeatElement(-1, count: slot + 1 - cameraOfWindowCamera.count))
        }
        let id = cameraID(name)
        cameraOfWindowCamera[slot] = id
        return id
    }

    private func cameraID(_ name: String) -> Int32 {
        if let id = cameraIDs[name] { return id }
        let id = Int32(cameraNames.count)
        cameraIDs[name] = id
        cameraNames.append(name)
        rateNumbers.append(learnedRates?.number(of: name) ?? -1)
        passages.addCamera()
        return id
    }
}

extension ConvoyTracker: TrafficRateSource {
    public func readsPerHour(camera: String, at time: Timestamp) -> Double {
        // The rates this tracker learns number the cameras as it does: no name hashed for a
        // camera of the pair being scored.
        if let learnedRates, let scored = scoredCameras.first(where: { $0.name == camera }) {
            return learnedRates.readsPerHour(cameraNumber: rateNumbers[Int(scored.id)], at: time)
        }
        return rates.readsPerHour(camera: camera, at: time)
    }

    /// The share of the traffic near the leader that moved on with it between the two cameras:
    /// the product over the moves on the leader's own trail in between (two evidence cameras
    /// need not be next to each other), each as learned from every vehicle that made that move
    /// (`TransitionPersistence`), or `routePersistence` where too few did.
    public func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double? {
        guard let start = scoredCameras.first(where: { $0.name == from })?.id ?? cameraIDs[from] else { return nil }
        for plate in [pair.first, pair.second] {
            guard let vehicle = scoredVehicle(plate) ?? vehicleID(of: plate) else { continue }
            let trail = vehicles[Int(vehicle)].trail
            guard var index = trail.firstIndex(where: { $0.time == fromTime.milliseconds && $0.camera == start }) else { continue }
            var product = 1.0, last = 1.0
            while index + 1 < trail.count, trail[index + 1].time <= toTime.milliseconds {
                let here = trail[index], next = trail[index + 1]
                if here.camera != next.camera {
                    last = moves.share(from: here.camera, to: next.camera) ?? definition.routePersistence
                    product *= last
                }
                index += 1
            }
            // Cameras in between that the two did not pass together: they were apart there (or one
            // was not read), and meeting again is no rarer than company arriving with the last
            // move. Without this floor two strangers whose long, different ways cross again would
            // score as if they had kept together all along. A move nobody else made is rare, not
            // impossible (as in the history search).
            return max(product, last, ConvoyTracker.minimumShare)
        }
        return nil
    }
}

extension ConvoyTracker {
    /// Reads on either trail in `from..<to` without a read of the other vehicle at the same
    /// camera within `maxGap` (`ConvoyScoring`'s lead-up rule); nil when either vehicle has
    /// left the window.
    public func unaccompaniedReads(of pair: PairKey, from: Timestamp, to: Timestamp, maxGapMilliseconds maxGap: Int64) -> Int? {
        guard let a = scoredVehicle(pair.first) ?? vehicleID(of: pair.first),
              let b = scoredVehicle(pair.second) ?? vehicleID(of: pair.second)
        else { return nil }
        return ConvoyScoring.unaccompaniedReads(vehicles[Int(a)].trail, vehicles[Int(b)].trail, from: from.milliseconds,
                                                to: to.milliseconds, maxGap: maxGap, time: \.time, camera: \.camera)
    }
}

/// A vehicle's move between two cameras, waiting for the reads around its second end.
struct PendingMove {
    var vehicle: Int32
    var from: Mark
    var to: Mark
}

/// One read at a camera, as the tracker holds it (16 bytes: four to a cache line).
struct Sighting {
    var time: Int64
    var vehicle: Int32
    /// 0 unknown, 1 in, 2 out.
    var direction: UInt8
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

    /// Unique for the tracker's lifetime, unlike the id, which is reused.
    var serial: UInt32

    init(plate: String, excluded: Bool, serial: UInt32) {
        self.plate = plate
        self.excluded = excluded
        self.serial = serial
    }

    /// Adds `mark` in time order; returns the mark just before it, if any.
    @discardableResult
    mutating func add(_ mark: Mark) -> Mark? {
        cameraMask |= 1 << UInt64(mark.camera & 63)
        if let last = trail.last, last.time > mark.time {
            let index = trail.firstIndex { $0.time > mark.time } ?? trail.count
            trail.insert(mark, at: index)
            return index > 0 ? trail[index - 1] : nil
        }
        trail.append(mark)
        return trail.count > 1 ? trail[trail.count - 2] : nil
    }

    mutating func trim(before cutoff: Int64) {
        let stale = trail.prefix { $0.time < cutoff }.count
        guard stale > 0 else { return }
        trail.removeFirst(stale)
        cameraMask = trail.reduce(0) { $0 | 1 << UInt64($1.camera & 63) }
    }
}
