import RingwatchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One vehicle on the road between two reads: where it will be read next, when, and what is
/// left of its way. The simulator keeps one per vehicle in motion (40 bytes), never the
/// whole path, so memory follows the traffic on the road, not the length of the day.
struct Journey: QueueItem, Sendable {
    /// The kind of traffic, which decides what happens at the end of the way in.
    enum Kind: UInt8, Sendable {
        /// Parks at its destination until an outbound journey of its own.
        case commuter, visitor
        /// Drives along a ring and leaves again without stopping.
        case through
        /// Stops several times inside the rings, then leaves.
        case van
        /// Ends at its terminal.
        case bus
    }

    enum Phase: UInt8, Sendable {
        case inbound, outbound
    }

    /// Event time of the next read, in milliseconds.
    var time: Int64
    /// Tie-breaker among equal times: the order of scheduling.
    var serial: UInt32 = 0
    /// This journey's own random stream (travel-time noise, sensor, stops).
    var random: SplitMix64
    var routeSeed: UInt64
    var vehicle: UInt32
    /// The camera of the next read.
    var camera: UInt16
    var kind: Kind
    var phase: Phase
    /// Innermost level of the way in.
    var target: UInt8
    /// Steps still to go along the current ring (sign: direction).
    var movesLeft: Int8
    /// Delivery stops still to make.
    var stopsLeft: UInt8
    var through: Bool

    /// A journey towards the centre along `route`, starting with a read at its entry at `time`.
    init(inbound kind: Kind, vehicle: Int, route: Route, time: Int64, random: SplitMix64, stops: Int = 0, network: RoadNetwork) {
        self.time = time
        self.random = random
        self.routeSeed = route.seed
        self.vehicle = UInt32(vehicle)
        self.camera = UInt16(route.entry)
        self.kind = kind
        self.phase = .inbound
        self.target = UInt8(route.target)
        self.movesLeft = Int8(route.inboundMoves(onLevel: network.level[route.entry], network))
        self.stopsLeft = UInt8(min(stops, 255))
        self.through = route.through
    }

    /// A journey out of the rings from `camera` (read first), as a route with `seed` leaves.
    init(outbound kind: Kind, vehicle: Int, from camera: Int, seed: UInt64, time: Int64, random: SplitMix64, network: RoadNetwork) {
        self.time = time
        self.random = random
        self.routeSeed = seed
        self.vehicle = UInt32(vehicle)
        self.camera = UInt16(camera)
        self.kind = kind
        self.phase = .outbound
        self.target = 0
        self.movesLeft = Int8(Route.outboundMoves(onLevel: network.level[camera], seed: seed, network))
        self.stopsLeft = 0
        self.through = false
    }

    /// The direction field of the read at `camera`: `in` on the way in and between stops, `out` on the way out.
    var direction: Direction { phase == .inbound ? .inbound : .outbound }

    /// Moves on to the next camera and sets `time` to when it is read there; false when the
    /// journey ends (parked, at the terminal, or out of the rings).
    mutating func advance(_ network: RoadNetwork, _ profile: TrafficProfile) -> Bool {
        let here = Int(camera)
        var next = here
        var seconds = 0.0
        var pause = 0.0

        func stepAlongRing() {
            let clockwise = movesLeft > 0
            next = network.ringNeighbour(of: here, steps: clockwise ? 1 : -1)
            seconds = network.ringStepSeconds(from: here, clockwise: clockwise)
            movesLeft -= clockwise ? 1 : -1
        }
        func leaveOutwards() -> Bool {
            guard network.level[here] < network.outermost else { return false }
            next = Route.outwardChoice(from: here, seed: routeSeed, network)
            seconds = network.radialSeconds(inner: here, outer: next)
            movesLeft = Int8(Route.outboundMoves(onLevel: network.level[next], seed: routeSeed, network))
            return true
        }

        switch phase {
        case .inbound:
            if movesLeft != 0 {
                stepAlongRing()
            } else if network.level[here] > Int(target) {
                next = network.inward[here]
                seconds = network.inwardSeconds[here]
                let route = Route(entry: here, target: Int(target), seed: routeSeed, through: through)
                movesLeft = Int8(route.inboundMoves(onLevel: network.level[next], network))
            } else if kind == .van && stopsLeft > 0 && network.rings[network.level[here]].count > 1 {
                // A delivery: park a few minutes, then drive one or two cameras on along the ring.
                stopsLeft -= 1
                pause = random.uniform(360, 1500)
                movesLeft = Int8(random.int(in: 1...2) * (random.chance(0.5) ? 1 : -1))
                stepAlongRing()
            } else if kind == .van || kind == .through {
                // Straight on to the way out, without stopping (the camera here was just read).
                phase = .outbound
                movesLeft = Int8(Route.outboundMoves(onLevel: network.level[here], seed: routeSeed, network))
                if movesLeft != 0 {
                    stepAlongRing()
                } else {
                    guard leaveOutwards() else { return false }
                }
            } else {
                return false
            }
        case .outbound:
            if movesLeft != 0 {
                stepAlongRing()
            } else {
                guard leaveOutwards() else { return false }
            }
        }

        let road: Road = network.level[here] != network.level[next] ? .radial
            : network.level[here] == 0 ? .innerRing : network.level[here] == network.outermost ? .outerRing : .middleRing
        var factor = exp(Journey.spread(kind, on: road) * random.normal()) * Journey.driverFactor(vehicle: vehicle, kind: kind)
            * profile.congestion(atMilliseconds: time)
        if kind == .bus { factor *= Journey.busStops }
        time += Int64((pause + seconds * factor) * 1000)
        camera = UInt16(next)
        return true
    }

    /// The kind of road a leg is on, which decides how much its travel time varies.
    enum Road: Sendable, CaseIterable {
        /// The inner ring: a city boulevard with a traffic light at most junctions.
        case innerRing
        /// Between rings: city avenues, also with lights.
        case radial
        /// A ring road with few lights.
        case middleRing
        /// The outer ring: a motorway.
        case outerRing
    }

    /// Spread of the log-normal travel-time noise of a leg, drawn afresh for every leg of every
    /// vehicle: lights, lane changes, a van pulling out, a bus stop. Where there are traffic
    /// lights, whether a car makes the green or waits a cycle decides tens of seconds on one
    /// leg, so the spread is largest on the signalised city roads and smallest on the motorway.
    /// It is what makes two unrelated cars that enter the rings together drift apart by tens
    /// of seconds within a few cameras (σ 0.22 on a 60 s inner-ring leg is about 13 s for each
    /// car, 19 s between two; σ 0.10 on a 150 s motorway leg 15 s, 21 s between two), and what
    /// breaks up a platoon behind a slow truck. Commuters meet the same traffic as everyone
    /// else; buses keep closely to their timetable.
    static func spread(_ kind: Kind, on road: Road) -> Double {
        if kind == .bus { return 0.05 }
        switch road {
        case .innerRing: return 0.22
        case .radial: return 0.18
        case .middleRing: return 0.14
        case .outerRing: return 0.10
        }
    }

    /// The largest leg spread of `kind` on any road (sizes `slowestFactor`).
    static func largestSpread(_ kind: Kind) -> Double {
        Road.allCases.map { spread(kind, on: $0) }.max() ?? 0
    }

    /// Spread of the log-normal pace of a driver, the same on every leg of every journey: some
    /// drive a little faster than the flow, some slower, and keep doing so (σ 0.10: about the
    /// spread of free speeds among drivers). On top of the leg noise, two strangers who happen
    /// to enter the rings together drift apart steadily rather than only by a random walk.
    /// Buses keep their timetable and have none.
    static func driverSpread(_ kind: Kind) -> Double {
        switch kind {
        case .bus: 0
        case .commuter, .visitor, .through, .van: 0.10
        }
    }

    /// The pace factor of `vehicle`'s driver (`driverSpread`): a function of the vehicle alone,
    /// so deterministic and the same on all its journeys.
    static func driverFactor(vehicle: UInt32, kind: Kind) -> Double {
        let spread = driverSpread(kind)
        guard spread > 0 else { return 1 }
        var random = SplitMix64(state: SplitMix64.mix(UInt64(vehicle) &+ 0x5EED_D71E_0000_0000))
        return exp(spread * random.normal())
    }

    /// Buses stop on the way: their legs take this much longer.
    static let busStops = 1.25

    /// The most a leg of `kind` can take over its free-flow time: the largest noise
    /// (`SplitMix64.normalBound`) in the heaviest congestion. Parking and timetables are sized
    /// with it, so that no vehicle starts a journey before its previous one has ended.
    static func slowestFactor(_ kind: Kind) -> Double {
        exp((largestSpread(kind) + driverSpread(kind)) * SplitMix64.normalBound) * TrafficProfile.heaviestCongestion * (kind == .bus ? busStops : 1)
    }
}
