import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchRegistry
import RingwatchTesting
import Testing
import ZeroMQ

/// The registry checks in a running engine: real sockets, real files, live reload.
@Suite("Registry checks in the engine", .serialized)
struct RegistryEngineTests {
    let noon = RegistryFixtures.day

    /// A loopback engine with `registry` (a path) loaded and the shipped spelling tables.
    func makeRig(registry: String) throws -> LoopbackEngine {
        try LoopbackEngine { configuration in
            configuration.registryPath = registry
            configuration.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
            configuration.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
            configuration.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
        }
    }

    func classified(
        _ plate: String, at time: Timestamp, camera: String, make: String, model: String, color: String,
        confidence: String = "0.97"
    ) -> String {
        ReadMessages.body(
            camera: camera, ts: time, plate: plate, make: make, model: model, color: color,
            extra: [("vehicle_confidence", confidence), ("country", "\"BE\"")])
    }

    /// Waits until the engine has taken `count` reads beyond the probes.
    func waitForAccepted(_ rig: LoopbackEngine, _ count: Int) -> Bool {
        let target = rig.probes + count
        return rig.waitFor { rig.engine.counters.accepted.load(ordering: .relaxed) >= target }
    }

    @Test func aMismatchAndACloneArePublishedOnTheTriggerSocket() throws {
        let rig = try makeRig(registry: RegistryFixtures.root + "registry.csv")
        defer { rig.engine.stop() }
        #expect(rig.engine.loadReports.contains { $0.file.hasSuffix("registry.csv") && $0.loaded == 61 && $0.skipped == 0 })

        // 1DKS617 is registered as a blue BMW 3 Series; a red Ford Focus carries it at noon.
        try rig.send(classified("1-DKS-617", at: noon, camera: "R2-05", make: "Ford", model: "Focus", color: "red"), topic: "read.R2.R2-05")
        let mismatch = try #require(try rig.nextTrigger())
        #expect(mismatch.topic == "trigger.mismatch.medium")
        #expect(mismatch.body["plate"] as? String == "1DKS617")
        #expect(mismatch.body["kind"] as? String == "mismatch")
        #expect(mismatch.body["mismatched"] as? [String] == ["make", "color"])
        let registered = try #require(mismatch.body["registered"] as? [String: Any])
        #expect(registered["make"] as? String == "BMW")
        #expect(registered["model"] as? String == "3 Series")
        let observed = try #require(mismatch.body["observed"] as? [String: Any])
        #expect(observed["make"] as? String == "Ford")
        #expect(observed["confidence"] as? Double == 0.97)

        // 1NWR372 (a silver Toyota Yaris) at both ends of the outer ring one minute apart.
        try rig.send(
            classified("1NWR372", at: noon, camera: "R3-01", make: "Toyota", model: "Yaris", color: "silver"), topic: "read.R3.R3-01")
        try rig.send(
            classified("1NWR372", at: noon.adding(seconds: 60), camera: "R3-09", make: "Toyota", model: "Yaris", color: "grey"),
            topic: "read.R3.R3-09")
        let clone = try #require(try rig.nextTrigger())
        #expect(clone.topic == "trigger.clone.high")
        #expect(clone.body["camera"] as? String == "R3-09")
        #expect(clone.body["other_camera"] as? String == "R3-01")
        #expect((clone.body["distance_km"] as? Double).map { abs($0 - 15.805) < 0.01 } == true)
        #expect(clone.body["elapsed_s"] as? Double == 60)
        #expect((clone.body["implied_speed_kmh"] as? Double ?? 0) > 900)
        #expect((clone.body["read_ids"] as? [String])?.count == 2)
        #expect((clone.body["read_ids"] as? [String])?.contains(clone.body["other_read_id"] as? String ?? "-") == true)

        let status = try rig.control("{\"op\":\"registry.status\"}")
        #expect(status["vehicles"] as? Int == 61)
    }

    @Test func aReadTheRegistryCorrectsReachesAnExactOnlyHotlistAsAVariantHit() throws {
        let rig = try LoopbackEngine(hotlist: "plate,category,severity,reason,expires\n1DKS617,stolen_vehicle,critical,Stolen in Berchem,\n") {
            configuration in
            configuration.registryPath = RegistryFixtures.root + "registry.csv"
            configuration.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
            configuration.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
            configuration.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
            configuration.hotlistMatching = .exactOnly
        }
        defer { rig.engine.stop() }
        // 1DK5617 is not registered; its one registered look-alike 1DKS617 (S read as 5) is a
        // blue BMW 3 Series, which is what the camera saw. The list forgives nothing itself.
        try rig.send(classified("1DK5617", at: noon, camera: "R2-05", make: "BMW", model: "3 Series", color: "blue"), topic: "read.R2.R2-05")
        let hit = try #require(try rig.nextTrigger())
        #expect(hit.topic == "trigger.hotlist.critical")
        #expect(hit.body["plate"] as? String == "1DK5617")
        #expect(hit.body["listed_plate"] as? String == "1DKS617")
        #expect(hit.body["match"] as? String == "ocr_variant")
        #expect(hit.body["corrected_by_registry"] as? Bool == true)
        #expect((hit.body["substitutions"] as? [[String: Any]])?.first?["read"] as? String == "5")
        #expect((hit.body["explanation"] as? String)?.contains("registry corrected the read") == true)
        // Once per read: nothing else fires for it.
        #expect(try rig.nextTrigger(timeoutMilliseconds: 300) == nil)

        // A different vehicle behind the same unregistered plate is not corrected: no hit.
        try rig.send(classified("1DK5617", at: noon.adding(seconds: 600), camera: "R2-05", make: "Peugeot", model: "208", color: "white"),
                     topic: "read.R2.R2-05")
        #expect(try rig.nextTrigger(timeoutMilliseconds: 500) == nil)
    }

    @Test func registryReloadChangesWhatFiresWithoutARestart() throws {
        let directory = TemporaryDirectory()
        let first = try directory.write("v1.csv", "plate,make,model,color,vehicle_type\n2ZZZ999,Ford,Focus,red,car\n")
        let second = try directory.write(
            "v2.csv", "plate,make,model,color,vehicle_type\n2ZZZ999,VW,Golf,grey,car\n1AAA111,Opel,Corsa,red,car\nbad!,x,y,z,car\n")
        let rig = try makeRig(registry: first)
        defer { rig.engine.stop() }

        try rig.send(classified("2ZZZ999", at: noon, camera: "R1-03", make: "Ford", model: "Focus", color: "red"))
        #expect(waitForAccepted(rig, 1))
        #expect(try rig.nextTrigger(timeoutMilliseconds: 300) == nil)

        let reply = try rig.control("{\"op\":\"registry.reload\",\"path\":\"\(second)\"}")
        #expect(reply["ok"] as? Bool == true)
        #expect(reply["vehicles"] as? Int == 2)
        #expect(reply["skipped"] as? Int == 1)
        #expect((reply["problems"] as? [String])?.first?.hasPrefix("line 4:") == true)

        // The same car an hour later is now on the wrong plate.
        try rig.send(classified("2ZZZ999", at: noon.adding(seconds: 3600), camera: "R1-03", make: "Ford", model: "Focus", color: "red"))
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.topic == "trigger.mismatch.medium")
        #expect((trigger.body["registered"] as? [String: Any])?["make"] as? String == "VW")

        let status = try rig.control("{\"op\":\"registry.status\"}")
        #expect(status["vehicles"] as? Int == 2)
        #expect(status["path"] as? String == second)

        // A missing file, or one without a usable vehicle, leaves the loaded registry in place.
        let missing = try rig.control("{\"op\":\"registry.reload\",\"path\":\"\(directory.file("nope.csv"))\"}")
        #expect(missing["ok"] as? Bool == false)
        #expect((missing["error"] as? String)?.contains("nope.csv") == true)
        let headerOnly = try directory.write("empty.csv", "plate,make,model,color,vehicle_type\n")
        let empty = try rig.control("{\"op\":\"registry.reload\",\"path\":\"\(headerOnly)\"}")
        #expect(empty["ok"] as? Bool == false)
        #expect(try rig.control("{\"op\":\"registry.status\"}")["vehicles"] as? Int == 2)
        // Without a path, the current file is read again.
        #expect(try rig.control("{\"op\":\"registry.reload\"}")["vehicles"] as? Int == 2)
    }

    @Test func anEngineWithoutARegistryRefusesAReloadWithoutPathAndRunsClonesOnly() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let reply = try rig.control("{\"op\":\"registry.reload\"}")
        #expect(reply["ok"] as? Bool == false)
        #expect((reply["error"] as? String)?.contains("--registry") == true)
        try rig.send(classified("1NWR372", at: noon, camera: "R3-01", make: "Ford", model: "Focus", color: "red"))
        try rig.send(classified("1NWR372", at: noon.adding(seconds: 30), camera: "R3-09", make: "Ford", model: "Focus", color: "red"))
        #expect(try rig.nextTrigger()?.topic == "trigger.clone.high")
    }

    @Test func aMissingRegistryFileStopsTheEngineWithOneLine() throws {
        let directory = TemporaryDirectory()
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("r.sqlite"), camerasPath: RegistryFixtures.root + "cameras.csv")
        configuration.registryPath = directory.file("missing.csv")
        configuration.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
        configuration.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
        configuration.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
        let error = #expect(throws: EngineConfiguration.Problem.self) {
            _ = try Engine(configuration: configuration, logger: Logger(label: "t"))
        }
        #expect(error?.description.contains("missing.csv") == true)
        configuration.registryPath = RegistryFixtures.root + "registry.csv"
        configuration.vehicleColorsPath = directory.file("colours.csv")
        let tables = #expect(throws: EngineConfiguration.Problem.self) {
            _ = try Engine(configuration: configuration, logger: Logger(label: "t"))
        }
        #expect(tables?.description.contains("colors in [registry]") == true)
    }
}

@Suite("Registry and clone configuration")
struct RegistryConfigurationTests {
    @Test func registryAndCloneTablesAreRead() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write(
            "ringwatch.toml",
            """
            [registry]
            path = "/data/div.csv"
            makes = "/etc/ringwatch/makes.csv"
            mismatch_min_confidence = 0.75
            night_min_confidence = 0.95
            judge_color_at_night = true
            single_read_min_confidence = 2
            min_consistent_mismatches = 3
            rate_limit_s = 1800
            report_unregistered = false

            [clone]
            max_speed_kmh = 180
            skew_margin_s = 10
            min_distance_km = 2.5
            enabled = true
            """)
        let configuration = try EngineConfiguration.load(tomlFile: path)
        #expect(configuration.registryPath == "/data/div.csv")
        #expect(configuration.vehicleMakesPath == "/etc/ringwatch/makes.csv")
        #expect(configuration.vehicleModelsPath == "Fixtures/vehicle-models.csv")
        #expect(configuration.observationPolicy.minimumConfidence == 0.75)
        #expect(configuration.observationPolicy.minimumNightConfidence == 0.95)
        #expect(configuration.observationPolicy.judgeColorAtNight)
        #expect(configuration.mismatch.singleReadConfidence == 2)
        #expect(configuration.mismatch.minimumMismatches == 3)
        #expect(configuration.mismatch.rateLimitSeconds == 1800)
        #expect(!configuration.mismatch.reportUnregistered)
        #expect(configuration.clone.maximumSpeedKilometresPerHour == 180)
        #expect(configuration.clone.skewMarginSeconds == 10)
        #expect(configuration.clone.minimumDistanceKilometres == 2.5)
        #expect(configuration.cloneEnabled)
    }

    @Test func theShippedExampleConfigurationStatesTheDefaults() throws {
        let configuration = try EngineConfiguration.load(tomlFile: RingwatchProcess.packageRoot + "/deploy/ringwatch.toml")
        #expect(configuration.registryPath == nil)
        #expect(configuration.registryFiles == RegistryFiles())
        #expect(configuration.observationPolicy == ObservationPolicy())
        #expect(configuration.mismatch == MismatchDetector.Configuration())
        #expect(configuration.clone == CloneDetector.Configuration())
        #expect(configuration.cloneEnabled)
    }

    @Test func registryMayStillBeAPlainPath() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("ringwatch.toml", "registry = \"Fixtures/registry.csv\"\n")
        #expect(try EngineConfiguration.load(tomlFile: path).registryPath == "Fixtures/registry.csv")
    }

    @Test(arguments: [
        ("[registry]\nmismatch_min_confidence = 1.5\n", "mismatch_min_confidence"),
        ("[registry]\nspeed = 3\n", "unknown key 'speed' in [registry]"),
        ("[clone]\nmax_speed_kmh = \"fast\"\n", "max_speed_kmh"),
        ("clone = 3\n", "[clone] must be a table"),
    ])
    func badValuesNameTheirKey(toml: String, message: String) throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("ringwatch.toml", toml)
        let error = #expect(throws: EngineConfiguration.Problem.self) { _ = try EngineConfiguration.load(tomlFile: path) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}
