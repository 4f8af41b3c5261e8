/// What vehicles look like on Belgian roads: makes and models per vehicle type with weights
/// after the registration statistics' rough shares, and colours per type.
enum VehicleCatalog {
    /// The registry's `vehicle_type` values.
    enum Kind: UInt8, CaseIterable, Sendable {
        case car, van, bus, truck, motorcycle

        var name: String {
            switch self {
            case .car: "car"
            case .van: "van"
            case .bus: "bus"
            case .truck: "truck"
            case .motorcycle: "motorcycle"
            }
        }
    }

    /// One make and model.
    struct Model: Sendable {
        let make: String
        let model: String
        let kind: Kind
    }

    static let models: [Model] = weighted.map(\.0)

    private static let weighted: [(Model, Int)] = {
        func list(_ kind: Kind, _ entries: [(String, String, Int)]) -> [(Model, Int)] {
            entries.map { (Model(make: $0.0, model: $0.1, kind: kind), $0.2) }
        }
        return list(
            .car,
            [
                ("Volkswagen", "Golf", 40), ("Volkswagen", "Polo", 25), ("Volkswagen", "Tiguan", 25), ("Volkswagen", "T-Roc", 22),
                ("Volkswagen", "Passat", 15), ("Volkswagen", "ID.3", 6), ("BMW", "3 Series", 22), ("BMW", "X1", 18),
                ("BMW", "1 Series", 12), ("BMW", "5 Series", 10), ("Mercedes-Benz", "A-Class", 14), ("Mercedes-Benz", "C-Class", 14),
                ("Mercedes-Benz", "GLA", 10), ("Mercedes-Benz", "GLC", 10), ("Audi", "A3", 14), ("Audi", "A4", 14), ("Audi", "Q3", 10),
                ("Audi", "Q5", 8), ("Peugeot", "208", 18), ("Peugeot", "308", 15), ("Peugeot", "2008", 16), ("Peugeot", "3008", 14),
                ("Renault", "Clio", 18), ("Renault", "Captur", 14), ("Renault", "Megane", 10), ("Toyota", "Yaris", 14),
                ("Toyota", "C-HR", 10), ("Toyota", "Corolla", 10), ("Toyota", "RAV4", 8), ("Skoda", "Octavia", 18), ("Skoda", "Fabia", 10),
                ("Skoda", "Kodiaq", 8), ("Skoda", "Enyaq", 6), ("Citroen", "C3", 12), ("Citroen", "C4", 8), ("Opel", "Corsa", 12),
                ("Opel", "Astra", 8), ("Ford", "Fiesta", 8), ("Ford", "Focus", 8), ("Ford", "Kuga", 8), ("Volvo", "XC40", 10),
                ("Volvo", "XC60", 10), ("Volvo", "V60", 6), ("Kia", "Sportage", 10), ("Kia", "Niro", 8), ("Kia", "Ceed", 6),
                ("Hyundai", "Tucson", 8), ("Hyundai", "i20", 6), ("Dacia", "Sandero", 14), ("Dacia", "Duster", 10),
                ("Tesla", "Model 3", 8), ("Tesla", "Model Y", 10), ("Fiat", "500", 8), ("Nissan", "Qashqai", 8), ("Mini", "Cooper", 6),
                ("Seat", "Ibiza", 8), ("Cupra", "Formentor", 5),
            ])
            + list(
                .van,
                [
                    ("Ford", "Transit", 20), ("Mercedes-Benz", "Sprinter", 18), ("Volkswagen", "Crafter", 12), ("Renault", "Trafic", 12),
                    ("Peugeot", "Boxer", 10), ("Citroen", "Jumpy", 8), ("Volkswagen", "Transporter", 14), ("Fiat", "Ducato", 10),
                    ("Iveco", "Daily", 8),
                ])
            + list(
                .bus,
                [
                    ("Van Hool", "A330", 12), ("VDL", "Citea", 10), ("Mercedes-Benz", "Citaro", 14), ("Volvo", "7900", 8),
                    ("Solaris", "Urbino", 8),
                ])
            + list(
                .truck,
                [
                    ("DAF", "XF", 18), ("Volvo", "FH", 16), ("Scania", "R", 14), ("MAN", "TGX", 12), ("Mercedes-Benz", "Actros", 14),
                    ("Renault", "T", 8), ("Iveco", "S-Way", 6),
                ])
            + list(
                .motorcycle,
                [
                    ("BMW", "R 1250 GS", 10), ("Honda", "CB500", 8), ("Yamaha", "MT-07", 10), ("Kawasaki", "Z900", 6), ("Vespa", "GTS", 8),
                    ("Triumph", "Street Triple", 4),
                ])
    }()

    /// Model indexes per kind, and their cumulative weights.
    private static let byKind: [[Int]] = Kind.allCases.map { kind in weighted.indices.filter { weighted[$0].0.kind == kind } }
    private static let cumulativeByKind: [[UInt32]] = byKind.map { indexes in cumulativeWeights(indexes.map { weighted[$0].1 }) }

    static let colors = ["grey", "black", "white", "blue", "silver", "red", "green", "brown", "beige", "yellow", "orange"]
    private static let colorWeights: [[UInt32]] = [
        cumulativeWeights([26, 19, 18, 12, 10, 7, 2, 2, 2, 1, 1]),  // car
        cumulativeWeights([12, 6, 60, 8, 8, 4, 0, 0, 0, 2, 0]),  // van
        cumulativeWeights([0, 0, 30, 0, 0, 0, 0, 0, 0, 70, 0]),  // bus (De Lijn yellow and white)
        cumulativeWeights([10, 10, 40, 15, 0, 12, 8, 0, 0, 0, 5]),  // truck
        cumulativeWeights([15, 40, 10, 10, 0, 15, 0, 0, 0, 0, 10]),  // motorcycle
    ]
    /// Colours a classifier mixes up in the dark (index → neighbours).
    private static let darkNeighbours: [[Int]] = [
        [1, 4, 3], [0, 3, 7], [4, 8], [1, 0], [0, 2], [10, 7], [1, 0], [1, 0], [2, 4], [2, 10], [5, 9],
    ]

    /// A model of `kind`, drawn by weight.
    static func randomModel(_ kind: Kind, _ random: inout SplitMix64) -> Int {
        byKind[Int(kind.rawValue)][random.pick(cumulativeByKind[Int(kind.rawValue)])]
    }

    /// A different make (and so model) of the same kind, for a clone's carrier vehicle.
    static func otherModel(than model: Int, _ random: inout SplitMix64) -> Int {
        let original = models[model]
        for _ in 0..<64 {
            let candidate = randomModel(original.kind, &random)
            if models[candidate].make != original.make { return candidate }
        }
        return byKind[Int(original.kind.rawValue)].first { models[$0].make != original.make } ?? model
    }

    /// Another model of the same make when there is one (a classifier's near miss), else any.
    static func nearMiss(of model: Int, _ random: inout SplitMix64) -> Int {
        let original = models[model]
        let sameMake = byKind[Int(original.kind.rawValue)].filter { models[$0].make == original.make && $0 != model }
        if !sameMake.isEmpty { return sameMake[random.below(sameMake.count)] }
        return randomModel(original.kind, &random)
    }

    /// A colour for a vehicle of `kind`, drawn by weight.
    static func randomColor(_ kind: Kind, _ random: inout SplitMix64) -> Int {
        random.pick(colorWeights[Int(kind.rawValue)])
    }

    /// A colour the classifier may report instead of `color` in the dark.
    static func darkNeighbour(of color: Int, _ random: inout SplitMix64) -> Int {
        let neighbours = darkNeighbours[color]
        return neighbours[random.below(neighbours.count)]
    }
}
