import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting
import Testing

/// Issue 7's evidence on simulated traffic: four weekdays of a city with bus lines, commuters
/// and a planted route takeover (a vehicle drives a distinctive route Monday to Wednesday; from
/// Thursday another drives it, missing one camera). The real binary searches a real SQLite
/// file; the engine runs a watch learned from the original vehicle on its real sockets.
@Suite("Route patterns on simulated traffic", .serialized)
struct RouteEvidenceTests {
    /// The simulation, run once for the suite.
    struct Traffic {
        let reads: [PlateRead]
        let takeover: GroundTruthEvent
        let registryCSV: String
        var successor: String { takeover.plates[0] }
        var original: String { takeover.plates[1] }
        /// When the successor's run starts.
        var takeoverStart: Timestamp { takeover.start }
        func time(_ key: String) -> String { takeover.json[key]?.stringValue ?? "" }
    }

    static let traffic: Result<Traffic, any Error> = Result {
        let text = try String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8)
        var configuration = SimulationConfiguration()
        configuration.seed = 11
        configuration.start = Timestamp(rfc3339: "2026-11-23T06:00:00Z")!
        configuration.hours = 96
        configuration.readsPerSecond = 1
        let simulator = try TrafficSimulator(configuration: configuration, cameras: CameraRegistry.parse(csv: text, file: "cameras.csv").0)
        let decoder = ReadDecoder()
        var reads: [PlateRead] = []
        var seen = Set<ReadID>()
        while let message = simulator.next() {
            if case .success(let decoded) = decoder.decode(message.body), seen.insert(decoded.read.id).inserted { reads.append(decoded.read) }
        }
        guard let takeover = simulator.groundTruth.first(where: { $0.event == "route_takeover" }) else {
            throw SimulationError("no route takeover was planted")
        }
        return Traffic(reads: reads.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }, takeover: takeover,
                       registryCSV: simulator.registryCSV)
    }

    /// A history file with the reads before `before` (all when nil), hours sealed as the writer would.
    static func history(_ traffic: Traffic, in directory: TemporaryDirectory, before: Timestamp? = nil) throws -> String {
        let path = directory.file("history.sqlite")
        let database = try HistoryDatabase(path: path)
        try database.saveCameras(CameraRegistry.parse(
            csv: try String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8), file: "cameras.csv").0)
        let kept = before.map { limit in traffic.reads.filter { $0.timestamp < limit } } ?? traffic.reads
        try database.connection.transaction { try database.insert(reads: kept, receivedAt: .now) }
        try database.sealHours(before: kept.last!.timestamp.adding(seconds: -300))
        return path
    }

    /// The bus read most often.
    static func busOnTheRoad(_ traffic: Traffic, _ buses: Set<String>) -> String? {
        var counts: [String: Int] = [:]
        for read in traffic.reads where buses.contains(read.plate.text) { counts[read.plate.text, default: 0] += 1 }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    func rows(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    let period = ["--from", "2026-11-23T00:00:00Z", "--to", "2026-11-27T12:00:00Z"]

    @Test func theSuccessorRanksInTheTopThreeOfRoutesLikeTheOriginalAndBusesAreMarked() throws {
        let traffic = try Self.traffic.get()
        let directory = TemporaryDirectory()
        let db = try Self.history(traffic, in: directory)
        let registry = try directory.write("registry.csv", traffic.registryCSV)
        let busPlates = Set(traffic.registryCSV.split(separator: "\n").filter { $0.hasSuffix(",bus") }.map { String($0.split(separator: ",")[0]) })
        #expect(!busPlates.isEmpty)

        for withRegistry in [false, true] {
            let result = try RingwatchProcess.run(
                ["routes", "--db", db, "--like", traffic.original, "--reason", "case 7", "--format", "jsonl", "--top", "25"]
                    + (withRegistry ? ["--registry", registry] : []) + period)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "noise on a non-terminal: \(result.stderr)")
            let found = rows(result.stdout)
            let plates = found.compactMap { $0["plate"] as? String }
            let rank = try #require(plates.firstIndex(of: traffic.successor), "successor not listed: \(found.prefix(5))")
            #expect(rank < 3, "successor ranked \(rank + 1): \(found.prefix(4))")
            #expect(!plates.contains(traffic.original))
            let successor = found[rank]
            #expect((successor["similarity"] as? Double ?? 0) > 0.7)
            #expect(successor["marker"] is NSNull)
            #expect(Set(successor["shared_cameras"] as? [String] ?? [])
                == Set(traffic.takeover.json["cameras"]?.arrayValue?.compactMap(\.stringValue) ?? []).subtracting([traffic.time("skipped_camera")]),
                "the route but the camera that missed it")
            print("routes --like (registry: \(withRegistry)): successor rank \(rank + 1), similarity \(successor["similarity"] ?? "-"); "
                  + "top: \(found.prefix(3).map { "\($0["similarity"] ?? "")/\($0["marker"] ?? "")" })")

            // Like a bus: the other buses of its line follow the same route, and every bus listed is
            // marked, by the registry when given, else by its behaviour.
            let bus = try #require(Self.busOnTheRoad(traffic, busPlates))
            let line = try RingwatchProcess.run(
                ["routes", "--db", db, "--like", bus, "--reason", "case 7", "--format", "jsonl", "--top", "25"]
                    + (withRegistry ? ["--registry", registry] : []) + period)
            #expect(line.status == 0, "\(line.stderr)")
            let buses = rows(line.stdout).filter { busPlates.contains($0["plate"] as? String ?? "") }
            #expect(buses.count >= 2, "the other buses of the line")
            for other in buses { #expect(other["marker"] as? String == (withRegistry ? "bus" : "frequent"), "\(other)") }
            print("routes --like a bus: \(buses.count) buses listed, all marked")
        }

        // Audited, and refused without a reason.
        let refused = try RingwatchProcess.run(["routes", "--db", db, "--like", traffic.original] + period)
        #expect(refused.status == 2)
        let audit = try RingwatchProcess.run(["audit", "--db", db, "--format", "jsonl", "--reason", "check"])
        #expect(audit.stdout.contains("\"command\":\"routes\""))
    }

    @Test func aWatchLearnedFromTheOriginalFiresForTheSuccessorLiveAndSurvivesARestart() throws {
        let traffic = try Self.traffic.get()
        let directory = TemporaryDirectory()
        let cut = traffic.takeoverStart.adding(seconds: -15 * 60)
        let db = try Self.history(traffic, in: directory, before: cut)
        var fired: [[String: Any]] = []
        do {
            let rig = try LoopbackEngine { $0.databasePath = db }
            defer { rig.engine.stop() }
            let learned = try rig.control("""
                {"op":"watch.add","name":"route-of-\(traffic.original)","plate":"\(traffic.original)",\
                "from":"\(traffic.time("learn_from"))","to":"\(traffic.time("learn_to"))","reason":"case 7","user":"analyst"}
                """)
            #expect(learned["ok"] as? Bool == true, "\(learned)")
            #expect(learned["cameras"] as? [String] == traffic.takeover.json["cameras"]?.arrayValue?.compactMap(\.stringValue))
            #expect(learned["learned_trips"] as? Int == 3)
            #expect(try rig.control(#"{"op":"watch.add","name":"x","plate":"1ABC123","from":"2026-11-23T00:00:00Z","to":"2026-11-24T00:00:00Z"}"#)["ok"] as? Bool == false,
                    "learning from a vehicle's history needs a reason")

            let live = traffic.reads.filter { $0.timestamp >= cut && $0.timestamp < traffic.takeover.end.adding(seconds: 1800) }
            for read in live {
                try rig.send(ReadMessages.body(camera: read.camera, ts: read.timestamp, plate: read.plate.text, id: read.sourceID),
                             topic: ReadMessages.topic(ring: String(read.camera.prefix(2)), camera: read.camera))
            }
            while let trigger = try rig.nextTrigger(timeoutMilliseconds: 3000) {
                if trigger.topic.hasPrefix("trigger.route.") { fired.append(trigger.body) }
            }
        }
        let successor = try #require(fired.first { $0["plate"] as? String == traffic.successor }, "no route trigger for the successor: \(fired)")
        #expect(successor["watch"] as? String == "route-of-\(traffic.original)")
        #expect((successor["similarity"] as? Double ?? 0) >= 0.8)
        let matched = try #require(successor["cameras"] as? [String])
        #expect(matched.count >= 6 && !matched.contains(traffic.time("skipped_camera")))
        #expect(Set(successor["read_ids"] as? [String] ?? []).isSubset(of: Set(traffic.takeover.readIDs)))
        let others = fired.filter { $0["plate"] as? String != traffic.successor }
        print("live watch: \(fired.count) route triggers, \(others.count) for other vehicles: "
              + "\(others.map { "\($0["similarity"] ?? "")@\($0["first_ts"] ?? "")..\($0["last_ts"] ?? "") \($0["cameras"] ?? "")" })")

        // A restarted engine runs the stored watch.
        let again = try LoopbackEngine { $0.databasePath = db }
        defer { again.engine.stop() }
        let listed = try again.control(#"{"op":"watch.list"}"#)
        let watches = listed["watches"] as? [[String: Any]] ?? []
        #expect(watches.map { $0["name"] as? String } == ["route-of-\(traffic.original)"])
        #expect(watches.first?["added_by"] as? String == "analyst")
        let removed = try again.control(#"{"op":"watch.remove","name":"route-of-\#(traffic.original)","user":"analyst"}"#)
        #expect(removed["removed"] as? Int == 1)
        #expect((try again.control(#"{"op":"watch.list"}"#)["watches"] as? [Any])?.isEmpty == true)
    }
}
