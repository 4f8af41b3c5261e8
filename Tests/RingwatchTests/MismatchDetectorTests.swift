import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import Testing

@Suite("MismatchDetector")
struct MismatchDetectorTests {
    static let registry = RegistryFixtures.registry([
        "1QZX417,BMW,3 Series,black,car",
        // A look-alike of 1QZX417 (O for Q).
        "1OZX417,Citroën,C3,blue,car",
        "1ABC128,Volkswagen,Golf,grey,car",
        "2KXT318,Volkswagen,Tiguan,black,car",
    ])
    let day = RegistryFixtures.day
    let night = RegistryFixtures.night

    func makeRig(_ tune: (inout MismatchDetector.Configuration) -> Void = { _ in }) -> (DetectorRig, MismatchDetector) {
        var configuration = MismatchDetector.Configuration()
        tune(&configuration)
        let detector = MismatchDetector(
            lookup: RegistryLookup(registry: Self.registry, cameras: RegistryFixtures.cameras), configuration: configuration)
        return (DetectorRig(detector), detector)
    }

    /// A read of the registered BMW as it really is.
    func bmw(_ time: Timestamp, camera: String = "R1-01", confidence: Double = 0.9) -> PlateRead {
        vehicleRead("1QZX417", at: time, camera: camera, make: "BMW", model: "320d", color: "black", vehicleConfidence: confidence)
    }

    /// A read of the BMW's plate on a red Ford Focus.
    func ford(_ time: Timestamp, camera: String = "R2-05", confidence: Double = 0.9) -> PlateRead {
        vehicleRead("1QZX417", at: time, camera: camera, make: "Ford", model: "Focus", color: "red", vehicleConfidence: confidence)
    }

    @Test func aConfidentDaylightMismatchFiresWithRegisteredObservedAndMismatchedFields() throws {
        let (rig, _) = makeRig()
        let drafts = rig.send(ford(day, confidence: 0.97))
        let draft = try #require(drafts.first)
        #expect(drafts.count == 1)
        #expect(draft.kind == .mismatch)
        #expect(draft.severity == .medium)
        #expect(draft.ring == "R2")
        #expect(
            draft.detail("registered") == .object([("make", .string("BMW")), ("model", .string("3 Series")), ("color", .string("black"))]))
        #expect(
            draft.detail("observed")
                == .object([
                    ("make", .string("Ford")), ("model", .string("Focus")), ("color", .string("red")), ("confidence", .double(0.97)),
                ]))
        #expect(draft.detail("mismatched") == .array([.string("make"), .string("color")]))
        #expect(draft.detail("rule") == .string("single"))
        #expect(draft.explanation.contains("a black BMW 3 Series"))
        #expect(draft.explanation.contains("a red Ford Focus"))
        #expect(!draft.explanation.contains("1QZX417"))
        #expect(draft.readIDs.count == 1)
    }

    @Test func historiesAreForgottenWithinAnHourOfLeavingTheHorizonOneShardAtATime() {
        let (rig, detector) = makeRig { $0.historyHours = 2 }
        let golf = vehicleRead("1ABC128", at: day, camera: "R1-02", make: "Volkswagen", model: "Golf", color: "grey", vehicleConfidence: 0.9)
        func tiguan(_ minutes: Int64) -> PlateRead {
            vehicleRead("2KXT318", at: day.adding(seconds: minutes * 60), camera: "R2-03", make: "Volkswagen", model: "Tiguan",
                        color: "black", vehicleConfidence: 0.9)
        }
        #expect(rig.send(bmw(day)).isEmpty && rig.send(golf).isEmpty)
        #expect(detector.trackedPlates == 2)
        // Inside the horizon a history stays, however many shards are swept meanwhile.
        for minute in stride(from: Int64(1), through: 119, by: 2) { #expect(rig.send(tiguan(minute)).isEmpty) }
        #expect(detector.trackedPlates == 3)
        // Past it, each shard is swept within the hour: the two old plates go, the Tiguan stays.
        for minute in Int64(121)...185 { #expect(rig.send(tiguan(minute)).isEmpty) }
        #expect(detector.trackedPlates == 1)
    }

    @Test(arguments: [0.85, 0.5])
    func oneMismatchBelowTheSingleReadConfidenceWaitsForCorroboration(confidence: Double) {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day, confidence: confidence)).isEmpty)
    }

    @Test(arguments: [0.4, 0.92, 0.99])
    func oneNightMismatchAfterManyMatchingDaylightReadsIsNoise(confidence: Double) {
        let (rig, _) = makeRig()
        for hour in 0..<6 { #expect(rig.send(bmw(day.adding(seconds: Int64(hour) * -3600 - 600))).isEmpty) }
        #expect(rig.send(ford(night, confidence: confidence)).isEmpty)
    }

    @Test func severalConsistentConfidentMismatchesAreASignal() throws {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day, confidence: 0.85)).isEmpty)
        let draft = try #require(rig.send(ford(day.adding(seconds: 900), camera: "R3-02", confidence: 0.88)).first)
        #expect(draft.severity == .high)
        #expect(draft.detail("rule") == .string("consistent"))
        #expect(draft.readIDs.count == 2)
        #expect(draft.detail("evidence") == .object([("matches", .int(0)), ("mismatches", .int(2))]))
    }

    @Test func inconsistentMismatchesAreNotCorroboration() {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day, confidence: 0.85)).isEmpty)
        let opel = vehicleRead("1QZX417", at: day.adding(seconds: 900), make: "Opel", model: "Astra", color: "red", vehicleConfidence: 0.85)
        #expect(rig.send(opel).isEmpty)
    }

    @Test func aPlateThatMatchedAndNowConsistentlyDoesNotIsTheStrongestSignal() throws {
        let (rig, _) = makeRig()
        for index in 0..<3 { #expect(rig.send(bmw(day.adding(seconds: Int64(index - 4) * 86_400))).isEmpty) }
        // The first mismatch after matches is held back...
        #expect(rig.send(ford(day, confidence: 0.97)).isEmpty)
        // ...the second confirms the plate now lives on another car.
        let draft = try #require(rig.send(ford(day.adding(seconds: 1200), camera: "R3-07")).first)
        #expect(draft.severity == .critical)
        #expect(draft.detail("rule") == .string("moved"))
        #expect(draft.detail("evidence") == .object([("matches", .int(3)), ("mismatches", .int(2))]))
        #expect(draft.explanation.contains("moved to another car"))
    }

    @Test func whenTheReadIsTooDarkTheRecentConfidentObservationsDecide() throws {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day, confidence: 0.85)).isEmpty)
        #expect(rig.send(ford(day.adding(seconds: 600), confidence: 0.85)).first?.severity == .high)
        // Night, the classifier unsure and wrong: the history still says "another car".
        let dark = vehicleRead(
            "1QZX417", at: night, camera: "R1-04", make: "BMW", model: "3 Series", color: "black", vehicleConfidence: 0.3)
        let draft = try #require(rig.send(dark).first)
        #expect(draft.severity == .high)
        #expect(draft.detail("rule") == .string("history"))
        #expect(draft.explanation.contains("too dark to judge this read"))
        #expect(
            draft.detail("observed")
                == .object([
                    ("make", .string("Ford")), ("model", .string("Focus")), ("color", .string("red")), ("confidence", .double(0.85)),
                ]))
        #expect(draft.readIDs.count == 3)
    }

    @Test func aDarkReadOfAVehicleWhoseHistoryMatchesIsQuiet() {
        let (rig, _) = makeRig()
        for index in 0..<3 { #expect(rig.send(bmw(day.adding(seconds: Int64(index) * 600))).isEmpty) }
        #expect(rig.send(ford(night, confidence: 0.3)).isEmpty)
        #expect(rig.send(vehicleRead("1QZX417", at: night.adding(seconds: 60))).isEmpty)
    }

    @Test func onePlateFiresOncePerHourUnlessTheSeverityRises() throws {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day, confidence: 0.97)).first?.severity == .medium)
        // Five minutes on, a second mismatch raises it to high: fires despite the rate limit.
        #expect(rig.send(ford(day.adding(seconds: 300))).first?.severity == .high)
        // More of the same within the hour: quiet.
        for minutes in [10, 20, 50] { #expect(rig.send(ford(day.adding(seconds: Int64(minutes) * 60))).isEmpty) }
        // An hour after the last trigger it is reported again.
        #expect(rig.send(ford(day.adding(seconds: 300 + 3600))).first?.severity == .high)
    }

    @Test(arguments: [
        ("Ford", "Focus", "black", Severity.high, ["make"]), ("Mercedes", "C 220 d", "red", .high, ["make", "color"]),
        ("BMW", "520d", "black", .medium, ["model"]), ("BMW", "X1", "red", .medium, ["model", "color"]),
        ("BMW", "318i", "white", .low, ["color"]),
    ])
    func theSeverityFollowsTheStrengthOfTheDifference(make: String, model: String, color: String, severity: Severity, fields: [String]) {
        let (rig, _) = makeRig()
        let seen = { (time: Timestamp) in vehicleRead("1QZX417", at: time, make: make, model: model, color: color, vehicleConfidence: 0.9) }
        #expect(rig.send(seen(day)).isEmpty)
        let draft = rig.send(seen(day.adding(seconds: 600))).first
        #expect(draft?.severity == severity)
        #expect(draft?.detail("mismatched") == .array(fields.map(JSONValue.string)))
    }

    @Test func aColourOnlyDifferenceIsWeakerEvidence() throws {
        let (rig, _) = makeRig()
        let white = { (time: Timestamp) in
            vehicleRead("1QZX417", at: time, make: "BMW", model: "3 Series", color: "white", vehicleConfidence: 0.98)
        }
        #expect(rig.send(white(day)).isEmpty)
        let draft = try #require(rig.send(white(day.adding(seconds: 600))).first)
        #expect(draft.severity == .low)
        #expect(draft.detail("mismatched") == .array([.string("color")]))
        // A near colour (anthracite for black) is no difference at all.
        let (quiet, _) = makeRig()
        for minutes in 0..<4 {
            let read = vehicleRead(
                "1QZX417", at: day.adding(seconds: Int64(minutes) * 600), make: "BMW", model: "3 Series",
                color: "anthracite", vehicleConfidence: 0.98)
            #expect(quiet.send(read).isEmpty)
        }
    }

    @Test func anUnregisteredBelgianPlateIsLowSeverityOnceConfirmedAndRateLimited() throws {
        let (rig, _) = makeRig()
        let read = { (time: Timestamp, camera: String) in
            vehicleRead("7XYW777", at: time, camera: camera, make: "Opel", model: "Astra", color: "blue", vehicleConfidence: 0.9)
        }
        // One camera could be an OCR error; a second camera confirms the plate.
        #expect(rig.send(read(day, "R1-01")).isEmpty)
        let draft = try #require(rig.send(read(day.adding(seconds: 300), "R2-04")).first)
        #expect(draft.severity == .low)
        #expect(draft.detail("registered") == .null)
        #expect(draft.detail("mismatched") == .array([.string("plate")]))
        #expect(draft.detail("rule") == .string("unregistered"))
        #expect(draft.readIDs.count == 2)
        #expect(rig.send(read(day.adding(seconds: 900), "R3-04")).isEmpty)
        #expect(rig.send(read(day.adding(seconds: 7200), "R3-05")).isEmpty)
        // A day later it may be reported again.
        #expect(rig.send(read(day.adding(seconds: 86_400 + 300), "R3-06")).first?.severity == .low)
    }

    @Test func anUnsureOCRReadOfAnUnregisteredPlateIsNotReported() {
        let (rig, _) = makeRig()
        for (index, camera) in ["R1-01", "R2-01", "R3-01"].enumerated() {
            let read = vehicleRead("7XYW777", at: day.adding(seconds: Int64(index) * 300), camera: camera, confidence: 0.6)
            #expect(rig.send(read).isEmpty)
        }
    }

    @Test func aRegisteredLookAlikeSeenUnderAMisreadPlateIsNeitherReportedNorRemembered() {
        let (rig, detector) = makeRig()
        // The blue Citroën C3 registered as 1OZX417, its O read as Q: confident, by day, again and again.
        for minute in 0..<4 {
            let read = vehicleRead(
                "1QZX417", at: day.adding(seconds: Int64(minute) * 600), camera: minute % 2 == 0 ? "R1-01" : "R2-05", make: "Citroen",
                model: "C3", color: "blue", vehicleConfidence: 0.97)
            #expect(rig.send(read).isEmpty)
        }
        #expect(detector.lookAlikeMisreads == 4)
        // Nothing was remembered: a real mismatch afterwards is judged on its own.
        let drafts = rig.send(ford(day.adding(seconds: 3000), confidence: 0.97))
        #expect(drafts.first?.detail("rule") == .string("single"))
        #expect(drafts.first?.detail("evidence") == .object([("matches", .int(0)), ("mismatches", .int(1))]))
    }

    @Test func aMisreadOfARegisteredPlateIsCorrectedNotReported() {
        let (rig, detector) = makeRig()
        var corrected: [String] = []
        detector.onMisread = { _, plate in corrected.append(plate) }
        for (index, camera) in ["R1-01", "R2-01"].enumerated() {
            let read = vehicleRead(
                "1ABC12B", at: day.adding(seconds: Int64(index) * 300), camera: camera, make: "VW", model: "Golf",
                color: "grey", vehicleConfidence: 0.9)
            #expect(rig.send(read).isEmpty)
        }
        #expect(detector.misreadsCorrected == 2)
        #expect(corrected == ["1ABC128", "1ABC128"])
        #expect(detector.lastCorrection?.plate == "1ABC128")
        // Unseen by the classifier: probably the same misread, so not reported either.
        for (index, camera) in ["R1-01", "R2-01"].enumerated() {
            #expect(rig.send(vehicleRead("1ABC12B", at: day.adding(seconds: 900 + Int64(index) * 300), camera: camera)).isEmpty)
        }
        #expect(detector.misreadsCorrected == 2)
    }

    @Test(arguments: ["NL", "FR", "DE"])
    func foreignPlatesAreNotChecked(country: String) {
        let (rig, _) = makeRig()
        for (index, camera) in ["R1-01", "R2-01", "R3-01"].enumerated() {
            let time = day.adding(seconds: Int64(index) * 300)
            let registeredText = vehicleRead(
                "1QZX417", at: time, camera: camera, make: "Ford", model: "Focus", color: "red",
                vehicleConfidence: 0.99, country: country)
            let unknownText = vehicleRead("7XYW777", at: time, camera: camera, vehicleConfidence: 0.99, country: country)
            #expect(rig.send(registeredText).isEmpty)
            #expect(rig.send(unknownText).isEmpty)
        }
    }

    @Test func withoutARegistryNothingIsChecked() {
        let detector = MismatchDetector(lookup: RegistryLookup(cameras: RegistryFixtures.cameras))
        let rig = DetectorRig(detector)
        for index in 0..<3 { #expect(rig.send(ford(day.adding(seconds: Int64(index) * 300), confidence: 0.99)).isEmpty) }
    }

    @Test func aPlateReRegisteredByAReloadStartsAFreshHistory() {
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(["2ZZZ999,Ford,Focus,red,car"]), cameras: RegistryFixtures.cameras)
        let rig = DetectorRig(MismatchDetector(lookup: lookup))
        let focus = { (time: Timestamp) in
            vehicleRead("2ZZZ999", at: time, make: "Ford", model: "Focus", color: "red", vehicleConfidence: 0.97)
        }
        for minutes in [0, 10, 20] { #expect(rig.send(focus(day.adding(seconds: Int64(minutes) * 60))).isEmpty) }
        lookup.replace(RegistryFixtures.registry(["2ZZZ999,Volkswagen,Golf,grey,car"]))
        // The three matches were against the old registration: they do not silence the new one.
        #expect(rig.send(focus(day.adding(seconds: 3600))).first?.detail("rule") == .string("single"))
    }

    @Test func aReloadWithAnotherVocabularyRenormalisesDescriptionsTheWindowNumbered() throws {
        // The same registration under a vocabulary that no longer folds "VW" into Volkswagen.
        let makes = RegistryFixtures.text("vehicle-makes.csv").split(separator: "\n").filter { !$0.hasPrefix("VW,") }
        let vocabulary = VehicleVocabulary.parse(
            makesCSV: makes.joined(separator: "\n"), makesFile: "makes.csv",
            modelsCSV: RegistryFixtures.text("vehicle-models.csv"), modelsFile: "vehicle-models.csv",
            colorsCSV: RegistryFixtures.text("vehicle-colors.csv"), colorsFile: "vehicle-colors.csv"
        ).0
        let line = "plate,make,model,color,vehicle_type\n2ZZZ999,Ford,Focus,red,car"
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(["2ZZZ999,Ford,Focus,red,car"]), cameras: RegistryFixtures.cameras)
        let rig = DetectorRig(MismatchDetector(lookup: lookup))
        let golf = { (time: Timestamp, confidence: Double) in
            vehicleRead("2ZZZ999", at: time, make: "VW", model: "Golf", color: "grey", vehicleConfidence: confidence)
        }
        // A Volkswagen seen once, not surely enough to fire alone.
        #expect(rig.send(golf(day, 0.9)).isEmpty)
        lookup.replace(VehicleRegistry.parse(csv: line, file: "test.csv", vocabulary: vocabulary).0)
        // The registration is the same, so the history stays; but "VW" is now a make of its own,
        // not the Volkswagen seen before: one observation of it, which fires alone by day.
        let drafts = rig.send(golf(day.adding(seconds: 600), 0.97))
        let draft = try #require(drafts.first)
        #expect(draft.detail("rule") == .string("single"))
    }

    @Test func theTriggerIDDependsOnlyOnTheEvidence() {
        let ids = (0..<2).map { _ in
            let (rig, _) = makeRig()
            return rig.send(ford(day, confidence: 0.97)).first?.triggerID
        }
        #expect(ids[0] != nil)
        #expect(ids[0] == ids[1])
    }
}
