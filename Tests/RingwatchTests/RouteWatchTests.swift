import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchTesting
import Testing

/// Trips, route similarity, and the live route-watch detector on hand-made reads.
@Suite("Route patterns")
struct RouteWatchTests {
    static let base = Timestamp(rfc3339: "2026-11-23T07:30:00Z")!
    static let route = ["R3-02", "R3-03", "R2-03", "R2-04", "R2-05", "R1-03", "R1-04"]
    static let cameras = CameraRegistry(((1...14).map { "R1-\($0 < 10 ? "0" : "")\($0)" } + (1...16).map { "R2-\($0 < 10 ? "0" : "")\($0)" }
        + (1...18).map { "R3-\($0 < 10 ? "0" : "")\($0)" }).map { Camera(id: $0, ring: String($0.prefix(2)), latitude: 51.2, longitude: 4.4, name: $0) })

    static func read(_ plate: String, _ camera: String, _ seconds: Int64) -> PlateRead {
        PlateRead(camera: camera, timestamp: base.adding(seconds: seconds), plate: Plate(normalised: plate), direction: .inbound)
    }

    /// A drive along `cameras`, one camera every `leg` seconds from `start`.
    static func drive(_ plate: String, _ cameras: [String], start: Int64 = 0, leg: Int64 = 150) -> [PlateRead] {
        cameras.enumerated().map { read(plate, $1, start + Int64($0) * leg) }
    }

    @Test func aGapOverThirtyMinutesStartsANewTripAndRepeatedReadsAreOneStop() {
        let reads = Self.drive("1AAA001", ["R3-01", "R3-01", "R2-01"], leg: 30) + Self.drive("1AAA001", ["R2-01", "R1-01"], start: 31 * 60 + 60)
        let trips = Trip.split(reads.map(Passage.init))
        #expect(trips.map(\.cameras) == [["R3-01", "R2-01"], ["R2-01", "R1-01"]])
        #expect(Trip.split(reads.map(Passage.init), gap: 3 * 3600_000).count == 1)
    }

    @Test(arguments: [
        (["A", "B", "C", "D", "E", "F", "G"], ["A", "B", "C", "E", "F", "G"], 12.0 / 13),  // one camera missed
        (["A", "B", "C", "D"], ["A", "B", "X", "Y", "C", "D"], 0.8),  // a detour
        (["A", "B", "C", "D"], ["D", "C", "B", "A"], 0.25),  // the other way round
        (["A", "B"], ["C", "D"], 0.0),
    ])
    func routeOrderToleratesAMissedCameraAndADetourButNotTheReverse(a: [String], b: [String], expected: Double) {
        #expect(abs(RouteSimilarity.order(a, b) - expected) < 1e-9)
    }

    @Test func timeOfDayAndKindOfDayWeighTheRoute() {
        let monday = Self.base, tuesdayLater = Self.base.adding(seconds: 86_400 + 3600), saturday = Self.base.adding(seconds: 5 * 86_400)
        #expect(RouteSimilarity.time(monday, monday.adding(seconds: 86_400)) == 1)
        #expect(abs(RouteSimilarity.time(monday, tuesdayLater) - 0.5) < 1e-9)
        #expect(RouteSimilarity.time(monday, saturday) == 0.5)
    }

    @Test func theLearnedRouteIsTheTripMostLikeTheOthers() {
        let usual = Self.route
        let trips = [
            Trip(stops: Self.drive("1AAA001", usual).map(Passage.init)),
            Trip(stops: Self.drive("1AAA001", Array(usual.dropLast(2)), start: 86_400).map(Passage.init)),
            Trip(stops: Self.drive("1AAA001", ["R3-10", "R2-11"], start: 2 * 86_400).map(Passage.init)),
            Trip(stops: Self.drive("1AAA001", usual, start: 3 * 86_400, leg: 200).map(Passage.init)),
        ]
        #expect(RouteWatch.learnRoute(from: trips)?.cameras == usual)
        #expect(RouteWatch.maximumGap(learnedFrom: trips[3]) == 900)
    }

    func detector(_ watches: [RouteWatch]) -> RouteWatchDetector { RouteWatchDetector(watches: watches) }

    func run(_ detector: RouteWatchDetector, _ reads: [PlateRead]) -> [TriggerDraft] {
        reads.sorted { $0.timestamp < $1.timestamp }.flatMap { detector.observe($0, cameras: Self.cameras) }
    }

    @Test func aVehicleMissingOneCameraFiresOnceWithTheMatchedCamerasInOrder() throws {
        let watch = RouteWatch(name: "dealer-route", cameras: Self.route)
        let skipped = Self.route.enumerated().filter { $0.offset != 3 }.map(\.element)
        let fired = run(detector([watch]), Self.drive("2BRO002", skipped))
        try #require(fired.count == 1)
        let trigger = fired[0]
        #expect(trigger.kind == .route)
        #expect(trigger.severity == .high)
        #expect(trigger.read.camera == "R1-04", "fires at the read that reaches 80 % (6 of 7 cameras: the sixth passed)")
        #expect(trigger.readIDs.count == 6)
        let details = Dictionary(uniqueKeysWithValues: trigger.details.map { ($0.0, $0.1) })
        #expect(details["watch"] == .string("dealer-route"))
        #expect(details["similarity"] == .double(0.857))
        #expect(details["cameras"] == .array(Array(skipped.prefix(6)).map { .string($0) }))
    }

    @Test func outOfOrderTooFewOrTooSlowDoesNotFire() {
        let watch = RouteWatch(name: "w", cameras: Self.route)
        #expect(run(detector([watch]), Self.drive("3REV003", Self.route.reversed())).isEmpty)
        #expect(run(detector([watch]), Self.drive("3FEW003", Array(Self.route.prefix(5)))).isEmpty)
        #expect(run(detector([watch]), Self.drive("3SLO003", Self.route, leg: 901)).isEmpty)
        #expect(run(detector([watch]), Self.drive("3FST003", Self.route, leg: 899)).count == 1)
    }

    @Test func theSameReadsGiveTheSameTriggerIdInAnotherEngineAndANewTripFiresAgain() {
        let watch = RouteWatch(name: "w", cameras: Self.route)
        let reads = Self.drive("4DAY004", Self.route) + Self.drive("4DAY004", Self.route, start: 86_400)
        let first = run(detector([watch]), reads), second = run(detector([watch]), reads)
        #expect(first.count == 2, "once per trip, not once per read past the threshold")
        #expect(first.map(\.triggerID) == second.map(\.triggerID))
        #expect(Set(first.map(\.triggerID)).count == 2)
    }

    @Test func removingAWatchStopsItAndReplacingKeepsOneByName() {
        let detector = detector([RouteWatch(name: "w", cameras: Self.route)])
        detector.add(RouteWatch(name: "w", cameras: Array(Self.route.prefix(3)), minimumMatch: 1))
        #expect(detector.watches.count == 1)
        #expect(run(detector, Self.drive("5AAA005", Array(Self.route.prefix(3)))).count == 1)
        #expect(detector.remove(name: "w"))
        #expect(run(detector, Self.drive("5BBB005", Self.route, start: 7200)).isEmpty)
    }

    @Test func aRepetitionWatchFiresOnTheThirdDayAVehicleDrivesTheRouteNotBefore() throws {
        let detector = detector([RouteWatch(name: "habit", cameras: Self.route, repeatDays: 3)])
        var days = (0..<4).map { Self.drive("8REP008", Self.route, start: Int64($0) * 86_400) }
        days[2] += Self.drive("8REP008", Self.route, start: 2 * 86_400 + 4 * 3600)  // twice on the third day
        #expect(run(detector, days[0] + days[1]).isEmpty)
        let third = run(detector, days[2])
        try #require(third.count == 1)
        #expect(third[0].details.contains { $0.0 == "days" && $0.1 == .int(3) })
        #expect(third[0].explanation.contains("third day"))
        #expect(run(detector, days[3]).isEmpty, "the fourth day is no news")
        #expect(run(detector, Self.drive("8ONE008", Self.route, start: 5 * 86_400)).isEmpty, "another vehicle's first day")
    }

    @Test func anExcludedPlateDoesNotFireItsOwnWatch() {
        let detector = detector([RouteWatch(name: "w", cameras: Self.route, excludedPlate: "6OWN006")])
        #expect(run(detector, Self.drive("6OWN006", Self.route)).isEmpty)
        #expect(run(detector, Self.drive("6OTH006", Self.route)).count == 1)
    }

    @Test func hundredsOfWatchesFireOnlyTheOnesDriven() {
        var watches: [RouteWatch] = []
        var random = SeededRandom(seed: 7)
        let all = Self.cameras.order
        for number in 0..<300 {
            var cameras: [String] = []
            while cameras.count < 6 {
                let camera = all[Int(random.next() % UInt64(all.count))]
                if !cameras.contains(camera) { cameras.append(camera) }
            }
            watches.append(RouteWatch(name: "w\(number)", cameras: cameras))
        }
        let detector = detector(watches)
        let fired = run(detector, Self.drive("7ONE007", watches[123].cameras))
        #expect(fired.contains { $0.details.first?.1 == .string("w123") })
        #expect(fired.allSatisfy { draft in
            // Any other watch fired has 5 of its 6 cameras in order on this drive.
            guard case .string(let name) = draft.details[0].1, let watch = watches.first(where: { $0.name == name }) else { return false }
            return RouteSimilarity.commonCameras(watch.cameras, watches[123].cameras) >= 5
        })
    }
}
