import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchSimulator
import RingwatchStorage
import RingwatchTesting
import Testing

@testable import RingwatchQuery

/// `routes --like` read on several threads, each with its own read-only connection to a real
/// SQLite file, must give the rows the search on one connection gives.
@Suite("Route search on several threads", .serialized)
struct RouteSearchThreadsTests {
    /// Three days of simulated city traffic in one history file: every hour sealed but the last
    /// (which the search scans instead of using its indexes), so both kinds of hour are read.
    final class History: Sendable {
        let directory = TemporaryDirectory(prefix: "ringwatch-route-threads")
        let path: String
        /// Plates to ask about: the takeover's two vehicles, the most read, and a spread of others.
        let plates: [String]
        let start = Timestamp(rfc3339: "2026-11-23T05:00:00Z")!
        let end = Timestamp(rfc3339: "2026-11-25T18:00:00Z")!

        init() throws {
            path = directory.file("history.sqlite")
            let cameras = CameraRegistry.parse(
                csv: try String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8),
                file: "cameras.csv"
            ).0
            var configuration = SimulationConfiguration()
            configuration.seed = 23
            configuration.start = start
            configuration.hours = Double(end.milliseconds - start.milliseconds) / 3_600_000
            configuration.readsPerSecond = 0.5
            let simulator = try TrafficSimulator(configuration: configuration, cameras: cameras)
            let decoder = ReadDecoder()
            var reads: [PlateRead] = []
            var seen = Set<ReadID>()
            while let message = simulator.next() {
                if case .success(let decoded) = decoder.decode(message.body), seen.insert(decoded.read.id).inserted {
                    reads.append(decoded.read)
                }
            }
            reads.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            let database = try HistoryDatabase(path: path)
            try database.saveCameras(cameras)
            try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
            try database.sealHours(before: reads.last!.timestamp.adding(seconds: -3_600))

            var counts: [String: Int] = [:]
            for read in reads { counts[read.plate.text, default: 0] += 1 }
            let byReads = counts.filter { $0.value >= 6 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            let takeover = simulator.groundTruth.first { $0.event == "route_takeover" }?.plates ?? []
            plates = takeover + byReads.prefix(3) + stride(from: 3, to: byReads.count, by: max(1, byReads.count / 6)).map { byReads[$0] }
        }
    }

    static let history = Result { try History() }

    /// Every field of each row, the numbers to the bit.
    func described(_ rows: [SimilarRoute]) -> [String] {
        rows.map { row in
            [
                row.plate, "\(row.similarity.bitPattern)", "\(row.coverage.bitPattern)", "\(row.precision.bitPattern)",
                "\(row.trips)", "\(row.allTrips)", row.sharedCameras.joined(separator: ","), row.marker ?? "-",
                "\(row.readsPerDay.bitPattern)",
            ].joined(separator: " ")
        }
    }

    func search(_ history: History, threads: Int?) throws -> RouteSearch {
        var search = RouteSearch(database: try HistoryDatabase(path: history.path, readOnly: true))
        if let threads {
            let path = history.path
            search.openReader = { try HistoryDatabase(path: path, readOnly: true) }
            search.readerThreads = threads
        }
        return search
    }

    @Test(arguments: [2, 3, 4])
    func severalThreadsFindTheRowsOneConnectionFinds(threads: Int) throws {
        let history = try Self.history.get()
        #expect(history.plates.count >= 6)
        // The whole span, and one that starts and ends inside a day (the fetch is cut by day).
        let periods = [
            (history.start, history.end),
            (history.start.adding(seconds: 7 * 3_600 + 1_234), history.end.adding(seconds: -9 * 3_600 - 56)),
        ]
        var nonEmpty = 0
        for plate in history.plates {
            for (from, to) in periods {
                let alone = try search(history, threads: nil).similar(to: plate, from: from, to: to, top: 50)
                let shared = try search(history, threads: threads).similar(to: plate, from: from, to: to, top: 50)
                #expect(described(shared) == described(alone), "plate #\(history.plates.firstIndex(of: plate)!), \(from.rfc3339)")
                if !alone.isEmpty { nonEmpty += 1 }
            }
        }
        // The comparison means something only when the searches find vehicles.
        #expect(nonEmpty >= history.plates.count)
    }

    @Test func theFetchOnSeveralThreadsGivesThePassagesInTheSameOrder() throws {
        let history = try Self.history.get()
        let database = try HistoryDatabase(path: history.path, readOnly: true)
        let plates = Array(history.plates.prefix(6))
        let alone = try database.passages(plates: plates, from: history.start, to: history.end)
        let path = history.path
        let readers = HistoryReaders(database, threads: 3, open: { try HistoryDatabase(path: path, readOnly: true) })
        let shared = try RouteSearch(database: database).passages(of: plates, from: history.start, to: history.end, readers: readers)
        #expect(alone.count > 100)
        #expect(shared.map(\.readID) == alone.map(\.readID))
    }

    @Test func progressComesOneCallAtATimeInOrderAndEndsAtTheTotal() throws {
        let history = try Self.history.get()
        var search = try search(history, threads: 3)
        let log = ProgressLog()
        search.progress = { done, total in log.record(done, total) }
        _ = try search.similar(to: history.plates[0], from: history.start, to: history.end, top: 10)
        let (seen, overlapped) = log.result
        #expect(!overlapped)
        // Every step once, in order, against one total, the last call saying all is done.
        #expect(seen.count >= 5)
        #expect(seen.map(\.0) == Array(1...max(1, seen.count)))
        #expect(seen.allSatisfy { $0.1 == seen.count })
    }

    /// The progress calls, and whether two ever ran at once.
    final class ProgressLog: @unchecked Sendable {
        // @unchecked: every field is used under `lock`.
        private let lock = NSLock()
        private var calls: [(Int, Int)] = []
        private var inside = 0
        private var overlapped = false

        func record(_ done: Int, _ total: Int) {
            lock.withLock {
                inside += 1
                if inside > 1 { overlapped = true }
            }
            usleep(20)  // long enough for a second caller to arrive
            lock.withLock {
                calls.append((done, total))
                inside -= 1
            }
        }

        var result: ([(Int, Int)], Bool) { lock.withLock { (calls, overlapped) } }
    }

    struct CannotOpen: Error {}

    @Test func aConnectionThatCannotBeOpenedFailsTheSearch() throws {
        let history = try Self.history.get()
        var search = try search(history, threads: 2)
        search.openReader = { throw CannotOpen() }
        #expect(throws: CannotOpen.self) {
            _ = try search.similar(to: history.plates[0], from: history.start, to: history.end, top: 10)
        }
    }

    /// Against a dictionary, through growth (past the size at which the slots are mapped from
    /// the kernel) and a merge of two tables; rows are placed in batches, so the counts and
    /// lookups must see the rows still waiting.
    @Test(arguments: [2_000, 200_000])
    func plateMaskTableAgreesWithADictionary(plates: Int) {
        var random = SeededRandom(seed: 5)
        let first = PlateMaskTable(capacity: 16), second = PlateMaskTable(capacity: 16)
        var expected: [UInt64: UInt64] = [:], expectedSecond: [UInt64: UInt64] = [:]
        // Plates seen several times each, as in a month of windows.
        let keys = (0..<plates).map { _ in UInt64.random(in: 1...(1 << 40), using: &random) }
        for step in 0..<(3 * plates + 17) {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            let mask = UInt64(1) << UInt64.random(in: 0..<64, using: &random)
            if step % 3 == 0 {
                second.formUnion(key: key, mask: mask)
                expectedSecond[key, default: 0] |= mask
            } else {
                first.formUnion(key: key, mask: mask)
            }
            expected[key, default: 0] |= mask
        }
        // Before the merge, with rows of the last batch still waiting.
        #expect(second.count == expectedSecond.count)
        #expect(keys.allSatisfy { second.mask(of: $0) == expectedSecond[$0] ?? 0 })
        first.formUnion(second)
        var found: [UInt64: UInt64] = [:]
        first.forEach { key, mask in found[key] = mask }
        #expect(first.count == expected.count)
        #expect(found == expected)
        #expect(first.mask(of: keys[0]) == expected[keys[0]])
        #expect(first.mask(of: 1 << 50) == 0)
    }
}
