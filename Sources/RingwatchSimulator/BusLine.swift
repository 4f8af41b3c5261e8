/// A bus line: a fixed route from the outer ring to a terminal on the inner ring, served both
/// ways at fixed intervals in the daytime (less often at weekends).
struct BusLine: Sendable {
    let number: Int
    let route: Route
    /// The inner terminal.
    let terminal: Int
    /// Minutes after the hour at which the timetable is shifted, so lines do not all leave together.
    let offsetMinutes: Int

    init(seed: UInt64, number: Int, of count: Int, network: RoadNetwork) {
        let ring = network.rings[network.outermost]
        self.number = number
        route = Route(
            entry: ring[(number * ring.count / max(1, count)) % ring.count], target: 0,
            seed: SplitMix64.key(seed: seed, stream: .bus, UInt64(number)))
        terminal = route.destination(network)
        offsetMinutes = (number * 7) % 12
    }

    /// First departure, last departure (minutes of the local day) and interval, by kind of day.
    static func timetable(_ type: TrafficProfile.DayType) -> (first: Int, last: Int, every: Int) {
        switch type {
        case .weekday: (360, 1320, 12)
        case .saturday: (420, 1320, 20)
        case .sunday: (480, 1260, 30)
        }
    }

    /// Departure minutes of the local day (each way).
    func departures(_ type: TrafficProfile.DayType) -> StrideTo<Int> {
        let table = BusLine.timetable(type)
        return stride(from: table.first + offsetMinutes, to: table.last, by: table.every)
    }

    // MARK: Which bus drives which run

    /// Minutes a bus waits at either end before its next run.
    static let layoverMinutes = 5.0

    /// Minutes of a run in and of a run out at their slowest (`Journey.slowestFactor`), and of
    /// the unobserved drive from where a run out ends back to the start of the line.
    func slowestMinutes(_ network: RoadNetwork) -> (inbound: Double, outbound: Double, back: Double) {
        let factor = Journey.slowestFactor(.bus)
        let outboundEnd = Route.outboundPath(from: terminal, seed: route.seed, network).last ?? terminal
        let back =
            network.distance(outboundEnd, route.entry) * RoadNetwork.radialDetour / RoadNetwork.radialSpeed * 60
            * TrafficProfile.heaviestCongestion
        return (
            route.inboundSeconds(network) * factor / 60, Route.outboundSeconds(from: terminal, seed: route.seed, network) * factor / 60,
            back
        )
    }

    /// How many departures after its run in a bus leaves the terminal on a run out: enough for
    /// the slowest run in and a layover.
    func turnaround(_ type: TrafficProfile.DayType, _ network: RoadNetwork) -> Int {
        let every = Double(BusLine.timetable(type).every)
        return max(1, Int((slowestMinutes(network).inbound + BusLine.layoverMinutes) / every) + 1)
    }

    /// Buses the line needs so that none starts a run before its previous one has ended: the
    /// runs in that start while one bus is on its way in, at the terminal, on its way out and
    /// driving back, on the busiest timetable.
    func busesNeeded(_ network: RoadNetwork) -> Int {
        let minutes = slowestMinutes(network)
        return TrafficProfile.DayType.allCases.map { type in
            let every = Double(BusLine.timetable(type).every)
            let out = Int((minutes.outbound + minutes.back + BusLine.layoverMinutes) / every) + 1
            return turnaround(type, network) + out
        }.max() ?? 2
    }

    /// The bus (0..<`buses`) that drives run `trip` of the day in, and the one that drives it out.
    ///
    /// Run in *k* is bus *k* mod `buses`; that bus reaches the terminal before departure
    /// *k* + `turnaround`, drives that run out, gets back to the start of the line and waits for
    /// run in *k* + `buses`. The first runs out of a day take buses that stood at the terminal
    /// overnight.
    func buses(trip: Int, type: TrafficProfile.DayType, buses: Int, _ network: RoadNetwork) -> (inbound: Int, outbound: Int) {
        let turnaround = turnaround(type, network)
        return (trip % buses, ((trip - turnaround) % buses + buses) % buses)
    }
}
