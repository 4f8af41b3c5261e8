import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchTesting
import Testing

/// The live convoy detector inside the engine, driven through the loopback rig's real sockets.
@Suite("Convoy detector in the engine", .serialized)
struct ConvoyEngineTests {
    // After the rig's probe reads (07:00), which set the engine's event time.
    let base = Timestamp(rfc3339: "2026-11-22T07:05:00Z")!
    let route = ["R3-04", "R3-05", "R3-06", "R2-06", "R2-07", "R1-05"]

    /// Reads of `plates` at each camera of `route`: a camera every two minutes, `spacing`
    /// seconds between vehicles, starting at `start` seconds past `base`.
    func convoy(_ plates: [String], route: [String], start: Int64 = 0, spacing: Int64 = 10) -> [(Timestamp, String, String)] {
        var out: [(Timestamp, String, String)] = []
        for (leg, camera) in route.enumerated() {
            for (position, plate) in plates.enumerated() {
                out.append((base.adding(seconds: start + Int64(leg) * 120 + Int64(position) * spacing), camera, plate))
            }
        }
        return out
    }

    @Test func firesOnceWhenTheDefinitionIsFirstMetAndAgainWhenTheGroupGrowsNeverPerRead() throws {
        // A lower minimum score than the default, so the trigger fires where the definition is
        // first met (the third camera) even though the engine has seen little traffic yet.
        let rig = try LoopbackEngine {
            $0.convoy?.minimumScore = 0.5
            $0.convoy?.minimumPairScore = 0.5
            // The tail joins on the way; scored as a stranger whose way joined it would need
            // more cameras (the lead-up rule, ConvoyLeadUpTests), and this is about firing.
            $0.convoy?.leadUpDivergence = 1
        }
        defer { rig.engine.stop() }
        // Lead and load over six cameras; the tail joins at the fourth. Other traffic passes
        // single cameras in between.
        var reads = convoy(["7LLL001", "5MMM002"], route: route)
            + convoy(["9TTT003"], route: Array(route.dropFirst(3)), start: 360 + 25)
        for (index, camera) in route.enumerated() {
            for other in 0..<4 {
                reads.append((base.adding(seconds: Int64(index) * 120 + 40 + Int64(other) * 17), camera, "4OTH\(index)\(other)"))
            }
        }
        reads.sort { ($0.0, $0.2) < ($1.0, $1.2) }
        for (time, camera, plate) in reads {
            try rig.send(ReadMessages.body(camera: camera, ts: time, plate: plate, direction: "in"),
                         topic: ReadMessages.topic(ring: String(camera.prefix(2)), camera: camera))
        }

        let formed = try #require(try rig.nextTrigger())
        #expect(formed.topic.hasPrefix("trigger.convoy."))
        for field in ["trigger_id", "seq", "kind", "severity", "ts", "emitted_at", "plate", "camera", "ring", "read_ids", "explanation",
                      "plates", "cameras", "co_occurrences", "max_gap_s", "score"] {
            #expect(formed.body[field] != nil, "missing \(field)")
        }
        #expect(formed.body["kind"] as? String == "convoy")
        #expect(formed.topic == "trigger.convoy.\(formed.body["severity"] as? String ?? "")")
        #expect(formed.body["plates"] as? [String] == ["7LLL001", "5MMM002"])
        #expect(formed.body["cameras"] as? [String] == Array(route.prefix(3)))
        #expect(formed.body["co_occurrences"] as? Int == 3)
        #expect(formed.body["max_gap_s"] as? Double == 10)
        #expect(formed.body["camera"] as? String == "R3-06")
        #expect(formed.body["ring"] as? String == "R3")
        #expect(formed.body["ts"] as? String == base.adding(seconds: 250).rfc3339)
        #expect((formed.body["read_ids"] as? [String])?.count == 6)
        #expect((formed.body["score"] as? Double ?? 0) >= 0.5)
        let explanation = try #require(formed.body["explanation"] as? String)
        #expect(explanation.contains("3 cameras") && !explanation.contains("7LLL001"))

        let grew = try #require(try rig.nextTrigger())
        #expect(grew.body["plates"] as? [String] == ["7LLL001", "5MMM002", "9TTT003"])
        #expect(grew.body["change"] as? String == "grew")
        #expect(grew.body["trigger_id"] as? String != formed.body["trigger_id"] as? String)
        #expect((grew.body["seq"] as? Int ?? 0) > (formed.body["seq"] as? Int ?? 0))

        // The convoy kept going for three more cameras after it formed: no trigger per read.
        #expect(try rig.nextTrigger(timeoutMilliseconds: 1500) == nil)
        #expect(rig.engine.counters.triggersEmitted.load(ordering: .relaxed) == 2)
    }

    /// The convoy detector runs on its own thread with its own view of the registry: a reload
    /// must reach it, so vehicles first seen after it are typed (and buses left out) by it.
    @Test func aRegistryReloadReachesTheConvoyThread() throws {
        let directory = TemporaryDirectory()
        let header = "plate,make,model,color,vehicle_type\n"
        let cars = try directory.write("cars.csv", header + "3BBB001,Van Hool,A330,white,car\n3BBB002,Van Hool,A330,white,car\n"
            + "7LLL001,Ford,Focus,red,car\n5MMM002,VW,Golf,grey,car\n")
        let buses = try directory.write("buses.csv", header + "3BBB001,Van Hool,A330,white,bus\n3BBB002,Van Hool,A330,white,bus\n"
            + "7LLL001,Ford,Focus,red,car\n5MMM002,VW,Golf,grey,car\n")
        let rig = try LoopbackEngine {
            $0.registryPath = cars
            $0.vehicleMakesPath = RegistryFixtures.root + "vehicle-makes.csv"
            $0.vehicleModelsPath = RegistryFixtures.root + "vehicle-models.csv"
            $0.vehicleColorsPath = RegistryFixtures.root + "vehicle-colors.csv"
            $0.convoy?.minimumScore = 0.5
            $0.convoy?.minimumPairScore = 0.5
        }
        defer { rig.engine.stop() }
        #expect(try rig.control("{\"op\":\"registry.reload\",\"path\":\"\(buses)\"}")["ok"] as? Bool == true)

        // Two buses on a line over six cameras, then, half an hour later, two cars the same way.
        func send(_ plates: [String], start: Int64) throws {
            var reads = convoy(plates, route: route, start: start)
            for (index, camera) in route.enumerated() {
                for other in 0..<4 {
                    reads.append((base.adding(seconds: start + Int64(index) * 120 + 40 + Int64(other) * 17), camera, "4OT\(start)\(index)\(other)"))
                }
            }
            reads.sort { ($0.0, $0.2) < ($1.0, $1.2) }
            for (time, camera, plate) in reads {
                try rig.send(ReadMessages.body(camera: camera, ts: time, plate: plate, direction: "in"),
                             topic: ReadMessages.topic(ring: String(camera.prefix(2)), camera: camera))
            }
        }
        try send(["3BBB001", "3BBB002"], start: 0)
        try send(["7LLL001", "5MMM002"], start: 1800)

        // Only the cars travel in convoy: the buses, typed by the reloaded registry, are left out.
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.topic.hasPrefix("trigger.convoy."))
        #expect(trigger.body["plates"] as? [String] == ["7LLL001", "5MMM002"])
        #expect(try rig.nextTrigger(timeoutMilliseconds: 1000) == nil)
    }

    @Test func theConvoyTableTurnsTheDetectorOffAndRejectsNonsense() throws {
        let directory = TemporaryDirectory()
        let off = try directory.write("off.toml", "[convoy]\nenabled = false\n")
        #expect(try EngineConfiguration.load(tomlFile: off).convoy == nil)
        let tuned = try directory.write("tuned.toml", "[convoy]\nmax_gap_s = 45\nmin_cameras = 4\nexcluded_vehicle_types = [\"Bus\", \"coach\"]\nmin_score = 0.7\ngap_drift = 0.2\ngap_jitter_s = 1.5\nchance_scale = 1000\n")
        let definition = try #require(try EngineConfiguration.load(tomlFile: tuned).convoy)
        #expect(definition.maxGapMilliseconds == 45_000)
        #expect(definition.minCameras == 4)
        #expect(definition.excludedVehicleTypes == ["bus", "coach"])
        #expect(definition.minimumScore == 0.7)
        #expect(definition.gapDrift == 0.2 && definition.gapJitterMilliseconds == 1_500 && definition.chanceScale == 1000)
        let drift = try directory.write("drift.toml", "[convoy]\ngap_drift = 0\n")
        #expect(throws: (any Error).self) { try EngineConfiguration.load(tomlFile: drift) }
        let bad = try directory.write("bad.toml", "[convoy]\nmin_cameras = 1\n")
        #expect(throws: (any Error).self) { try EngineConfiguration.load(tomlFile: bad) }
        let unknown = try directory.write("unknown.toml", "[convoy]\nmax_gap = 45\n")
        #expect(throws: (any Error).self) { try EngineConfiguration.load(tomlFile: unknown) }
        // The shipped example lists the defaults.
        let shipped = try EngineConfiguration.load(tomlFile: RingwatchProcess.packageRoot + "/deploy/ringwatch.toml")
        #expect(shipped.convoy == ConvoyDefinition())
    }
}
