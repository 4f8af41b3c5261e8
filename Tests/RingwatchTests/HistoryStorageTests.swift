import Foundation
import Logging
import RingwatchCore
import RingwatchQuery
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

@Suite("SQLite history: schema, writer, trigger sequence, audit chain")
struct HistoryStorageTests {
    let logger = Logger(label: "test")

    func read(_ plate: String, camera: String = "R1-01", at ms: Int64, sourceID: String? = nil) -> PlateRead {
        PlateRead(sourceID: sourceID, camera: camera, timestamp: Timestamp(milliseconds: ms), plate: Plate(normalising: plate)!, confidence: 0.9)
    }

    @Test func readsLandInOneTablePerHourAndComeBackByPlateAndPattern() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let day = Timestamp(rfc3339: "2026-11-21T23:59:59Z")!.milliseconds
        try database.connection.transaction {
            try database.insert(reads: [read("1ABC123", at: day), read("1ABC123", at: day + 2000), read("1ABD999", at: day + 3000)], receivedAt: .now)
        }
        let tables = try database.readTables(from: Timestamp(milliseconds: day - 86_400_000), to: Timestamp(milliseconds: day + 86_400_000))
        #expect(tables == ["reads_2026112123", "reads_2026112200"])
        let all = try database.reads(pattern: "1ABC123", from: Timestamp(milliseconds: day - 1), to: Timestamp(milliseconds: day + 10_000))
        #expect(all.map(\.read.timestamp.milliseconds) == [day, day + 2000])
        let wildcard = try database.reads(pattern: "1AB?*", from: Timestamp(milliseconds: day - 1), to: Timestamp(milliseconds: day + 10_000))
        #expect(wildcard.count == 3)
        #expect(try database.reads(pattern: "1ABC123", from: Timestamp(milliseconds: day + 1), to: Timestamp(milliseconds: day + 1999)).isEmpty)
    }

    /// Reads go in 32 to an INSERT, the rest one by one, their texts bound from a buffer the
    /// statement reuses for every row: every field must come back as written, row ids in the
    /// order the reads came, whatever the run lengths per hour, long texts included.
    @Test(arguments: [1, 31, 32, 33, 100, 257])
    func readsComeBackFieldForFieldInTheirOrderWhateverTheBatching(count: Int) throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let hour = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!.milliseconds
        var random = SeededRandom(seed: UInt64(count))
        var reads: [PlateRead] = []
        for index in 0..<count {
            // Mostly hour 8, with runs in hour 9 and stragglers back in hour 8.
            let inNext = index % 40 >= 35
            var read = PlateRead(
                sourceID: index % 7 == 0 ? nil : "src-\(index)-" + String(repeating: "x", count: Int(random.next() % 40)),
                camera: "R\(index % 3 + 1)-\(index % 11)", timestamp: Timestamp(milliseconds: hour + (inNext ? 3_600_000 : 0) + Int64(index) * 997),
                plate: Plate(normalising: "1AB\(100 + Int(random.next() % 900))")!, sequence: index % 5 == 0 ? nil : Int64(index),
                country: index % 9 == 0 ? "NL" : "BE", confidence: index % 6 == 0 ? nil : Double(random.next() % 1000) / 1000,
                make: index % 4 == 0 ? nil : "Make \(index)", model: index % 8 == 0 ? nil : "Model-" + String(repeating: "m", count: index % 300),
                color: index % 3 == 0 ? nil : "grey", vehicleConfidence: index % 10 == 0 ? nil : 0.5,
                direction: index % 2 == 0 ? .inbound : nil)
            // Now and then a text longer than the statement's buffer (SQLite then copies it).
            if index % 50 == 49 { read.sourceID = String(repeating: "long", count: 5_000) + "\(index)" }
            if index % 4 == 1 { read.setCharacterConfidence([0.9, 0.8], text: "[0.9,0.8]") } else if index % 4 == 2 { read.characterConfidence = [0.75] }
            reads.append(read)
        }
        let receivedAt = Timestamp(milliseconds: hour + 86_400_000)
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: receivedAt) }
        var stored: [StoredRead] = []
        try database.forEachRead(from: Timestamp(milliseconds: hour), to: Timestamp(milliseconds: hour + 7_200_000)) { stored.append($0) }
        let expected = reads.sorted { $0.timestamp < $1.timestamp }
        #expect(stored.count == count)
        #expect(stored.map(\.read) == expected)
        #expect(stored.allSatisfy { $0.receivedAt == receivedAt })
        // Row ids follow arrival order within each hour table.
        for table in try database.readTables(from: Timestamp(milliseconds: hour), to: Timestamp(milliseconds: hour + 3_600_000)) {
            let sources = try database.connection.rows("SELECT source_id FROM \(table) ORDER BY id").map { $0[0].string }
            let hourOf = table.hasSuffix("08") ? hour : hour + 3_600_000
            #expect(sources == reads.filter { $0.timestamp.milliseconds / 3_600_000 == hourOf / 3_600_000 }.map(\.sourceID))
        }
    }

    /// Triggers' texts are bound from the statement's reused buffer too: every field comes back,
    /// a body longer than the buffer included.
    @Test func triggersComeBackFieldForField() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let triggers = (1...40).map { number in
            StoredTrigger(sequence: Int64(number), triggerID: String(repeating: "ab", count: number % 17 + 1), kind: number % 2 == 0 ? "hotlist" : "clone",
                          severity: ["low", "medium", "high"][number % 3], timestamp: Timestamp(milliseconds: 1_700_000_000_000 + Int64(number)),
                          plate: "1ABC\(100 + number)", camera: "R\(number % 4)-0\(number)", ring: "R\(number % 4)",
                          emittedAt: Timestamp(milliseconds: 1_700_000_000_500 + Int64(number)),
                          body: #"{"n":\#(number),"pad":""# + String(repeating: "x", count: number == 7 ? 40_000 : number * 13) + #""}"#)
        }
        try database.connection.transaction { try database.insert(triggers: triggers) }
        let stored = try database.triggers(since: 0, limit: 100)
        #expect(stored.count == 40)
        for (got, want) in zip(stored, triggers) {
            #expect(got.sequence == want.sequence && got.triggerID == want.triggerID && got.kind == want.kind && got.severity == want.severity)
            #expect(got.timestamp == want.timestamp && got.emittedAt == want.emittedAt && got.plate == want.plate)
            #expect(got.camera == want.camera && got.ring == want.ring && got.body == want.body)
        }
    }

    @Test func hoursAreIndexedOnlyOnceEventTimeHasLeftThem() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let hour = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!.milliseconds
        try database.connection.transaction {
            try database.insert(reads: [read("1ABC123", at: hour), read("1ABC123", at: hour + 3_600_000)], receivedAt: .now)
        }
        func indexes() throws -> [String] {
            try database.connection.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'reads_%'").compactMap { $0.first?.string }
        }
        #expect(try indexes().isEmpty)
        #expect(try database.sealHours(before: Timestamp(milliseconds: hour + 3_599_999)).isEmpty)
        #expect(try database.sealHours(before: Timestamp(milliseconds: hour + 3_600_000)) == ["reads_2026112208"])
        // (plate, ts) for a vehicle's history, (camera, ts) for who passed a camera (convoys).
        #expect(try indexes().sorted() == ["reads_2026112208_by_camera", "reads_2026112208_by_plate"])
        #expect(database.unsealedHours == [Timestamp(milliseconds: hour + 3_600_000).hourNumber])
        // A sealed hour still answers, now through its index.
        #expect(try database.reads(pattern: "1ABC123", from: Timestamp(milliseconds: hour), to: Timestamp(milliseconds: hour + 1)).count == 1)
    }

    @Test func writerCommitsEverySubmittedItemAndCountsThem() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let writer = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger)
        writer.start()
        for batchNumber in 0..<20 {
            var batch = WriteBatch()
            for index in 0..<500 { batch.reads.append(read("1ABC\(100 + index % 900)", at: 1_700_000_000_000 + Int64(batchNumber * 500 + index))) }
            batch.quarantined.append(QuarantinedMessage(receivedAt: .now, topic: "read.x", reason: "not_json", detail: "d", size: 3, body: [1, 2, 3]))
            writer.submit(batch)
        }
        #expect(writer.flush() == nil)
        writer.stop()
        #expect(writer.storedReads.load(ordering: .relaxed) == 10_000)
        let reopened = try HistoryDatabase(path: path)
        #expect(try reopened.readCount() == 10_000)
        #expect(try reopened.quarantineCount() == 20)
        #expect(try reopened.quarantined(limit: 1).first?.body == [1, 2, 3])
    }

    /// Small batches wait (group commit) and then go in one transaction; a flush, a queue that
    /// reaches the target size, a lease extension and a stop each end the wait at once. The
    /// delay is an hour here, so a wait that one of them failed to end would hang the test.
    @Test(.timeLimit(.minutes(1)))
    func smallBatchesWaitToBeCommittedTogetherUntilFlushedOrEnough() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let writer = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger, sequenceLeaseSize: 10,
                                       commitDelayMilliseconds: 3_600_000, commitTargetItems: 100)
        writer.start()
        func batch(_ first: Int, _ count: Int) -> WriteBatch {
            var batch = WriteBatch()
            for index in first..<(first + count) { batch.reads.append(read("1ABC\(100 + index)", at: 1_700_000_000_000 + Int64(index))) }
            return batch
        }
        for number in 0..<3 { writer.submit(batch(number * 10, 10)) }
        usleep(200_000)
        #expect(writer.commits.load(ordering: .relaxed) == 0)
        #expect(writer.storedReads.load(ordering: .relaxed) == 0)
        #expect(writer.flush() == nil)
        #expect(writer.commits.load(ordering: .relaxed) == 1)
        #expect(writer.storedReads.load(ordering: .relaxed) == 30)
        // Reaching the target commits without a flush.
        writer.submit(batch(30, 60))
        writer.submit(batch(90, 60))
        while writer.storedReads.load(ordering: .relaxed) < 150 { usleep(1_000) }
        #expect(writer.commits.load(ordering: .relaxed) == 2)
        // A lease extension is committed without waiting (the pipeline may be waiting for it).
        writer.submit(batch(150, 1))
        for _ in 0..<25 { _ = writer.nextTriggerSequence() }
        // A stop commits what waits.
        writer.submit(batch(151, 5))
        writer.stop()
        #expect(writer.storedReads.load(ordering: .relaxed) == 156)
        #expect(try HistoryDatabase(path: path).readCount() == 156)
    }

    @Test func triggerSequenceContinuesAfterACleanStopWithoutGaps() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        var writer = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger)
        writer.start()
        #expect((1...3).map { _ in writer.nextTriggerSequence() } == [1, 2, 3])
        writer.stop()
        writer = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger)
        writer.start()
        #expect(writer.nextTriggerSequence() == 4)
        writer.stop()
    }

    @Test func triggerSequenceIsNeverReusedAfterACrash() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        // A writer that is never stopped stands for a process killed with -9: nothing but what
        // it committed survives.
        let crashed = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger, sequenceLeaseSize: 10)
        crashed.start()
        var issued: [Int64] = []
        for _ in 0..<25 { issued.append(crashed.nextTriggerSequence()) }
        #expect(issued == Array(1...25))
        let restarted = try HistoryWriter(database: try HistoryDatabase(path: path), logger: logger, sequenceLeaseSize: 10)
        let next = restarted.nextTriggerSequence()
        #expect(next > 25)
    }

    @Test func migrationsAreRecordedAndIdempotent() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        _ = try HistoryDatabase(path: path)
        let again = try HistoryDatabase(path: path)
        #expect(try again.connection.scalarInt("SELECT MAX(version) FROM schema_migrations") == Int64(Schema.currentVersion))
        #expect(try again.connection.rows("PRAGMA journal_mode").first?.first?.string == "wal")
    }

    @Test func auditRowsChainTheirHashes() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let log = AuditLog(connection: database.connection)
        for index in 0..<3 {
            try log.append(AuditRecord(timestamp: Timestamp(milliseconds: Int64(index)), user: "ana", command: "reads",
                                       reason: "case \(index)", authorization: nil, parameters: .object([("plate", .string("1ABC123"))])))
        }
        let rows = try database.connection.rows("SELECT previous_hash, hash FROM audit ORDER BY id")
        #expect(rows.count == 3)
        #expect(rows[0][0].string == "")
        #expect(rows[1][0] == rows[0][1])
        #expect(rows[2][0] == rows[1][1])
        #expect(Set(rows.map { $0[1] }).count == 3)
        #expect(try log.records(from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: 10), user: "ana").count == 3)
    }
}
