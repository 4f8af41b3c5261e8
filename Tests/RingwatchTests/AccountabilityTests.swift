import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

/// Audit chain, retention purge and operators' decisions, on real SQLite files.
@Suite("Accountability: audit chain, purge, decisions")
struct AccountabilityTests {
    let hour: Int64 = 3_600_000
    /// 2026-11-20T00:00:00Z.
    let day = Timestamp(rfc3339: "2026-11-20T00:00:00Z")!

    func read(_ plate: String, at time: Timestamp, id: String) -> PlateRead {
        PlateRead(sourceID: id, camera: "R1-01", timestamp: time, plate: Plate(normalising: plate)!, confidence: 0.9)
    }

    func trigger(_ id: String, kind: TriggerKind = .hotlist, at time: Timestamp, sequence: Int64, listed: String = "1ABC123",
                 match: String = "exact") -> StoredTrigger {
        StoredTrigger(sequence: sequence, triggerID: id, kind: kind.rawValue, severity: "high", timestamp: time, plate: listed,
                      camera: "R1-01", ring: "R1", emittedAt: time,
                      body: "{\"trigger_id\":\"\(id)\",\"listed_plate\":\"\(listed)\",\"category\":\"stolen\",\"match\":\"\(match)\"}")
    }

    func auditLog(rows: Int) throws -> (TemporaryDirectory, HistoryDatabase, AuditLog) {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let log = AuditLog(connection: database.connection)
        for index in 0..<rows {
            try log.append(AuditRecord(timestamp: Timestamp(milliseconds: Int64(index)), user: "ana", command: "reads",
                                       reason: "case \(index)", authorization: nil, parameters: .object([("plate", .string("1ABC123"))])))
        }
        return (directory, database, log)
    }

    @Test func anUntouchedAuditLogVerifies() throws {
        let (_, _, log) = try auditLog(rows: 5)
        let result = try log.verify()
        #expect(result.isIntact)
        #expect(result.rows == 5)
        #expect(result.headHash.count == 64)
    }

    @Test(arguments: [
        ("UPDATE audit SET reason = 'nothing to see' WHERE id = 3", "changed"),
        ("UPDATE audit SET parameters = '{\"plate\":\"2XYZ999\"}' WHERE id = 2", "changed"),
        ("DELETE FROM audit WHERE id = 3", "missing"),
        ("DELETE FROM audit WHERE id >= 4", "newest rows were deleted"),
        ("DELETE FROM audit", "newest rows were deleted"),
        ("UPDATE meta SET value = 'x' WHERE key = 'audit_head'", "does not match"),
    ])
    func tamperingWithTheAuditLogIsDetected(tamper: String, expected: String) throws {
        let (_, database, log) = try auditLog(rows: 5)
        try database.connection.execute(tamper)
        let result = try log.verify()
        #expect(!result.isIntact)
        #expect(result.problems.contains { $0.contains(expected) }, "\(result.problems)")
    }

    @Test func purgeDropsWholeHoursAndCutsTheStraddlingHourExactlyAtTheCutoff() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        // Reads every 10 minutes over 6 hours, plus one a millisecond each side of the cutoff.
        let cutoff = day.adding(milliseconds: 3 * hour + 30 * 60_000)
        var reads = (0..<36).map { read("1ABC123", at: day.adding(milliseconds: Int64($0) * 600_000), id: "r\($0)") }
        reads.append(read("1ABC123", at: cutoff.adding(milliseconds: -1), id: "just-before"))
        reads.append(read("1ABC123", at: cutoff, id: "at-cutoff"))
        try database.insert(reads: reads, receivedAt: day)
        try database.insert(triggers: [trigger("old", at: cutoff.adding(milliseconds: -1), sequence: 1),
                                       trigger("new", at: cutoff, sequence: 2)])
        try database.record(OperatorDecision(triggerID: "old", verdict: .accept, reason: "seen", user: "op", decidedAt: day))
        try database.record(OperatorDecision(triggerID: "new", verdict: .reject, reason: "wrong car", user: "op", decidedAt: day))
        try database.insert(quarantined: [QuarantinedMessage(receivedAt: cutoff.adding(milliseconds: -1), topic: nil, reason: "not_json",
                                                             detail: "x", size: 1, body: [1])])

        let removed = try database.purge(before: cutoff)
        #expect(removed.tablesDropped == 3)
        #expect(removed.reads == 3 * 6 + 3 + 1)  // three whole hours, then 03:00, 03:10, 03:20 and the one just before
        #expect(removed.triggers == 1)
        #expect(removed.decisions == 1)
        #expect(removed.quarantined == 1)
        let left = try database.reads(pattern: "1ABC123", from: day, to: day.adding(milliseconds: 24 * hour))
        #expect(left.allSatisfy { $0.read.timestamp >= cutoff }, "nothing older survives")
        #expect(left.count == 38 - 22, "nothing younger is lost")
        #expect(left.first?.read.timestamp == cutoff)
        #expect(try database.readTables(from: day, to: cutoff).count == 1)
        #expect(try database.triggers(since: 0, limit: 10).map(\.triggerID) == ["new"])
        #expect(try database.latestDecisions(for: ["old", "new"]).keys.sorted() == ["new"])
        // A late read for a purged hour recreates its table instead of failing.
        try database.insert(reads: [read("2XYZ999", at: day, id: "late")], receivedAt: cutoff)
        #expect(try database.reads(pattern: "2XYZ999", from: day, to: cutoff).count == 1)
    }

    @Test func decisionsAreCountedPerDetectorAndPerHotlistEntryWithTheLatestDecisionWinning() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try database.insert(triggers: [
            trigger("a", at: day, sequence: 1),
            trigger("b", at: day, sequence: 2),
            trigger("c", at: day, sequence: 3, listed: "2KLM456", match: "ocr_variant"),
            trigger("d", kind: .convoy, at: day, sequence: 4),
        ])
        try database.record(OperatorDecision(triggerID: "a", verdict: .reject, reason: "first look", user: "op", decidedAt: day))
        try database.record(OperatorDecision(triggerID: "a", verdict: .accept, reason: "checked on site", user: "op", decidedAt: day))
        try database.record(OperatorDecision(triggerID: "b", verdict: .reject, reason: "other car", user: "op", decidedAt: day))
        try database.record(OperatorDecision(triggerID: "d", verdict: .accept, reason: "confirmed", user: "op", decidedAt: day))
        let statistics = Dictionary(uniqueKeysWithValues: try database.decisionStatistics(from: day, to: day).map { ($0.scope, $0) })
        let hotlist = try #require(statistics["hotlist"])
        #expect((hotlist.triggers, hotlist.accepted, hotlist.rejected, hotlist.undecided) == (3, 1, 1, 1))
        #expect(hotlist.precision == 0.5)
        #expect(statistics["convoy"]?.precision == 1)
        let entry = try #require(statistics["hotlist 1ABC123 (stolen, exact)"])
        #expect((entry.triggers, entry.accepted, entry.rejected) == (2, 1, 1))
        #expect(statistics["hotlist 2KLM456 (stolen, ocr_variant)"]?.precision == nil)
        #expect(try database.latestDecisions(for: ["a"])["a"]?.verdict == .accept)
    }

    @Test func theWriterPurgesOnDemandBetweenCommitsAndAuditsIt() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let writer = try HistoryWriter(database: database, logger: Logger(label: "test"))
        writer.start()
        var old = WriteBatch()
        old.reads = (0..<100).map { read("1ABC123", at: day.adding(milliseconds: Int64($0) * 60_000), id: "old\($0)") }
        writer.submit(old)
        #expect(writer.flush() == nil)
        // Ingest keeps going while the purge runs.
        let feeder = Thread {
            for index in 0..<50 {
                var batch = WriteBatch()
                batch.reads = [self.read("2XYZ999", at: self.day.adding(milliseconds: 10 * self.hour + Int64(index)), id: "new\(index)")]
                writer.submit(batch)
            }
        }
        feeder.start()
        let removed = try writer.purge(before: day.adding(milliseconds: 5 * hour), user: "dpo", reason: "test purge")
        #expect(removed.tablesDropped == 2)
        #expect(removed.reads == 100)
        while writer.storedReads.load(ordering: .relaxed) < 150 { usleep(5_000) }
        #expect(writer.flush() == nil)
        writer.stop()
        let check = try HistoryDatabase(path: directory.file("h.sqlite"))
        #expect(try check.readCount() == 50)
        let audit = try AuditLog(connection: check.connection).records(from: Timestamp(milliseconds: 0), to: .now)
        #expect(audit.last?["command"] == .string("purge"))
        #expect(audit.last?["user"] == .string("dpo"))
        #expect(try AuditLog(connection: check.connection).verify().isIntact)
    }

    @Test func theWriterPurgesHistoryPastRetentionByItself() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        let now = Timestamp.now
        var batch = WriteBatch()
        batch.reads = [read("1ABC123", at: now.adding(seconds: -3 * 86_400), id: "expired"),
                       read("2XYZ999", at: now.adding(seconds: -3600), id: "kept")]
        try database.insert(reads: batch.reads, receivedAt: now)
        let writer = try HistoryWriter(database: database, logger: Logger(label: "test"),
                                       retention: RetentionPolicy(retentionDays: 2, checkIntervalMilliseconds: 50))
        writer.start()
        let deadline = Date().addingTimeInterval(10)
        while writer.purgedPartitions.load(ordering: .relaxed) == 0 && Date() < deadline { usleep(10_000) }
        writer.stop()
        let check = try HistoryDatabase(path: directory.file("h.sqlite"))
        #expect(try check.reads(pattern: "*", from: now.adding(seconds: -4 * 86_400), to: now).compactMap(\.read.sourceID) == ["kept"])
    }

    @Test func theDatabaseFileIsReadableByItsOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let database = try HistoryDatabase(path: path)
        try database.insert(reads: [read("1ABC123", at: day, id: "x")], receivedAt: day)
        for file in [path, path + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }
    }
}
