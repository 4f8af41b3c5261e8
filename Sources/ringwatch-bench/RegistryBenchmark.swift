// The vehicle registry at the scale of the Belgian fleet, and the cost of the registry checks.
//
//   swift build -c release --product ringwatch-bench
//   .build/release/ringwatch-bench registry [--runs N] [--reads N]
//
// Writes an 8,000,000-line registry CSV (deterministic, unsorted, to a temporary file), then
// reports the median load time, the resident memory the loaded registry keeps (measured in a
// fresh child process, where the pages are new), the peak during the load, and the reads per
// second of the mismatch and clone detectors on a day of reads of that fleet, and the cost of
// the hotlist corroboration's search for the registered alternatives of a variant hit.
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex
import RingwatchRegistry
import RingwatchTesting

struct RegistryBenchmark {
    static let vehicles = 8_000_000
    static let fileVariable = "RINGWATCH_BENCH_REGISTRY"

    let runs: Int
    let reads: Int

    /// (make, model spellings, weight): the spread of a real fleet, several spellings per model.
    static let models: [(String, [String], Int)] = [
        ("Volkswagen", ["Golf", "Golf VII", "Golf Variant"], 9), ("Volkswagen", ["Polo"], 5),
        ("Volkswagen", ["Passat Variant", "Passat"], 3),
        ("Volkswagen", ["Tiguan"], 3), ("Volkswagen", ["Transporter", "T6.1"], 2), ("BMW", ["3 Series", "320d", "318i"], 5),
        ("BMW", ["1 Series", "118i"], 3), ("BMW", ["X1"], 2), ("BMW", ["5 Series", "520d"], 2), ("Mercedes-Benz", ["A-Class", "A 180"], 3),
        ("Mercedes-Benz", ["C-Class", "C 220 d"], 3), ("Mercedes-Benz", ["Sprinter"], 2), ("Audi", ["A3", "A3 Sportback"], 3),
        ("Audi", ["A4 Avant", "A4"], 3), ("Audi", ["Q3"], 2), ("Škoda", ["Octavia", "Octavia Combi"], 4), ("Škoda", ["Fabia"], 3),
        ("Peugeot", ["208"], 4), ("Peugeot", ["308", "308 SW"], 3), ("Peugeot", ["2008"], 3), ("Renault", ["Clio", "Clio V"], 4),
        ("Renault", ["Megane", "Mégane"], 2), ("Renault", ["Captur"], 3), ("Citroën", ["C3"], 3), ("Citroën", ["Berlingo"], 2),
        ("Opel", ["Corsa"], 4), ("Opel", ["Astra"], 3), ("Toyota", ["Yaris"], 4), ("Toyota", ["Corolla"], 2), ("Toyota", ["C-HR"], 2),
        ("Ford", ["Focus"], 3), ("Ford", ["Fiesta"], 3), ("Ford", ["Transit Custom"], 2), ("Kia", ["Sportage"], 2), ("Kia", ["Niro"], 2),
        ("Hyundai", ["Tucson"], 2), ("Volvo", ["XC40"], 2), ("Volvo", ["V60"], 1), ("Tesla", ["Model 3"], 1), ("Tesla", ["Model Y"], 1),
        ("Dacia", ["Sandero"], 3), ("Fiat", ["500"], 2), ("Nissan", ["Qashqai"], 2), ("Mini", ["Cooper"], 1), ("Seat", ["Ibiza"], 2),
    ]
    static let colors = ["grey", "black", "white", "silver", "blue", "red", "anthracite", "dark blue", "green", "beige", "brown", "yellow"]
    static let types = ["car", "car", "car", "car", "car", "car", "van", "motorcycle"]

    /// The `index`-th of 8,000,000 distinct Belgian plates (`1-ABC-123`), spread over the
    /// 35,152,000 of the format by a step coprime with it, so the file is not sorted.
    static func plate(_ index: Int) -> String {
        let value = (index &* 7_919_993) % 35_152_000
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        let number = value % 1000, triple = value / 1000 % 17_576, first = 1 + value / 17_576_000
        let a = letters[triple / 676], b = letters[triple / 26 % 26], c = letters[triple % 26]
        return "\(first)-\(String(decoding: [a, b, c], as: UTF8.self))-\(number < 10 ? "00" : number < 100 ? "0" : "")\(number)"
    }

    /// The make, model spelling, colour and type of vehicle `index` (deterministic).
    static func vehicle(_ index: Int, random: inout SeededGenerator) -> (String, String, String, String) {
        let total = models.reduce(0) { $0 + $1.2 }
        var pick = Int(random.next() % UInt64(total))
        var chosen = models[0]
        for model in models {
            if pick < model.2 { chosen = model; break }
            pick -= model.2
        }
        let spelling = chosen.1[Int(random.next() % UInt64(chosen.1.count))]
        return (chosen.0, spelling, colors[Int(random.next() % UInt64(colors.count))], types[index % types.count])
    }

    /// Writes the registry CSV and returns its path.
    static func writeRegistry(to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var random = SeededGenerator(state: 2026)
        var buffer: [UInt8] = Array("plate,make,model,color,vehicle_type\n".utf8)
        buffer.reserveCapacity(1 << 22)
        for index in 0..<vehicles {
            let (make, model, color, type) = vehicle(index, random: &random)
            buffer.append(contentsOf: "\(plate(index)),\(make),\(model),\(color),\(type)\n".utf8)
            if buffer.count > (1 << 22) - 256 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }

    static func vocabulary() -> VehicleVocabulary {
        let root = RingwatchProcess.packageRoot + "/Fixtures/"
        func text(_ name: String) -> String { (try? String(contentsOfFile: root + name, encoding: .utf8)) ?? "" }
        return VehicleVocabulary.parse(
            makesCSV: text("vehicle-makes.csv"), makesFile: "vehicle-makes.csv", modelsCSV: text("vehicle-models.csv"),
            modelsFile: "vehicle-models.csv", colorsCSV: text("vehicle-colors.csv"), colorsFile: "vehicle-colors.csv"
        ).0
    }

    /// Peak resident memory of this process so far (VmHWM).
    static func peakResidentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// The child process: loads once and prints "retained peak" growth in bytes.
    static func measureMemory() throws {
        guard let path = ProcessInfo.processInfo.environment[fileVariable] else { return }
        let vocabulary = vocabulary()
        trimHeap()
        let before = residentBytes()
        let (registry, _) = try VehicleRegistry.load(contentsOf: path, vocabulary: vocabulary)
        trimHeap()
        let after = residentBytes()
        print("\(after - before) \(peakResidentBytes() - before)")
        withExtendedLifetime(registry) {}
    }

    func run() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-bench-registry")
        let path = directory.file("registry.csv")
        let writing = try seconds { try Self.writeRegistry(to: path) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        print("registry: \(Self.vehicles) lines, \(size / 1_000_000) MB, unsorted, written in \(String(format: "%.1f", writing)) s")

        let vocabulary = Self.vocabulary()
        var loads: [Double] = [], retained: [Double] = [], peaks: [Double] = []
        var registry = VehicleRegistry()
        for _ in 0..<runs {
            registry = VehicleRegistry()
            var report: LoadReport?
            let elapsed = try seconds { (registry, report) = try VehicleRegistry.load(contentsOf: path, vocabulary: vocabulary) }
            precondition(registry.count == Self.vehicles && report?.skipped == 0, "the generated registry did not load cleanly")
            loads.append(elapsed * 1000)
            // Resident memory is measured in a fresh process, where every page is new.
            let child = Process()
            let output = Pipe()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["registry-memory"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.fileVariable: path]) { $1 }
            child.standardOutput = output
            try child.run()
            child.waitUntilExit()
            // The last line is the child's answer (the first is the banner every run prints).
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            let fields = (lines.last ?? "").split(separator: " ").compactMap { Double($0) }
            retained.append(fields.first.map { $0 / 1_048_576 } ?? .nan)
            peaks.append(fields.dropFirst().first.map { $0 / 1_048_576 } ?? .nan)
        }
        report("registry load (8M vehicles)", loads, unit: "ms")
        report("registry resident after load", retained, unit: "MiB")
        report("registry peak during load", peaks, unit: "MiB")
        print(String(format: "registry resident bytes per vehicle: %.1f", median(retained) * 1_048_576 / Double(Self.vehicles)))

        var found = 0
        let probes = 1_000_000
        let plates = (0..<probes).map { Plate(normalising: Self.plate(($0 &* 7919) % Self.vehicles))!.text }
        let lookup = seconds {
            for plate in plates where registry.contains(plate) { found += 1 }
        }
        precondition(found == probes)
        print(String(format: "registry lookups: %.0f /s (hash table of 8M keys)", Double(probes) / lookup))

        try alternatives(registry: registry)

        try detectors(registry: registry)
    }

    /// The hotlist corroboration's search for a variant hit's rivals (rule 4): the registered
    /// plates a read with one character dropped, or with one confusion, could be, on the 8M
    /// registry; what it costs per hit and how many it finds.
    func alternatives(registry: VehicleRegistry) throws {
        let lookup = RegistryLookup(registry: registry, cameras: CameraRegistry())
        let samples = 20_000
        for (name, misread) in [("a dropped character", 0), ("one confusion (8 for B, 0 for O, or back)", 1)] {
            var reads: [PlateRead] = []
            var index = 0
            while reads.count < samples {
                index += 1
                var bytes = Array(Plate(normalising: Self.plate((index &* 104_729) % Self.vehicles))!.text.utf8)
                if misread == 0 {
                    bytes.remove(at: index % bytes.count)
                } else {
                    // Registered plates with a B, 8, O or 0, one of them read as its look-alike.
                    guard let position = bytes.indices.first(where: { [56, 66, 48, 79].contains(bytes[$0]) }) else { continue }
                    bytes[position] = [56: 66, 66: 56, 48: 79, 79: 48][bytes[position]]!
                }
                let plate = Plate(normalised: String(decoding: bytes, as: UTF8.self))
                reads.append(PlateRead(camera: "bench", timestamp: Timestamp(milliseconds: 0), plate: plate))
            }
            var rates: [Double] = []
            var found = 0
            for _ in 0..<runs {
                found = 0
                let elapsed = seconds {
                    for read in reads { found += lookup.registeredAlternatives(of: read, otherThan: "", within: .standard).count }
                }
                rates.append(Double(samples) / elapsed)
            }
            report("registered alternatives of a variant hit, \(name)", rates, unit: "hits/s")
            print(String(format: "  registered alternatives per hit: %.1f on average (the plate it came from included)", Double(found) / Double(samples)))
        }
    }

    /// A day of reads of 300,000 of the registered vehicles at the 48 fixture cameras: mostly
    /// what the registry says, some on other cars, confidence falling at night.
    func detectors(registry: VehicleRegistry) throws {
        let root = RingwatchProcess.packageRoot + "/Fixtures/"
        let cameras = CameraRegistry.parse(csv: try String(contentsOfFile: root + "cameras.csv", encoding: .utf8), file: "cameras.csv").0
        let cameraIDs = cameras.order
        var random = SeededGenerator(state: 99)
        let start = Timestamp(rfc3339: "2026-11-22T00:00:00Z")!
        var stream: [PlateRead] = []
        stream.reserveCapacity(reads)
        for index in 0..<reads {
            let vehicleIndex = Int(random.next() % 300_000) * 26
            let plate = Plate(normalising: Self.plate(vehicleIndex))!
            let registered = registry.vehicle(registeredAs: plate.text)!.description
            let time = start.adding(milliseconds: Int64(index) * 86_400_000 / Int64(reads))
            let hour = time.hourOfDay
            let night = hour < 7 || hour >= 17
            let roll = random.next() % 1000
            var description = registered
            if roll < 5 {
                description = VehicleDescription(make: "Ford", model: "Focus", color: "red")
            } else if roll < 10 {
                description.color = "yellow"
            }
            let confidence = (night ? 0.45 : 0.8) + Double(random.next() % 200) / 1000
            stream.append(
                PlateRead(
                    sourceID: "bench-\(index)", camera: cameraIDs[Int(random.next() % UInt64(cameraIDs.count))], timestamp: time,
                    plate: plate,
                    confidence: 0.9, characterConfidence: [0.99, 0.97, 0.95, 0.9, 0.98, 0.99, 0.97], make: description.make,
                    model: description.model, color: description.color, vehicleConfidence: confidence))
        }
        print("detectors: \(reads) reads of 300,000 vehicles over 24 h at \(cameraIDs.count) cameras, 1% not as registered")
        print("  (cameras drawn at random, so the stream is full of implausible pairs: harder on the clone detector than traffic)")
        for name in ["mismatch", "clone"] {
            var rates: [Double] = []
            var fired = 0
            for _ in 0..<runs {
                let lookup = RegistryLookup(registry: registry, cameras: cameras)
                let detector: any Detector = name == "mismatch" ? MismatchDetector(lookup: lookup) : CloneDetector(lookup: lookup)
                // The window is filled the same way with and without the detector; the
                // difference is the detector's own cost.
                let indexOnly = seconds {
                    let index = ReadIndex()
                    for read in stream { index.insert(read) }
                }
                fired = 0
                let withDetector = seconds {
                    let index = ReadIndex()
                    for read in stream {
                        index.insert(read)
                        fired += detector.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: false)).count
                    }
                }
                rates.append(Double(reads) / max(withDetector - indexOnly, 1e-9))
            }
            report("\(name) detector", rates, unit: "reads/s")
            print("  \(name) triggers on the stream: \(fired)")
        }
    }
}
