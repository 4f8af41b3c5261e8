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
///
/// One vehicle is never on two visits at once. Arrivals are numbered in order (`ArrivalLedger`),
/// and arrival *n* drives vehicle `vehicle(forArrival: n)`: the pool is cut into
/// `poolGroups` equal groups, consecutive blocks of arrivals take the groups in turn, and each
/// block is a shuffled (keyed) order of its group. So a vehicle comes back only after
/// `turnover` other arrivals, and as long as that outnumbers the arrivals within the longest
/// visit (`TrafficSimulator.visitorsNeverOverlap`), it has left before it arrives again. The
/// shuffle differs per block, so the same vehicles do not arrive side by side every time.
struct VisitorTraffic: Sendable {
    /// Parking time of each class in minutes: class 0 is through traffic (no stop), then 45 to
    /// 595 minutes in steps of ten. A visitor leaves within ten minutes after its class's time
    /// (later when its way in could take longer than that), so departures are scheduled at most
    /// about an hour ahead.
    static let parkingMinutes = [0] + Array(stride(from: 45, through: 600, by: 10))
    /// Groups the pool is cut into: a vehicle comes back after at least `poolGroups - 1` blocks.
    static let poolGroups = 8
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

    /// Vehicles per group, and arrivals per block.
    var blockSize: Int { max(1, pool.count / VisitorTraffic.poolGroups) }

    /// Arrivals after which a vehicle can arrive again (at least): `poolGroups - 1` blocks.
    var turnover: Int64 { Int64(VisitorTraffic.poolGroups - 1) * Int64(blockSize) }

    /// The vehicle of arrival number `index` (see the type's documentation).
    func vehicle(forArrival index: Int64) -> Int {
        let size = Int64(blockSize)
        let block = index.floorDivided(by: size)
        let slot = index - block * size
        let group = Int((block % Int64(VisitorTraffic.poolGroups) + Int64(VisitorTraffic.poolGroups)) % Int64(VisitorTraffic.poolGroups))
        guard size > 1 else { return pool.lowerBound + group }
        // An affine map with a multiplier coprime to the block size is a permutation of the block.
        var random = SplitMix64(seed: seed, stream: .visitorPool, UInt64(bitPattern: block))
        var multiplier = Int64(1 + random.below(Int(size - 1)))
        while VisitorTraffic.gcd(multiplier, size) != 1 { multiplier = multiplier % (size - 1) + 1 }
        let offset = Int64(random.below(Int(size)))
        let position = (multiplier * slot + offset) % size
        return pool.lowerBound + group * Int(size) + Int(position)
    }

    private static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// The arrivals of every class in `minute`.
    func counts(minute: Int64) -> [Int] {
        let arrivals = demand.visitorArrivals(minute: minute)
        return VisitorTraffic.shares.indices.map { count(minute: minute, klass: $0, arrivals: arrivals) }
    }

    /// How many visitors of `klass` arrive in `minute` (minutes since 1970), when
    /// `arrivals` visitors of all classes are expected in that minute.
    func count(minute: Int64, klass: Int, arrivals: Double) -> Int {
        var random = SplitMix64(seed: seed, stream: .visitorCount, UInt64(bitPattern: minute), UInt64(klass))
        return random.poisson(arrivals * VisitorTraffic.shares[klass])
    }

    /// Arrival `number` of `klass` in `minute`, which is arrival number `index` overall
    /// (`ArrivalLedger`): the same answer every time it is asked.
    func arrival(minute: Int64, klass: Int, number: Int, index: Int64) -> VisitorArrival {
        var random = SplitMix64(seed: seed, stream: .visitorArrival, UInt64(bitPattern: minute), UInt64(klass), UInt64(number))
        let time = minute * 60_000 + Int64(random.below(60_000))
        let vehicle = vehicle(forArrival: index)
        let route = VisitorTraffic.route(through: klass == 0, network, &random)
        let parking = Int64(VisitorTraffic.parkingMinutes[klass]) * 60_000
        var departure = time
        if parking > 0 {
            departure += parking + Int64(random.below(10 * 60_000))
            // A short stop after a long way in at the peak: leave only once surely arrived, or
            // the vehicle would be read leaving while still on its way in.
            let slowestWayIn = route.inboundSeconds(network) * Journey.slowestFactor(.visitor)
            departure = max(departure, time + Int64(slowestWayIn * 1000) + 120_000)
        }
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
