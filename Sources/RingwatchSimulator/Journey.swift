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

        var factor = exp(Journey.spread(kind) * random.normal()) * profile.congestion(atMilliseconds: time)
        if kind == .bus { factor *= Journey.busStops }
        time += Int64((pause + seconds * factor) * 1000)
        camera = UInt16(next)
        return true
    }

    /// Spread of the log-normal travel-time noise: commuters and buses keep to their times.
    static func spread(_ kind: Kind) -> Double {
        switch kind {
        case .commuter: 0.06
        case .bus: 0.05
        case .visitor, .through, .van: 0.12
        }
    }

    /// Buses stop on the way: their legs take this much longer.
    static let busStops = 1.25

    /// The most a leg of `kind` can take over its free-flow time: the largest noise
    /// (`SplitMix64.normalBound`) in the heaviest congestion. Parking and timetables are sized
    /// with it, so that no vehicle starts a journey before its previous one has ended.
    static func slowestFactor(_ kind: Kind) -> Double {
        exp(spread(kind) * SplitMix64.normalBound) * TrafficProfile.heaviestCongestion * (kind == .bus ? busStops : 1)
    }
}
