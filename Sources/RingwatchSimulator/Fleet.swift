/// Who is on the road: vehicle numbers are laid out by role, `[commuters | vans | buses |
/// planted | visitors]`, and each vehicle's plate format, model and colour follow from its
/// number and role.
struct Fleet: Sendable {
    /// What a vehicle does in the simulation.
    enum Role: Sendable {
        case commuter, van, bus, planted, visitor
    }

    let seed: UInt64
    let foreignShare: Double
    let commuters: Range<Int>
    let vans: Range<Int>
    let buses: Range<Int>
    let planted: Range<Int>
    let visitors: Range<Int>
    private let numberings: [PlateNumbering]

    /// Buses per line (`BusLine.busesNeeded` of the line that needs most).
    let busesPerLine: Int

    init(
        seed: UInt64, commuters: Int, vans: Int, busLines: Int, busesPerLine: Int, planted: Int, visitors: Int, foreignShare: Double
    ) {
        self.seed = seed
        self.foreignShare = foreignShare
        self.busesPerLine = busesPerLine
        var next = 0
        func range(_ count: Int) -> Range<Int> {
            defer { next += count }
            return next..<(next + count)
        }
        self.commuters = range(commuters)
        self.vans = range(vans)
        self.buses = range(busLines * busesPerLine)
        self.planted = range(planted)
        self.visitors = range(max(1, visitors))
        numberings = PlateFormat.allCases.map { PlateNumbering(format: $0, seed: seed) }
    }

    /// Vehicles in all.
    var count: Int { visitors.upperBound }

    func role(of index: Int) -> Role {
        if commuters.contains(index) { return .commuter }
        if vans.contains(index) { return .van }
        if buses.contains(index) { return .bus }
        if planted.contains(index) { return .planted }
        return .visitor
    }

    /// Vehicle number `index`.
    func vehicle(_ index: Int) -> Vehicle {
        var random = SplitMix64(seed: seed, stream: .vehicle, UInt64(index))
        let role = role(of: index)
        let format = Fleet.format(role: role, foreignShare: foreignShare, &random).roomy(forVehicle: index)
        let kind: VehicleCatalog.Kind
        switch role {
        case .van: kind = .van
        case .bus: kind = .bus
        case .planted: kind = .car
        case .commuter:
            let draw = random.below(100)
            kind = draw < 94 ? .car : draw < 97 ? .motorcycle : .van
        case .visitor:
            let draw = random.below(100)
            kind = draw < 86 ? .car : draw < 92 ? .van : draw < 97 ? .truck : .motorcycle
        }
        let model = VehicleCatalog.randomModel(kind, &random)
        let color = VehicleCatalog.randomColor(kind, &random)
        return Vehicle(
            index: index, format: format, plateNumber: numberings[Int(format.rawValue)].number(for: UInt64(index)),
            model: model, color: color)
    }

    /// The vehicle a hotlist decoy is registered to: a Belgian car numbered past the fleet,
    /// which never drives in the simulation (a hotlist lists registered vehicles: stolen,
    /// uninsured, their keeper wanted).
    func decoyVehicle(_ number: Int) -> Vehicle {
        let index = count + number
        var random = SplitMix64(seed: seed, stream: .vehicle, UInt64(index))
        let format = PlateFormat.belgianCurrent.roomy(forVehicle: index)
        let model = VehicleCatalog.randomModel(.car, &random)
        let color = VehicleCatalog.randomColor(.car, &random)
        return Vehicle(
            index: index, format: format, plateNumber: numberings[Int(format.rawValue)].number(for: UInt64(index)), model: model,
            color: color)
    }

    /// A plate that no vehicle of the fleet carries (for hotlist decoys), normalised.
    func decoyPlate(_ number: Int) -> String { decoyVehicle(number).normalisedPlate }

    /// The most vehicles a fleet (with its hotlist decoys) can number: every vehicle below it
    /// gets a plate of its own (`PlateFormat.roomy(forVehicle:)`).
    static let largestNumbering = Int(PlateFormat.belgianCurrent.capacity)

    private static func format(role: Role, foreignShare: Double, _ random: inout SplitMix64) -> PlateFormat {
        func belgian() -> PlateFormat {
            let draw = random.below(100)
            return draw < 85 ? .belgianCurrent : draw < 93 ? .belgianLetters : .belgianDigits
        }
        switch role {
        case .bus, .planted: return .belgianCurrent
        case .van: return belgian()
        case .commuter:
            // Cross-border commuters are mostly Dutch.
            guard random.chance(foreignShare / 3) else { return belgian() }
            return random.chance(0.5) ? .dutchLettersFirst : .dutchDigitsFirst
        case .visitor:
            guard random.chance(foreignShare) else { return belgian() }
            let draw = random.below(100)
            return draw < 25 ? .dutchLettersFirst : draw < 45 ? .dutchDigitsFirst : draw < 70 ? .french : .german
        }
    }
}
