import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting
import Testing

/// The lead-up rule of convoy scoring: a convoy arrives together, strangers' ways join, so
/// reads of either vehicle without the other on the way to the first shared camera make chance
/// company likelier (`ConvoyDefinition.leadUpDivergence`).
@Suite("Convoy scoring: the way in")
struct ConvoyLeadUpTests {
    static let day = Timestamp(rfc3339: "2026-11-18T00:00:00Z")!
    static let together = PairKey("1CON001", "1CON002")
    static let joined = PairKey("1JOI001", "1JOI002")

    /// A pair together at five cameras from 06:00; another pair together at three cameras
    /// from 09:05, whose first car was read at two cameras and whose second at one on the way
    /// in, each without the other.
    static var passages: [Passage] {
        let route = ["R3-01", "R3-02", "R3-03", "R3-04", "R3-05"]
        var out = ConvoyFixture.convoy([together.first, together.second], route: route, legSeconds: 150, spacing: 8,
                                       from: day.adding(seconds: 6 * 3600))
        let nine = day.adding(seconds: 9 * 3600)
        out += [ConvoyFixture.passage(joined.first, "R2-01", 0, from: nine), ConvoyFixture.passage(joined.second, "R1-01", 60, from: nine),
                ConvoyFixture.passage(joined.first, "R2-02", 150, from: nine)]
        out += ConvoyFixture.convoy([joined.first, joined.second], route: Array(route.prefix(3)), legSeconds: 150, spacing: 8,
                                    from: nine.adding(seconds: 300))
        return out.sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }

    static func pairs(divergence: Double) -> [PairKey: PairConvoy] {
        var definition = ConvoyDefinition()
        definition.minimumScore = 0
        definition.minimumPairScore = 0
        definition.leadUpDivergence = divergence
        let tracker = ConvoyTracker(definition: definition, latenessMilliseconds: 0, keepsClosedGroups: true)
        for passage in passages { _ = tracker.observe(passage) }
        var out: [PairKey: PairConvoy] = [:]
        for group in tracker.finish() { for pair in group.pairs { out[pair.pair] = pair } }
        return out
    }

    @Test func readsWithoutTheOtherOnTheWayInMakeChanceCompanyLikelierUpToTheCap() throws {
        let on = Self.pairs(divergence: 10), off = Self.pairs(divergence: 1)
        let togetherOn = try #require(on[Self.together]?.chance), togetherOff = try #require(off[Self.together]?.chance)
        let joinedOn = try #require(on[Self.joined]?.chance), joinedOff = try #require(off[Self.joined]?.chance)
        // Arrived together: nothing changes.
        #expect(togetherOn.unaccompanied == 0)
        #expect(togetherOn.expected == togetherOff.expected)
        // Three reads alone on the way in, two counted: a hundred times the chance company.
        #expect(joinedOn.unaccompanied == 3)
        #expect(abs(joinedOn.expected / joinedOff.expected - 100) < 1e-9)
        #expect(joinedOn.score < joinedOff.score)
    }

    /// The passages in a real history file, every hour sealed.
    static func history(in directory: TemporaryDirectory) throws -> HistoryDatabase {
        let database = try HistoryDatabase(path: directory.file("history.sqlite"))
        let reads = passages.map { PlateRead(camera: $0.camera, timestamp: $0.time, plate: Plate(normalised: $0.plate)) }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
        _ = try database.sealHours(before: day.adding(seconds: 86_400))
        return database
    }

    @Test func theCompanionsOfOneVehicleAreScoredWithTheWayInToo() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-lead-up")
        let database = try Self.history(in: directory)
        func companion(divergence: Double) throws -> ConvoyCompanion {
            var definition = ConvoyDefinition()
            definition.leadUpDivergence = divergence
            let search = ConvoySearch(database: database, definition: definition)
            let rows = try search.companions(of: Self.joined.first, from: Self.day, to: Self.day.adding(seconds: 86_399))
            return try #require(rows.first { $0.plate == Self.joined.second })
        }
        let on = try companion(divergence: 10), off = try companion(divergence: 1)
        let chanceOn = try #require(on.episodes.first?.chance), chanceOff = try #require(off.episodes.first?.chance)
        #expect(chanceOn.unaccompanied == 3)
        #expect(abs(chanceOn.expected / chanceOff.expected - 100) < 1e-9)
        #expect(on.score < off.score)
        // The pair that arrived together keeps its score.
        let search = ConvoySearch(database: database, definition: ConvoyDefinition())
        let together = try #require(try search.companions(of: Self.together.first, from: Self.day, to: Self.day.adding(seconds: 86_399)).first)
        #expect(together.episodes.first?.chance?.unaccompanied == 0)
    }

    @Test func thePeriodSearchSeesTheWayInAsTheLiveTrackerDoes() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-lead-up")
        let database = try Self.history(in: directory)
        var definition = ConvoyDefinition()
        definition.minimumPairScore = 0
        let search = ConvoySearch(database: database, definition: definition)
        let found = try search.convoys(from: Self.day, to: Self.day.adding(seconds: 86_399), minimumScore: 0)
        let joined = try #require(found.lazy.compactMap { $0.pairs.first { $0.pair == Self.joined } }.first)
        let live = try #require(Self.pairs(divergence: 10)[Self.joined])
        #expect(joined.chance?.unaccompanied == 3)
        #expect(joined.evidence.map(\.camera) == live.evidence.map(\.camera))
    }
}
