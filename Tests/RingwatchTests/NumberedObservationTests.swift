import RingwatchCore
import RingwatchIndex
import RingwatchRegistry
import RingwatchTesting
import Testing

/// `RegistryLookup.observation(of:camera:description:)` caches by the window's numbers; it
/// must say exactly what `observation(of:)` says, through dusk, policy changes and reloads.
@Suite("RegistryLookup: observations by the window's numbers")
struct NumberedObservationTests {
    func observe(_ reads: [PlateRead], _ lookup: RegistryLookup, _ index: ReadIndex) -> [(Observation, Observation)] {
        reads.map { read in
            index.insert(read)
            let numbers = index.inserted(read.id)!
            let numbered = lookup.observation(of: read, camera: Int(numbers.camera.rawValue), description: numbers.description)
            return (numbered, lookup.observation(of: read))
        }
    }

    func traffic(from start: Timestamp, minutes: Int) -> [PlateRead] {
        let descriptions: [(String?, String?, String?)] = [
            ("Volkswagen", "Golf", "grey"), ("VW", "Golf VII", "Grey"), ("Skoda", "Octavia", "black"), (nil, nil, "white"),
            ("BMW", nil, nil), (nil, nil, nil),
        ]
        return (0..<minutes * 6).map { n in
            let (make, model, color) = descriptions[n % descriptions.count]
            return vehicleRead(
                "1ABC\(100 + n % 50)", at: start.adding(seconds: Int64(n) * 10), camera: ["R1-01", "R3-09", "R2-05"][n % 3],
                make: make, model: model, color: color, vehicleConfidence: [0.95, 0.6, 0.8, nil][n % 4])
        }
    }

    @Test func numberedObservationsEqualPlainOnesThroughDusk() {
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(["1ABC100,Volkswagen,Golf,grey,car"]), cameras: RegistryFixtures.cameras)
        // 15:30 to 17:30 UTC in November: the sun sets over Antwerp in between.
        let pairs = observe(traffic(from: Timestamp(rfc3339: "2026-11-22T15:30:00Z")!, minutes: 120), lookup, ReadIndex())
        #expect(pairs.contains { $0.0.isDark } && pairs.contains { !$0.0.isDark })
        #expect(pairs.contains { $0.0.isJudged } && pairs.contains { !$0.0.isJudged })
        for (numbered, plain) in pairs { #expect(numbered == plain) }
    }

    @Test func policyChangesAndReloadsAreSeenByTheNumberedCaches() {
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(["1ABC100,Volkswagen,Golf,grey,car"]), cameras: RegistryFixtures.cameras)
        let index = ReadIndex()
        let reads = traffic(from: Timestamp(rfc3339: "2026-11-22T16:20:00Z")!, minutes: 10)
        let before = observe(reads, lookup, index)
        var policy = lookup.policy
        policy.darkBelowSunElevation = -30  // nothing is dark any more
        policy.minimumConfidence = 0.9
        lookup.policy = policy
        lookup.replace(RegistryFixtures.registry(["1ABC101,Skoda,Octavia,black,car"]))
        let after = observe(reads.map { read in
            vehicleRead(read.plate.text, at: read.timestamp.adding(seconds: 1), camera: read.camera, make: read.make, model: read.model,
                        color: read.color, vehicleConfidence: read.vehicleConfidence)
        }, lookup, index)
        #expect(before.contains { $0.0.isDark } && !after.contains { $0.0.isDark })
        for (numbered, plain) in before + after { #expect(numbered == plain) }
    }

    /// Darkness is remembered per camera for as many minutes as the sun cannot cross the
    /// threshold in: every minute of two November days, asked in order and then shuffled (late
    /// reads go back in time), must say what the sun says for that minute.
    @Test func darknessRememberedForSpansOfMinutesAgreesWithTheSunEveryMinute() throws {
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(["1ABC100,Volkswagen,Golf,grey,car"]), cameras: RegistryFixtures.cameras)
        let start = try #require(Timestamp(rfc3339: "2026-11-22T00:00:00Z"))
        var random = SeededRandom(seed: 23)
        let minutes = Array(0..<2_880)
        var wrong = 0, dark = 0
        for minute in minutes + minutes.shuffled(using: &random) {
            for name in ["R1-01", "R3-09"] {
                let camera = try #require(RegistryFixtures.cameras[name])
                let read = vehicleRead("1ABC100", at: start.adding(seconds: Int64(minute) * 60 + 59), camera: name, vehicleConfidence: 0.9)
                let sun = Daylight.isDark(
                    at: start.adding(seconds: Int64(minute) * 60), latitude: camera.latitude, longitude: camera.longitude, threshold: -6)
                // The window would refuse reads a day late: number the cameras here.
                let numbered = lookup.observation(of: read, camera: name == "R1-01" ? 1 : 2, description: nil)
                if lookup.isDark(read) != sun || numbered.isDark != sun { wrong += 1 }
                if sun { dark += 1 }
            }
        }
        #expect(wrong == 0)
        #expect(dark > 4_000 && dark < 8_000)  // both nights and both days were asked
    }

    /// The lookup answers as the registry does, for plates asked again and again, unregistered
    /// ones, and after a reload.
    @Test func registeredVehicleAnswersAsTheRegistryDoes() throws {
        let lines = (0..<300).map { "1ABC\(100 + $0),\(["Volkswagen,Golf,grey", "Skoda,Octavia,black", "BMW,X1,blue"][$0 % 3]),car" }
        let lookup = RegistryLookup(registry: RegistryFixtures.registry(lines), cameras: RegistryFixtures.cameras)
        // 200 plates of which 100 are registered, asked five times over in an interleaved order.
        let keys = (0..<1_000).map { try! #require(PlateKey("1ABC\(300 + ($0 * 7) % 200)")) }
        for key in keys { #expect(lookup.registeredVehicle(key) == lookup.registry.normalisedVehicle(key)) }
        #expect(keys.contains { lookup.registeredVehicle($0) == nil } && keys.contains { lookup.registeredVehicle($0) != nil })
        lookup.replace(RegistryFixtures.registry(["1ABC499,Peugeot,308,white,car"]))
        for key in keys { #expect(lookup.registeredVehicle(key) == lookup.registry.normalisedVehicle(key)) }
        #expect(lookup.registeredVehicle(try #require(PlateKey("1ABC499")))?.make == lookup.registry.normalisedVehicle(try #require(PlateKey("1ABC499")))?.make)
        #expect(lookup.registeredVehicle(try #require(PlateKey("1ABC300"))) == nil)
    }
}
