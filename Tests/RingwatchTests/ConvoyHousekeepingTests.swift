import RingwatchCore
import RingwatchDetectors
import Testing

/// The tracker's housekeeping (learning how the traffic moves on, forgetting old passages) is
/// spread over the passages, a few steps each, so that no single read pays for ten seconds of
/// traffic at once; and the convoys found are those the tracker found when it swept every ten
/// seconds of event time.
@Suite("Convoy tracker: housekeeping spread over the passages")
struct ConvoyHousekeepingTests {
    static let route = ["R3-01", "R3-02", "R3-03", "R2-04", "R2-05", "R1-02"]

    /// Three hours of platoon-like traffic on the route, strangers at every camera of it and at
    /// six cameras off it, and a convoy of three and one of two planted each hour.
    static func traffic(hours: Int = 3, from origin: Timestamp = ConvoyFixture.base) -> [Passage] {
        var passages: [Passage] = []
        for hour in 0..<hours {
            let start = origin.adding(seconds: Int64(hour) * 3600)
            passages += ConvoyFixture.flow(route: route, perHour: 400, seconds: 3600, seed: UInt64(11 + hour), jitter: 20, from: start)
            passages += ConvoyFixture.background(cameras: route + (1...6).map { "R4-0\($0)" }, perCameraPerHour: 300, seconds: 3600,
                                                 seed: UInt64(40 + hour), from: start)
            passages += ConvoyFixture.convoy(["7LLL00\(hour)", "5MMM00\(hour)", "3NNN00\(hour)"], route: route, start: 600, from: start)
            passages += ConvoyFixture.convoy(["8PPP00\(hour)", "6QQQ00\(hour)"], route: route, start: 2_400, spacing: 20, from: start)
        }
        return passages.sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }

    /// What the tracker reported on `traffic()` when it did all its housekeeping every ten
    /// seconds of event time (recorded from that version): change, plates, score. Learning each
    /// move as soon as its reads are in, rather than up to ten seconds later, moves two scores
    /// by at most 0.005 (and others by rounding); it changes no convoy.
    static let reportedWhenSweptEveryTenSeconds = [
        "formed FL285S11,FL339S11 0.5835",
        "formed FL270S11,FL41S11 0.6963",
        "formed FL152S11,FL390S11 0.5365",
        "formed 7LLL000,5MMM000 0.9901",
        "grew 7LLL000,5MMM000,3NNN000 0.9900",
        "formed FL205S11,FL377S11 0.8999",
        "formed 7LLL000,FL201S11 0.6236",
        "grew 7LLL000,FL201S11,5MMM000,3NNN000 1.0000",
        "grew FL205S11,FL377S11,FL279S11 0.9000",
        "formed FL120S11,FL298S11 0.7342",
        "formed FL67S11,FL294S11 0.9385",
        "formed FL23S11,FL346S11 0.5930",
        "formed FL10S11,FL175S11 0.6620",
        "formed FL49S11,FL314S11 0.9220",
        "formed FL165S11,FL114S11 0.7623",
        "formed FL367S11,FL369S11 0.5721",
        "formed FL170S11,FL365S11 0.9084",
        "grew FL170S11,FL365S11,FL184S11 0.9084",
        "formed FL81S11,FL266S11 0.8208",
        "formed FL399S11,FL117S11 0.5592",
        "formed 8PPP000,6QQQ000 0.9883",
        "formed FL163S11,FL129S11 0.7358",
        "formed FL72S11,FL47S11 0.5570",
        "formed FL211S11,FL186S11 0.6439",
        "grew FL24S11,FL72S11,FL47S11 0.7244",
        "formed FL137S11,FL47S11 0.6109",
        "grew 8PPP000,6QQQ000,FL35S11 0.9998",
        "formed FL93S11,FL261S11 0.9162",
        "formed FL393S11,FL35S11 0.8686",
        "formed FL387S11,FL166S11 0.5757",
        "formed FL6S11,FL20S11 0.6366",
        "formed FL12S11,FL196S11 0.6719",
        "formed FL325S11,FL185S11 0.6916",
        "formed FL212S11,FL324S11 0.8114",
        "formed FL296S11,FL161S11 0.8280",
        "formed FL297S11,FL292S11 0.9566",
        "formed FL349S11,FL318S11 0.7557",
        "formed FL285S12,FL336S12 0.6941",
        "formed FL201S12,FL55S12 0.7557",
        "formed 7LLL001,5MMM001 0.9903",
        "grew 7LLL001,5MMM001,3NNN001 0.9902",
        "formed FL53S12,FL270S12 0.7585",
        "formed FL174S12,FL372S12 0.6998",
        "formed FL46S12,FL348S12 0.5915",
        "formed FL78S12,FL87S12 0.5182",
        "grew FL46S12,FL348S12,FL105S12 0.6979",
        "formed FL358S12,FL337S12 0.8383",
        "formed FL73S12,FL0S12 0.6445",
        "formed FL332S12,FL376S12 0.6891",
        "formed FL354S12,FL48S12 0.5647",
        "formed FL33S12,FL232S12 0.5080",
        "formed FL100S12,FL121S12 0.6113",
        "formed FL293S12,FL107S12 0.8110",
        "formed FL88S12,FL158S12 0.5345",
        "formed FL356S12,FL377S12 0.6166",
        "formed FL297S12,FL278S12 0.6945",
        "formed FL102S12,FL171S12 0.9126",
        "formed FL314S12,FL83S12 0.5861",
        "grew FL314S12,FL83S12,FL388S12 0.8091",
        "formed FL305S12,FL274S12 0.7267",
        "formed FL22S12,FL112S12 0.6986",
        "formed FL277S12,FL273S12 0.5825",
        "formed 8PPP001,6QQQ001 0.9877",
        "formed FL116S12,FL290S12 0.7322",
        "formed FL226S12,FL250S12 0.7298",
        "formed FL309S12,FL262S12 0.6515",
        "formed FL279S12,FL115S12 0.5552",
        "grew FL279S12,FL115S12,FL95S12 0.6802",
        "formed FL193S12,FL12S12 0.6132",
        "formed FL206S12,FL41S12 0.7503",
        "formed FL359S12,FL310S12 0.6402",
        "formed FL394S13,FL19S13 0.7127",
        "grew FL206S12,FL41S12,FL368S12 0.8855",
        "formed FL116S13,FL366S13 0.6083",
        "formed 7LLL002,5MMM002 0.9900",
        "grew 7LLL002,5MMM002,3NNN002 0.9900",
        "formed FL310S13,FL241S13 0.7273",
        "formed FL84S13,FL183S13 0.7305",
        "formed FL64S13,FL288S13 0.5484",
        "formed FL182S13,FL114S13 0.7725",
        "formed FL321S13,FL382S13 0.8616",
        "formed FL103S13,FL123S13 0.6140",
        "formed FL347S13,FL338S13 0.5938",
        "grew FL321S13,FL382S13,FL30S13 0.6840",
        "formed FL199S13,FL167S13 0.7787",
        "formed FL88S13,FL286S13 0.5158",
        "formed FL83S13,FL154S13 0.6238",
        "formed FL281S13,FL156S13 0.5298",
        "formed FL386S13,FL190S13 0.8477",
        "formed FL90S13,FL45S13 0.5190",
        "formed FL55S13,FL60S13 0.5897",
        "grew FL386S13,FL190S13,FL144S13 0.8492",
        "formed FL357S13,FL104S13 0.8807",
        "formed FL320S13,FL163S13 0.7307",
        "formed FL177S13,FL307S13 0.6568",
        "formed FL161S13,FL311S13 0.7366",
        "formed FL341S13,FL35S13 0.5836",
        "formed 8PPP002,6QQQ002 0.9885",
        "grew FL238S13,8PPP002,6QQQ002 1.0000",
        "formed FL208S13,FL359S13 0.5232",
        "formed FL239S13,FL117S13 0.6630",
        "formed FL40S13,FL344S13 0.5064",
        "formed FL268S13,FL255S13 0.8175",
        "formed FL372S13,FL233S13 0.5176",
        "formed FL380S13,FL247S13 0.5339",
        "formed FL120S13,FL10S13 0.6829",
        "formed FL147S13,FL232S13 0.8640",
        "grew FL147S13,FL264S13,FL232S13 0.8057",
        "formed FL164S13,FL56S13 0.5229",
    ]

    @Test func theConvoysFoundAreThoseOfTheTrackerThatSweptEveryTenSeconds() {
        // Recorded before the way-in rule of the scoring existed: it is off here, so the
        // comparison is of the housekeeping alone.
        var definition = ConvoyTrackerTests.lenient
        definition.leadUpDivergence = 1
        let tracker = ConvoyTracker(definition: definition)
        var events: [ConvoyTracker.Event] = []
        for passage in ConvoyHousekeepingTests.traffic() { events += tracker.observe(passage) }
        let expected = ConvoyHousekeepingTests.reportedWhenSweptEveryTenSeconds.map { line in
            let parts = line.split(separator: " ")
            return (convoy: "\(parts[0]) \(parts[1])", score: Double(parts[2])!)
        }
        #expect(events.map { "\($0.change) \($0.group.plates.joined(separator: ","))" } == expected.map(\.convoy))
        for (event, recorded) in zip(events, expected) {
            #expect(abs(event.group.score - recorded.score) < 0.01, "\(recorded.convoy)")
        }
    }

    @Test func noPassageDoesMoreThanAFewHousekeepingStepsAndTheQueuesKeepUp() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let passages = ConvoyHousekeepingTests.traffic()
        for passage in passages { _ = tracker.observe(passage) }
        let most = ConvoyTracker.maximumHousekeepingStepsPerPassage
        #expect(most <= 16)
        #expect(tracker.mostHousekeepingStepsInOnePassage <= most)
        // The work is done, not skipped: every passage's trail entry but the last half hour's
        // was expired, and moves were learned.
        #expect(tracker.housekeepingSteps > passages.count)
        // Moves wait only for the reads behind them (two minutes: the gap and the lateness),
        // and the trails hold about the last half hour.
        #expect(tracker.pendingMoveCount < passages.count / 3 / 30)
        #expect(tracker.heldPassages < 2 * passages.count / 3 * 40 / 60)
    }

    @Test func afterAJumpInEventTimeTheBacklogIsWorkedOffOverTheNextPassages() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let first = ConvoyHousekeepingTests.traffic(hours: 1)
        for passage in first { _ = tracker.observe(passage) }
        let held = tracker.heldPassages
        // Three hours later: everything held is stale, and a ten-second sweep would have
        // dropped it all within one read.
        let later = ConvoyHousekeepingTests.traffic(hours: 1, from: ConvoyFixture.base.adding(seconds: 4 * 3600))
        _ = tracker.observe(later[0])
        #expect(tracker.mostHousekeepingStepsInOnePassage <= ConvoyTracker.maximumHousekeepingStepsPerPassage)
        #expect(tracker.heldPassages > held / 2)
        for passage in later.dropFirst() { _ = tracker.observe(passage) }
        #expect(tracker.mostHousekeepingStepsInOnePassage <= ConvoyTracker.maximumHousekeepingStepsPerPassage)
        // Only the new hour's passages are left (its last half hour or so, in trails and at cameras).
        #expect(tracker.heldPassages < 2 * later.count * 40 / 60)
        #expect(tracker.vehicleCount < later.count)
    }
}
