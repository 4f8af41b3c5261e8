/// A commuter's fixed habits: the same route and about the same time on most weekdays, the
/// other way home after a working day. Derived from the commuter's number, never stored.
struct CommuterHabit: Sendable {
    let route: Route
    /// Where the route ends (the commuter parks near it and leaves from it).
    let destination: Int
    /// Usual minute of the local day of leaving for work.
    let departureMinute: Int
    /// Usual minutes between leaving for work and leaving for home.
    let workMinutes: Int
    /// Chance of commuting on a weekday.
    let weekdayChance: Double
    /// Seed of the way home.
    let homeSeed: UInt64

    init(seed: UInt64, number: Int, network: RoadNetwork) {
        var random = SplitMix64(seed: seed, stream: .commuter, UInt64(number))
        let outermost = network.outermost
        let entryLevel = outermost > 0 && random.chance(0.15) ? outermost - 1 : outermost
        let ring = network.rings[entryLevel]
        let draw = random.below(100)
        let target = min(entryLevel, draw < 60 ? 0 : draw < 92 ? 1 : 2)
        route = Route(entry: ring[random.below(ring.count)], target: target, seed: random.next())
        destination = route.destination(network)
        if random.chance(0.85) {
            departureMinute = max(300, min(630, Int(470 + 45 * random.normal())))
        } else {
            departureMinute = random.int(in: 660...900)  // late shift
        }
        workMinutes = random.int(in: 450...570)
        weekdayChance = random.uniform(0.78, 0.95)
        homeSeed = random.next()
    }

    /// Chance of commuting on a day of `type`.
    func chance(on type: TrafficProfile.DayType) -> Double {
        switch type {
        case .weekday: weekdayChance
        case .saturday: 0.1
        case .sunday: 0.05
        }
    }

    /// Cameras read on the way in and on the way home.
    func readsPerDay(_ network: RoadNetwork) -> (inbound: Int, outbound: Int) {
        (route.inboundPath(network).count, Route.outboundPath(from: destination, seed: homeSeed, network).count)
    }
}
