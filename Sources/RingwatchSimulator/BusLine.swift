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
}
