import RingwatchCore
import RingwatchRegistry
import RingwatchTesting

/// A vehicle registry at the scale of the Belgian fleet: the simulator's registered vehicles
/// (so its traffic is found) filled up to 8,000,000 with other current-format plates.
public enum RegistryFixture {
    public static let vehicleCount = 8_000_000

    static let filler: [(String, String, String, String)] = [
        ("Volkswagen", "Golf", "grey", "car"), ("BMW", "3 Series", "black", "car"), ("Renault", "Clio", "white", "car"),
        ("Peugeot", "208", "blue", "car"), ("Toyota", "Yaris", "red", "car"), ("Ford", "Transit Custom", "white", "van"),
        ("Škoda", "Octavia", "silver", "car"), ("Audi", "A4 Avant", "anthracite", "car"),
    ]

    /// The fixture vocabulary (makes, models and colours with their spellings).
    public static func vocabulary() -> VehicleVocabulary {
        let root = RingwatchProcess.packageRoot + "/Fixtures/"
        func text(_ name: String) -> String {
            guard let text = try? String(contentsOfFile: root + name, encoding: .utf8) else { fatalError("cannot read \(root + name)") }
            return text
        }
        return VehicleVocabulary.parse(
            makesCSV: text("vehicle-makes.csv"), makesFile: "vehicle-makes.csv", modelsCSV: text("vehicle-models.csv"),
            modelsFile: "vehicle-models.csv", colorsCSV: text("vehicle-colors.csv"), colorsFile: "vehicle-colors.csv"
        ).0
    }

    /// The registry of `traffic`'s fleet plus filler up to `vehicleCount`, parsed as the engine
    /// loads it.
    public static func registry(for traffic: SimulatedTraffic, vehicles: Int = vehicleCount) -> VehicleRegistry {
        var csv = traffic.registryCSV
        var known = Set<Substring>()
        for line in traffic.registryCSV.split(separator: "\n").dropFirst() {
            if let comma = line.firstIndex(of: ",") { known.insert(line[..<comma]) }
        }
        if !csv.hasSuffix("\n") { csv += "\n" }
        csv.reserveCapacity(csv.utf8.count + (vehicles - known.count) * 40)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var added = known.count, index = 0
        while added < vehicles {
            // Spread over the 35,152,000 plates of the format by a step coprime with it.
            let value = (index &* 7_919_993) % 35_152_000
            index += 1
            let number = value % 1000, triple = value / 1000 % 17_576, first = 1 + value / 17_576_000
            let plate =
                "\(first)" + String(decoding: [letters[triple / 676], letters[triple / 26 % 26], letters[triple % 26]], as: UTF8.self)
                + ReadTraffic.threeDigits(number)
            if known.contains(Substring(plate)) { continue }
            let (make, model, color, type) = filler[index % filler.count]
            csv += plate + "," + make + "," + model + "," + color + "," + type + "\n"
            added += 1
        }
        let (registry, report) = VehicleRegistry.parse(csv: csv, file: "benchmark-registry.csv", vocabulary: vocabulary())
        precondition(registry.count >= vehicles * 99 / 100, "the benchmark registry did not load: \(report)")
        return registry
    }
}
