import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting
import Testing

/// The commuter rule of the period-wide search (`ringwatch convoys --from --to` without a plate)
/// on a real SQLite history: a pair together on three days is left out, however many other
/// pairs met the definition in between.
@Suite("Convoy commuter rule over a period")
struct ConvoyCommuterPeriodTests {
    static let monday = Timestamp(rfc3339: "2026-11-16T00:00:00Z")!
    static let commuters = ["2COM001", "2COM002"]

    /// Three days: the commuter pair at 06:00 along five cameras, and from 12:00 five crowds of
    /// 30 vehicles through three cameras within half a minute (2,175 pairs a day meet the
    /// definition, more than the live memory's bound of 1,000 set here).
    static func history(in directory: TemporaryDirectory) throws -> HistoryDatabase {
        var passages: [Passage] = []
        for day in 0..<3 {
            let origin = monday.adding(seconds: Int64(day) * 86_400)
            passages += ConvoyFixture.convoy(commuters, route: ["R3-01", "R3-02", "R3-03", "R2-04", "R1-02"], legSeconds: 150,
                                             spacing: 8, from: origin.adding(seconds: 6 * 3600))
            for crowd in 0..<5 {
                passages += ConvoyFixture.flow(route: ["R2-01", "R2-02", "R2-03"], perHour: 3600, seconds: 30, seed: UInt64(day * 5 + crowd + 1),
                                               jitter: 5, from: origin.adding(seconds: 12 * 3600 + Int64(crowd) * 1200))
            }
        }
        let database = try HistoryDatabase(path: directory.file("history.sqlite"))
        let reads = passages.map { PlateRead(camera: $0.camera, timestamp: $0.time, plate: Plate(normalised: $0.plate)) }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        _ = try database.sealHours(before: monday.adding(seconds: 4 * 86_400))
        return database
    }

    @Test func aPairTogetherOnThreeDaysIsLeftOutEvenWhenCrowdsOutnumberTheLiveMemory() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-commuters")
        let database = try Self.history(in: directory)
        var definition = ConvoyDefinition()
        definition.commuterMemoryPairs = 1000
        var search = ConvoySearch(database: database, definition: definition)
        let period = (Self.monday, Self.monday.adding(seconds: 3 * 86_400 - 1))
        let pair = PairKey(Self.commuters[0], Self.commuters[1])
        func listings(_ groups: [ConvoyGroup]) -> Int { groups.filter { $0.pairs.contains { $0.pair == pair } }.count }

        #expect(listings(try search.convoys(from: period.0, to: period.1, minimumScore: 0.95)) == 0)
        search.includeCommuters = true
        #expect(listings(try search.convoys(from: period.0, to: period.1, minimumScore: 0.95)) == 3)
        // Over two of the days it is no commuter pair yet.
        search.includeCommuters = false
        #expect(listings(try search.convoys(from: period.0, to: period.0.adding(seconds: 2 * 86_400 - 1), minimumScore: 0.95)) == 2)
    }
}
