import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchReport
import RingwatchStorage
import RingwatchTesting
import Testing

/// The analyst report built by the library on a real SQLite history holding a planted convoy
/// (the convoy end-to-end tests' history), with triggers, a decision and hostile text.
@Suite("analyst report page", .serialized)
struct ReportTests {
    static let hostileName = "<script>alert(\"x\")</script> & 'Kipdorp'"
    static let hostileReason = "case 7 </td><img src=\"http://evil.example/x.png\"/>"

    /// The history, the fixture cameras (one renamed to something hostile) and two triggers:
    /// a convoy fired on the lead (naming 1LOD002 only among its members) and a hotlist hit on
    /// 1LOD002 itself, with a decision.
    static func history(in directory: TemporaryDirectory) throws -> HistoryDatabase {
        let path = try ConvoyHistoryTests.history(in: directory)
        let database = try HistoryDatabase(path: path)
        let fixture = try String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8)
        let (fixtureCameras, _) = CameraRegistry.parse(csv: fixture, file: "cameras.csv")
        let cameras = CameraRegistry(fixtureCameras.order.map { id in
            let camera = fixtureCameras[id]!
            return id == "R2-03" ? Camera(id: id, ring: camera.ring, latitude: camera.latitude, longitude: camera.longitude, name: hostileName) : camera
        })
        try database.saveCameras(cameras)
        let convoyTime = Timestamp(rfc3339: "2026-11-22T08:04:00Z")!, hotlistTime = Timestamp(rfc3339: "2026-11-22T07:58:09Z")!
        try database.insert(triggers: [
            StoredTrigger(sequence: 1, triggerID: "convoy-1", kind: "convoy", severity: "high", timestamp: convoyTime, plate: "1LED001",
                          camera: "R1-03", ring: "R1", emittedAt: convoyTime,
                          body: #"{"kind":"convoy","plate":"1LED001","plates":["1LED001","1LOD002","1TAL003"],"explanation":"Three vehicles passed five cameras together."}"#),
            StoredTrigger(sequence: 2, triggerID: "hotlist-1", kind: "hotlist", severity: "critical", timestamp: hotlistTime, plate: "1LOD002",
                          camera: "R3-03", ring: "R3", emittedAt: hotlistTime,
                          body: #"{"kind":"hotlist","plate":"1LOD002","explanation":"1LOD002 is on the hotlist (stolen) <b>"}"#),
            StoredTrigger(sequence: 3, triggerID: "other-1", kind: "hotlist", severity: "high", timestamp: hotlistTime, plate: "3BG7",
                          camera: "R3-03", ring: "R3", emittedAt: hotlistTime, body: #"{"kind":"hotlist","plate":"3BG7","explanation":"not ours"}"#),
        ])
        try database.record(OperatorDecision(triggerID: "hotlist-1", verdict: .accept, reason: "seen by patrol & stopped",
                                             user: "op<1>", decidedAt: hotlistTime.adding(seconds: 120)))
        return database
    }

    static let from = Timestamp(rfc3339: "2026-11-20T00:00:00Z")!
    static let to = Timestamp(rfc3339: "2026-11-23T00:00:00Z")!
    static let audit = AuditRecord(timestamp: Timestamp(rfc3339: "2026-11-24T10:00:00Z")!, user: "analyst & co", command: "report",
                                   reason: hostileReason, authorization: "AUTH-2026/55", parameters: .object([]))

    struct FixedRoutes: SimilarRouteSource {
        func similarRoutes(to plate: String, from: Timestamp, to: Timestamp, top: Int) throws -> [SimilarRouteRow] {
            [SimilarRouteRow(plate: "9SIM001", similarity: 0.8125, trips: 3, sharedCameras: ["R3-02", "R3-03", "R2-03"])]
        }
    }

    func page(_ database: HistoryDatabase, plate: String = "1LOD002", configure: (inout VehicleReportBuilder) -> Void = { _ in })
        throws -> (html: String, markup: ReportMarkup)
    {
        var builder = VehicleReportBuilder(database: database)
        configure(&builder)
        let report = try builder.build(plate: plate, from: Self.from, to: Self.to, audit: Self.audit)
        let html = VehicleReportPage(report: report).html
        return (html, try ReportMarkup(html))
    }

    @Test func thePageIsWellFormedSelfContainedAndEscapesEveryText() throws {
        let directory = TemporaryDirectory()
        let database = try Self.history(in: directory)
        let (html, markup) = try page(database)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(markup.elements.first?.name == "html")
        #expect(markup.externalReferences.isEmpty, "\(markup.externalReferences)")
        #expect(markup.named("style").count == 1)
        #expect(markup.named("style").first?.text.contains("@media print") == true)
        // Hostile text arrives as text, not markup.
        #expect(markup.named("script").isEmpty && markup.named("img").isEmpty)
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Kipdorp&#39;"))
        #expect(markup.elements.contains { $0.name == "td" && $0.text == Self.hostileReason })
        #expect(markup.elements.contains { $0.name == "title" && $0.text.hasPrefix("R2-03 <script>") })
        // The header is the audit record.
        let audit = try #require(markup.withClass("audit").first)
        for text in ["analyst & co", "AUTH-2026/55", "2026-11-24 10:00", "2026-11-20 00:00 to 2026-11-23 00:00"] {
            #expect(audit.text.contains(text), "header lacks \(text)")
        }
        // The footer states the retention rules (the history records none: it says so).
        let footer = try #require(markup.named("footer").first)
        #expect(footer.text.contains("30 days are returned only with a magistrate's authorisation"))
    }

    @Test func theTripCompanionsAndTriggersAreTheVehicles() throws {
        let directory = TemporaryDirectory()
        let database = try Self.history(in: directory)
        try database.setMeta("retention_days", "90")
        let (_, markup) = try page(database)

        // One trip along the convoy's route, drawn and listed, with a pass mark per read.
        let trips = markup.withClass("trip")
        #expect(trips.count == 1)
        #expect(trips.first?.attributes["data-cameras"] == ConvoyHistoryTests.convoyRoute.joined(separator: " "))
        #expect(trips.first?.attributes["data-day"] == "2026-11-22")
        let rows = markup.withClass("trip-row")
        #expect(rows.count == 1)
        #expect(rows.first?.text.contains("R3-02 07:56:09 → R3-03 07:58:09 → R2-03 08:00:09 → R2-04 08:02:09 → R1-03 08:04:09") == true)
        let passes = markup.withClass("pass")
        #expect(passes.map { $0.attributes["data-camera"] ?? "" } == ConvoyHistoryTests.convoyRoute)
        #expect(passes.first?.attributes["data-ts"] == "2026-11-22T07:56:09.000Z")
        // Time labels on the map.
        #expect(markup.withClass("time").map(\.text) == ["07:56", "07:58", "08:00", "08:02", "08:04"])
        // The timeline has every day of the period, passes on the 22nd only.
        let days = markup.withClass("timeline-day")
        #expect(days.map { $0.attributes["data-day"] ?? "" } == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"])
        #expect(days.map { $0.attributes["data-passes"] ?? "" } == ["0", "0", "5", "0"])

        // Companions: the other two members first, each with a small map.
        let companions = markup.withClass("companion")
        #expect(companions.prefix(2).compactMap { $0.attributes["data-plate"] }.sorted() == ["1LED001", "1TAL003"])
        #expect(companions.first?.attributes["data-cameras"] == ConvoyHistoryTests.convoyRoute.joined(separator: " "))
        #expect(Double(companions.first?.attributes["data-score"] ?? "") ?? 0 > 0.9)
        #expect(markup.withClass("mini-map").count == companions.count)

        // Triggers: the convoy that lists it as a member and its own hotlist hit, with the decision.
        let triggers = markup.withClass("trigger")
        #expect(triggers.map { $0.attributes["data-trigger-id"] ?? "" } == ["hotlist-1", "convoy-1"])
        #expect(triggers.first?.text.contains("Accepted by op<1>") == true)
        #expect(triggers.first?.text.contains("seen by patrol & stopped") == true)
        #expect(triggers.first?.text.contains("on the hotlist (stolen) <b>") == true)
        #expect(triggers.last?.text.contains("No decision recorded") == true)

        // Retention from the history's meta.
        #expect(markup.named("footer").first?.text.contains("keeps plate reads for 90 days") == true)
    }

    @Test func similarRoutesShowWhenASourceIsWiredAndSayUnavailableOtherwise() throws {
        let directory = TemporaryDirectory()
        let database = try Self.history(in: directory)
        let (_, without) = try page(database)
        #expect(without.elements.contains { $0.attributes["data-unavailable"] == "true" && $0.text.contains("not available") })
        #expect(without.withClass("similar-route").isEmpty)

        let (_, with) = try page(database) { $0.routeSource = FixedRoutes() }
        let routes = with.withClass("similar-route")
        #expect(routes.map { $0.attributes["data-plate"] ?? "" } == ["9SIM001"])
        #expect(routes.first?.attributes["data-similarity"] == "0.813")
        #expect(!with.elements.contains { $0.attributes["data-unavailable"] != nil })
    }

    @Test func daysAndTimesFollowTheChosenTimeZone() throws {
        let directory = TemporaryDirectory()
        let database = try Self.history(in: directory)
        let (_, markup) = try page(database) { $0.clock = ReportClock(timeZone: TimeZone(identifier: "Europe/Brussels")!) }
        #expect(markup.withClass("time").map(\.text) == ["08:56", "08:58", "09:00", "09:02", "09:04"])
        #expect(markup.named("svg").contains { $0.attributes["class"] == "timeline" })
        #expect(markup.elements.contains { $0.name == "p" && $0.text.contains("Europe/Brussels") })
    }

    @Test func aVehicleNeverSeenGetsAPageThatSaysSo() throws {
        let directory = TemporaryDirectory()
        let database = try Self.history(in: directory)
        let (_, markup) = try page(database, plate: "9NONE99")
        #expect(markup.externalReferences.isEmpty)
        #expect(markup.withClass("trip").isEmpty)
        #expect(markup.withClass("empty").contains { $0.text.contains("not seen in the period") })
        #expect(markup.withClass("empty").contains { $0.text.contains("No vehicle met the convoy definition") })
    }

    @Test(arguments: [(0, 0, [Int]()), (1, 0, [1]), (3, 10, [3]), (3, 31, [1, 1, 1])])
    func tripsSplitWhereTheVehicleWentUnseenLongerThanTheGap(passes: Int, minutesApart: Int, expected: [Int]) {
        let start = Timestamp(rfc3339: "2026-11-22T07:00:00Z")!
        let list = (0..<passes).map { index in
            Passage(readID: ReadID(rawValue: UInt64(index + 1)), plate: "1ABC123", camera: "R1-0\(index + 1)",
                    time: start.adding(seconds: Int64(index * minutesApart * 60)), direction: nil)
        }
        let trips = VehicleTrip.trips(of: list, gapMilliseconds: 30 * 60_000, clock: ReportClock())
        #expect(trips.map(\.passes.count) == expected)
        #expect(trips.map(\.number) == Array(1...max(1, trips.count)).prefix(trips.count).map { $0 })
    }
}
