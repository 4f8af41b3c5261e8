/// One visiting vehicle's arrival, as drawn from its keyed stream.
struct VisitorArrival: Sendable {
    /// Time of the first read on the way in.
    let time: Int64
    let vehicle: Int
    let route: Route
    /// When it leaves again from its destination (parking classes only).
    let departure: Int64
    let inboundRandom: SplitMix64
    let outboundRandom: SplitMix64
}

/// Visiting vehicles: one-off and occasional visitors, through traffic on the rings, trucks.
/// They fill whatever the profile asks for beyond commuters, vans and buses.
///
/// Nothing about a visitor is stored while it is parked: the arrivals of a minute and of a
/// parking class are a Poisson count and keyed draws, so the simulator finds who leaves now by
/// drawing, once more, who arrived one parking time ago. Memory stays flat at any rate.
struct VisitorTraffic: Sendable {
    /// Parking time of each class in minutes: class 0 is through traffic (no stop), then 45 to
    /// 595 minutes in steps of ten. A visitor leaves within ten minutes after its class's time,
    /// so departures are never scheduled more than ten minutes ahead.
    static let parkingMinutes = [0] + Array(stride(from: 45, through: 600, by: 10))
    /// Share of arrivals per class: a quarter through traffic; parking log-normal around 100
    /// minutes (a few minutes' errand is a van's business, a working day a commuter's).
    static let shares: [Double] = {
        let weights = parkingMinutes.dropFirst().map { minutes -> Double in
            let spread = log(Double(minutes) / 100) / 0.65
            return exp(-spread * spread / 2) / Double(minutes)
        }
        let total = weights.reduce(0, +)
        return [0.25] + weights.map { 0.75 * $0 / total }
    }()

    let seed: UInt64
    let network: RoadNetwork
    let demand: TrafficDemand
    /// Vehicle numbers visitors are drawn from.
    let pool: Range<Int>

    /// How many visitors of `klass` arrive in `minute` (minutes since 1970), when
    /// `arrivals` visitors of all classes are expected in that minute.
    func count(minute: Int64, klass: Int, arrivals: Double) -> Int {
        var random = SplitMix64(seed: seed, stream: .visitorCount, UInt64(bitPattern: minute), UInt64(klass))
        return random.poisson(arrivals * VisitorTraffic.shares[klass])
    }

    /// Arrival `number` of `klass` in `minute`: the same answer every time it is asked.
    func arrival(minute: Int64, klass: Int, number: Int) -> VisitorArrival {
        var random = SplitMix64(seed: seed, stream: .visitorArrival, UInt64(bitPattern: minute), UInt64(klass), UInt64(number))
        let time = minute * 60_000 + Int64(random.below(60_000))
        let vehicle = pool.lowerBound + random.below(pool.count)
        let route = VisitorTraffic.route(through: klass == 0, network, &random)
        let parking = Int64(VisitorTraffic.parkingMinutes[klass]) * 60_000
        let departure = time + parking + (parking > 0 ? Int64(random.below(10 * 60_000)) : 0)
        return VisitorArrival(
            time: time, vehicle: vehicle, route: route, departure: departure,
            inboundRandom: SplitMix64(state: random.next()), outboundRandom: SplitMix64(state: random.next()))
    }

    /// A visitor's route: mostly in from the outer ring; through traffic stays on the outer two rings.
    static func route(through: Bool, _ network: RoadNetwork, _ random: inout SplitMix64) -> Route {
        let outermost = network.outermost
        if through {
            let ring = network.rings[outermost]
            let target = outermost > 0 && random.chance(0.45) ? outermost - 1 : outermost
            return Route(entry: ring[random.below(ring.count)], target: target, seed: random.next(), through: true)
        }
        let draw = random.below(100)
        let entryLevel = draw < 75 || outermost == 0 ? outermost : draw < 95 ? outermost - 1 : random.below(outermost + 1)
        let ring = network.rings[entryLevel]
        let targetDraw = random.below(100)
        let target = min(entryLevel, targetDraw < 55 ? 0 : targetDraw < 85 ? 1 : 2)
        return Route(entry: ring[random.below(ring.count)], target: target, seed: random.next())
    }

    /// Mean reads of a visitor, from a fixed sample of routes.
    static func reads(seed: UInt64, network: RoadNetwork, kept: Double) -> TrafficDemand.VisitorReads {
        var random = SplitMix64(seed: seed, stream: .calibration, 1)
        func mean(through: Bool) -> (inbound: Double, outbound: Double) {
            var inboundReads = 0, outboundReads = 0
            let samples = 800
            for _ in 0..<samples {
                let route = route(through: through, network, &random)
                let inbound = route.inboundPath(network)
                inboundReads += inbound.count
                // Through traffic does not stop, so its last camera in is not read again on the way out.
                outboundReads += Route.outboundPath(from: inbound[inbound.count - 1], seed: route.seed, network).count - (through ? 1 : 0)
            }
            return (Double(inboundReads) * kept / Double(samples), Double(outboundReads) * kept / Double(samples))
        }
        let through = mean(through: true), parking = mean(through: false)
        return TrafficDemand.VisitorReads(through: through.inbound + through.outbound, inbound: parking.inbound, outbound: parking.outbound)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
