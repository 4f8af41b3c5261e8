import RingwatchCore
import RingwatchDetectors
import Testing

/// Traffic rates fixed by the test: `perHour[camera]`, else `otherwise`.
struct FixedRates: TrafficRateSource {
    var perHour: [String: Double] = [:]
    var otherwise = 10.0
    func readsPerHour(camera: String, at time: Timestamp) -> Double { perHour[camera] ?? otherwise }
}

/// Traffic with a fixed rate everywhere and a fixed measured share of company kept per move.
struct MeasuredRates: TrafficRateSource {
    var perHour: Double
    var share: Double
    func readsPerHour(camera: String, at time: Timestamp) -> Double { perHour }
    func persistence(from: String, at fromTime: Timestamp, to: String, at toTime: Timestamp, excluding pair: PairKey) -> Double? { share }
}

/// Builds passages and co-occurrences on a fixed clock.
struct ConvoyFixture {
    static let base = Timestamp(rfc3339: "2026-11-22T03:00:00Z")!

    static func passage(_ plate: String, _ camera: String, _ seconds: Double, _ direction: Direction? = nil,
                        from start: Timestamp = base) -> Passage {
        let time = start.adding(milliseconds: Int64((seconds * 1000).rounded()))
        return Passage(readID: ReadID.from(camera: camera, timestamp: time, plate: Plate(normalised: plate)), plate: plate,
                       camera: camera, time: time, direction: direction)
    }

    /// Co-occurrences of `a` and `b`: at each (camera, seconds of a, seconds of b).
    static func pair(_ a: String, _ b: String, _ stops: [(String, Double, Double)],
                     definition: ConvoyDefinition = ConvoyDefinition()) -> (PairKey, [CoOccurrence]) {
        let key = PairKey(a, b)
        let items = stops.compactMap { stop in
            definition.coOccurrence(passage(a, stop.0, stop.1), passage(b, stop.0, stop.2))?.coOccurrence
        }
        return (key, items)
    }

    /// Passages of a convoy: `plates` in this order, `spacing` seconds apart, at each camera of
    /// `route`, one camera every `legSeconds`, starting at `start` seconds.
    static func convoy(_ plates: [String], route: [String], start: Double = 0, legSeconds: Double = 120,
                       spacing: Double = 10, direction: Direction? = nil, from origin: Timestamp = base) -> [Passage] {
        var out: [Passage] = []
        for (leg, camera) in route.enumerated() {
            for (position, plate) in plates.enumerated() {
                out.append(passage(plate, camera, start + Double(leg) * legSeconds + Double(position) * spacing, direction, from: origin))
            }
        }
        return out.sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }

    /// Deterministic traffic along `route`: `perHour` vehicles an hour, each starting at a random
    /// time and passing every camera, one every `legSeconds` ± `jitter` (a platoon moving in
    /// near lockstep when the jitter is small).
    static func flow(route: [String], perHour: Int, seconds: Double, seed: UInt64, legSeconds: Double = 120, jitter: Double,
                     from origin: Timestamp = base) -> [Passage] {
        var state = seed
        func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var out: [Passage] = []
        for vehicle in 0..<Int(Double(perHour) * seconds / 3600) {
            var at = unit() * seconds
            for camera in route {
                out.append(passage("FL\(vehicle)S\(seed % 100)", camera, at, nil, from: origin))
                at += legSeconds + (unit() * 2 - 1) * jitter
            }
        }
        return out.sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }

    /// Deterministic background traffic: `perCameraPerHour` distinct vehicles at each camera,
    /// spread over `seconds` (SplitMix64 from `seed`); no vehicle passes two cameras.
    static func background(cameras: [String], perCameraPerHour: Int, seconds: Double, seed: UInt64,
                           from origin: Timestamp = base) -> [Passage] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var out: [Passage] = []
        let count = Int(Double(perCameraPerHour) * seconds / 3600)
        for camera in cameras {
            for index in 0..<count {
                let at = Double(next() % UInt64(seconds * 1000)) / 1000
                out.append(passage("BG\(camera.filter(\.isNumber))X\(index)S\(seed % 1000)", camera, at, nil, from: origin))
            }
        }
        return out.sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }
}

@Suite("Convoy definition")
struct ConvoyDefinitionTests {
    let definition = ConvoyDefinition()

    @Test func aGapOfExactlySixtySecondsCoOccursAndSixtyPointZeroZeroOneDoesNot() {
        let a = ConvoyFixture.passage("1AAA001", "R3-01", 0)
        #expect(definition.coOccurrence(a, ConvoyFixture.passage("1BBB002", "R3-01", 60)) != nil)
        #expect(definition.coOccurrence(a, ConvoyFixture.passage("1BBB002", "R3-01", 60.001)) == nil)
        #expect(definition.coOccurrence(a, ConvoyFixture.passage("1BBB002", "R3-01", -60)) != nil)

        let inside = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 60), ("R3-02", 300, 360), ("R2-01", 600, 660)])
        #expect(definition.assess(inside.0, inside.1, rates: FixedRates()) != nil)
        let outside = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 60), ("R3-02", 300, 360), ("R2-01", 600, 660.001)])
        #expect(outside.1.count == 2)
        #expect(definition.assess(outside.0, outside.1, rates: FixedRates()) == nil)
    }

    @Test func theSameCameraTwiceCountsOnce() {
        // Round the ring: R3-01 twice, R3-02 once: two distinct cameras, however many passages.
        let twice = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 10), ("R3-01", 20, 25), ("R3-02", 300, 310), ("R3-01", 900, 910)])
        #expect(definition.assess(twice.0, twice.1, rates: FixedRates()) == nil)
        let three = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 10), ("R3-01", 900, 910), ("R3-02", 300, 310), ("R2-04", 600, 610)])
        let convoy = try! #require(definition.assess(three.0, three.1, rates: FixedRates()))
        #expect(convoy.evidence.count == 3)
        #expect(Set(convoy.evidence.map(\.camera)) == ["R3-01", "R3-02", "R2-04"])
        #expect(convoy.cameras == ["R3-01", "R3-02", "R2-04"])
    }

    @Test func repeatedReadsOfOnePassageAreOneCoOccurrence() {
        // The camera read the second car three times within a few seconds: still one passage.
        let pair = ConvoyFixture.pair("1AAA001", "1BBB002", [
            ("R3-01", 0, 10), ("R3-01", 0, 11), ("R3-01", 0, 12), ("R3-02", 300, 310), ("R2-04", 600, 610),
        ])
        let convoy = try! #require(definition.assess(pair.0, pair.1, rates: FixedRates()))
        #expect(convoy.passages.count == 3)
    }

    @Test func allCamerasMustFallWithinTheWindow() {
        let spread = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 10), ("R3-02", 900, 910), ("R2-04", 1801, 1811)])
        #expect(definition.assess(spread.0, spread.1, rates: FixedRates()) == nil)
        let tight = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 10), ("R3-02", 900, 910), ("R2-04", 1800, 1810)])
        #expect(definition.assess(tight.0, tight.1, rates: FixedRates()) != nil)
    }

    @Test func anOrderChangeNeedsASteadyGapOrAnotherCameraInTheMajorityOrder() {
        // A leads at two cameras, B at the third, and the gaps differ widely: not a convoy.
        let changed = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 5), ("R3-02", 300, 345), ("R2-04", 620, 600)])
        #expect(definition.assess(changed.0, changed.1, rates: FixedRates()) == nil)
        // The same order change with a steady gap (about 10 s whoever leads): a convoy by gap.
        let steady = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 10), ("R3-02", 300, 312), ("R2-04", 609, 600)])
        let byGap = try! #require(definition.assess(steady.0, steady.1, rates: FixedRates()))
        #expect(byGap.consistentGap)
        #expect(!byGap.consistentOrder)
        // A fourth camera in the majority order: three in a consistent order.
        let more = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 5), ("R3-02", 300, 345), ("R2-04", 620, 600), ("R1-02", 900, 930)])
        let byOrder = try! #require(definition.assess(more.0, more.1, rates: FixedRates()))
        #expect(byOrder.consistentOrder)
        #expect(byOrder.evidence.count == 3)
        #expect(byOrder.leader == "1AAA001")
    }

    @Test(arguments: [
        (Direction.inbound, Direction.outbound, false),
        (Direction.outbound, Direction.inbound, false),
        (Direction.inbound, Direction.inbound, true),
    ])
    func oppositeDirectionsDoNotCoOccur(a: Direction, b: Direction, together: Bool) {
        let first = ConvoyFixture.passage("1AAA001", "R2-03", 0, a)
        let second = ConvoyFixture.passage("1BBB002", "R2-03", 5, b)
        #expect((definition.coOccurrence(first, second) != nil) == together)
    }

    @Test func anUnknownDirectionCoOccursWithEither() {
        let known = ConvoyFixture.passage("1AAA001", "R2-03", 0, .inbound)
        #expect(definition.coOccurrence(known, ConvoyFixture.passage("1BBB002", "R2-03", 5, nil)) != nil)
    }

    @Test func aQuietHourScoresHigherThanTheRushHourForTheSameGeometry() {
        // A steady gap (12–14 s) over three cameras five minutes apart.
        let stops = [("R3-01", 0.0, 12.0), ("R3-02", 300.0, 314.0), ("R2-04", 600.0, 613.0)]
        let (key, items) = ConvoyFixture.pair("1AAA001", "1BBB002", stops)
        let quiet = try! #require(definition.assess(key, items, rates: FixedRates(otherwise: 10)))       // 10 reads/h
        let rush = try! #require(definition.assess(key, items, rates: FixedRates(otherwise: 3600)))      // one a second
        #expect(quiet.score > 0.9)
        #expect(rush.score < 0.5)
        #expect(quiet.expectedByChance < rush.expectedByChance)
        // One busy camera among quiet ones weighs in, but less than all busy.
        let mixed = try! #require(definition.assess(key, items, rates: FixedRates(perHour: ["R3-01": 3600], otherwise: 10)))
        #expect(mixed.score < quiet.score && mixed.score > rush.score)
        // A narrower band of gaps is less likely by chance.
        let (_, looser) = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 12), ("R3-02", 300, 322), ("R2-04", 600, 616)])
        let tight = try! #require(definition.assess(key, items, rates: FixedRates(otherwise: 60)))
        let loose = try! #require(definition.assess(key, looser, rates: FixedRates(otherwise: 60)))
        #expect(tight.score > loose.score)
        #expect(tight.chance!.keptGap.allSatisfy { $0 < 0.1 })
        #expect(loose.chance!.keptGap.allSatisfy { $0 > 0.15 })
    }

    /// Dense traffic that keeps 15% of a car's company per move, as measured on the simulated
    /// ring. Four shared cameras in one order but with a gap drifting by 15 s a camera are what
    /// strangers do, and stay below the reporting score; six cameras with the gap held within
    /// 3 s are what a convoy does, and pass it. Cameras passed together add weight through the
    /// kept gap, not merely by being passed (company that stayed once mostly stays).
    @Test func aSteadyGapOutweighsCompanyThatDrifts() {
        let rates = MeasuredRates(perHour: 600, share: 0.15)
        let drifting = ConvoyFixture.pair("1AAA001", "1BBB002", [("R3-01", 0, 5), ("R3-02", 300, 320), ("R2-04", 600, 635), ("R1-02", 900, 950)])
        let steady = ConvoyFixture.pair("7LLL001", "5MMM002", [
            ("R3-01", 0, 10), ("R3-02", 300, 312), ("R2-04", 600, 611), ("R1-02", 900, 913), ("R1-03", 1200, 1210), ("R1-04", 1500, 1512),
        ])
        let definition = ConvoyDefinition()
        let loose = try! #require(definition.assess(drifting.0, drifting.1, rates: rates))
        #expect(loose.evidence.count == 4)
        #expect(loose.consistentOrder)
        #expect(loose.score < definition.minimumScore)
        #expect(loose.expectedByChance * definition.chanceScale > 1)
        // A 45 s band over five-minute legs is what strangers' gaps do: no credit.
        #expect(loose.chance?.keptGap.allSatisfy { $0 > 0.5 } == true)
        let held = try! #require(definition.assess(steady.0, steady.1, rates: rates))
        #expect(held.evidence.count == 6)
        #expect(held.score >= definition.minimumScore)
        // The measured shares are reported as measured, one per move, and so is the kept gap.
        #expect(held.chance?.shares == Array(repeating: 0.15, count: 5))
        #expect(held.chance?.keptGap.count == 5)
        // Without the follow-on floor the measured shares multiply as independent, and four
        // cameras with a drifting gap would look rarer than the six steady ones.
        var independent = definition
        independent.followOnPersistence = 0
        let naive = try! #require(independent.assess(drifting.0, drifting.1, rates: rates))
        #expect(naive.expectedByChance < loose.expectedByChance)
    }

    @Test func theKeptGapShareGrowsWithTheBandAndShrinksWithTheLegUpToTheWindow() {
        let scoring = ConvoyScoring(definition: definition)
        // Wider band, more chance company fits in it.
        #expect(scoring.keptGapShare(band: 1_000, leg: 120_000) < scoring.keptGapShare(band: 5_000, leg: 120_000))
        // Longer leg, strangers drift further: less of them keep the band.
        #expect(scoring.keptGapShare(band: 2_000, leg: 300_000) < scoring.keptGapShare(band: 2_000, leg: 60_000))
        // But a companion within the maximum gap at both cameras cannot have drifted by more than
        // the window allows: beyond a long leg the share stops shrinking.
        let cap = ConvoyScoring.windowSpread * Double(definition.maxGapMilliseconds)
        #expect(scoring.driftSpread(leg: 3_600_000) <= cap)
        #expect(scoring.driftSpread(leg: 3_600_000) > 0.99 * cap)
        // A band as wide as strangers' drift earns nothing.
        #expect(scoring.keptGapShare(band: 60_000, leg: 60_000) == 1)
    }

    @Test func steadinessNeedsOneOrderAndGapsWithinTheRatio() {
        let scoring = ConvoyScoring(definition: definition)
        func evidence(_ gaps: [Double]) -> [CoOccurrence] {
            ConvoyFixture.pair("1AAA001", "1BBB002", gaps.enumerated().map { ("C\($0.offset)", Double($0.offset) * 300, Double($0.offset) * 300 + $0.element) }).1
        }
        #expect(scoring.isSteady(evidence([10, 20, 15])))
        #expect(!scoring.isSteady(evidence([10, 21, 15])))          // 21 > 2 × 10
        #expect(!scoring.isSteady(evidence([10, -12, 15])))         // order changed
        #expect(scoring.isSteady(evidence([-10, -12, -15])))
        #expect(scoring.isSteady(evidence([0.5, 1, 4])))            // below the 2 s floor counts as 2 s
        #expect(!scoring.isSteady(evidence([0.5, 1, 4.5])))
    }

    @Test func pairsSharingVehiclesMergeIntoOneGroupLeadFirst() {
        let rates = FixedRates()
        let stops: [String] = ["R3-01", "R3-02", "R2-04", "R1-02"]
        // Lead L, load M 8 s behind, tail T 20 s behind L; pairs given in no particular order.
        func pair(_ a: String, _ offsetA: Double, _ b: String, _ offsetB: Double) -> PairConvoy {
            let (key, items) = ConvoyFixture.pair(a, b, stops.enumerated().map { ($1, Double($0) * 300 + offsetA, Double($0) * 300 + offsetB) })
            return definition.assess(key, items, rates: rates)!
        }
        let pairs = [pair("9TTT003", 20, "5MMM002", 8), pair("7LLL001", 0, "9TTT003", 20), pair("5MMM002", 8, "7LLL001", 0),
                     pair("1XXX010", 0, "1YYY011", 30)]
        let groups = ConvoyGrouping.groups(pairs, maxGapMilliseconds: definition.maxGapMilliseconds)
        #expect(groups.count == 2)
        let trio = try! #require(groups.first { $0.plates.count == 3 })
        #expect(trio.plates == ["7LLL001", "5MMM002", "9TTT003"])
        #expect(trio.cameras == stops)
        #expect(trio.coOccurrences == 4)
        #expect(trio.maxGapMilliseconds == 20_000)
        #expect(trio.readIDs.count == 12)
        #expect(!trio.explanation.contains("7LLL001"))
        #expect(trio.explanation.hasPrefix("3 vehicles travelled together past 4 cameras"))
    }

    @Test func theCommuterMemoryCountsDistinctDaysWithinTheLookBack() {
        var memory = CommuterMemory(minimumDays: 3, lookbackDays: 7, capacity: 1000)
        let pair = PairKey("1AAA001", "1BBB002")
        let answers = [100, 100, 101, 102, 112].map { memory.record(pair, day: Int64($0)) }
        // Day 100 twice is one day; the third distinct day makes a commuter pair; ten days
        // later the old days have left the look-back.
        #expect(answers == [false, false, false, true, false])
        // Bounded: many pairs never exceed the capacity.
        for index in 0..<5000 { _ = memory.record(PairKey("A\(index)", "B\(index)"), day: 120) }
        #expect(memory.count <= 1000)
    }

    @Test func aBadParameterIsNamed() {
        var bad = ConvoyDefinition()
        bad.minCameras = 1
        #expect(bad.problem?.contains("min_cameras") == true)
        bad = ConvoyDefinition()
        bad.windowMilliseconds = 10_000
        #expect(bad.problem?.contains("window_s") == true)
        #expect(ConvoyDefinition().problem == nil)
    }
}

@Suite("Convoy tracker")
struct ConvoyTrackerTests {
    let route = ["R3-01", "R3-02", "R3-03", "R2-04", "R2-05", "R1-02"]
    /// The definition with a low minimum score, so these tests see the definition and the
    /// firing rules, not the scoring (tested on its own below and in the definition suite).
    static var lenient: ConvoyDefinition {
        var definition = ConvoyDefinition()
        definition.minimumScore = 0.5
        definition.minimumPairScore = 0.5
        return definition
    }

    func run(_ tracker: ConvoyTracker, _ passages: [Passage]) -> [ConvoyTracker.Event] {
        passages.flatMap { tracker.observe($0) }
    }

    @Test func aConvoyIsReportedOnceWhenItMeetsTheDefinitionNotPerRead() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let passages = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route)
        var events: [(Int, ConvoyTracker.Event)] = []
        for (index, passage) in passages.enumerated() {
            for event in tracker.observe(passage) { events.append((index, event)) }
        }
        #expect(events.count == 1)
        // The third camera's second read completes the definition.
        #expect(events.first?.0 == 5)
        #expect(events.first?.1.change == .formed)
        #expect(events.first?.1.group.plates == ["7LLL001", "5MMM002"])
    }

    @Test func aConvoyIsReportedAgainWhenItGainsAMember() {
        // A car that joins on the way is scored as a stranger whose way joined (the lead-up
        // rule, ConvoyLeadUpTests); here only the announcing counts, so the rule is off.
        var definition = ConvoyTrackerTests.lenient
        definition.leadUpDivergence = 1
        let tracker = ConvoyTracker(definition: definition)
        // The tail joins at the fourth camera and follows to the end.
        let pair = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route)
        let tail = ConvoyFixture.convoy(["9TTT003"], route: Array(route.dropFirst(3)), start: 360 + 25)
        let events = run(tracker, (pair + tail).sorted { ($0.time, $0.plate) < ($1.time, $1.plate) })
        #expect(events.map(\.change) == [.formed, .grew])
        #expect(events.last?.group.plates == ["7LLL001", "5MMM002", "9TTT003"])
    }

    @Test func aNewcomerWhosePairOnlyJustPassesDoesNotFireTheConvoyAgain() {
        // The pair forms on quiet cameras; a third car tags along on busy ones, close enough to
        // join (pair score at least 0.5) but not convincingly (below the 0.95 to report).
        var definition = ConvoyDefinition()
        definition.minimumPairScore = 0.5
        // The newcomer joins on the way: without the lead-up rule, as only the announcing counts here.
        definition.leadUpDivergence = 1
        let rates = FixedRates(perHour: ["R2-04": 50, "R2-05": 50, "R1-02": 50], otherwise: 5)
        let pair = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route)
        let tail = ConvoyFixture.convoy(["9TTT003"], route: Array(route.dropFirst(3)), start: 360 + 25)
        let passages = (pair + tail).sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
        let strict = ConvoyTracker(definition: definition, rates: rates)
        #expect(run(strict, passages).map(\.change) == [.formed])
        // Reported at a score it reaches, the same newcomer does fire the convoy again.
        definition.minimumScore = 0.5
        let lenient = ConvoyTracker(definition: definition, rates: rates)
        let events = run(lenient, passages)
        #expect(events.map(\.change) == [.formed, .grew])
        #expect(events.last?.group.plates.count == 3)
    }

    @Test func aReadDeliveredLastStillCompletesTheConvoyWhileItsCameraRemembersItsNeighbour() {
        // Passages are kept per camera for window + lateness + two gaps behind the newest read,
        // so a read delivered after the rest of the convoy is still paired when it arrives.
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient, latenessMilliseconds: 60_000)
        let passages = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: Array(route.prefix(3)))
        // Deliver the first camera's second read last, after the third camera's reads.
        let late = passages[1]
        var order = passages.filter { $0.readID != late.readID }
        order.append(late)
        let events = run(tracker, order)
        #expect(events.count == 1)
        #expect(events.first?.group.cameras == Array(route.prefix(3)))
    }

    @Test func aConvoyFormsAnewAfterAQuietPeriod() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let morning = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route)
        let later = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route, start: 3 * 3600)
        #expect(run(tracker, morning).count == 1)
        #expect(run(tracker, later).map(\.change) == [.formed])
    }

    @Test func aGroupOfThreeFormsLeadFirst() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let events = run(tracker, ConvoyFixture.convoy(["7LLL001", "5MMM002", "9TTT003"], route: route, spacing: 12))
        #expect(events.map(\.change) == [.formed, .grew])
        let group = try! #require(events.last?.group)
        #expect(group.plates == ["7LLL001", "5MMM002", "9TTT003"])
        #expect(group.cameras == Array(route.prefix(3)))
        #expect(group.maxGapMilliseconds == 24_000)
    }

    @Test func readsArrivingOutOfOrderWithinTheLatenessGiveTheSameConvoy() {
        let convoy = ConvoyFixture.convoy(["7LLL001", "5MMM002", "9TTT003"], route: route, spacing: 12)
        let background = ConvoyFixture.background(cameras: route, perCameraPerHour: 60, seconds: 1200, seed: 5)
        let inOrder = (convoy + background).sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
        // Shuffle deterministically: each read delayed by up to 50 s (under the 60 s lateness).
        var state: UInt64 = 99
        let shuffled = inOrder.map { passage -> (Int64, Passage) in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (passage.time.milliseconds + Int64((state >> 33) % 50_000), passage)
        }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(shuffled.map(\.readID) != inOrder.map(\.readID))

        let ordered = ConvoyTracker(definition: ConvoyTrackerTests.lenient, keepsClosedGroups: true)
        let late = ConvoyTracker(definition: ConvoyTrackerTests.lenient, keepsClosedGroups: true)
        let orderedEvents = run(ordered, inOrder)
        let lateEvents = run(late, shuffled)
        #expect(orderedEvents.last?.group.plates == ["7LLL001", "5MMM002", "9TTT003"])
        #expect(lateEvents.last?.group.plates == ["7LLL001", "5MMM002", "9TTT003"])
        let orderedFinal = ordered.finish(), lateFinal = late.finish()
        #expect(orderedFinal.map(\.plates) == lateFinal.map(\.plates))
        #expect(orderedFinal.first?.cameras == lateFinal.first?.cameras)
        #expect(orderedFinal.first?.readIDs == lateFinal.first?.readIDs)
    }

    @Test func busesAreExcludedThroughTheRegistryLookup() {
        let lookup: VehicleTypeLookup = { plate in plate == "8BUS004" ? "Bus" : "car" }
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient, vehicleType: lookup, keepsClosedGroups: true)
        let events = run(tracker, ConvoyFixture.convoy(["7LLL001", "8BUS004", "5MMM002"], route: route, spacing: 10))
        #expect(events.count == 1)
        #expect(events.first?.group.plates == ["7LLL001", "5MMM002"])
        // Without the lookup the bus is a member.
        let unaware = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        #expect(run(unaware, ConvoyFixture.convoy(["7LLL001", "8BUS004", "5MMM002"], route: route, spacing: 10)).last?.group.plates.count == 3)
    }

    @Test func aPairTogetherOnThreeDaysIsACommuterPairAndStopsFiring() {
        func days(_ definition: ConvoyDefinition) -> [Int] {
            let tracker = ConvoyTracker(definition: definition)
            return (0..<4).map { day in
                run(tracker, ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: route, start: Double(day) * 86_400)).count
            }
        }
        #expect(days(ConvoyTrackerTests.lenient) == [1, 1, 0, 0])
        var keep = ConvoyTrackerTests.lenient
        keep.excludeCommuters = false
        #expect(days(keep) == [1, 1, 1, 1])
    }

    /// The same pair, six seconds apart over four cameras, in the traffic of 03:00 (20 cars an
    /// hour) or 08:00 (1,800 an hour moving along the same road in near lockstep); the tracker
    /// learns the rates, and measures how the traffic keeps together, from what it sees.
    func convoyScore(hour: Int, perHour: Int, minimumScore: Double) -> Double? {
        var definition = ConvoyDefinition()
        definition.minimumScore = minimumScore
        definition.minimumPairScore = min(definition.minimumPairScore, minimumScore)
        let tracker = ConvoyTracker(definition: definition, keepsClosedGroups: true)
        let start = Timestamp(rfc3339: "2026-11-23T0\(hour):00:00Z")!
        let road = Array(route.prefix(4))
        let traffic = ConvoyFixture.flow(route: road, perHour: perHour, seconds: 3000, seed: UInt64(hour), jitter: 2, from: start)
        let convoy = ConvoyFixture.convoy(["7LLL001", "5MMM002"], route: road, start: 2400, spacing: 6, from: start)
        _ = run(tracker, (traffic + convoy).sorted { ($0.time, $0.plate) < ($1.time, $1.plate) })
        // The pair's score once it has passed all four cameras.
        let pair = PairKey("7LLL001", "5MMM002")
        return tracker.finish().lazy.compactMap { $0.pairs.first { $0.pair == pair }?.score }.first
    }

    @Test func learnedRatesRankAQuietNightConvoyAboveARushHourOne() {
        let night = try! #require(convoyScore(hour: 3, perHour: 20, minimumScore: 0))
        let rush = try! #require(convoyScore(hour: 8, perHour: 1800, minimumScore: 0))
        #expect(night > 0.9)
        #expect(rush < night)
        // The pair holds its gap to the millisecond, which earns it credit even at 08:00; the
        // density still keeps it below the reporting score.
        #expect(rush < ConvoyDefinition().minimumScore)
    }

    @Test func theRushHourConvoyIsNotReportedAtTheDefaultMinimumScore() {
        #expect(convoyScore(hour: 8, perHour: 1800, minimumScore: ConvoyDefinition().minimumScore) == nil)
        #expect(convoyScore(hour: 3, perHour: 20, minimumScore: ConvoyDefinition().minimumScore) != nil)
    }

    @Test func stateStaysBoundedAsTrafficFlows() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let cameras = (1...12).map { "R2-\($0)" }
        for hour in 0..<4 {
            let start = ConvoyFixture.base.adding(seconds: Int64(hour) * 3600)
            _ = run(tracker, ConvoyFixture.background(cameras: cameras, perCameraPerHour: 600, seconds: 3600, seed: UInt64(hour), from: start))
        }
        // About 40 minutes of traffic is held, not four hours.
        #expect(tracker.vehicleCount < 12 * 600 * 45 / 60)
        #expect(tracker.heldPassages < 2 * 12 * 600 * 45 / 60)
    }
}
