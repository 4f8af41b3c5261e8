import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting
import Testing

/// The live detector and the period-wide history search rate the traffic the same way
/// (`TrafficRates`), so one scoring setting gives one answer in both.
@Suite("Convoy scoring live and in history")
struct ConvoyScoringParityTests {
    static let day = Timestamp(rfc3339: "2026-11-21T00:00:00Z")!
    static let cameras = ["R3-01", "R3-02", "R3-03", "R2-04", "R1-02"]

    @Test func countsFedAtOnceRateAsTheSameReadsOneByOne() {
        let single = TrafficRates(), batched = TrafficRates()
        let start = ConvoyScoringParityTests.day.adding(seconds: 7 * 3600)
        // Yesterday's 07:00 hour: 1,200 reads, then today 07:00–07:10, 10 a minute.
        for second in stride(from: 0, to: 3600, by: 3) {
            single.observe(camera: "R3-01", at: start.adding(seconds: Int64(second) - 86_400))
        }
        batched.observe(camera: "R3-01", at: start.adding(seconds: -86_400), reads: 600)
        batched.observe(camera: "R3-01", at: start.adding(seconds: 1800 - 86_400), reads: 600)
        for minute in 0..<10 {
            for _ in 0..<10 { single.observe(camera: "R3-01", at: start.adding(seconds: Int64(minute) * 60)) }
            batched.observe(camera: "R3-01", at: start.adding(seconds: Int64(minute) * 60), reads: 10)
        }
        let now = start.adding(seconds: 600)
        // Yesterday's hour is the usual rate at 07:00 for both.
        #expect(single.readsPerHour(camera: "R3-01", at: now) == 1200)
        #expect(abs(batched.readsPerHour(camera: "R3-01", at: now) - single.readsPerHour(camera: "R3-01", at: now)) < 1e-9)
        // A burst lifts the current rate past the usual one, whichever way it came.
        for _ in 0..<2000 { single.observe(camera: "R3-01", at: now) }
        batched.observe(camera: "R3-01", at: now, reads: 2000)
        let rate = single.readsPerHour(camera: "R3-01", at: now)
        #expect(rate > 2 * 1200)
        #expect(abs(batched.readsPerHour(camera: "R3-01", at: now) - rate) < 1e-6 * rate)
    }

    /// Two days of steady background and, on the second morning, a two-car convoy at five
    /// cameras. The history search over the second day, learning the first day's traffic from
    /// the history, scores the convoy as the live tracker that saw both days did.
    @Test func thePeriodSearchScoresAConvoyAsTheLiveTrackerDid() throws {
        let cameras = ConvoyScoringParityTests.cameras
        var passages: [Passage] = []
        for dayOffset in 0..<2 {
            let origin = ConvoyScoringParityTests.day.adding(seconds: Int64(dayOffset) * 86_400 + 6 * 3600)
            // Busier from 07:00 (a rush hour) than 06:00. The convoy passes 07:02 to 07:12 on the second day.
            passages += ConvoyFixture.background(cameras: cameras, perCameraPerHour: 60, seconds: 3600, seed: UInt64(10 + dayOffset), from: origin)
            passages += ConvoyFixture.background(cameras: cameras, perCameraPerHour: 400, seconds: 3600, seed: UInt64(20 + dayOffset),
                                                 from: origin.adding(seconds: 3600))
        }
        let convoyStart = ConvoyScoringParityTests.day.adding(seconds: 86_400 + 7 * 3600 + 2 * 60)
        passages += ConvoyFixture.convoy(["1LED001", "1LOD002"], route: cameras, legSeconds: 150, spacing: 8, from: convoyStart)
        passages.sort { ($0.time, $0.plate) < ($1.time, $1.plate) }

        var definition = ConvoyDefinition()
        definition.minimumScore = 0
        definition.minimumPairScore = 0
        let live = ConvoyTracker(definition: definition, latenessMilliseconds: 0, keepsClosedGroups: true)
        for passage in passages { _ = live.observe(passage) }
        let pair = PairKey("1LED001", "1LOD002")
        let livePair = try #require(live.finish().lazy.compactMap { $0.pairs.first { $0.pair == pair } }.first)

        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-parity")
        let database = try HistoryDatabase(path: directory.file("history.sqlite"))
        let reads = passages.map { PlateRead(camera: $0.camera, timestamp: $0.time, plate: Plate(normalised: $0.plate)) }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        _ = try database.sealHours(before: ConvoyScoringParityTests.day.adding(seconds: 3 * 86_400))
        let search = ConvoySearch(database: database, definition: definition)
        let secondDay = ConvoyScoringParityTests.day.adding(seconds: 86_400)
        let found = try search.convoys(from: secondDay, to: secondDay.adding(seconds: 86_400 - 1), minimumScore: 0)
        let historyPair = try #require(found.lazy.compactMap { $0.pairs.first { $0.pair == pair } }.first)

        #expect(historyPair.evidence.count == 5)
        #expect(historyPair.evidence.map(\.camera) == livePair.evidence.map(\.camera))
        // The rates at each camera agree: the hour-of-day profile learned from the first day.
        let liveRates = try #require(livePair.chance?.readsPerHour), historyRates = try #require(historyPair.chance?.readsPerHour)
        #expect(liveRates.count == 5 && historyRates.count == 5)
        for (a, b) in zip(liveRates, historyRates) { #expect(abs(a - b) <= 0.01 * a, "\(liveRates) vs \(historyRates)") }
        #expect(abs(historyPair.expectedByChance - livePair.expectedByChance) <= 0.05 * livePair.expectedByChance)

        // Without the first day the history would know only the second morning so far, and rate
        // the start of the rush hour as the quieter hour before it: the learned days matter.
        var forgetful = search
        forgetful.trafficLearningDays = 0
        let alone = try forgetful.convoys(from: secondDay, to: secondDay.adding(seconds: 86_400 - 1), minimumScore: 0)
        let alonePair = try #require(alone.lazy.compactMap { $0.pairs.first { $0.pair == pair } }.first)
        for (a, b) in zip(alonePair.chance!.readsPerHour, historyRates) { #expect(a < 0.9 * b) }
        #expect(alonePair.expectedByChance < historyPair.expectedByChance)
    }
}
