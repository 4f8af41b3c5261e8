import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import Testing

/// `ringwatch report` and `--format geojson` as an analyst runs them: the real binary on the
/// database a real demo run leaves (engine, simulator, planted convoys and their ground truth).
@Suite("ringwatch report end to end", .serialized)
struct ReportEndToEndTests {
    /// One demo run shared by the suite: two simulated hours from 06:00 UTC yesterday, seed 7.
    final class DemoHistory: Sendable {
        let directory = TemporaryDirectory()
        let db: String
        let from: String
        let to: String
        /// The planted convoys' plates (lead first) and shared cameras, from the ground truth.
        let convoys: [(plates: [String], cameras: [String])]
        /// The cameras the simulated traffic ran on.
        let cameras: CameraRegistry
        let failure: String?

        init() {
            db = directory.file("demo.sqlite")
            let today = Timestamp.now.milliseconds.floorDivided(by: 86_400_000) * 86_400_000
            let start = Timestamp(milliseconds: today).adding(seconds: -86_400 + 6 * 3600)
            from = start.rfc3339Seconds
            to = start.adding(seconds: 2 * 3600).rfc3339Seconds
            var failure: String?
            var convoys: [(plates: [String], cameras: [String])] = []
            var cameras = CameraRegistry()
            do {
                let run = try RingwatchProcess.run(["demo", "--hours", "2", "--rate", "8", "--speed", "max", "--seed", "7", "--quiet",
                                                    "--start", from, "--db", db], timeout: 300)
                if run.status != 0 { failure = "demo failed: \(run.stderr)" }
                let truth = try String(contentsOfFile: directory.file("demo/ground-truth.jsonl"), encoding: .utf8)
                for line in truth.split(separator: "\n") {
                    guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          event["event"] as? String == "convoy" else { continue }
                    convoys.append((event["plates"] as? [String] ?? [], event["cameras"] as? [String] ?? []))
                }
                let csv = try String(contentsOfFile: directory.file("demo/cameras.csv"), encoding: .utf8)
                cameras = CameraRegistry.parse(csv: csv, file: "cameras.csv").0
            } catch {
                failure = "\(error)"
            }
            self.convoys = convoys
            self.cameras = cameras
            self.failure = failure
        }
    }

    static let demo = DemoHistory()

    var period: [String] { ["--from", Self.demo.from, "--to", Self.demo.to] }

    func jsonLines(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try RingwatchProcess.run(arguments + ["--db", Self.demo.db] + period, timeout: 120)
    }

    @Test func aReportOnAPlantedConvoyVehicleShowsItsTripsCompanionsAndTriggers() throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        try #require(!demo.convoys.isEmpty, "the demo planted no convoy")
        let out = TemporaryDirectory()
        for (plates, convoyCameras) in demo.convoys where plates.count >= 2 {
            // A member behind the lead: the lead ahead and any tail behind are both within reach.
            let plate = plates[1]
            let file = out.file("report-\(plate).html")
            let result = try run(["report", "--plate", plate, "--out", file, "--reason", "case 11 convoy", "--user", "analyst1"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == file + "\n")
            #expect(!result.stderr.contains(plate), "the plate leaked to stderr")
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            let html = try String(contentsOfFile: file, encoding: .utf8)
            let markup = try ReportMarkup(html)
            #expect(!ReportMarkup.mentionsTheWeb(html), "the page refers to the web")
            #expect(markup.externalReferences.isEmpty, "\(markup.externalReferences)")
            #expect(markup.withClass("audit").first?.text.contains("case 11 convoy") == true)
            #expect(markup.withClass("audit").first?.text.contains("analyst1") == true)

            // The trips, joined, are the vehicle's reads in time order; one holds the convoy's route.
            let reads = jsonLines(try run(["reads", "--plate", plate, "--reason", "check", "--format", "jsonl"]).stdout)
            let tripCameras = markup.withClass("trip-row").map { ($0.attributes["data-cameras"] ?? "").split(separator: " ").map(String.init) }
            #expect(tripCameras.flatMap { $0 } == reads.compactMap { $0["camera"] as? String })
            #expect(tripCameras.contains { $0.joined(separator: " ").contains(convoyCameras.joined(separator: " ")) },
                    "no trip of \(plate) follows the convoy's route \(convoyCameras)")
            #expect(markup.withClass("pass").compactMap { $0.attributes["data-ts"] } == reads.compactMap { $0["ts"] as? String })

            // Companions: the convoy search's, best first, with every other planted member among them.
            let companions = markup.withClass("companion").compactMap { $0.attributes["data-plate"] }
            let search = jsonLines(try run(["convoys", "--plate", plate, "--reason", "check", "--format", "jsonl"]).stdout)
            #expect(companions == Array(search.compactMap { $0["plate"] as? String }.prefix(10)))
            for member in plates where member != plate {
                #expect(companions.contains(member), "planted companion \(member) of \(plate) missing")
            }

            // Every convoy trigger naming the vehicle is listed.
            let triggers = jsonLines(try run(["triggers", "--kind", "convoy", "--reason", "check", "--format", "jsonl"]).stdout)
            let expected = Set(triggers.filter { ($0["plates"] as? [String])?.contains(plate) == true }.compactMap { $0["trigger_id"] as? String })
            let listed = Set(markup.withClass("trigger").compactMap { $0.attributes["data-trigger-id"] })
            #expect(!expected.isEmpty, "the engine fired no convoy trigger naming \(plate)")
            #expect(expected.isSubset(of: listed))
        }
        // Audited, plate included, like every query.
        let audit = try AuditLog(connection: HistoryDatabase(path: demo.db).connection)
            .records(from: Timestamp(milliseconds: 0), to: Timestamp.now.adding(seconds: 60))
        #expect(audit.contains { $0["command"]?.stringValue == "report" && $0["parameters"]?.serialized.contains(demo.convoys[0].plates[1]) == true })
    }

    @Test func geojsonPlacesReadsAndConvoysAtTheCamerasCoordinates() throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        let convoy = try #require(demo.convoys.first)
        let plate = convoy.plates[0]
        func collection(_ output: String) throws -> [[String: Any]] {
            #expect(output.hasSuffix("\n") && output.filter { $0 == "\n" }.count == 1, "not one JSON document")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(object["type"] as? String == "FeatureCollection")
            let features = try #require(object["features"] as? [[String: Any]])
            for feature in features { #expect(feature["type"] as? String == "Feature") }
            return features
        }
        func position(_ camera: String) -> [Double]? {
            demo.cameras[camera].map { [$0.longitude, $0.latitude] }
        }

        let reads = try run(["reads", "--plate", plate, "--reason", "gis", "--format", "geojson"])
        #expect(reads.status == 0, "\(reads.stderr)")
        let readFeatures = try collection(reads.stdout)
        let readRows = jsonLines(try run(["reads", "--plate", plate, "--reason", "gis", "--format", "jsonl"]).stdout)
        #expect(readFeatures.count == readRows.count && !readRows.isEmpty)
        for (feature, row) in zip(readFeatures, readRows) {
            let properties = try #require(feature["properties"] as? [String: Any])
            #expect(properties["read_id"] as? String == row["read_id"] as? String)
            #expect(properties["plate"] as? String == plate)
            let geometry = try #require(feature["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "Point")
            #expect(geometry["coordinates"] as? [Double] == position(properties["camera"] as? String ?? ""))
        }

        let companions = try run(["convoys", "--plate", plate, "--reason", "gis", "--format", "geojson"])
        #expect(companions.status == 0, "\(companions.stderr)")
        let companionFeatures = try collection(companions.stdout)
        #expect(!companionFeatures.isEmpty)
        for feature in companionFeatures {
            let properties = try #require(feature["properties"] as? [String: Any])
            let cameras = try #require(properties["cameras"] as? [String])
            let geometry = try #require(feature["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "LineString")
            #expect(geometry["coordinates"] as? [[Double]] == cameras.compactMap(position))
        }
        #expect(companionFeatures.contains { ($0["properties"] as? [String: Any])?["plate"] as? String == convoy.plates[1] })

        let all = try run(["convoys", "--reason", "gis", "--format", "geojson"])
        #expect(all.status == 0, "\(all.stderr)")
        let convoyFeatures = try collection(all.stdout)
        let planted = convoyFeatures.first { feature in
            let plates = ((feature["properties"] as? [String: Any])?["plates"] as? [String]) ?? []
            return plates.contains(plate)
        }
        let geometry = try #require(planted?["geometry"] as? [String: Any], "the planted convoy is not among the features")
        #expect(geometry["type"] as? String == "LineString")

        let triggers = try run(["triggers", "--kind", "convoy", "--reason", "gis", "--format", "geojson"])
        #expect(try collection(triggers.stdout).allSatisfy { ($0["geometry"] as? [String: Any])?["type"] as? String == "Point" })

        // Table, JSON Lines and CSV are unchanged: CSV still has its header row.
        let csv = try run(["reads", "--plate", plate, "--reason", "gis", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("read_id,ts,camera,ring,plate,confidence,make,model,color\n"))
    }

    @Test func thePeriodPastOpenAccessNeedsAnAuthorisationAndWritesNothingWithout() throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        let out = TemporaryDirectory()
        let file = out.file("old.html")
        let refused = try RingwatchProcess.run(["report", "--db", demo.db, "--plate", demo.convoys[0].plates[0], "--out", file,
                                                "--reason", "case 11", "--from", "2000-01-01T00:00:00Z", "--to", demo.to])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--authorization"))
        #expect(!FileManager.default.fileExists(atPath: file))
        let allowed = try RingwatchProcess.run(["report", "--db", demo.db, "--plate", demo.convoys[0].plates[0], "--out", file,
                                                "--reason", "case 11", "--from", "2000-01-01T00:00:00Z", "--to", demo.to,
                                                "--authorization", "MAG-2026-0042"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let markup = try ReportMarkup(try String(contentsOfFile: file, encoding: .utf8))
        #expect(markup.withClass("audit").first?.text.contains("MAG-2026-0042") == true)
    }

    @Test(arguments: [
        (["report", "--plate", "1ABC123", "--out", "/tmp/x.html"], "--reason"),
        (["report", "--plate", "1ABC123", "--out", "/tmp/x.html", "--reason", "r", "--time-zone", "Mars/Olympus"], "--time-zone"),
        (["report", "--plate", "1ABC123", "--out", "/tmp/x.html", "--reason", "r", "--format", "jsonl"], "--format"),
        (["report", "--plate", "!!", "--out", "/tmp/x.html", "--reason", "r"], "--plate"),
        (["report", "--plate", "1ABC123", "--out", "/tmp/x.html", "--reason", "r", "--trip-gap", "0"], "--trip-gap"),
        (["triggers", "--follow", "--reason", "r", "--format", "geojson"], "geojson"),
    ])
    func badFlagsExitTwoWithOneLine(arguments: [String], named: String) throws {
        let result = try RingwatchProcess.run(arguments + ["--db", "/nonexistent.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains(named), "\(result.stderr)")
    }

    @Test func anUnwritableOutputIsARuntimeFailure() throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        let result = try run(["report", "--plate", demo.convoys[0].plates[0], "--out", "/nonexistent-dir/report.html", "--reason", "case 11"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write /nonexistent-dir/report.html"))
    }
}
