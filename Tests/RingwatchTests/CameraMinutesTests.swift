import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

@Suite("Camera minutes: reads per camera and minute, kept when an hour is sealed")
struct CameraMinutesTests {
    let day = Timestamp(rfc3339: "2026-11-20T00:00:00Z")!

    func read(_ plate: String, hour: Int64, minute: Int64, second: Int64 = 0, camera: String) -> PlateRead {
        PlateRead(sourceID: "\(plate)-\(hour)-\(minute)-\(second)-\(camera)", camera: camera,
                  timestamp: day.adding(milliseconds: hour * 3_600_000 + minute * 60_000 + second * 1000),
                  plate: Plate(normalising: plate)!, confidence: 0.9)
    }

    func store(_ reads: [PlateRead], in database: HistoryDatabase) throws {
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
    }

    /// Hours 6 to 9 of the day: at R1-01 three reads in the first minute of each hour and one
    /// in the last, at R2-02 one read every tenth minute.
    var traffic: [PlateRead] {
        var reads: [PlateRead] = []
        for hour in Int64(6)...9 {
            for second in [0, 20, 59] as [Int64] { reads.append(read("1A\(hour)\(second)", hour: hour, minute: 0, second: second, camera: "R1-01")) }
            reads.append(read("1B\(hour)", hour: hour, minute: 59, second: 59, camera: "R1-01"))
            for minute in stride(from: Int64(0), to: 60, by: 10) { reads.append(read("2C\(hour)\(minute)", hour: hour, minute: minute, camera: "R2-02")) }
        }
        return reads
    }

    /// The counts straight from the reads, as (camera, minute, reads), oldest minute first.
    func expected(_ reads: [PlateRead], from: Timestamp, to: Timestamp) -> [String] {
        var counts: [String: Int] = [:]
        for read in reads {
            let minute = read.timestamp.milliseconds / 60_000
            guard minute * 60_000 >= from.milliseconds, minute * 60_000 <= to.milliseconds else { continue }
            counts["\(minute) \(read.camera)", default: 0] += 1
        }
        return counts.keys.sorted().map { "\($0) \(counts[$0]!)" }
    }

    func answer(_ database: HistoryDatabase, from: Timestamp, to: Timestamp) throws -> [String] {
        try database.cameraMinuteCounts(from: from, to: to).map { "\($0.minute) \($0.camera) \($0.reads)" }
    }

    func rowsInTable(_ database: HistoryDatabase) throws -> Int64 {
        try database.connection.scalarInt("SELECT COUNT(*) FROM camera_minutes") ?? -1
    }

    @Test func sealingAnHourCountsItsReadsPerCameraAndMinuteAndTheOpenHourIsCountedFromItsTable() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try store(traffic, in: database)
        // Hours 6 to 8 sealed; hour 9 stays open.
        try database.sealHours(before: day.adding(seconds: 9 * 3600))
        // Per sealed hour: R1-01 in minutes 0 and 59, R2-02 in six minutes.
        #expect(try rowsInTable(database) == 3 * 8)
        let all = (day.adding(seconds: 6 * 3600), day.adding(seconds: 10 * 3600 - 1))
        let answered = try answer(database, from: all.0, to: all.1)
        #expect(answered == expected(traffic, from: all.0, to: all.1))
        #expect(answered.first == "\(day.milliseconds / 60_000 + 360) R1-01 3")
        // A range cut inside hours: only the minutes that start in it.
        let part = (day.adding(seconds: 6 * 3600 + 30 * 60 + 1), day.adding(seconds: 9 * 3600 + 10 * 60))
        #expect(try answer(database, from: part.0, to: part.1) == expected(traffic, from: part.0, to: part.1))
        #expect(try answer(database, from: part.0, to: part.1).first == "\(day.milliseconds / 60_000 + 6 * 60 + 40) R2-02 1")
    }

    @Test func aReadArrivingAfterItsHourWasSealedIsCounted() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try store(traffic, in: database)
        try database.sealHours(before: day.adding(seconds: 10 * 3600))
        let late = [read("9LATE99", hour: 7, minute: 0, second: 30, camera: "R1-01"), read("9LATE98", hour: 7, minute: 31, camera: "R3-03")]
        try store(late, in: database)
        let all = (day.adding(seconds: 6 * 3600), day.adding(seconds: 10 * 3600 - 1))
        let answered = try answer(database, from: all.0, to: all.1)
        #expect(answered == expected(traffic + late, from: all.0, to: all.1))
        #expect(answered.contains("\(day.milliseconds / 60_000 + 7 * 60) R1-01 4"))
        #expect(answered.contains("\(day.milliseconds / 60_000 + 7 * 60 + 31) R3-03 1"))
    }

    @Test func aDatabaseFromBeforeTheCountsIsUpgradedAndAnswersTheSameThroughout() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        do {
            let database = try HistoryDatabase(path: path)
            try store(traffic, in: database)
            try database.sealHours(before: day.adding(seconds: 10 * 3600))
        }
        // Make it the database version 7 wrote: sealed hours, no counts.
        do {
            let connection = try Connection(path: path)
            try connection.execute("""
                DROP TABLE camera_minutes; ALTER TABLE read_partitions DROP COLUMN counted_at;
                ALTER TABLE audit DROP COLUMN refusal;
                DELETE FROM schema_migrations WHERE version >= 8
                """)
        }
        let all = (day.adding(seconds: 6 * 3600), day.adding(seconds: 10 * 3600 - 1))
        let upgraded = try HistoryDatabase(path: path)
        #expect(try upgraded.connection.scalarInt("SELECT MAX(version) FROM schema_migrations") == Int64(Schema.currentVersion))
        #expect(try upgraded.uncountedHourCount() == 4)
        #expect(try rowsInTable(upgraded) == 0)
        // Not counted yet: answered from the hour tables.
        #expect(try answer(upgraded, from: all.0, to: all.1) == expected(traffic, from: all.0, to: all.1))

        // The writer catches up one old hour per commit.
        let writer = try HistoryWriter(database: upgraded, logger: Logger(label: "test"))
        writer.start()
        var batch = WriteBatch()
        batch.reads = [read("7NEW777", hour: 11, minute: 0, camera: "R1-01")]
        writer.submit(batch)
        #expect(writer.flush() == nil)
        writer.stop()
        #expect(try upgraded.uncountedHourCount() == 3)
        #expect(try rowsInTable(upgraded) == 8)
        #expect(try answer(upgraded, from: all.0, to: all.1) == expected(traffic, from: all.0, to: all.1))
        #expect(try upgraded.countOlderHours() == 3)
        #expect(try upgraded.uncountedHourCount() == 0)
        #expect(try rowsInTable(upgraded) == 32)
        #expect(try answer(upgraded, from: all.0, to: all.1) == expected(traffic, from: all.0, to: all.1))
    }

    @Test func purgeForgetsTheCountsOfTheMinutesItRemoves() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try store(traffic, in: database)
        try database.sealHours(before: day.adding(seconds: 10 * 3600))
        // The cutoff falls in hour 8, minute 30.
        let cutoff = day.adding(seconds: 8 * 3600 + 30 * 60)
        _ = try database.purge(before: cutoff)
        let kept = traffic.filter { $0.timestamp >= cutoff }
        let all = (day, day.adding(seconds: 86_399))
        #expect(try answer(database, from: all.0, to: all.1) == expected(kept, from: all.0, to: all.1))
        #expect(try database.connection.scalarInt("SELECT MIN(minute) FROM camera_minutes") == cutoff.milliseconds / 60_000)
    }

    /// The seal counts by walking the camera index; the result must be what SQL's grouping gives,
    /// on traffic where cameras come back in many minutes, cameras share a prefix ("R1-1" and
    /// "R1-10"), and reads of one camera and minute arrive far apart.
    @Test func sealedCountsEqualSQLGroupingOverRandomTraffic() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        var random = SeededRandom(seed: 61)
        let cameras = (1...40).map { "R\($0 % 3 + 1)-\($0)" } + ["R1-1", "R1-10", "R1-100"]
        var reads: [PlateRead] = []
        for index in 0..<6_000 {
            let camera = cameras[Int(random.next() % UInt64(cameras.count))]
            reads.append(read("1X\(index)", hour: 6, minute: Int64(random.next() % 60), second: Int64(random.next() % 60), camera: camera))
        }
        try store(reads, in: database)
        let table = Schema.readsTableName(hour: day.hourNumber + 6)
        let grouped = try database.connection.rows(
            "SELECT ts / 60000, camera, COUNT(*) FROM \(table) GROUP BY ts / 60000, camera ORDER BY ts / 60000, camera")
            .map { "\($0[0].int64!) \($0[1].string!) \($0[2].int64!)" }
        try database.sealHours(before: day.adding(seconds: 8 * 3600))
        let stored = try database.connection.rows("SELECT minute, camera, reads FROM camera_minutes ORDER BY minute, camera")
            .map { "\($0[0].int64!) \($0[1].string!) \($0[2].int64!)" }
        #expect(grouped.count > 1_500)
        #expect(stored == grouped)
        #expect(stored == expected(reads, from: day, to: day.adding(seconds: 86_399)))
    }
}
