import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import Testing

@Suite("CloneDetector")
struct CloneDetectorTests {
    let day = RegistryFixtures.day
    let cameras = RegistryFixtures.cameras
    /// Two cameras on the outer ring, north and south of the city (about 15.8 km apart).
    var farApart: Double { cameras["R3-01"]!.distanceKilometres(to: cameras["R3-09"]!) }
    /// Seconds a car needs between them at 200 km/h.
    var fastest: Double { farApart / 200 * 3600 }

    func makeRig(registry: [String]? = nil, _ tune: (inout CloneDetector.Configuration) -> Void = { _ in }) -> (DetectorRig, CloneDetector)
    {
        var configuration = CloneDetector.Configuration()
        tune(&configuration)
        let lookup = registry.map { RegistryLookup(registry: RegistryFixtures.registry($0), cameras: RegistryFixtures.cameras) }
        let detector = CloneDetector(lookup: lookup, configuration: configuration)
        return (DetectorRig(detector), detector)
    }

    /// Reads restored into the window at a restart were never seen by the detector: alone they
    /// do not open a search, as before; once the detector saw a read of the plate within the
    /// span, every read of the window in the span is a candidate partner.
    @Test func readsRestoredAtARestartAloneDoNotPairButJoinASearchASeenReadOpens() throws {
        let (rig, _) = makeRig()
        let restored = vehicleRead("1NWR372", at: day, camera: "R3-01")
        rig.index.insert(restored)  // as `Pipeline.rebuild` does: into the window, past the detectors
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 60), camera: "R3-09")).isEmpty)
        // The detector saw that read; a third, beside it, pairs with the restored one far away.
        let drafts = rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 70), camera: "R3-09", id: "third"))
        let draft = try #require(drafts.first)
        #expect(draft.detail("other_read_id") == .string(restored.id.description))
    }

    @Test func onePlateFarApartTooFastFiresWithDistanceElapsedAndSpeed() throws {
        let (rig, _) = makeRig()
        let first = vehicleRead("1NWR372", at: day, camera: "R3-01")
        #expect(rig.send(first).isEmpty)
        let drafts = rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 60), camera: "R3-09"))
        let draft = try #require(drafts.first)
        #expect(drafts.count == 1)
        #expect(draft.kind == .clone)
        #expect(draft.severity == .high)
        #expect(draft.ring == "R3")
        #expect(draft.detail("other_read_id") == .string(first.id.description))
        #expect(draft.detail("other_camera") == .string("R3-01"))
        #expect(draft.detail("distance_km") == .double((farApart * 1000).rounded() / 1000))
        #expect(draft.detail("elapsed_s") == .double(60))
        #expect(draft.detail("implied_speed_kmh") == .double((farApart * 60 * 10).rounded() / 10))
        #expect(Set(draft.readIDs) == [first.id, draft.read.id])
        #expect(draft.explanation.contains("km/h"))
        #expect(draft.explanation.contains("both reads are confident"))
        #expect(!draft.explanation.contains("1NWR372"))
        #expect(abs(farApart - 15.8) < 0.3)
    }

    @Test(arguments: [0, 1, 30, 120])
    func implausibleGapsFireWhicheverReadArrivesFirst(seconds: Int64) {
        let (rig, _) = makeRig()
        // The later read arrives first (out of order); the pair is still found.
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: seconds), camera: "R3-09")).isEmpty)
        let draft = rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01")).first
        #expect(draft?.detail("elapsed_s") == .double(Double(seconds)))
        #expect(
            draft?.detail("implied_speed_kmh") == (seconds == 0 ? .null : .double((farApart / Double(seconds) * 3600 * 10).rounded() / 10)))
    }

    @Test(arguments: [600, 1800, 3 * 3600])
    func aPlausibleSpeedDoesNotFire(seconds: Int64) {
        let (rig, _) = makeRig()
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01")).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: seconds), camera: "R3-09")).isEmpty)
    }

    @Test(arguments: [("R1-01", "R1-02"), ("R1-01", "R1-14"), ("R1-01", "R1-01")])
    func neighbouringCamerasNeverFire(a: String, b: String) {
        let (rig, _) = makeRig()
        #expect(cameras[a]!.distanceKilometres(to: cameras[b]!) < 1)
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: a)).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(milliseconds: 100), camera: b, id: "second")).isEmpty)
    }

    @Test(arguments: [(-3.0, false), (-8.0, true), (4.0, false)])
    func theClockSkewMarginForgivesAFewSeconds(offset: Double, fires: Bool) {
        // `offset` seconds from the fastest legal time: 3 s too fast is within the 5 s margin.
        let (rig, _) = makeRig()
        let gap = Int64(((fastest + offset) * 1000).rounded())
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01")).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(milliseconds: gap), camera: "R3-09")).isEmpty == !fires)
    }

    @Test func theSpeedLimitAndMarginAreConfigurable() {
        let (rig, _) = makeRig {
            $0.maximumSpeedKilometresPerHour = 1000; $0.skewMarginSeconds = 0
        }
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01")).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 60), camera: "R3-09")).isEmpty)  // 948 km/h
        #expect(!rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 100), camera: "R3-16")).isEmpty)
    }

    /// `1ABC12B` is a blue Ford Focus; `1ABC128` a grey Golf. The Golf, misread as `1ABC12B`
    /// (its last character weak), passes a camera 16 km from the Ford a minute later.
    static let lookAlikes = ["1ABC12B,Ford,Focus,blue,car", "1ABC128,Volkswagen,Golf,grey,car"]

    func ford(_ time: Timestamp) -> PlateRead {
        vehicleRead(
            "1ABC12B", at: time, camera: "R3-01", make: "Ford", model: "Focus", color: "blue", vehicleConfidence: 0.9,
            characterConfidence: [0.99, 0.98, 0.97, 0.99, 0.98, 0.97, 0.96])
    }

    @Test func aConfusableDifferentVehicleThatFitsTheRegistryIsNotAClone() {
        let (rig, detector) = makeRig(registry: Self.lookAlikes)
        #expect(rig.send(ford(day)).isEmpty)
        // Confident characters, but the camera saw the Golf registered as the look-alike.
        let golf = vehicleRead(
            "1ABC12B", at: day.adding(seconds: 60), camera: "R3-09", make: "VW", model: "Golf", color: "silver",
            vehicleConfidence: 0.9)
        #expect(rig.send(golf).isEmpty)
        #expect(detector.suppressed == 1)
    }

    @Test func aWeakConfusableCharacterWithARegisteredLookAlikeIsNotAClone() {
        let (rig, detector) = makeRig(registry: Self.lookAlikes)
        #expect(rig.send(ford(day)).isEmpty)
        let unseen = vehicleRead(
            "1ABC12B", at: day.adding(seconds: 60), camera: "R3-09",
            characterConfidence: [0.99, 0.98, 0.97, 0.99, 0.98, 0.97, 0.45])
        #expect(rig.send(unseen).isEmpty)
        #expect(detector.suppressed == 1)
    }

    @Test func aWeakCharacterWithoutALookAlikeFiresAtMediumAndSaysWhy() throws {
        let (rig, _) = makeRig()
        #expect(rig.send(ford(day)).isEmpty)
        let weak = vehicleRead(
            "1ABC12B", at: day.adding(seconds: 60), camera: "R3-09",
            characterConfidence: [0.99, 0.98, 0.97, 0.99, 0.98, 0.97, 0.45])
        let draft = try #require(rig.send(weak).first)
        #expect(draft.severity == .medium)
        #expect(draft.explanation.contains("may be an OCR misread"))
        #expect(draft.explanation.contains("0.45"))
    }

    @Test func aCloneOfARegisteredPlateOnAnotherCarStillFires() throws {
        // Same registry: the second car is not the registered look-alike, so it is a clone.
        let (rig, _) = makeRig(registry: Self.lookAlikes)
        #expect(rig.send(ford(day)).isEmpty)
        let other = vehicleRead(
            "1ABC12B", at: day.adding(seconds: 60), camera: "R3-09", make: "Opel", model: "Corsa", color: "red",
            vehicleConfidence: 0.9, characterConfidence: [0.99, 0.98, 0.97, 0.99, 0.98, 0.97, 0.95])
        #expect(try #require(rig.send(other).first).severity == .high)
    }

    @Test func onePlateFiresOncePerRateLimitUnlessTheSeverityRises() {
        let (rig, _) = makeRig()
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01", characterConfidence: [0.5, 1, 1, 1, 1, 1, 1])).isEmpty)
        #expect(
            rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 60), camera: "R3-09", characterConfidence: [0.5, 1, 1, 1, 1, 1, 1]))
                .first?.severity == .medium)
        // A confident read whose only partner is the doubtful one: still medium, so quiet.
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 120), camera: "R3-01")).isEmpty)
        // Two confident reads a minute apart are stronger evidence: it fires despite the limit.
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 180), camera: "R3-09")).first?.severity == .high)
        // The same again within ten minutes: quiet.
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 240), camera: "R3-01")).isEmpty)
        // Ten minutes after the last trigger, the two cars are reported again.
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 720), camera: "R3-09")).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 800), camera: "R3-01")).first?.severity == .high)
    }

    @Test func readsFromUnregisteredCamerasAreIgnored() {
        let (rig, _) = makeRig()
        #expect(rig.send(vehicleRead("1NWR372", at: day, camera: "R3-01")).isEmpty)
        #expect(rig.send(vehicleRead("1NWR372", at: day.adding(seconds: 10), camera: "X-99")).isEmpty)
    }
}
