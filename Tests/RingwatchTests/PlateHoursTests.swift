import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

@Suite("Plate summary: the hours each plate was read in, so a vehicle's history opens only those")
struct PlateHoursTests {
    let day = Timestamp(rfc3339: "2026-11-20T00:00:00Z")!

    func read(_ plate: String, hour: Int64, minute: Int64 = 0, camera: String = "R1-01") -> PlateRead {
        PlateRead(sourceID: "\(plate)-\(hour)-\(minute)-\(camera)", camera: camera,
                  timestamp: day.adding(milliseconds: hour * 3_600_000 + minute * 60_000), plate: Plate(normalising: plate)!, confidence: 0.9)
    }

    /// (plate, hours mask) of one day, sorted by plate.
    func summary(_ database: HistoryDatabase, day number: Int64) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try database.connection.rows("SELECT plate, hours FROM plate_hours WHERE day = ?", [.integer(number)]) {
            out[row[0].string ?? ""] = row[1].int64
        }
        return out
    }

    func store(_ reads: [PlateRead], in database: HistoryDatabase) throws {
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: .now) }
    }

    var traffic: [PlateRead] {
        [read("1ABC123", hour: 8), read("1ABC123", hour: 8, minute: 20, camera: "R2-01"), read("1XYZ999", hour: 9),
         read("1ABC123", hour: 10, minute: 5), read("1XYZ999", hour: 10, minute: 7), read("2QQQ222", hour: 11)]
    }

    @Test func sealingAnHourPutsItsPlatesInTheSummaryAndQueriesOpenOnlyThoseHours() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try store(traffic, in: database)
        #expect(try database.hasCameraIndex("reads_2026112008") == false)
        // Hour 11 stays open: not summarised, so always searched.
        try database.sealHours(before: day.adding(seconds: 11 * 3600))
        // Sealed since the answer above: asked again, not taken from what was remembered.
        #expect(try database.hasCameraIndex("reads_2026112008"))
        #expect(try database.hasCameraIndex("reads_2026112011") == false)
        #expect(try HistoryDatabase(path: directory.file("h.sqlite")).hasCameraIndex("reads_2026112010"))
        #expect(try summary(database, day: day.dayNumber) == ["1ABC123": 1 << 8 | 1 << 10, "1XYZ999": 1 << 9 | 1 << 10])
        let everything = (day, day.adding(seconds: 86_399))
        #expect(try database.reads(pattern: "1ABC123", from: everything.0, to: everything.1).count == 3)
        #expect(try database.reads(pattern: "2QQQ222", from: everything.0, to: everything.1).count == 1)

        // The summary decides which hours are searched: without bit 10, hour 10's read is not
        // looked for (a real summary never says less than the table holds).
        try database.connection.execute("UPDATE plate_hours SET hours = \(1 << 8) WHERE plate = '1ABC123'")
        #expect(try database.reads(pattern: "1ABC123", from: everything.0, to: everything.1).map { $0.read.timestamp.hourNumber - day.hourNumber } == [8, 8])
        #expect(try database.reads(plates: ["1ABC123", "1XYZ999"], from: everything.0, to: everything.1).count == 4)
        #expect(try database.passages(plates: ["1ABC123"], from: everything.0, to: everything.1).count == 2)
        // A wildcard pattern does not use the summary.
        #expect(try database.reads(pattern: "1ABC12?", from: everything.0, to: everything.1).count == 3)
        // Who passed a camera is answered from the (camera, ts, plate) index alone.
        let plan = try database.connection.rows(
            "EXPLAIN QUERY PLAN SELECT plate FROM reads_2026112008 WHERE camera = 'R1-01' AND ts BETWEEN 0 AND 1").map { $0.last?.string ?? "" }
        #expect(plan.contains { $0.contains("COVERING INDEX reads_2026112008_by_camera") }, "\(plan)")
    }

    @Test func aReadArrivingAfterItsHourWasSealedIsAddedToTheSummary() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        try store(traffic, in: database)
        try database.sealHours(before: day.adding(seconds: 12 * 3600))
        try store([read("9LATE99", hour: 9, minute: 59)], in: database)
        #expect(try summary(database, day: day.dayNumber)["9LATE99"] == 1 << 9)
        #expect(try database.reads(pattern: "9LATE99", from: day, to: day.adding(seconds: 86_399)).count == 1)
        // Reads into the open hour leave the summary alone until their hour is sealed.
        try store([read("8OPEN88", hour: 12)], in: database)
        #expect(try summary(database, day: day.dayNumber)["8OPEN88"] == nil)
        #expect(try database.reads(pattern: "8OPEN88", from: day, to: day.adding(seconds: 86_399)).count == 1)
    }

    @Test func aDatabaseFromBeforeTheSummaryIsUpgradedAndAnswersTheSameThroughout() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let many = traffic + (0..<200).map { read("3C\(String(format: "%03d", $0))ZZ", hour: Int64($0 % 12), minute: Int64($0 % 60)) }
        do {
            let database = try HistoryDatabase(path: path)
            try store(many, in: database)
            try database.sealHours(before: day.adding(seconds: 12 * 3600))
        }
        // Make it the database version 5 wrote: sealed hour tables with a (plate, ts) and a
        // (camera, ts) index, no summary.
        do {
            let connection = try Connection(path: path)
            try connection.execute("""
                DROP TABLE plate_hours; ALTER TABLE read_partitions DROP COLUMN summarised_at;
                DROP TABLE camera_minutes; ALTER TABLE read_partitions DROP COLUMN counted_at;
                ALTER TABLE audit DROP COLUMN refusal;
                DELETE FROM schema_migrations WHERE version >= 6
                """)
            for hour in 0..<12 {
                let table = Schema.readsTableName(hour: day.hourNumber + Int64(hour))
                try connection.execute("DROP INDEX \(table)_by_camera; CREATE INDEX \(table)_by_camera ON \(table) (camera, ts)")
            }
        }
        func cameraIndexColumns(_ database: HistoryDatabase, hour: Int64) throws -> Int {
            try database.connection.rows("PRAGMA index_info(\(Schema.readsTableName(hour: day.hourNumber + hour))_by_camera)").count
        }
        let everything = (day, day.adding(seconds: 86_399))
        func answers(_ database: HistoryDatabase) throws -> [[String]] {
            [try database.reads(pattern: "1ABC123", from: everything.0, to: everything.1).map(\.read.id.description),
             try database.reads(plates: ["1XYZ999", "3C007ZZ", "3C150ZZ"], from: everything.0, to: everything.1).map(\.read.id.description),
             try database.passages(plates: many.map(\.plate.text), from: everything.0, to: everything.1).map(\.readID.description).sorted()]
        }
        let upgraded = try HistoryDatabase(path: path)
        #expect(try upgraded.connection.scalarInt("SELECT MAX(version) FROM schema_migrations") == Int64(Schema.currentVersion))
        #expect(try upgraded.unsummarisedHourCount() == 12)
        #expect(try cameraIndexColumns(upgraded, hour: 0) == 2)
        let before = try answers(upgraded)
        #expect(before[0].count == 3 && before[1].count == 4 && before[2].count == many.count)

        // The writer catches up one old hour per commit.
        let writer = try HistoryWriter(database: upgraded, logger: Logger(label: "test"))
        writer.start()
        var batch = WriteBatch()
        batch.reads = [read("7NEW777", hour: 13)]
        writer.submit(batch)
        #expect(writer.flush() == nil)
        writer.stop()
        #expect(try upgraded.unsummarisedHourCount() == 11)
        // Re-sealed: the camera index now carries the plate.
        #expect(try cameraIndexColumns(upgraded, hour: 0) == 3)
        #expect(try cameraIndexColumns(upgraded, hour: 1) == 2)
        #expect(try upgraded.summariseOlderHours() == 11)
        #expect(try upgraded.unsummarisedHourCount() == 0)
        #expect(try summary(upgraded, day: day.dayNumber)["3C007ZZ"] == 1 << 7)
        #expect(try cameraIndexColumns(upgraded, hour: 11) == 3)
        #expect(try answers(upgraded) == before)
    }

    @Test func purgeForgetsThePlatesOfTheHoursItRemoves() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        // Day D: 22:00 and 23:00; day D+1: 00:00 to 03:00.
        try store([read("1OLD111", hour: 22), read("1OLD111", hour: 23), read("2EARLY2", hour: 24), read("2EARLY2", hour: 25),
                   read("3BOTH33", hour: 25), read("3BOTH33", hour: 26, minute: 50), read("4LATE44", hour: 27)], in: database)
        try database.sealHours(before: day.adding(seconds: 28 * 3600))
        let next = day.dayNumber + 1
        #expect(try summary(database, day: next) == ["2EARLY2": 0b11, "3BOTH33": 0b110, "4LATE44": 0b1000])
        // The cutoff falls inside hour 02 of day D+1.
        let result = try database.purge(before: day.adding(seconds: 26 * 3600 + 1800))
        #expect(result.tablesDropped == 4)
        #expect(try summary(database, day: day.dayNumber).isEmpty)
        // Hours 00 and 01 are gone; the straddling hour 02 keeps its bit (only a place to look).
        #expect(try summary(database, day: next) == ["3BOTH33": 0b100, "4LATE44": 0b1000])
        #expect(try database.reads(pattern: "3BOTH33", from: day, to: day.adding(seconds: 2 * 86_400)).count == 1)
    }
}
