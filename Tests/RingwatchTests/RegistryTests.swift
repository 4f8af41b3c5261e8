import Foundation
import RingwatchCore
import RingwatchTesting
import Testing

@testable import RingwatchRegistry

@Suite("Vehicle registry: normalisation")
struct VehicleNormalisationTests {
    let vocabulary = RegistryFixtures.vocabulary

    @Test(arguments: [
        ("Škoda", "skoda"), ("Citroën", "citroen"), ("MÉGANE", "megane"), ("Mercedes-Benz", "mercedes benz"),
        ("  VW  ", "vw"), ("ID.4", "id 4"), ("Golf  VII", "golf vii"), ("cee'd", "cee d"), ("", ""), ("--", ""),
    ])
    func foldingIgnoresCaseDiacriticsSpacingAndPunctuation(raw: String, folded: String) {
        #expect(VehicleText.fold(raw) == folded)
    }

    @Test(arguments: [
        ("VW", "volkswagen"), ("Volkswagen", "volkswagen"), ("volkswagen ", "volkswagen"), ("V.W.", "volkswagen"),
        ("Mercedes", "mercedes benz"), ("MERCEDES-BENZ", "mercedes benz"), ("Mercedes Benz AG", "mercedes benz"),
        ("Citroen", "citroen"), ("Citroën", "citroen"), ("Skoda", "skoda"), ("ŠKODA", "skoda"), ("Range Rover", "land rover"),
        ("Unknown Motors", "unknown motors"),
    ])
    func makeAliasesMeetTheirCanonicalMake(raw: String, canonical: String) {
        #expect(vocabulary.make(raw) == canonical)
    }

    @Test(arguments: [
        ("VW", "Golf VII", "golf"), ("Volkswagen", "Golf Variant", "golf"), ("Volkswagen", "GOLF 8 GTI", "golf"),
        ("BMW", "3 Series", "3 series"), ("BMW", "3er", "3 series"), ("BMW", "320d", "3 series"), ("BMW", "M340i", "3 series"),
        ("BMW", "X3", "x3"), ("Audi", "A4 Avant", "a4"), ("Audi", "A4", "a4"), ("Mercedes", "C 220 d", "c class"),
        ("Mercedes-Benz", "C-Klasse", "c class"), ("Mercedes-Benz", "C-Class", "c class"), ("Renault", "Mégane", "megane"),
        ("Renault", "Clio V", "clio"), ("Tesla", "Model 3", "model 3"), ("Tesla", "Model Y", "model y"),
        ("Citroen", "C3 Aircross", "c3 aircross"), ("Citroën", "C3", "c3"),
        ("Lada", "Niva Legend", "niva"),  // no table: the first word
    ])
    func modelsFallIntoTheirFamily(make: String, model: String, family: String) {
        #expect(vocabulary.modelFamily(model, make: vocabulary.make(make)) == family)
    }

    @Test(arguments: [
        ("grey", "grey"), ("Gray", "grey"), ("silver", "grey"), ("Anthracite", "grey"), ("dark blue", "blue"), ("Navy", "blue"),
        ("metallic dark blue", "blue"), ("Bordeaux", "red"), ("zwart", "black"), ("Blanc", "white"),
    ])
    func coloursFallIntoTheirFamily(raw: String, family: String) {
        #expect(vocabulary.colorFamily(raw) == family)
    }

    @Test func unknownColoursAreNotJudged() {
        #expect(vocabulary.colorFamily("polka dots") == nil)
        #expect(vocabulary.colorFamily("") == nil)
        #expect(vocabulary.colorFamily(nil) == nil)
    }

    @Test(arguments: [
        ("grey", "white", true), ("black", "grey", true), ("blue", "red", false), ("white", "black", false), ("red", "red", true),
    ])
    func nearColourFamiliesAreNotClearlyDifferent(a: String, b: String, near: Bool) {
        #expect(vocabulary.colorsAreNear(a, b) == near)
    }

    @Test func badTableLinesAreReportedByNumber() {
        let (vocabulary, reports) = VehicleVocabulary.parse(
            makesCSV: "alias,make\nVW,Volkswagen\n,Opel\nVW,Opel\n", makesFile: "m.csv",
            modelsCSV: "make,model,family\nVW,Golf VII,Golf\nVW,,Golf\n", modelsFile: "o.csv",
            colorsCSV: "color,family\nnavy,blue\n", colorsFile: "c.csv")
        #expect(reports.map(\.loaded) == [1, 1, 0])
        #expect(reports[0].problems.map(\.line) == [3, 4])
        #expect(reports[1].problems.map(\.line) == [3])
        #expect(reports[2].problems.first?.message.contains("near") == true)
        #expect(vocabulary.make("vw") == "volkswagen")
    }
}

@Suite("Vehicle registry: loading")
struct VehicleRegistryLoadingTests {
    @Test func theFixtureRegistryLoadsEveryLine() {
        let (registry, report) = VehicleRegistry.parse(
            csv: RegistryFixtures.text("registry.csv"), file: "registry.csv",
            vocabulary: RegistryFixtures.vocabulary)
        #expect(report.skipped == 0)
        #expect(registry.count == 61)
        #expect(report.loaded == 61)
        let bmw = registry.vehicle(registeredAs: "1QZX417")
        #expect(bmw?.description == VehicleDescription(make: "BMW", model: "3 Series", color: "black"))
        #expect(bmw?.vehicleType == "car")
        #expect(bmw?.normalised == NormalisedVehicle(make: "bmw", model: "3 series", color: "black"))
        #expect(registry.vehicle(registeredAs: "1OZX417")?.normalised.make == "citroen")
        #expect(registry.vehicle(registeredAs: "9ZZZ999") == nil)
    }

    @Test func badLinesAreSkippedAndReportedByNumberWithoutThePlate() {
        let text = """
            plate,make,model,color,vehicle_type
            1-ABC-123,Volkswagen,Golf,grey,car
            1ABC!23,Opel,Corsa,red,car
            1DEF456,,Corsa,red,car
            1GHI789,Opel,Corsa
            1xyz 999,Tesla,"Model S, P85D",\"\"\"pearl\"\" white\",car\r
            1ABC123,Skoda,Octavia,black,car

            TOOLONGPLATE123,Opel,Astra,blue,car
            1KLM000,Opel,,,
            """
        let (registry, report) = VehicleRegistry.parse(csv: text, file: "registry.csv", vocabulary: RegistryFixtures.vocabulary)
        #expect(registry.count == 3)
        #expect(report.loaded == 3)
        #expect(report.problems.map(\.line) == [2, 3, 4, 5, 9])
        #expect(report.problems[0].message.contains("line 7"))
        #expect(report.problems.allSatisfy { !$0.description.contains("ABC") && !$0.description.contains("TOOLONG") })
        // The later line for a plate wins; quoted commas and doubled quotes survive.
        #expect(registry.vehicle(registeredAs: "1ABC123")?.description.make == "Skoda")
        let tesla = registry.vehicle(registeredAs: "1XYZ999")
        #expect(tesla?.description.model == "Model S, P85D")
        #expect(tesla?.description.color == "\"pearl\" white")
        #expect(tesla?.normalised.model == "model s")
        let bare = registry.vehicle(registeredAs: "1KLM000")
        #expect(bare?.description == VehicleDescription(make: "Opel", model: nil, color: nil))
        #expect(bare?.vehicleType == nil)
    }

    @Test(arguments: ["plate,make,model,color\n1ABC123,VW,Golf,grey\n", "", "\n\n"])
    func aHeaderWithoutTheContractColumnsLoadsNothing(text: String) {
        let (registry, report) = VehicleRegistry.parse(csv: text, file: "r.csv", vocabulary: RegistryFixtures.vocabulary)
        #expect(registry.count == 0)
        #expect(report.problems.map(\.line) == [1])
    }

    @Test func anUnclosedQuoteStopsTheFileAtItsLine() {
        let text = "plate,make,model,color,vehicle_type\n1AAA111,VW,Golf,grey,car\n1BBB222,VW,\"Golf,grey,car\n1CCC333,VW,Polo,red,car\n"
        let (registry, report) = VehicleRegistry.parse(csv: text, file: "r.csv", vocabulary: RegistryFixtures.vocabulary)
        #expect(registry.count == 1)
        #expect(report.problems.map(\.line) == [3])
    }

    @Test func unsortedPlatesOfEveryLengthAreFoundAgain() {
        var random = SystemRandomNumberGenerator.seeded(7)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var expected: [String: String] = [:]
        var lines: [String] = []
        for number in 0..<5000 {
            let length = 1 + Int(random.next() % 12)
            let plate = String((0..<length).map { _ in alphabet[Int(random.next() % 36)] })
            let make = ["VW", "Opel", "BMW", "Škoda"][number % 4]
            expected[plate] = make
            lines.append("\(plate),\(make),M\(number % 7),grey,car")
        }
        let registry = RegistryFixtures.registry(lines)
        #expect(registry.count == expected.count)
        for (plate, make) in expected { #expect(registry.vehicle(registeredAs: plate)?.description.make == make) }
        #expect(registry.table.longestProbe < 32)
        #expect(!registry.contains("ZZZZZZZZZZZZZ"))
    }

    @Test(arguments: ["A", "Z", "0", "9", "1ABC123", "ZZZZZZZZZZZZ", "000000000000", "A0"])
    func plateKeysRoundTripAndNeverCollideAcrossLengths(plate: String) {
        let key = PlateKey(plate)
        #expect(key?.text == plate)
        #expect(PlateKey("0" + plate) != key)
    }

    @Test func radixSortIsStableAndCarriesTheValues() {
        var keys: [UInt64] = [5, 1, 1 << 40, 5, 0, 1, UInt64(Int64.max)]
        var values: [UInt64] = [0, 1, 2, 3, 4, 5, 6]
        RadixSort.sort(&keys, carrying: &values)
        #expect(keys == [0, 1, 1, 5, 5, 1 << 40, UInt64(Int64.max)])
        #expect(values == [4, 1, 5, 0, 3, 2, 6])
    }

    @Test func aFileIsMappedAndAMissingOneIsOneClearLine() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("registry.csv", "plate,make,model,color,vehicle_type\n1ABC123,VW,Golf VII,anthracite,car\n")
        let (registry, report) = try VehicleRegistry.load(contentsOf: path, vocabulary: RegistryFixtures.vocabulary)
        #expect(registry.count == 1)
        #expect(report.description == "\(path): loaded 1 lines, skipped 0")
        #expect(
            registry.vehicle(registeredAs: "1ABC123")?.normalised == NormalisedVehicle(make: "volkswagen", model: "golf", color: "grey"))
        let empty = try directory.write("empty.csv", "")
        #expect(try VehicleRegistry.load(contentsOf: empty, vocabulary: RegistryFixtures.vocabulary).0.count == 0)
        let error = #expect(throws: RegistryFileError.self) {
            _ = try VehicleRegistry.load(contentsOf: directory.file("missing.csv"), vocabulary: RegistryFixtures.vocabulary)
        }
        #expect(error?.description.contains("--registry") == true)
        #expect(error?.description.contains("\n") == false)
    }
}

@Suite("Vehicle registry: fit and misreads")
struct RegistryLookupTests {
    static let registry = RegistryFixtures.registry([
        "1QZX417,BMW,3 Series,black,car",
        "1OZX417,Citroën,C3,blue,car",
        "1ABC128,Volkswagen,Golf,grey,car",
        "1QBC128,Opel,Corsa,red,car",
        "2DEF555,Renault,Clio,white,car",
        "2DEF5S5,Renault,Clio,white,car",
    ])
    let lookup = RegistryLookup(registry: RegistryLookupTests.registry, cameras: RegistryFixtures.cameras)

    struct FitCase: CustomTestStringConvertible, Sendable {
        let name: String
        let plate: String
        let make: String?, model: String?, color: String?
        let confidence: Double?
        let night: Bool
        let fit: VehicleFit
        var testDescription: String { name }
    }

    @Test(arguments: [
        FitCase(
            name: "same car, other spelling", plate: "1QZX417", make: "bmw", model: "320d", color: "Zwart", confidence: 0.9, night: false,
            fit: .fits),
        FitCase(
            name: "make and model only", plate: "1QZX417", make: "BMW", model: "3er", color: nil, confidence: 0.9, night: false, fit: .fits),
        FitCase(
            name: "other make", plate: "1QZX417", make: "Ford", model: "Focus", color: "black", confidence: 0.9, night: false,
            fit: .contradicts(["make"])),
        FitCase(
            name: "other model", plate: "1QZX417", make: "BMW", model: "5 Series", color: "black", confidence: 0.9, night: false,
            fit: .contradicts(["model"])),
        FitCase(
            name: "other colour by day", plate: "1QZX417", make: "BMW", model: "3 Series", color: "white", confidence: 0.9, night: false,
            fit: .contradicts(["color"])),
        FitCase(
            name: "near colour", plate: "1QZX417", make: "BMW", model: "3 Series", color: "anthracite", confidence: 0.9, night: false,
            fit: .fits),
        FitCase(
            name: "colour at night not judged", plate: "1QZX417", make: "BMW", model: "3 Series", color: "white", confidence: 0.95,
            night: true, fit: .fits),
        FitCase(
            name: "night below its threshold", plate: "1QZX417", make: "Ford", model: "Focus", color: nil, confidence: 0.85, night: true,
            fit: .undetermined),
        FitCase(
            name: "low confidence", plate: "1QZX417", make: "Ford", model: "Focus", color: "red", confidence: 0.5, night: false,
            fit: .undetermined),
        FitCase(
            name: "no confidence", plate: "1QZX417", make: "Ford", model: "Focus", color: "red", confidence: nil, night: false,
            fit: .undetermined),
        FitCase(
            name: "no classifier", plate: "1QZX417", make: nil, model: nil, color: nil, confidence: 0.9, night: false, fit: .undetermined),
        FitCase(
            name: "colour only, agreeing", plate: "1QZX417", make: nil, model: nil, color: "black", confidence: 0.9, night: false,
            fit: .undetermined),
        FitCase(
            name: "not registered", plate: "9ZZZ999", make: "BMW", model: "3 Series", color: "black", confidence: 0.9, night: false,
            fit: .notRegistered),
    ])
    func fitComparesWhatTheCameraSawWithTheRegistration(_ c: FitCase) {
        let read = vehicleRead(
            "1QZX417", at: c.night ? RegistryFixtures.night : RegistryFixtures.day, make: c.make, model: c.model,
            color: c.color, vehicleConfidence: c.confidence)
        #expect(lookup.fit(of: read, registeredAs: c.plate) == c.fit)
    }

    @Test(arguments: [
        ("2026-11-22T12:00:00Z", false), ("2026-11-22T23:00:00Z", true), ("2026-06-21T20:30:00Z", false),
        ("2026-06-21T21:30:00Z", true), ("2026-12-21T07:00:00Z", true), ("2026-12-21T08:30:00Z", false),
    ])
    func darknessFollowsTheSunAtTheCamera(time: String, dark: Bool) {
        // Antwerp: sunset on 21 June is about 20:00 UTC, civil dusk about 20:50 UTC; sunrise on
        // 21 December about 07:45 UTC, civil dawn about 07:05 UTC.
        #expect(lookup.isDark(vehicleRead("1QZX417", at: Timestamp(rfc3339: time)!)) == dark)
    }

    @Test func sunElevationAtMiddayInJuneIsHigh() {
        let elevation = Daylight.sunElevation(at: Timestamp(rfc3339: "2026-06-21T11:45:00Z")!, latitude: 51.22, longitude: 4.40)
        #expect(abs(elevation - 62.2) < 0.5)
    }

    struct MisreadCase: CustomTestStringConvertible, Sendable {
        let name: String
        let plate: String
        let make: String?, model: String?, color: String?
        let country: String
        let corrected: String?
        var testDescription: String { name }
    }

    @Test(arguments: [
        MisreadCase(
            name: "one variant, fits", plate: "1ABC12B", make: "VW", model: "Golf VII", color: "silver", country: "BE", corrected: "1ABC128"
        ),
        MisreadCase(
            name: "two substitutions", plate: "1OBC12B", make: "Opel", model: "Corsa", color: "red", country: "BE", corrected: "1QBC128"),
        MisreadCase(
            name: "one variant, other car", plate: "1ABC12B", make: "Ford", model: "Focus", color: "red", country: "BE", corrected: nil),
        MisreadCase(name: "one variant, nothing seen", plate: "1ABC12B", make: nil, model: nil, color: nil, country: "BE", corrected: nil),
        MisreadCase(name: "two variants", plate: "10ZX417", make: "Citroen", model: "C3", color: "blue", country: "BE", corrected: nil),
        MisreadCase(
            name: "two variants, both fit", plate: "2DEFS55", make: "Renault", model: "Clio", color: "white", country: "BE", corrected: nil),
        MisreadCase(name: "registered itself", plate: "1ABC128", make: "VW", model: "Golf", color: "grey", country: "BE", corrected: nil),
        MisreadCase(name: "foreign plate", plate: "1ABC12B", make: "VW", model: "Golf", color: "grey", country: "NL", corrected: nil),
        MisreadCase(name: "no variant", plate: "7XYW777", make: "VW", model: "Golf", color: "grey", country: "BE", corrected: nil),
    ])
    func aMisreadIsCorrectedOnlyToTheOneRegisteredVariantThatFits(_ c: MisreadCase) {
        let read = vehicleRead(
            c.plate, at: RegistryFixtures.day, make: c.make, model: c.model, color: c.color, vehicleConfidence: 0.9,
            country: c.country)
        #expect(lookup.misreadCorrection(for: read) == c.corrected)
    }

    /// Each row: plate read, what the camera saw, the plate to leave out, the look-alike found.
    @Test(
        arguments: [
            ("10ZX417", "Citroen", "C3", "1QZX417", "1OZX417"),
            ("10ZX417", "BMW", "320d", "1OZX417", "1QZX417"),
            // The only variant that fits is the one left out (the listed plate).
            ("10ZX417", "Citroen", "C3", "1OZX417", nil),
            // Nothing registered fits what the camera saw.
            ("10ZX417", "Ford", "Focus", "XXX", nil),
            // The camera saw nothing to judge.
            ("10ZX417", nil, nil, "XXX", nil),
        ] as [(String, String?, String?, String, String?)])
    func aFittingLookAlikeIsARegisteredVariantWhoseVehicleTheCameraSaw(
        plate: String, make: String?, model: String?, otherThan: String, expected: String?
    ) {
        let read = vehicleRead(plate, at: RegistryFixtures.day, make: make, model: model, vehicleConfidence: 0.9)
        #expect(lookup.fittingLookAlike(of: read, otherThan: otherThan, within: .standard) == expected)
        let foreign = vehicleRead(plate, at: RegistryFixtures.day, make: make, model: model, vehicleConfidence: 0.9, country: "NL")
        #expect(lookup.fittingLookAlike(of: foreign, otherThan: otherThan, within: .standard) == nil)
    }

    @Test func lookAlikesDifferBySubstitutionsOnlyAndWithinTheTolerance() {
        // 1ABC28 dropped a character of 1ABC128: one character less opens too many candidates.
        let shorter = vehicleRead("1ABC28", at: RegistryFixtures.day, make: "VW", model: "Golf", vehicleConfidence: 0.9)
        #expect(lookup.fittingLookAlike(of: shorter, otherThan: "XXX", within: .standard) == nil)
        // 1OBC12B is two substitutions from 1QBC128 (an Opel Corsa).
        let twice = vehicleRead("1OBC12B", at: RegistryFixtures.day, make: "Opel", model: "Corsa", vehicleConfidence: 0.9)
        #expect(lookup.fittingLookAlike(of: twice, otherThan: "XXX", within: .standard) == "1QBC128")
        #expect(lookup.fittingLookAlike(of: twice, otherThan: "XXX", within: OCRTolerance(maximumSubstitutions: 1)) == nil)
    }

    @Test func variantsAreFoundWithOneThenTwoSubstitutions() {
        #expect(lookup.registeredVariants(of: "10ZX417") == ["1OZX417", "1QZX417"])
        #expect(lookup.registeredVariants(of: "IOBCIZB") == [])
        #expect(lookup.registeredVariants(of: "1OBC12B") == ["1QBC128"])
        #expect(lookup.registeredVariants(of: "1OBC12B", maximumSubstitutions: 1) == [])
        #expect(lookup.registeredVariants(of: "2DEFS55") == ["2DEF555", "2DEF5S5"])
    }
}

extension SystemRandomNumberGenerator {
    /// A deterministic generator for tests (SplitMix64).
    static func seeded(_ seed: UInt64) -> SeededRandom { SeededRandom(seed: seed) }
}

@Suite("Registry lookup: vehicle types through the memory of recent plates")
struct RegisteredVehicleTypeTests {
    /// The convoy detector asks for each new vehicle's type through the lookup; it must answer
    /// as the registry does, first time and from memory, and from a new registry after a reload.
    @Test func typesAreTheRegistrysBeforeAndAfterAReload() throws {
        let lookup = RegistryLookup(
            registry: RegistryFixtures.registry(["1BUS001,Van Hool,A330,yellow,bus", "1CAR002,Opel,Corsa,red,car", "1NOT003,Opel,Corsa,red,"]),
            cameras: RegistryFixtures.cameras)
        let plates = ["1BUS001", "1CAR002", "1NOT003", "9ZZZ999"]
        for _ in 0..<2 {
            for plate in plates {
                let key = try #require(PlateKey(plate))
                #expect(lookup.registeredVehicleType(key) == lookup.registry.vehicle(registeredAs: plate)?.vehicleType, "\(plate)")
                _ = lookup.registeredVehicle(key)
            }
        }
        #expect(lookup.registeredVehicleType(PlateKey("1BUS001")!) == "bus")
        #expect(lookup.registeredVehicleType(PlateKey("9ZZZ999")!) == nil)
        lookup.replace(RegistryFixtures.registry(["1BUS001,Opel,Corsa,red,car", "9ZZZ999,Van Hool,A330,yellow,bus"]))
        #expect(lookup.registeredVehicleType(PlateKey("1BUS001")!) == "car")
        #expect(lookup.registeredVehicleType(PlateKey("9ZZZ999")!) == "bus")
        #expect(lookup.registeredVehicleType(PlateKey("1CAR002")!) == nil)
    }
}
