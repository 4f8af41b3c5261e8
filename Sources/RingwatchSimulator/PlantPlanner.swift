import RingwatchCore

/// The kinds of planted events.
enum PlantKind: String, Sendable, CaseIterable {
    case hotlist
    case convoy
    case cloneVehicle = "clone_vehicle"
    case cloneSpeed = "clone_speed"
    case routeTakeover = "route_takeover"

    /// The trigger a detector should fire.
    var expect: TriggerKind {
        switch self {
        case .hotlist: .hotlist
        case .convoy: .convoy
        case .cloneVehicle: .mismatch
        case .cloneSpeed: .clone
        case .routeTakeover: .route
        }
    }

    /// Prefix of the event ids (`convoy-3`).
    var idPrefix: String {
        switch self {
        case .hotlist: "hotlist"
        case .convoy: "convoy"
        case .cloneVehicle: "clone-vehicle"
        case .cloneSpeed: "clone-speed"
        case .routeTakeover: "route-takeover"
        }
    }
}

/// A vehicle of a planted event and what the classifier should see on it.
struct PlantVehicle: Sendable {
    let vehicle: Vehicle
    /// The model and colour cameras see (another than registered for a clone's carrier).
    let seenModel: Int
    let seenColor: Int
    /// Always send classifier output, with good confidence (the clone's carrier must be seen).
    let clearlySeen: Bool

    init(_ vehicle: Vehicle, seenModel: Int? = nil, seenColor: Int? = nil, clearlySeen: Bool = false) {
        self.vehicle = vehicle
        self.seenModel = seenModel ?? vehicle.model
        self.seenColor = seenColor ?? vehicle.color
        self.clearlySeen = clearlySeen
    }
}

/// One planted event before it happens.
struct PlantPlan: Sendable {
    let kind: PlantKind
    let id: String
    let vehicles: [PlantVehicle]
    /// Normalised plates in ground-truth order.
    let plates: [String]
    /// Camera path (convoy, route) or the two far-apart cameras (clone_speed).
    let cameras: [Int]
    /// The hotlist line, for hotlist events.
    let hotlist: HotlistEntry?
    /// The camera on the route the takeover vehicle is not read at.
    let skippedCamera: Int?
}

/// One planted pass: a vehicle of an event passing a camera.
struct PlantedPass: Sendable {
    let time: Int64
    /// Order of creation: breaks ties.
    let order: Int
    let camera: Int
    let plant: Int
    let member: Int
    /// Which repetition (route runs, hotlist trips).
    let run: Int
    let direction: Direction
    let directive: SensorModel.Directive
    /// Whether the read is evidence for the event (the original runs of a route are not).
    let evidence: Bool
}

/// Places the planted events in the span: picks their vehicles and routes, times them by the
/// traffic profile (more events when there is more traffic; mismatches in daylight), and
/// produces their passes. An event whose evidence does not fit in the span is skipped.
struct PlantPlanner {
    let configuration: SimulationConfiguration
    let network: RoadNetwork
    let profile: TrafficProfile
    let fleet: Fleet

    private(set) var plans: [PlantPlan] = []
    private(set) var passes: [PlantedPass] = []
    private(set) var skipped: [String] = []
    private var nextVehicle: Int
    private var random: SplitMix64
    private let startMs: Int64, endMs: Int64

    init(configuration: SimulationConfiguration, network: RoadNetwork, profile: TrafficProfile, fleet: Fleet) {
        self.configuration = configuration
        self.network = network
        self.profile = profile
        self.fleet = fleet
        nextVehicle = fleet.planted.lowerBound
        random = SplitMix64(seed: configuration.seed, stream: .plant)
        startMs = configuration.start.milliseconds
        endMs = configuration.end.milliseconds
    }

    /// Vehicles the planner needs for `plants`.
    static func vehiclesNeeded(_ plants: SimulationConfiguration.Plants) -> Int {
        plants.hotlist + 4 * plants.convoys + plants.cloneVehicles + plants.cloneSpeeds + 2 * plants.routeTakeovers
    }

    mutating func planAll() {
        let plants = configuration.plants
        for index in 0..<plants.hotlist { planHotlist(index, of: plants.hotlist) }
        for index in 0..<plants.convoys { planConvoy(index, of: plants.convoys) }
        for index in 0..<plants.cloneVehicles { planCloneVehicle(index, of: plants.cloneVehicles) }
        for index in 0..<plants.cloneSpeeds { planCloneSpeed(index, of: plants.cloneSpeeds) }
        for index in 0..<plants.routeTakeovers { planRouteTakeover(index, of: plants.routeTakeovers) }
        passes.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
    }

    // MARK: Time

    /// A start time for an event lasting about `lasting` milliseconds, at quantile
    /// `(index + jitter) / count` of the traffic in the part of the span where it fits (in
    /// daylight when asked and possible); nil when it fits nowhere.
    private mutating func anchor(_ index: Int, of count: Int, lasting: Int64, daylight: Bool = false) -> Int64? {
        let low = startMs + 60_000, high = endMs - lasting - 60_000
        guard high > low else { return nil }
        var table: [(Int64, Double)] = [], daylightTable: [(Int64, Double)] = []
        var total = 0.0, daylightTotal = 0.0
        var minute = low
        while minute < high {
            let level = profile.level(atMilliseconds: minute)
            total += level
            table.append((minute, total))
            if daylight && !profile.isDark(atMilliseconds: minute) {
                daylightTotal += level
                daylightTable.append((minute, daylightTotal))
            }
            minute += 60_000
        }
        if !daylightTable.isEmpty { (table, total) = (daylightTable, daylightTotal) }
        let quantile = (Double(index) + random.uniform(0.2, 0.8)) / Double(count)
        let target = quantile * total
        var first = 0, last = table.count - 1
        while first < last {
            let middle = (first + last) / 2
            if table[middle].1 < target { first = middle + 1 } else { last = middle }
        }
        return min(high, table[first].0 + Int64(random.below(60_000)))
    }

    /// About how long `path` takes in busy traffic.
    private func typical(_ path: [Int]) -> Int64 {
        var seconds = 0.0
        for index in path.indices.dropFirst() { seconds += legSeconds(path[index - 1], path[index]) }
        return Int64(seconds * 1.3 * 1000)
    }

    /// Pass times along `path` from an anchor where the trip (plus `extra` milliseconds) ends in
    /// the span; tries again with the measured length when the first try runs past the end.
    private mutating func timed(_ path: [Int], _ index: Int, of count: Int, extra: Int64 = 0, daylight: Bool = false) -> [Int64]? {
        var lasting = typical(path) + extra
        for _ in 0..<3 {
            guard let start = anchor(index, of: count, lasting: lasting, daylight: daylight) else { return nil }
            let times = schedule(path, from: start)
            if times[times.count - 1] + extra < endMs { return times }
            lasting = times[times.count - 1] - times[0] + extra + 120_000
        }
        return nil
    }

    /// Pass times along `path` from `start`, with the same travel model as ordinary traffic.
    private mutating func schedule(_ path: [Int], from start: Int64, spread: Double = 0.08) -> [Int64] {
        var times = [start]
        var time = start
        for index in path.indices.dropFirst() {
            let seconds = legSeconds(path[index - 1], path[index])
            time += Int64(seconds * profile.congestion(atMilliseconds: time) * exp(spread * random.normal()) * 1000)
            times.append(time)
        }
        return times
    }

    private func legSeconds(_ a: Int, _ b: Int) -> Double {
        if network.level[a] == network.level[b] {
            if network.ringNeighbour(of: a, steps: 1) == b { return network.clockwiseSeconds[a] }
            if network.ringNeighbour(of: a, steps: -1) == b { return network.counterclockwiseSeconds[a] }
            return max(20, network.distance(a, b) * RoadNetwork.ringDetour / RoadNetwork.middleRingSpeed * 3600)
        }
        return network.level[a] < network.level[b] ? network.radialSeconds(inner: a, outer: b) : network.radialSeconds(inner: b, outer: a)
    }

    // MARK: Vehicles and routes

    private mutating func takeVehicle() -> Vehicle {
        defer { nextVehicle += 1 }
        return fleet.vehicle(nextVehicle)
    }

    /// A route into the centre from the outer rings with at least `minimumCameras` cameras.
    private mutating func route(minimumCameras: Int, target: Int = 0, preferMoves: Bool = false) -> Route {
        var best: Route?
        var bestLength = 0
        for _ in 0..<200 {
            let level = network.outermost
            let ring = network.rings[level]
            let candidate = Route(entry: ring[random.below(ring.count)], target: min(target, level), seed: random.next())
            let path = candidate.inboundPath(network)
            var movingLevels = 0
            for index in path.indices.dropFirst() where network.level[path[index]] == network.level[path[index - 1]] {
                movingLevels += 1
            }
            if path.count >= minimumCameras && (!preferMoves || movingLevels >= 2) { return candidate }
            if path.count > bestLength { (best, bestLength) = (candidate, path.count) }
        }
        return best ?? Route(entry: network.rings[network.outermost][0], target: 0, seed: 1)
    }

    private mutating func add(
        _ path: [Int], _ times: [Int64], plant: Int, member: Int, run: Int, direction: Direction,
        directives: [SensorModel.Directive]? = nil, evidence: Bool = true, skip: Int? = nil
    ) {
        for index in path.indices where times[index] < endMs && times[index] >= startMs && index != skip {
            passes.append(
                PlantedPass(
                    time: times[index], order: passes.count, camera: path[index], plant: plant, member: member,
                    run: run, direction: direction, directive: directives?[index] ?? .natural, evidence: evidence))
        }
    }

    private func fits(_ times: [Int64]) -> Bool { (times.last ?? .max) < endMs && (times.first ?? -1) >= startMs }

    // MARK: The events

    static let hotlistReasons: [(String, Severity, String)] = [
        ("stolen_vehicle", .critical, "Reported stolen (PV AN.%02d.L%d.%06d/26)"),
        ("wanted_person", .critical, "Registered keeper subject of an arrest warrant (ref. AW-2026-%04d)"),
        ("stolen_plate", .high, "Plates taken from a parked car (PV AN.%02d.L%d.%06d/26)"),
        ("missing_person", .high, "Driver reported missing by family (ref. MP-2026-%04d)"),
        ("uninsured", .medium, "No valid insurance on record (DIV check, ref. %06d)"),
        ("stolen_vehicle", .high, "Carjacking reported (PV AN.%02d.L%d.%06d/26)"),
    ]

    /// A reason text with reference numbers (`%06d`) filled in without Foundation's formatting.
    static func fillReference(_ template: String, _ random: inout SplitMix64) -> String {
        var out = ""
        var rest = Substring(template)
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            var after = rest[rest.index(after: percent)...]
            var width = 1
            if after.first == "0", let digit = after.dropFirst().first?.wholeNumberValue {
                width = digit
                after = after.dropFirst(2)
            }
            after = after.dropFirst()  // the `d`
            var limit = 1
            for _ in 0..<width { limit *= 10 }
            let value = String(random.below(limit))
            out += String(repeating: "0", count: max(0, width - value.count)) + value
            rest = after
        }
        return out + rest
    }

    private mutating func planHotlist(_ index: Int, of count: Int) {
        let id = "\(PlantKind.hotlist.idPrefix)-\(index + 1)"
        let vehicle = takeVehicle()
        let path = route(minimumCameras: 3, target: random.chance(0.7) ? 0 : 1).inboundPath(network)
        guard let times = timed(path, index, of: count) else { skipped.append(id); return }

        // What the reader makes of each read: mostly right, often one substitution, sometimes two,
        // now and then a dropped or extra character; at least one misread when read twice or more.
        let outSeed = random.next()
        let outPath = Route.outboundPath(from: path[path.count - 1], seed: outSeed, network)
        let outTimes = schedule(outPath, from: times[times.count - 1] + Int64(random.int(in: 60...180)) * 60_000)
        let withReturn = fits(outTimes)
        let total = path.count + (withReturn ? outPath.count : 0)
        var directives: [SensorModel.Directive] = (0..<total).map { slot in
            guard slot > 0 else { return .exact }
            let draw = random.below(100)
            return draw < 35 ? .substitutions(1) : draw < 47 ? .substitutions(2) : draw < 52 ? .drop : draw < 56 ? .insert : .exact
        }
        if total >= 2 && !directives.contains(where: { $0 != .exact }) { directives[1] = .substitutions(1) }

        let plant = plans.count
        let template = PlantPlanner.hotlistReasons[index % PlantPlanner.hotlistReasons.count]
        let expires = random.chance(0.5) ? nil : configuration.start.adding(seconds: Int64(random.int(in: 30...365)) * 86_400)
        let entry = HotlistEntry(
            pattern: vehicle.normalisedPlate, category: template.0, severity: template.1,
            reason: PlantPlanner.fillReference(template.2, &random), expires: expires.map { Timestamp(seconds: $0.seconds) })
        plans.append(
            PlantPlan(
                kind: .hotlist, id: id, vehicles: [PlantVehicle(vehicle)], plates: [vehicle.normalisedPlate],
                cameras: path, hotlist: entry, skippedCamera: nil))
        add(path, times, plant: plant, member: 0, run: 0, direction: .inbound, directives: Array(directives.prefix(path.count)))
        if withReturn {
            add(
                outPath, outTimes, plant: plant, member: 0, run: 1, direction: .outbound,
                directives: Array(directives.dropFirst(path.count)))
        }
    }

    private mutating func planConvoy(_ index: Int, of count: Int) {
        let id = "\(PlantKind.convoy.idPrefix)-\(index + 1)"
        let size = [2, 3, 4, 3][index % 4]
        let vehicles = (0..<size).map { _ in takeVehicle() }
        let path = route(minimumCameras: 5).inboundPath(network)
        guard let lead = timed(path, index, of: count, extra: Int64(size) * 60_000) else { skipped.append(id); return }
        // Each follower keeps its own gap behind the car ahead, a few seconds to most of a
        // minute: drivers in contact (by phone, or keeping the car ahead in sight) hold it on
        // purpose, within about a tenth of it and a second either way, at every camera. Chance
        // company drifts by far more (`Journey.spread`, `Journey.driverSpread`).
        // The whole convoy stays within a minute from lead to tail (the gaps are scaled down
        // when they would add up to more), so that every member co-occurs with every other.
        // The gaps come from the convoy's own stream; the planner's stream advances by as many
        // draws as an earlier gap model took, so every other planted event stays where it was.
        var gapRandom = SplitMix64(seed: configuration.seed, stream: .plant, 0xC0_4701, UInt64(index))
        for _ in 0..<((size - 1) * (1 + path.count)) { _ = random.next() }
        var bases = (1..<size).map { _ in gapRandom.uniform(4, 38) }
        let total = bases.reduce(0, +)
        if total > PlantPlanner.convoyLength { bases = bases.map { $0 * PlantPlanner.convoyLength / total } }
        var members = [lead]
        for base in bases {
            let ahead = members[members.count - 1]
            var times: [Int64] = []
            for (slot, time) in ahead.enumerated() {
                let gap = min(60, max(2, base * gapRandom.uniform(0.95, 1.05) + gapRandom.uniform(-1, 1)))
                var when = time + Int64(gap * 1000)
                if slot > 0 { when = max(when, times[slot - 1] + 15_000) }
                times.append(when)
            }
            members.append(times)
        }
        guard members.allSatisfy(fits) else { skipped.append(id); return }
        let plant = plans.count
        plans.append(
            PlantPlan(
                kind: .convoy, id: id, vehicles: vehicles.map { PlantVehicle($0) }, plates: vehicles.map(\.normalisedPlate),
                cameras: path, hotlist: nil, skippedCamera: nil))
        for (member, times) in members.enumerated() {
            add(path, times, plant: plant, member: member, run: 0, direction: .inbound)
        }
    }

    /// Seconds from a planted convoy's lead to its tail, at most (before the gaps wobble).
    static let convoyLength = 54.0

    private mutating func planCloneVehicle(_ index: Int, of count: Int) {
        let id = "\(PlantKind.cloneVehicle.idPrefix)-\(index + 1)"
        let registered = takeVehicle()
        let carriedModel = VehicleCatalog.otherModel(than: registered.model, &random)
        let carriedColor = random.chance(0.7) ? registered.color : VehicleCatalog.randomColor(registered.kind, &random)
        let path = route(minimumCameras: 3, target: random.chance(0.6) ? 0 : 1).inboundPath(network)
        guard let times = timed(path, index, of: count, daylight: true) else { skipped.append(id); return }
        guard fits(times) else { skipped.append(id); return }
        let plant = plans.count
        plans.append(
            PlantPlan(
                kind: .cloneVehicle, id: id,
                vehicles: [PlantVehicle(registered, seenModel: carriedModel, seenColor: carriedColor, clearlySeen: true)],
                plates: [registered.normalisedPlate], cameras: path, hotlist: nil, skippedCamera: nil))
        add(path, times, plant: plant, member: 0, run: 0, direction: .inbound)
    }

    private mutating func planCloneSpeed(_ index: Int, of count: Int) {
        let id = "\(PlantKind.cloneSpeed.idPrefix)-\(index + 1)"
        let vehicle = takeVehicle()
        let ring = network.rings[network.outermost]
        let first = ring[random.below(ring.count)]
        let candidates = ring.count > 1 ? ring : Array(network.cameras.indices)
        let second = candidates.max { network.distance(first, $0) < network.distance(first, $1) } ?? first
        guard second != first else { skipped.append(id); return }
        func along(_ camera: Int, _ direction: Int) -> [Int] {
            var path = [camera]
            for step in 1...2 where ring.count > step + 1 && network.level[camera] == network.outermost {
                path.append(network.ringNeighbour(of: camera, steps: step * direction))
            }
            return path
        }
        let direction = random.chance(0.5) ? 1 : -1
        let pathA = along(first, direction), pathB = along(second, -direction)
        guard let timesA = timed(pathA, index, of: count, extra: 240_000 + typical(pathB) * 3 / 2) else { skipped.append(id); return }
        // The copy is read on the far side a minute or four later: no car covers that.
        let timesB = schedule(pathB, from: timesA[0] + Int64(random.int(in: 60...240)) * 1000)
        guard fits(timesA) && fits(timesB) else { skipped.append(id); return }
        let plant = plans.count
        plans.append(
            PlantPlan(
                kind: .cloneSpeed, id: id, vehicles: [PlantVehicle(vehicle), PlantVehicle(vehicle)],
                plates: [vehicle.normalisedPlate], cameras: [first, second], hotlist: nil, skippedCamera: nil))
        let exact = [SensorModel.Directive](repeating: .exact, count: 3)
        add(pathA, timesA, plant: plant, member: 0, run: 0, direction: .inbound, directives: exact)
        add(pathB, timesB, plant: plant, member: 1, run: 0, direction: .inbound, directives: exact)
    }

    private mutating func planRouteTakeover(_ index: Int, of count: Int) {
        let id = "\(PlantKind.routeTakeover.idPrefix)-\(index + 1)"
        let original = takeVehicle(), takeover = takeVehicle()
        let path = route(minimumCameras: 7, preferMoves: true).inboundPath(network)
        let estimate = Int64(path.count) * 4 * 60_000

        // Runs: one a weekday at a similar time when the span covers days; else spread over the span.
        var starts: [Int64] = []
        let span = endMs - startMs
        if span >= 2 * 86_400_000 {
            let timeOfDay = Int64(random.int(in: 450...540)) * 60_000 + Int64(index) * 40 * 60_000
            var day = profile.localDay(ofMilliseconds: startMs)
            while profile.startOfLocalDay(day) < endMs {
                let when = profile.startOfLocalDay(day) + timeOfDay + Int64(random.int(in: -10...10)) * 60_000
                if profile.dayType(ofLocalDay: day) == .weekday && when >= startMs + 60_000 && when + estimate < endMs {
                    starts.append(when)
                }
                day += 1
            }
        }
        if starts.count < 2 {
            starts = []
            let fractions: [Double] =
                span >= 6 * estimate ? [0.06, 0.28, 0.5, 0.76] : span >= 4 * estimate ? [0.05, 0.35, 0.68] : [0.04, 0.52]
            for fraction in fractions {
                starts.append(startMs + Int64(Double(span) * fraction) + Int64(index) * 7 * 60_000 + Int64(random.below(60_000)))
            }
        }
        let takeoverRuns = max(1, starts.count / 3)
        let runs = starts.map { schedule(path, from: $0, spread: 0.05) }
        for run in runs.indices.dropFirst() where runs[run][0] <= runs[run - 1][runs[run - 1].count - 1] {
            skipped.append(id)
            return
        }
        guard runs.allSatisfy(fits), runs.count >= 2 else { skipped.append(id); return }
        let plant = plans.count
        let skip = path.count / 2
        plans.append(
            PlantPlan(
                kind: .routeTakeover, id: id, vehicles: [PlantVehicle(original), PlantVehicle(takeover)],
                plates: [takeover.normalisedPlate, original.normalisedPlate], cameras: path, hotlist: nil,
                skippedCamera: path[skip]))
        let exact = [SensorModel.Directive](repeating: .exact, count: path.count)
        for (run, times) in runs.enumerated() {
            if run < runs.count - takeoverRuns {
                add(path, times, plant: plant, member: 0, run: run, direction: .inbound, directives: exact, evidence: false)
            } else {
                // Almost the same route: one camera of it does not read the new vehicle.
                add(path, times, plant: plant, member: 1, run: run, direction: .inbound, skip: skip)
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
