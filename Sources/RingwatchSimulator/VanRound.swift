/// A delivery van's daily round: from its depot outside the rings to one inner ring, several
/// stops of a few minutes to half an hour with a short drive along the ring between them, then
/// back out. Derived from the van's number.
struct VanRound: Sendable {
    let route: Route
    /// Usual minute of the local day of setting out.
    let startMinute: Int
    /// Deliveries per round.
    let stops: Int

    init(seed: UInt64, number: Int, network: RoadNetwork) {
        var random = SplitMix64(seed: seed, stream: .van, UInt64(number))
        let ring = network.rings[network.outermost]
        route = Route(entry: ring[random.below(ring.count)], target: min(network.outermost, random.below(2)), seed: random.next())
        startMinute = random.int(in: 420...570)
        stops = random.int(in: 3...8)
    }

    /// Chance of a round on a day of `type`.
    static func chance(on type: TrafficProfile.DayType) -> Double {
        switch type {
        case .weekday: 0.92
        case .saturday: 0.35
        case .sunday: 0.03
        }
    }

    /// Reads expected from one round, and its usual length in minutes.
    func expectedReads(_ network: RoadNetwork) -> (reads: Double, minutes: Int) {
        let inbound = route.inboundPath(network).count
        let outbound = Route.outboundPath(from: route.destination(network), seed: route.seed, network).count
        return (Double(inbound + outbound - 1) + 1.5 * Double(stops), 30 + stops * 19)
    }
}
