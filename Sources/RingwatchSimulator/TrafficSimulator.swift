import RingwatchCore

/// Synthetic plate reads from the cameras of three rings, in publish order, with planted events
/// and their ground truth.
///
/// Traffic is generated minute by minute in event time: commuters, vans and buses from their
/// daily schedules, visitors from a Poisson stream; each vehicle in motion is one entry of a
/// priority queue keyed by the time of its next read, so memory follows the vehicles on the
/// road, not the length of the span. Every random choice comes from seeded SplitMix64 streams:
/// the same configuration, cameras and seed give byte-identical messages, fixtures and ground
/// truth.
///
/// Not thread-safe: drive one simulator from one thread.
public final class TrafficSimulator {
    /// The configuration it runs.
    public let configuration: SimulationConfiguration
    /// How the fleet was sized from `readsPerSecond`.
    public let fleetSummary: FleetSummary
    /// Ids of planted events left out because their evidence did not fit in the span.
    public let skippedPlants: [String]
    /// True when no vehicle is ever on two journeys at once: the visitor pool is large enough
    /// that a visiting vehicle has always left before it arrives again. False only when
    /// `maximumFleet` caps the pool below that (above about 80 reads/s with the default
    /// 1,000,000 vehicles on the Antwerp cameras): the same plate can then be read in two
    /// places at once, which a clone detector rightly reports, so use such runs for throughput,
    /// not for accuracy — or raise `maximumFleet` to `fleetNeeded`.
    public let visitorsNeverOverlap: Bool
    /// The `maximumFleet` at which visitors would never overlap.
    public let fleetNeeded: Int
    /// Called with what the simulator knows about each read it publishes (see `ReadTruth`);
    /// for evaluations that need more than the planted events' ground truth. Nil by default,
    /// which costs nothing.
    public var onRead: ((ReadTruth) -> Void)?
    /// What has been produced so far.
    public private(set) var statistics = SimulationStatistics()

    /// Messages handed out by `next()` so far (duplicates included).
    public var messagesEmitted: Int { statistics.messages }

    let cameras: CameraRegistry
    let network: RoadNetwork
    let profile: TrafficProfile
    let fleet: Fleet
    let visitors: VisitorTraffic
    /// Numbers visitors' arrivals, so that each drives its own vehicle.
    private var arrivals: ArrivalLedger
    let plans: [PlantPlan]
    private let sensor: SensorModel
    private var encoder: ReadEncoder
    private let plantedPasses: [PlantedPass]
    private var plantedCursor = 0
    /// Reads of each planted event as they were published.
    var plantedReads: [[PlantedRead]]

    private var journeys: TimeWheel<Journey>
    private var delayed = EventQueue<DelayedMessage>()
    /// Reads of commuters following a colleague (`commuterCompanions`), due a few seconds
    /// after the colleague's.
    private var companionReads = EventQueue<CompanionRead>()
    /// Pairs of commuters who drive together: commuter `2k + 1` follows `2k`, for k below this.
    private let commuterCompanions: Int
    private let startMs: Int64
    private let endMs: Int64
    private var nextMinute: Int64
    private let endMinute: Int64
    /// Every journey starting before this time has been scheduled.
    private var generatedUntil: Int64
    private var agendaDay: Int64 = .min
    private var sequences: [Int64]
    private let skews: [Int64]
    private var readNumber: UInt64 = 0
    /// Decides losses, duplicates and late delivery, in publish order.
    private var emission: SplitMix64
    private let idPrefix: [UInt8]
    private var finished = false
    private var printed: [UInt8] = []
    private var marks: [UInt8] = []
    private var characterConfidence: [UInt8] = []
    private let makeBytes: [[UInt8]], modelBytes: [[UInt8]], colorBytes: [[UInt8]]

    /// Sizes the fleet from the configuration, plans the planted events and gets ready to run.
    /// Throws `SimulationError` for a configuration out of range or an unusable camera registry.
    public init(configuration: SimulationConfiguration, cameras: CameraRegistry) throws {
        if let problem = configuration.problem { throw SimulationError(problem) }
        self.configuration = configuration
        self.cameras = cameras
        let network = try RoadNetwork(registry: cameras)
        let profile = TrafficProfile(utcOffsetMinutes: configuration.utcOffsetMinutes)
        self.network = network
        self.profile = profile
        let seed = configuration.seed
        startMs = configuration.start.milliseconds
        endMs = configuration.end.milliseconds

        // Scale the profile so that the span averages `readsPerSecond`.
        var levelSum = 0.0, minutes = 0.0
        var minute = startMs
        while minute < endMs {
            levelSum += profile.level(atMilliseconds: minute)
            minutes += 1
            minute += 60_000
        }
        let readsPerMinuteAtPeak = configuration.readsPerSecond * 60 / max(0.01, levelSum / max(1, minutes))
        let weekdayReads = readsPerMinuteAtPeak * (0..<1440).map { profile.level(.weekday, minute: $0) }.reduce(0, +)
        let kept = 1 - configuration.missedReadRate

        // Commuters and vans: as many as make their share of a weekday's reads.
        let calibrationSeed = SplitMix64.key(seed: seed, stream: .calibration, 2)
        var commuterDay = 0.0, vanDay = 0.0
        for number in 0..<256 {
            let habit = CommuterHabit(seed: calibrationSeed, number: number, network: network)
            let reads = habit.readsPerDay(network)
            commuterDay += habit.weekdayChance * Double(reads.inbound + reads.outbound) * kept / 256
            let round = VanRound(seed: calibrationSeed, number: number, network: network)
            vanDay += VanRound.chance(on: .weekday) * round.expectedReads(network).reads * kept / 256
        }
        let commuterCount = min(Int(configuration.commuterShare * weekdayReads / commuterDay), configuration.maximumFleet * 2 / 5)
        let vanCount = min(Int(configuration.vanShare * weekdayReads / vanDay), configuration.maximumFleet / 10)

        // The reads scheduled traffic makes per minute of each kind of day.
        var curves = [TrafficDemand.DailyCurve](repeating: .init(), count: 3)
        for number in 0..<commuterCount {
            let habit = CommuterHabit(seed: seed, number: number, network: network)
            let reads = habit.readsPerDay(network)
            for type in TrafficProfile.DayType.allCases {
                let chance = habit.chance(on: type) * kept
                curves[type.rawValue].add(chance * Double(reads.inbound), from: habit.departureMinute - 15, minutes: 31 + 2 * reads.inbound)
                curves[type.rawValue].add(
                    chance * Double(reads.outbound), from: habit.departureMinute + habit.workMinutes - 15,
                    minutes: 31 + 2 * reads.outbound)
            }
        }
        for number in 0..<vanCount {
            let round = VanRound(seed: seed, number: number, network: network)
            let expected = round.expectedReads(network)
            for type in TrafficProfile.DayType.allCases {
                curves[type.rawValue].add(
                    VanRound.chance(on: type) * expected.reads * kept, from: round.startMinute, minutes: expected.minutes)
            }
        }
        for number in 0..<configuration.busLines {
            let line = BusLine(seed: seed, number: number, of: configuration.busLines, network: network)
            let reads =
                line.route.inboundPath(network).count + Route.outboundPath(from: line.terminal, seed: line.route.seed, network).count
            for type in TrafficProfile.DayType.allCases {
                for departure in line.departures(type) { curves[type.rawValue].add(Double(reads) * kept, from: departure, minutes: 25) }
            }
        }
        let warmStart = startMs - Int64(configuration.warmUpMinutes) * 60_000
        let longestParking = Int64(VisitorTraffic.parkingMinutes[VisitorTraffic.parkingMinutes.count - 1] + 10)
        let demand = TrafficDemand(
            profile: profile, readsPerMinuteAtPeak: readsPerMinuteAtPeak, scheduledReads: curves.map(\.perMinute),
            visitorReads: VisitorTraffic.reads(seed: seed, network: network, kept: kept),
            from: warmStart.floorDivided(by: 60_000) - longestParking, to: (endMs + 59_999).floorDivided(by: 60_000))

        // Visitors come from a pool five times a weekday's arrivals: most are seen on one day of a week.
        var weekday = profile.localDay(ofMilliseconds: startMs)
        while profile.dayType(ofLocalDay: weekday) != .weekday { weekday += 1 }
        let firstMinute = profile.startOfLocalDay(weekday) / 60_000
        let dailyVisitors = (0..<1440).map { demand.steadyArrivals(minute: firstMinute + Int64($0)) }.reduce(0, +)
        let planted = PlantPlanner.vehiclesNeeded(configuration.plants)
        let busesPerLine =
            (0..<configuration.busLines).map {
                BusLine(seed: seed, number: $0, of: configuration.busLines, network: network).busesNeeded(network)
            }.max() ?? 0
        let room = configuration.maximumFleet - commuterCount - vanCount - configuration.busLines * busesPerLine - planted
        // A vehicle must have left before it arrives again: the pool takes turns so that a
        // vehicle comes back after (groups − 1) / groups of the pool's arrivals, which must
        // outnumber the arrivals during the longest visit (a day's worth, and more, usually do).
        let slowestWay = network.longestWaySeconds * Journey.slowestFactor(.visitor) / 60
        let longestVisit = Int64(max(Double(longestParking), slowestWay + 2) + slowestWay) + 2
        let mostDuringAVisit = demand.mostArrivals(withinMinutes: longestVisit)
        let groups = VisitorTraffic.poolGroups
        let needed = Int(mostDuringAVisit * Double(groups) / Double(groups - 1)) + groups
        let pool = max(200, min(max(Int(5 * dailyVisitors), needed), room))
        let fleet = Fleet(
            seed: seed, commuters: commuterCount, vans: vanCount, busLines: configuration.busLines, busesPerLine: busesPerLine,
            planted: planted, visitors: pool, foreignShare: configuration.foreignShare)
        self.fleet = fleet
        commuterCompanions = min(configuration.commuterCompanions, fleet.commuters.count / 2)
        visitors = VisitorTraffic(seed: seed, network: network, demand: demand, pool: fleet.visitors)
        visitorsNeverOverlap = Double(visitors.turnover) > mostDuringAVisit
        fleetNeeded = configuration.maximumFleet - room + needed
        fleetSummary = FleetSummary(
            commuters: fleet.commuters.count, vans: fleet.vans.count, buses: fleet.buses.count,
            planted: fleet.planted.count, visitors: fleet.visitors.count)

        var planner = PlantPlanner(configuration: configuration, network: network, profile: profile, fleet: fleet)
        planner.planAll()
        plans = planner.plans
        plantedPasses = planner.passes
        skippedPlants = planner.skipped
        plantedReads = Array(repeating: [], count: planner.plans.count)

        sensor = SensorModel(configuration: configuration)
        encoder = ReadEncoder(network: network)
        sequences = Array(repeating: 0, count: network.cameras.count)
        skews = network.cameras.indices.map { camera in
            var random = SplitMix64(seed: seed, stream: .camera, UInt64(camera))
            let limit = configuration.maximumClockSkewMilliseconds
            return Int64(random.int(in: -limit...limit))
        }
        emission = SplitMix64(seed: seed, stream: .sensor)
        idPrefix = Array("sim-\(seed)-".utf8)
        nextMinute = warmStart.floorDivided(by: 60_000)
        endMinute = (endMs + 59_999).floorDivided(by: 60_000)
        // Departures look back up to the longest parking time: number the arrivals from there.
        let parkingKept = VisitorTraffic.parkingMinutes[VisitorTraffic.parkingMinutes.count - 1]
        arrivals = ArrivalLedger(
            from: nextMinute - Int64(parkingKept), classes: VisitorTraffic.shares.count, minutesKept: parkingKept + 2)
        while arrivals.next < nextMinute { arrivals.record(visitors.counts(minute: arrivals.next)) }
        generatedUntil = nextMinute * 60_000
        journeys = TimeWheel(start: generatedUntil)
        makeBytes = VehicleCatalog.models.map { Array($0.make.utf8) }
        modelBytes = VehicleCatalog.models.map { Array($0.model.utf8) }
        colorBytes = VehicleCatalog.colors.map { Array($0.utf8) }
        printed.reserveCapacity(16)
        marks.reserveCapacity(16)
        characterConfidence.reserveCapacity(16)
    }

    /// The next message in publish order, or nil at the end of the span.
    ///
    /// Publish order is event-time order, except that each camera's clock is off by up to
    /// `maximumClockSkewMilliseconds` and a few messages are published late.
    public func next() -> SimulatedMessage? {
        while !finished {
            // Journeys are only looked at up to where scheduling has reached.
            let journeyTime = journeys.earliest(before: nextMinute < endMinute ? generatedUntil : endMs) ?? .max
            let plantTime = plantedCursor < plantedPasses.count ? plantedPasses[plantedCursor].time : .max
            let companionTime = companionReads.first?.time ?? .max
            let earliest = min(journeyTime, plantTime, companionTime)
            if nextMinute < endMinute && earliest >= generatedUntil {
                generateMinute()
                continue
            }
            if let due = delayed.first, due.time <= earliest || earliest >= endMs {
                _ = delayed.pop()
                return deliver(due.message)
            }
            if earliest >= endMs {
                journeys.removeAll()
                plantedCursor = plantedPasses.count
                finished = true
                return nil
            }
            if companionTime < min(journeyTime, plantTime), let read = companionReads.pop() {
                if let message = emit(read) { return deliver(message) }
            } else if plantTime <= journeyTime {
                let pass = plantedPasses[plantedCursor]
                plantedCursor += 1
                if let message = emit(pass) { return deliver(message) }
            } else if var journey = journeys.pop() {
                let message = emit(&journey)
                if journey.advance(network, profile) && journey.time < endMs { journeys.push(journey) }
                if let message { return deliver(message) }
            }
        }
        return nil
    }

    private func deliver(_ message: SimulatedMessage) -> SimulatedMessage {
        statistics.messages += 1
        return message
    }

    // MARK: Scheduling

    /// Schedules every journey that starts in the next minute.
    private func generateMinute() {
        let minute = nextMinute
        nextMinute += 1
        let minuteStart = minute * 60_000
        let day = profile.localDay(ofMilliseconds: minuteStart)
        if agendaDay == .min {
            // The day before may still have trips that start now (late shifts going home).
            scheduleDay(day - 1, notBefore: minuteStart)
            scheduleDay(day, notBefore: minuteStart)
            agendaDay = day
        } else if day != agendaDay {
            scheduleDay(day, notBefore: minuteStart)
            agendaDay = day
        }

        arrivals.record(visitors.counts(minute: minute))
        for klass in VisitorTraffic.shares.indices {
            let first = arrivals.first(minute: minute, klass: klass)
            for number in 0..<arrivals.count(minute: minute, klass: klass) {
                let arrival = visitors.arrival(minute: minute, klass: klass, number: number, index: first + Int64(number))
                schedule(
                    Journey(
                        inbound: klass == 0 ? .through : .visitor, vehicle: arrival.vehicle, route: arrival.route,
                        time: arrival.time, random: arrival.inboundRandom, network: network))
            }
        }
        // Who leaves now: draw again who arrived one parking time ago.
        for klass in VisitorTraffic.shares.indices.dropFirst() {
            let origin = minute - Int64(VisitorTraffic.parkingMinutes[klass])
            let first = arrivals.first(minute: origin, klass: klass)
            for number in 0..<arrivals.count(minute: origin, klass: klass) {
                let arrival = visitors.arrival(minute: origin, klass: klass, number: number, index: first + Int64(number))
                guard arrival.departure < endMs else { continue }
                schedule(
                    Journey(
                        outbound: .visitor, vehicle: arrival.vehicle, from: arrival.route.destination(network),
                        seed: arrival.route.seed, time: arrival.departure, random: arrival.outboundRandom, network: network))
            }
        }
        generatedUntil = (minute + 1) * 60_000
    }

    private func schedule(_ journey: Journey) {
        if journey.time < endMs { journeys.push(journey) }
    }

    /// Schedules the commuters, vans and buses of local day `day` that start at or after `notBefore`.
    private func scheduleDay(_ day: Int64, notBefore: Int64) {
        let seed = configuration.seed
        let dayStart = profile.startOfLocalDay(day)
        let type = profile.dayType(ofLocalDay: day)
        for number in 0..<fleet.commuters.count {
            // A colleague's companion drives when the colleague does (`scheduleCompanion(of:)`).
            if isCompanion(number) { continue }
            var random = SplitMix64(seed: seed, stream: .commuterDay, UInt64(number), UInt64(bitPattern: day))
            // Draw the habit only for those who go, and before drawing times (keeps streams stable).
            let chanceDraw = random.unit()
            let habit = CommuterHabit(seed: seed, number: number, network: network)
            guard chanceDraw < habit.chance(on: type) else { continue }
            let leave = dayStart + Int64(habit.departureMinute + random.int(in: -15...15)) * 60_000 + Int64(random.below(60_000))
            let home = leave + Int64(habit.workMinutes + random.int(in: -20...20)) * 60_000 + Int64(random.below(60_000))
            let vehicle = fleet.commuters.lowerBound + number
            let inbound = SplitMix64(state: random.next()), outbound = SplitMix64(state: random.next())
            if leave >= notBefore {
                schedule(Journey(inbound: .commuter, vehicle: vehicle, route: habit.route, time: leave, random: inbound, network: network))
            }
            if home >= notBefore {
                schedule(
                    Journey(
                        outbound: .commuter, vehicle: vehicle, from: habit.destination, seed: habit.homeSeed, time: home,
                        random: outbound, network: network))
            }
        }
        for number in 0..<fleet.vans.count {
            var random = SplitMix64(seed: seed, stream: .vanDay, UInt64(number), UInt64(bitPattern: day))
            guard random.chance(VanRound.chance(on: type)) else { continue }
            let round = VanRound(seed: seed, number: number, network: network)
            let start = dayStart + Int64(round.startMinute + random.int(in: -20...20)) * 60_000 + Int64(random.below(60_000))
            guard start >= notBefore else { continue }
            schedule(
                Journey(
                    inbound: .van, vehicle: fleet.vans.lowerBound + number, route: round.route, time: start,
                    random: SplitMix64(state: random.next()), stops: round.stops, network: network))
        }
        for number in 0..<configuration.busLines {
            let line = BusLine(seed: seed, number: number, of: configuration.busLines, network: network)
            let first = fleet.buses.lowerBound + number * fleet.busesPerLine
            for (trip, minute) in line.departures(type).enumerated() {
                let time = dayStart + Int64(minute) * 60_000
                guard time >= notBefore else { continue }
                let buses = line.buses(trip: trip, type: type, buses: fleet.busesPerLine, network)
                let random = SplitMix64(seed: seed, stream: .bus, UInt64(number), UInt64(bitPattern: day), UInt64(trip))
                schedule(
                    Journey(
                        inbound: .bus, vehicle: first + buses.inbound, route: line.route, time: time, random: random, network: network))
                schedule(
                    Journey(
                        outbound: .bus, vehicle: first + buses.outbound, from: line.terminal, seed: line.route.seed, time: time,
                        random: SplitMix64(state: random.state ^ 0x5555), network: network))
            }
        }
    }

    // MARK: Reads

    /// The read of an ordinary vehicle passing its journey's camera, if the camera reads it.
    private func emit(_ journey: inout Journey) -> SimulatedMessage? {
        guard journey.time >= startMs else { return nil }  // warm-up
        if journey.kind == .commuter && commuterCompanions > 0 { scheduleCompanion(of: journey) }
        if journey.random.chance(configuration.missedReadRate) {
            statistics.missed += 1
            return nil
        }
        let vehicle = fleet.vehicle(Int(journey.vehicle))
        return emitRead(
            camera: Int(journey.camera), time: journey.time, vehicle: vehicle, seenModel: vehicle.model, seenColor: vehicle.color,
            clearlySeen: false, direction: journey.direction, directive: .natural, random: &journey.random, planted: nil)
    }

    /// Whether commuter `number` follows a colleague instead of commuting on its own.
    private func isCompanion(_ number: Int) -> Bool {
        number % 2 == 1 && number / 2 < commuterCompanions
    }

    /// When `journey` is a commuter with a companion, schedules the companion's pass of the same
    /// camera a few seconds later, on the days the companion comes along (nine in ten). The
    /// companion keeps a gap of its own each day (4–30 s), within about a tenth and a second
    /// either way at each camera: colleagues keeping each other in sight, as a convoy does.
    private func scheduleCompanion(of journey: Journey) {
        let number = Int(journey.vehicle) - fleet.commuters.lowerBound
        let follower = number + 1
        guard isCompanion(follower) else { return }
        let day = profile.localDay(ofMilliseconds: journey.time)
        var daily = SplitMix64(seed: configuration.seed, stream: .commuterDay, UInt64(follower), UInt64(bitPattern: day), 0xC0)
        guard daily.chance(0.9) else { return }
        let base = daily.uniform(4, 30)
        var jitter = SplitMix64(seed: configuration.seed, stream: .commuterDay, UInt64(follower), UInt64(bitPattern: journey.time), 0xC1)
        let gap = max(1, base * jitter.uniform(0.9, 1.1) + jitter.uniform(-1, 1))
        let time = journey.time + Int64(gap * 1000)
        guard time < endMs else { return }
        companionReads.push(CompanionRead(
            time: time, vehicle: UInt32(fleet.commuters.lowerBound + follower), camera: journey.camera, direction: journey.direction))
    }

    /// The read of a companion's pass (`scheduleCompanion(of:)`), unless the camera misses it.
    private func emit(_ read: CompanionRead) -> SimulatedMessage? {
        var random = SplitMix64(seed: configuration.seed, stream: .sensor, UInt64(read.vehicle), UInt64(bitPattern: read.time), 0xC2)
        if random.chance(configuration.missedReadRate) {
            statistics.missed += 1
            return nil
        }
        let vehicle = fleet.vehicle(Int(read.vehicle))
        return emitRead(
            camera: Int(read.camera), time: read.time, vehicle: vehicle, seenModel: vehicle.model, seenColor: vehicle.color,
            clearlySeen: false, direction: read.direction, directive: .natural, random: &random, planted: nil)
    }

    /// The read of a planted pass: never missed, never lost, never late.
    private func emit(_ pass: PlantedPass) -> SimulatedMessage? {
        let member = plans[pass.plant].vehicles[pass.member]
        var random = SplitMix64(seed: configuration.seed, stream: .sensor, UInt64(pass.order), UInt64(pass.plant))
        return emitRead(
            camera: pass.camera, time: pass.time, vehicle: member.vehicle, seenModel: member.seenModel,
            seenColor: member.seenColor, clearlySeen: member.clearlySeen, direction: pass.direction,
            directive: pass.directive, random: &random, planted: pass)
    }

    private func emitRead(
        camera: Int, time: Int64, vehicle: Vehicle, seenModel: Int, seenColor: Int, clearlySeen: Bool, direction: Direction,
        directive: SensorModel.Directive, random: inout SplitMix64, planted: PlantedPass?
    ) -> SimulatedMessage? {
        sequences[camera] += 1
        readNumber += 1
        if planted == nil && emission.chance(configuration.gapRate) {
            statistics.lost += 1
            return nil
        }
        let dark = profile.isDark(atMilliseconds: time)
        printed.removeAll(keepingCapacity: true)
        vehicle.format.write(number: vehicle.plateNumber, into: &printed)
        let outcome = sensor.read(
            printed: &printed, directive: directive, dark: dark, random: &random, marks: &marks,
            characterConfidence: &characterConfidence)
        let timestamp = time + skews[camera] + Int64(random.int(in: -20...20))

        var body: [UInt8] = []
        body.reserveCapacity(400)
        encoder.begin(camera: camera, milliseconds: timestamp, into: &body)
        ReadEncoder.field(",\"plate\":\"", plain: printed, into: &body)
        body.append(contentsOf: ",\"id\":\"".utf8)
        body.append(contentsOf: idPrefix)
        ReadEncoder.integer(readNumber, into: &body)
        body.append(34)
        body.append(contentsOf: ",\"seq\":".utf8)
        ReadEncoder.integer(sequences[camera], into: &body)
        if !vehicle.format.isBelgian || random.chance(0.8) {
            ReadEncoder.field(",\"country\":\"", plain: vehicle.country, into: &body)
        }
        body.append(contentsOf: ",\"confidence\":".utf8)
        ReadEncoder.thousandths(outcome.confidence, into: &body)
        if !random.chance(configuration.missingFieldRate) {
            body.append(contentsOf: ",\"char_confidence\":[".utf8)
            for (index, value) in characterConfidence.enumerated() {
                if index > 0 { body.append(44) }
                ReadEncoder.hundredths(Int(value), into: &body)
            }
            body.append(93)
        }
        if clearlySeen || !random.chance(configuration.missingFieldRate) {
            var model = seenModel, color = seenColor, confidence: Int
            if clearlySeen {
                confidence = random.int(in: 850...970)
            } else {
                confidence = dark ? random.int(in: 450...800) : random.int(in: 780...980)
                if vehicle.kind == .motorcycle { confidence -= 100 }
                if random.chance(dark ? 0.04 : 0.01) {
                    model = VehicleCatalog.nearMiss(of: model, &random)
                    confidence = max(200, confidence - 150)
                }
                if dark && random.chance(configuration.darkColorErrorRate) {
                    color = VehicleCatalog.darkNeighbour(of: color, &random)
                    confidence = max(200, confidence - 80)
                }
            }
            ReadEncoder.field(",\"make\":\"", plain: makeBytes[model], into: &body)
            ReadEncoder.field(",\"model\":\"", plain: modelBytes[model], into: &body)
            ReadEncoder.field(",\"color\":\"", plain: colorBytes[color], into: &body)
            body.append(contentsOf: ",\"vehicle_confidence\":".utf8)
            ReadEncoder.thousandths(confidence, into: &body)
        }
        if !random.chance(configuration.missingFieldRate / 2) {
            ReadEncoder.field(",\"direction\":\"", plain: direction.rawValue, into: &body)
        }
        body.append(125)

        let message = SimulatedMessage(topic: network.topics[camera], body: body, timestamp: Timestamp(milliseconds: timestamp))
        statistics.reads += 1
        switch outcome.misread {
        case .substitution: statistics.substitutions += 1
        case .drop, .insert: statistics.dropsAndInserts += 1
        case .none: break
        }
        if let planted {
            statistics.plantedReads += 1
            record(planted, vehicle: vehicle, timestamp: timestamp, outcome: outcome)
        }
        if let onRead {
            let sourceID = String(decoding: idPrefix, as: UTF8.self) + String(readNumber)
            onRead(
                ReadTruth(
                    readID: ReadID.from(sourceID: sourceID), sourceID: sourceID, vehicle: vehicle.index, plate: vehicle.normalisedPlate,
                    plateRead: String(decoding: printed.filter(SensorModel.isCharacter), as: UTF8.self),
                    misread: outcome.misread.rawValue, substitutions: outcome.substitutions, time: Timestamp(milliseconds: time),
                    camera: network.cameras[camera].id, plantedEvent: planted.map { plans[$0.plant].id }))
        }
        if emission.chance(configuration.duplicateRate) {
            statistics.duplicates += 1
            delayed.push(DelayedMessage(time: time + Int64(emission.int(in: 200...3000)), message: message))
        }
        if planted == nil && emission.chance(configuration.lateRate) {
            statistics.late += 1
            delayed.push(DelayedMessage(time: time + Int64(emission.int(in: 5000...45_000)), message: message))
            return nil
        }
        return message
    }

    private func record(
        _ pass: PlantedPass, vehicle: Vehicle, timestamp: Int64,
        outcome: (misread: SensorModel.Misread, substitutions: Int, confidence: Int)
    ) {
        let sourceID = String(decoding: idPrefix, as: UTF8.self) + String(readNumber)
        let read = GroundTruthRead(
            readID: ReadID.from(sourceID: sourceID).description, sourceID: sourceID, camera: network.cameras[pass.camera].id,
            timestamp: Timestamp(milliseconds: timestamp), plate: vehicle.normalisedPlate,
            plateRead: String(decoding: printed.filter(SensorModel.isCharacter), as: UTF8.self),
            misread: outcome.misread.rawValue, substitutions: outcome.substitutions)
        plantedReads[pass.plant].append(
            PlantedRead(read: read, camera: pass.camera, member: pass.member, run: pass.run, evidence: pass.evidence))
    }
}

/// A companion's pass of a camera, a few seconds behind the colleague it follows.
struct CompanionRead: QueueItem, Sendable {
    var time: Int64
    var serial: UInt32 = 0
    var vehicle: UInt32
    var camera: UInt16
    var direction: Direction
}
