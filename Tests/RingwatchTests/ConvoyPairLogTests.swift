import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchIndex
import RingwatchIngest
import RingwatchQuery
import RingwatchRegistry
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

/// The convoy pair log (issue 6): the live convoy detector records the pairs that met the
/// definition and the hours it saw whole; `ringwatch convoys --from --to` answers from it as the
/// streaming search over the reads does, and falls back to the reads wherever the log does not
/// cover the period. Real simulated traffic, the real detector, a real SQLite file.
@Suite("Convoy pair log", .serialized)
struct ConvoyPairLogTests {
    /// Simulated traffic with planted convoys and commuters driving behind colleagues, fed read by
    /// read to the live detector with its pair recorder (as the engine's pipeline does), and
    /// stored with the log in a real SQLite history, hours sealed. `restartAfter`: a new detector
    /// (primed from the window, as after an engine restart) takes over after that many reads.
    struct History {
        let database: HistoryDatabase
        let configuration: SimulationConfiguration
        let vehicleType: VehicleTypeLookup
        var from: Timestamp { configuration.start }
        var to: Timestamp { configuration.end.adding(milliseconds: -1) }
    }

    static func history(in directory: TemporaryDirectory, seed: UInt64 = 3, days: Double = 3, rate: Double = 1.5,
                        restartAfter: Int? = nil, definition: ConvoyDefinition = ConvoyDefinition()) throws -> History {
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.hours = 24 * days
        configuration.readsPerSecond = rate
        configuration.commuterCompanions = 6
        configuration.plants = SimulationConfiguration.Plants(hotlist: 0, convoys: Int(8 * days), cloneVehicles: 0, cloneSpeeds: 0, routeTakeovers: 0)
        let cameraText = try String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8)
        let cameras = CameraRegistry.parse(csv: cameraText, file: "cameras.csv").0
        let simulator = try TrafficSimulator(configuration: configuration, cameras: cameras)
        let registry = VehicleRegistry.parse(csv: simulator.registryCSV, file: "registry.csv", vocabulary: VehicleVocabulary()).0
        let vehicleType: VehicleTypeLookup = { registry.vehicle(registeredAs: $0)?.vehicleType }

        let database = try HistoryDatabase(path: directory.file("history.sqlite"))
        func detector() -> (ConvoyDetector, ConvoyPairRecorder) {
            let detector = ConvoyDetector(definition: definition, latenessMilliseconds: 60_000, vehicleType: vehicleType)
            return (detector, ConvoyPairRecorder(detector: detector, latenessMilliseconds: 60_000, registryLoaded: { true }))
        }
        var (live, recorder) = detector()
        let decoder = ReadDecoder()
        let index = ReadIndex()
        var clock = EventClock(latenessMilliseconds: 60_000)
        var seen = Set<UInt64>()
        var batch = WriteBatch()
        var count = 0
        func write() throws {
            batch.convoyLog = recorder.drain()
            try database.connection.transaction {
                try database.insert(reads: batch.reads, receivedAt: .now)
                try database.insert(convoyLog: batch.convoyLog)
            }
            batch = WriteBatch()
        }
        while let message = simulator.next() {
            guard case .success(let decoded) = decoder.decode(message.body) else { continue }
            let read = decoded.read
            guard seen.insert(read.id.rawValue).inserted else { continue }
            if count == restartAfter {
                try write()
                (live, recorder) = detector()
            }
            count += 1
            let late = clock.observe(read.timestamp)
            index.insert(read)
            _ = live.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: late))
            recorder.observed(read, late: late)
            batch.reads.append(read)
            if batch.reads.count >= 5000 { try write() }
        }
        recorder.advance(to: configuration.end.adding(seconds: 60))
        try write()
        _ = try database.sealHours(before: configuration.end.adding(seconds: 7200))
        return History(database: database, configuration: configuration, vehicleType: vehicleType)
    }

    /// The convoys as comparable rows: plates and cameras, in order of them.
    static func rows(_ groups: [ConvoyGroup]) -> [String] {
        ordered(groups).map { "\($0.plates.sorted().joined(separator: ",")) | \($0.cameras.joined(separator: " "))" }
    }

    static func ordered(_ groups: [ConvoyGroup]) -> [ConvoyGroup] {
        groups.sorted { ($0.plates.sorted().joined(separator: ","), $0.first) < ($1.plates.sorted().joined(separator: ","), $1.first) }
    }

    /// Whether two searches' convoys score alike, pairwise after `ordered`, within rounding.
    static func scoresAgree(_ a: [ConvoyGroup], _ b: [ConvoyGroup]) -> Bool {
        a.count == b.count && zip(ordered(a), ordered(b)).allSatisfy { abs($0.score - $1.score) <= 0.002 }
    }

    /// Built once for the suite's three-day tests; unsafe is fine: the suite runs serialized and
    /// only reads the database.
    nonisolated(unsafe) static let shared: (TemporaryDirectory, History) = {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log")
        return (directory, try! history(in: directory))
    }()

    @Test(arguments: [false, true])
    func theLogListsTheSameConvoysAsStreamingTheReads(includeCommuters: Bool) throws {
        let history = Self.shared.1
        var search = ConvoySearch(database: history.database, definition: ConvoyDefinition())
        search.vehicleType = history.vehicleType
        search.includeCommuters = includeCommuters
        #expect(try search.pairLogProblem(from: history.from, to: history.to, minimumScore: 0.95) == nil)
        let (logged, path) = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .auto)
        #expect(path == .pairLog(hours: 72))
        let (streamed, streamedPath) = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .reads)
        #expect(streamedPath == .reads(reason: "--search-path reads"))
        #expect(streamed.count >= 10)
        #expect(Self.rows(logged) == Self.rows(streamed))
        #expect(Self.scoresAgree(logged, streamed))
        // And one day of the three.
        let day = (history.from.adding(seconds: 86_400), history.from.adding(seconds: 2 * 86_400 - 1))
        let oneDay = try search.convoys(from: day.0, to: day.1, minimumScore: 0.95, path: .log).convoys
        #expect(Self.rows(oneDay) == Self.rows(try search.convoys(from: day.0, to: day.1, minimumScore: 0.95)))
    }

    @Test func theCommuterRuleOverTheLogLeavesOutPairsTogetherOnThreeDays() throws {
        let history = Self.shared.1
        var search = ConvoySearch(database: history.database, definition: ConvoyDefinition())
        search.vehicleType = history.vehicleType
        let without = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .log).convoys
        search.includeCommuters = true
        let with = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .log).convoys
        #expect(with.count > without.count)
    }

    @Test func anotherDefinitionARegistryMissingOrALowerScoreFallsBackToTheReads() throws {
        let history = Self.shared.1
        var definition = ConvoyDefinition()
        definition.maxGapMilliseconds = 30_000
        var search = ConvoySearch(database: history.database, definition: definition)
        search.vehicleType = history.vehicleType
        let (_, path) = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .auto)
        #expect(path == .reads(reason: "72 hours logged under other convoy parameters"))
        #expect(throws: ConvoyPairLogNotCovering.self) { try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .log) }

        search = ConvoySearch(database: history.database, definition: ConvoyDefinition())
        #expect(try search.pairLogProblem(from: history.from, to: history.to, minimumScore: 0.95) == "72 hours logged with a vehicle registry")
        search.vehicleType = history.vehicleType
        #expect(try search.pairLogProblem(from: history.from, to: history.to, minimumScore: 0.5) == "72 hours logged only above a higher pair score")
    }

    @Test func aReadStoredIntoALoggedHourAfterwardsMakesThatHourFallBack() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log-late")
        let history = try Self.history(in: directory, days: 1)
        var search = ConvoySearch(database: history.database, definition: ConvoyDefinition())
        search.vehicleType = history.vehicleType
        #expect(try search.pairLogProblem(from: history.from, to: history.to, minimumScore: 0.95) == nil)
        // A read arriving after its hour was sealed (or imported), which the tracker never saw.
        let late = PlateRead(camera: "R1-01", timestamp: history.from.adding(seconds: 5 * 3600 + 10), plate: Plate(normalised: "1LATE01"))
        try history.database.connection.transaction { try history.database.insert(reads: [late], receivedAt: .now) }
        #expect(try search.pairLogProblem(from: history.from, to: history.to, minimumScore: 0.95) == "1 hours with reads stored after they were logged")
        // The hours around it still answer.
        #expect(try search.pairLogProblem(from: history.from.adding(seconds: 6 * 3600), to: history.to, minimumScore: 0.95) == nil)
    }

    @Test func hoursUntilAnEngineRestartAreCoveredAndTheHourOfTheRestartIsNot() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log-restart")
        // About 10 hours in at 1.5 reads/s.
        let history = try Self.history(in: directory, days: 1, restartAfter: 54_000)
        let covered = try history.database.convoyLogHours(from: history.from, to: history.to)
        let partitions = try history.database.readPartitions(from: history.from, to: history.to)
        let uncovered = partitions.map(\.hour).filter { covered[$0] == nil }
        #expect(uncovered.count == 1)
        var search = ConvoySearch(database: history.database, definition: ConvoyDefinition())
        search.vehicleType = history.vehicleType
        let (_, path) = try search.convoys(from: history.from, to: history.to, minimumScore: 0.95, path: .auto)
        #expect(path == .reads(reason: "1 of 24 hours not seen whole by the live tracker"))
        // The hours after the restart hour answer from the log.
        let after = Timestamp(milliseconds: (uncovered[0] + 1) * 3_600_000)
        #expect(try search.pairLogProblem(from: after, to: history.to, minimumScore: 0.95) == nil)
    }

    @Test func aDatabaseOfSchemaEightIsUpgradedAndItsHoursAreSearchedInTheReads() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log-upgrade")
        let path = directory.file("history.sqlite")
        let day = Timestamp(rfc3339: "2026-11-16T00:00:00Z")!
        do {
            let database = try HistoryDatabase(path: path)
            let reads = ConvoyFixture.convoy(["1AAA001", "1AAA002"], route: ["R3-01", "R3-02", "R3-03", "R2-04"], legSeconds: 150, spacing: 8,
                                             from: day.adding(seconds: 3600))
                .map { PlateRead(camera: $0.camera, timestamp: $0.time, plate: Plate(normalised: $0.plate)) }
            try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
            _ = try database.sealHours(before: day.adding(seconds: 4 * 3600))
        }
        do {
            let connection = try Connection(path: path)
            try connection.execute("""
                DROP TABLE convoy_pairs; DROP TABLE convoy_pair_hours; DROP TABLE convoy_log_hours;
                ALTER TABLE audit DROP COLUMN refusal;
                DELETE FROM schema_migrations WHERE version >= 9
                """)
        }
        let upgraded = try HistoryDatabase(path: path)
        #expect(try upgraded.connection.scalarInt("SELECT MAX(version) FROM schema_migrations") == Int64(Schema.currentVersion))
        #expect(try upgraded.convoyLogRowCounts() == (0, 0, 0))
        let search = ConvoySearch(database: upgraded, definition: ConvoyDefinition())
        let (found, way) = try search.convoys(from: day, to: day.adding(seconds: 86_399), minimumScore: 0.95, path: .auto)
        #expect(way == .reads(reason: "1 of 1 hours not seen whole by the live tracker"))
        #expect(found.map { $0.plates.sorted() } == [["1AAA001", "1AAA002"]])
    }

    @Test func purgeRemovesTheLogRowsOfThePurgedReadsAndTheirHoursCoverage() throws {
        let directory = TemporaryDirectory(prefix: "ringwatch-convoy-log-purge")
        let history = try Self.history(in: directory, days: 1)
        let database = history.database
        let before = try database.convoyLogRowCounts()
        let hours = try database.readPartitions(from: history.from, to: history.to.adding(seconds: 3600)).count
        #expect(before.pairs > 0 && before.pairHours > 0 && before.hours == Int64(hours))
        let cutoff = history.from.adding(seconds: 12 * 3600 + 1800)
        _ = try database.purge(before: cutoff)
        #expect(try database.connection.scalarInt("SELECT COUNT(*) FROM convoy_pairs WHERE first_ts < ?", [.integer(cutoff.milliseconds)]) == 0)
        #expect(try database.connection.scalarInt("SELECT COUNT(*) FROM convoy_pair_hours WHERE first_ts < ?", [.integer(cutoff.milliseconds)]) == 0)
        #expect(try database.connection.scalarInt("SELECT COUNT(*) FROM convoy_pair_hours") ?? 0 > 0)
        #expect(try database.connection.scalarInt("SELECT MIN(hour) FROM convoy_log_hours") ?? 0 > cutoff.hourNumber)
        // The straddled hour lost reads: searched in the reads, the hours after from the log.
        var search = ConvoySearch(database: database, definition: ConvoyDefinition())
        search.vehicleType = history.vehicleType
        #expect(try search.pairLogProblem(from: cutoff, to: history.to, minimumScore: 0.95) != nil)
        let later = Timestamp(milliseconds: (cutoff.hourNumber + 2) * 3_600_000)
        #expect(try search.pairLogProblem(from: later, to: history.to, minimumScore: 0.95) == nil)
    }
}
