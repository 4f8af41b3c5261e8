import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import Testing

/// Corroboration rules 2 and 4 against a real `RegistryLookup` built from CSV text: a plate as
/// read that is itself registered lowers a variant hit two steps; registered plates the read is
/// an equally close misread of divide the score and lower the severity a step.
@Suite("Hotlist corroboration: registered alternatives")
struct HotlistAmbiguityTests {
    /// The listed vehicle, always registered.
    static let listed = "1ABC123,Volkswagen,Golf,grey,car"

    static func lookup(_ lines: [String]) -> RegistryLookup {
        RegistryLookup(registry: RegistryFixtures.registry([listed] + lines), cameras: RegistryFixtures.cameras)
    }

    static func stolen(_ plate: String = "1ABC123", severity: Severity = .critical) -> HotlistEntry {
        HotlistEntry(pattern: plate, category: "stolen_vehicle", severity: severity, reason: "Stolen in Deurne", expires: nil)
    }

    /// A read at night without classifier output (nothing can be judged), or by day with one.
    static func read(_ plate: String, seen: (make: String, model: String, color: String)? = nil) -> PlateRead {
        guard let seen else { return vehicleRead(plate, at: RegistryFixtures.night) }
        return vehicleRead(plate, at: RegistryFixtures.day, make: seen.make, model: seen.model, color: seen.color, vehicleConfidence: 0.9)
    }

    static let golf = (make: "Volkswagen", model: "Golf", color: "grey")
    static let corsa = (make: "Opel", model: "Corsa", color: "red")

    func draft(_ read: PlateRead, entry: HotlistEntry = stolen(), registry: RegistryLookup?) throws -> TriggerDraft {
        let detector = HotlistDetector(entries: [entry])
        detector.registry = registry
        return try #require(DetectorRig(detector).send(read).first)
    }

    func registryField(_ draft: TriggerDraft, _ name: String) -> JSONValue? {
        guard case .object(let fields)? = draft.detail("registry") else { return nil }
        return fields.first { $0.0 == name }?.1
    }

    // MARK: The search

    @Test(
        "registered alternatives of a read",
        arguments: [
            ("standard tolerance", OCRTolerance.standard, ["IAC1Z3", "1AC12", "1ACC123", "1AXC123"]),
            ("no drops or additions", OCRTolerance(allowsDropInsert: false), ["IAC1Z3"]),
            ("one substitution", OCRTolerance(maximumSubstitutions: 1), ["1AC12", "1ACC123", "1AXC123"]),
            ("drops only on plates of 7+", OCRTolerance(dropInsertMinimumLength: 7), ["IAC1Z3", "1ACC123", "1AXC123"]),
            ("exact only", OCRTolerance.exactOnly, []),
        ] as [(String, OCRTolerance, [String])])
    func registeredAlternativesAreLookAlikesThenCompletionsAndDeletions(name: String, tolerance: OCRTolerance, expected: [String]) {
        // 1AC123 could be 1ABC123 with the B dropped, 1AXC123 or 1ACC123 likewise, 1AC12 with
        // a 3 added, or IAC1Z3 with two confusions; 7XYZ999 is nothing like it.
        let lookup = Self.lookup([
            "1AXC123,Opel,Corsa,red,car", "1ACC123,Opel,Corsa,red,car", "IAC1Z3,Opel,Corsa,red,car", "1AC12,Opel,Corsa,red,car",
            "7XYZ999,Opel,Corsa,red,car",
        ])
        let alternatives = lookup.registeredAlternatives(of: Self.read("1AC123"), otherThan: "1ABC123", within: tolerance)
        #expect(alternatives.map(\.plate) == expected, "\(name)")
        #expect(alternatives.allSatisfy { $0.fit == .undetermined }, "\(name): nothing seen at night")
    }

    @Test func theFitOfEachAlternativeComesFromWhatTheCameraSaw() {
        let lookup = Self.lookup(["1AXC123,Opel,Corsa,red,car", "1ACC123,Volkswagen,Golf,grey,car"])
        let alternatives = lookup.registeredAlternatives(of: Self.read("1AC123", seen: Self.golf), otherThan: "1ABC123", within: .standard)
        #expect(alternatives == [
            RegisteredAlternative(plate: "1ACC123", fit: .fits),
            RegisteredAlternative(plate: "1AXC123", fit: .contradicts(["make", "color"])),
        ])
        // The plate as read and the listed plate are never alternatives of themselves.
        let itself = Self.lookup(["1AC123,Opel,Corsa,red,car"])
        #expect(itself.registeredAlternatives(of: Self.read("1AC123"), otherThan: "1ABC123", within: .standard).isEmpty)
    }

    // MARK: Rule 4, ambiguity

    struct AmbiguityCase: CustomTestStringConvertible, Sendable {
        let name: String
        /// Registry lines besides the listed vehicle.
        let registered: [String]
        let plate: String
        let seen: (make: String, model: String, color: String)?
        let entry: String
        let rivals: Int
        let score: Double
        let severity: Severity
        var testDescription: String { name }
    }

    @Test(arguments: [
        // 1AC123 dropped the B of 1ABC123: score 0.95 × 0.68 = 0.646.
        AmbiguityCase(
            name: "no registered alternative", registered: [], plate: "1AC123", seen: nil, entry: "1ABC123", rivals: 0, score: 0.646,
            severity: .critical),
        AmbiguityCase(
            name: "one completion, nothing seen: score halved, a step for it and one for the score",
            registered: ["1AXC123,Opel,Corsa,red,car"], plate: "1AC123", seen: nil, entry: "1ABC123", rivals: 1, score: 0.323,
            severity: .medium),
        AmbiguityCase(
            name: "three completions: a quarter, still only one step for them",
            registered: ["1AXC123,Opel,Corsa,red,car", "1ACC123,Opel,Corsa,red,car", "1AYC123,Opel,Corsa,red,car"], plate: "1AC123",
            seen: nil, entry: "1ABC123", rivals: 3, score: 0.162, severity: .medium),
        AmbiguityCase(
            name: "an alternative the camera rules out is no rival", registered: ["1AXC123,Opel,Corsa,red,car"], plate: "1AC123",
            seen: golf, entry: "1ABC123", rivals: 0, score: 0.823, severity: .critical),
        AmbiguityCase(
            name: "an alternative that fits as well as the listed vehicle", registered: ["1AXC123,Volkswagen,Golf,grey,car"],
            plate: "1AC123", seen: golf, entry: "1ABC123", rivals: 1, score: 0.411, severity: .medium),
        AmbiguityCase(
            name: "the listed vehicle contradicted, an alternative fits", registered: ["1AXC123,Opel,Corsa,red,car"], plate: "1AC123",
            seen: corsa, entry: "1ABC123", rivals: 1, score: 0.194, severity: .medium),
        AmbiguityCase(
            name: "two confusions away: a worse match than the drop, no rival", registered: ["IAC1Z3,Opel,Corsa,red,car"],
            plate: "1AC123", seen: nil, entry: "1ABC123", rivals: 0, score: 0.646, severity: .critical),
        // 1ADC123: D read where 1AOC123 has O, or where 1AQC123 has Q; equally close.
        AmbiguityCase(
            name: "an equally close look-alike", registered: ["1AOC123,Opel,Corsa,red,car", "1AQC123,Opel,Corsa,red,car"],
            plate: "1ADC123", seen: nil, entry: "1AOC123", rivals: 1, score: 0.361, severity: .medium),
    ])
    func registeredAlternativesDivideTheScoreAndLowerTheSeverity(_ c: AmbiguityCase) throws {
        let hit = try draft(Self.read(c.plate, seen: c.seen), entry: Self.stolen(c.entry), registry: Self.lookup(c.registered))
        #expect(hit.detail("match") == .string("ocr_variant"))
        #expect(abs((hit.detail("score")?.doubleValue ?? -1) - c.score) < 0.0015)
        #expect(hit.severity == c.severity)
        #expect(registryField(hit, "rivals") == .int(Int64(c.rivals)))
        if c.rivals > 0 {
            #expect(hit.explanation.contains("the listed vehicle is about 1 candidate in \(c.rivals + 1): score divided by \(c.rivals + 1)"))
            #expect(hit.explanation.contains(c.rivals == 1 ? "another registered plate as close" : "\(c.rivals) other registered plates as close"))
            // Rivals are counted, never named: they are uninvolved vehicles.
            for line in c.registered where !line.hasPrefix(c.entry + ",") {
                #expect(!hit.explanation.contains(String(line.prefix { $0 != "," })))
            }
        } else {
            #expect(!hit.explanation.contains("candidate in"))
        }
    }

    // MARK: Rule 2, the plate as read is registered

    @Test(
        "a registered plate as read lowers a variant two steps",
        arguments: [
            // 1AOC123 read where 1AQC123 is listed: one confident substitution, score 0.722.
            ("nothing seen: × 0.7", nil, Severity.critical, 0.505, Severity.medium, true),
            ("nothing seen, a high entry", nil, .high, 0.505, .low, true),
            // The listed BMW contradicted (× 0.6), the Corsa as read fits (× 0.5), a step for the score.
            ("what the camera saw fits it", corsa, .critical, 0.217, .low, true),
            // It may be the listed vehicle misread: only the score rule lowers (× 0.6 for the BMW).
            ("what the camera saw contradicts it", golf, .critical, 0.433, .high, false),
        ] as [(String, (make: String, model: String, color: String)?, Severity, Double, Severity, Bool)])
    func aRegisteredPlateAsReadLowersTwoSteps(
        name: String, seen: (make: String, model: String, color: String)?, listed: Severity, score: Double, severity: Severity, byRule2: Bool
    ) throws {
        let lookup = Self.lookup(["1AQC123,BMW,3 Series,black,car", "1AOC123,Opel,Corsa,red,car"])
        let hit = try draft(Self.read("1AOC123", seen: seen), entry: Self.stolen("1AQC123", severity: listed), registry: lookup)
        #expect(abs((hit.detail("score")?.doubleValue ?? -1) - score) < 0.0015, "\(name)")
        #expect(hit.severity == severity, "\(name)")
        #expect(hit.explanation.contains("score lowered, severity two steps") == byRule2, "\(name)")
        #expect(hit.explanation.contains("severity lowered from \(listed.rawValue) to \(severity.rawValue)"), "\(name)")
    }

    // MARK: What stays

    @Test func exactHitsAreUntouchedWhateverIsRegistered() throws {
        let lookup = Self.lookup(["1ABC128,Opel,Corsa,red,car", "1AXC123,Opel,Corsa,red,car"])
        let hit = try draft(Self.read("1ABC123", seen: Self.corsa), registry: lookup)
        #expect(hit.detail("match") == .string("exact"))
        #expect(hit.detail("score") == .double(1))
        #expect(hit.severity == .critical)
        #expect(hit.detail("registry") == nil)
    }

    @Test func withoutARegistryNothingIsSearched() throws {
        let hit = try draft(Self.read("1AC123"), registry: nil)
        #expect(hit.detail("score") == .double(0.646))
        #expect(hit.severity == .critical)
        #expect(hit.detail("registry") == nil)
    }
}
