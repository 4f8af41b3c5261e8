import Foundation
import RingwatchCore
import Testing

/// The repository's Fixtures folder, found from this file so the tests run from any directory.
private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // RingwatchTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("Fixtures")

private func fixture(_ name: String) throws -> String {
    try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
}

@Suite("CSVFile")
struct CSVFileTests {
    @Test func headerIsTrimmedAndLowerCasedAndRowsKeepTheirLineNumbers() {
        let csv = CSVFile(text: " Camera ,RING\nR1-01 , R1\nR1-02,R1\n")
        #expect(csv.header == ["camera", "ring"])
        #expect(csv.rows.map(\.fields) == [["R1-01", "R1"], ["R1-02", "R1"]])
        #expect(csv.rows.map(\.line) == [2, 3])
        #expect(csv.problems.isEmpty)
    }

    @Test func quotedFieldsHoldCommasNewlinesAndDoubledQuotes() {
        let text = "a,b\n\"x,y\",\"line1\nline2\"\n\"say \"\"hi\"\"\",\"\"\nlast,row"
        let csv = CSVFile(text: text)
        #expect(csv.problems.isEmpty)
        #expect(csv.rows.map(\.fields) == [["x,y", "line1\nline2"], ["say \"hi\"", ""], ["last", "row"]])
        // The quoted newline moves every later line number on by one.
        #expect(csv.rows.map(\.line) == [2, 4, 5])
    }

    @Test func byteOrderMarkIsSkipped() {
        let csv = CSVFile(text: "\u{FEFF}camera,ring\nR1-01,R1\n")
        #expect(csv.header == ["camera", "ring"])
        #expect(csv.columnIndexes(["camera"]) == .success([0]))
        #expect(csv.rows.first?.fields == ["R1-01", "R1"])
    }

    @Test func crlfLineEndingsLeaveNoCarriageReturns() {
        let csv = CSVFile(text: "a,b\r\n1,2\r\nbad\r\n3,4\r\n")
        #expect(csv.header == ["a", "b"])
        #expect(csv.rows.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(csv.rows.map(\.line) == [2, 4])
        #expect(csv.problems.map(\.line) == [3])
    }

    @Test func wrongFieldCountsAreReportedWithTheirOneBasedLine() {
        let text = "a,b\n1,2\n3\n\n4,5,6\n\"multi\nline\",7\n8\n9,10"
        let csv = CSVFile(text: text)
        #expect(csv.rows.map(\.line) == [2, 6, 9])
        #expect(csv.rows.map(\.fields) == [["1", "2"], ["multi\nline", "7"], ["9", "10"]])
        #expect(csv.problems == [
            CSVFile.Problem(line: 3, message: "expected 2 fields, found 1"),
            CSVFile.Problem(line: 5, message: "expected 2 fields, found 3"),
            CSVFile.Problem(line: 8, message: "expected 2 fields, found 1"),
        ])
        #expect(csv.problems[0].description == "line 3: expected 2 fields, found 1")
    }

    @Test func blankLinesAreSkippedButStillCounted() {
        let csv = CSVFile(text: "\n\na,b\n\n1,2\n\n\n")
        #expect(csv.header == ["a", "b"])
        #expect(csv.rows.map(\.line) == [5])
        #expect(csv.problems.isEmpty)
    }

    @Test func anUnclosedQuoteIsReportedAtTheLineItStarts() {
        let csv = CSVFile(text: "a,b\n1,2\n\"open,3\n4,5\n")
        #expect(csv.rows.map(\.fields) == [["1", "2"]])
        #expect(csv.problems.map(\.line) == [3])
        #expect(csv.problems.first?.message.contains("never closed") == true)
    }

    @Test func emptyFieldsAndEmptyTextAreFine() {
        let csv = CSVFile(text: "a,b,c\n,,\n")
        #expect(csv.rows.map(\.fields) == [["", "", ""]])
        let empty = CSVFile(text: "")
        #expect(empty.header.isEmpty && empty.rows.isEmpty && empty.problems.isEmpty)
    }

    @Test func columnIndexesFollowTheHeaderAndNameWhatIsMissing() throws {
        let csv = CSVFile(text: "lon,name,camera,lat,ring\n")
        #expect(csv.columnIndexes(["camera", "ring", "lat", "lon", "name"]) == .success([2, 4, 3, 0, 1]))
        guard case .failure(let problem) = csv.columnIndexes(["camera", "severity"]) else {
            Issue.record("a missing column must fail")
            return
        }
        #expect(problem.line == 1)
        #expect(problem.message.contains("'severity'"))
    }
}

@Suite("CameraRegistry.parse")
struct CameraRegistryParseTests {
    static let text = """
        camera,ring,lat,lon,name
        R1-01,R1,51.2,4.4,Good one
        R1-02,R1,north,4.4,Bad lat
        R1-03,R1,91,4.4,Latitude out of range
        R1-04,R1,51.2,181,Longitude out of range
        ,R1,51.2,4.4,No id
        R1-05,,51.2,4.4,No ring
        R1-06,R1,51.2
        "R2-01",R2,"-33.5","-70.25","Name, with a comma"
        R1-01,R1,51.3,4.41,Listed again
        """

    @Test func goodLinesLoadAndEachBadLineIsReportedByNumber() throws {
        let (registry, report) = CameraRegistry.parse(csv: Self.text, file: "cameras.csv")
        #expect(registry.order == ["R1-01", "R2-01"])
        #expect(report.loaded == 2)
        #expect(report.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 10])
        #expect(report.skipped == 7)
        #expect(report.description == "cameras.csv: loaded 2 lines, skipped 7")
        let messages = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.line, $0.message) })
        #expect(messages[3]?.contains("lat") == true)
        #expect(messages[4]?.contains("lat") == true)
        #expect(messages[5]?.contains("lon") == true)
        #expect(messages[6]?.contains("camera id") == true)
        #expect(messages[7]?.contains("ring") == true)
        #expect(messages[8]?.contains("fields") == true)
        #expect(messages[10]?.contains("twice") == true)

        let chile = try #require(registry["R2-01"])
        #expect(chile == Camera(id: "R2-01", ring: "R2", latitude: -33.5, longitude: -70.25, name: "Name, with a comma"))
        // The later line for a repeated id wins.
        #expect(registry["R1-01"]?.latitude == 51.3)
        #expect(registry["R1-01"]?.name == "Listed again")
        #expect(registry.ring(of: "R2-01") == "R2")
        #expect(registry.ring(of: "R9-99") == "?")
        #expect(registry["R1-02"] == nil)
    }

    @Test func aMissingColumnLoadsNothing() {
        let (registry, report) = CameraRegistry.parse(csv: "camera,ring,lat,name\nR1-01,R1,51.2,x\n", file: "c.csv")
        #expect(registry.count == 0)
        #expect(report.loaded == 0)
        #expect(report.problems.map(\.line) == [1])
        #expect(report.problems.first?.message.contains("'lon'") == true)
    }

    @Test func columnsMayComeInAnyOrderAndCase() {
        let (registry, report) = CameraRegistry.parse(csv: "Name,LON,lat,Ring,CAMERA\nMeir,4.41,51.22,R1,R1-09\n", file: "c.csv")
        #expect(report.problems.isEmpty)
        #expect(registry["R1-09"] == Camera(id: "R1-09", ring: "R1", latitude: 51.22, longitude: 4.41, name: "Meir"))
    }

    @Test(arguments: ["nan", "inf", "-90.0001", "", "51,2", "north"])
    func latitudesThatAreNotLatitudesAreRefused(lat: String) {
        let field = lat.contains(",") ? "\"\(lat)\"" : lat
        let (registry, report) = CameraRegistry.parse(csv: "camera,ring,lat,lon,name\nR1-01,R1,\(field),4.4,x\n", file: "c.csv")
        #expect(registry.count == 0)
        #expect(report.problems.map(\.line) == [2])
    }

    @Test func distanceBetweenCamerasIsHaversine() {
        let a = Camera(id: "a", ring: "R1", latitude: 51.0, longitude: 4.0, name: "")
        let b = Camera(id: "b", ring: "R1", latitude: 52.0, longitude: 4.0, name: "")
        // One degree of latitude on the mean-radius sphere: 2πR/360.
        #expect(abs(a.distanceKilometres(to: b) - 111.195) < 0.01)
        #expect(a.distanceKilometres(to: a) == 0)
        #expect(abs(a.distanceKilometres(to: b) - b.distanceKilometres(to: a)) < 1e-9)
    }
}

@Suite("HotlistEntry.parse")
struct HotlistParseTests {
    static let text = """
        plate,category,severity,reason,expires
        1-abc-123,stolen_vehicle,critical,Reason one,2027-05-10T00:00:00Z
        2XYZ999,stolen_vehicle,urgent,Bad severity,
        3DEF456,,HIGH,"Reason, with a comma",
        4GHI789,wanted_person,low,Bad expires,next week
        *,wanted_person,low,A star alone matches everything,
        1ab?12?,wanted_person,medium,Pattern,2026-12-19T00:00:00+01:00
        5JKL012,wanted_person,low
        6MNÖ345,wanted_person,low,Not a plate,
        """

    @Test func goodLinesLoadAndEachBadLineIsReportedByNumber() throws {
        let (entries, report) = HotlistEntry.parse(csv: Self.text, file: "hotlist.csv")
        #expect(entries.map(\.pattern) == ["1ABC123", "3DEF456", "1AB?12?"])
        #expect(report.loaded == 3)
        #expect(report.problems.map(\.line) == [3, 5, 6, 8, 9])
        #expect(report.skipped == 5)
        let messages = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.line, $0.message) })
        #expect(messages[3]?.contains("severity") == true)
        #expect(messages[5]?.contains("expires") == true)
        #expect(messages[6]?.contains("plate") == true)
        #expect(messages[8]?.contains("fields") == true)
        #expect(messages[9]?.contains("plate") == true)

        #expect(entries[0] == HotlistEntry(pattern: "1ABC123", category: "stolen_vehicle", severity: .critical,
                                           reason: "Reason one", expires: Timestamp(rfc3339: "2027-05-10T00:00:00Z")))
        // An empty category becomes "unspecified"; severity is case-insensitive; no expiry.
        #expect(entries[1] == HotlistEntry(pattern: "3DEF456", category: "unspecified", severity: .high,
                                           reason: "Reason, with a comma", expires: nil))
        #expect(entries[2].isWildcard)
        #expect(entries[2].expires == Timestamp(rfc3339: "2026-12-18T23:00:00Z"))
    }

    @Test func entryIsActiveUntilItsExpiry() throws {
        let (entries, _) = HotlistEntry.parse(csv: Self.text, file: "hotlist.csv")
        let expiring = entries[0], permanent = entries[1]
        let expiry = try #require(expiring.expires)
        #expect(expiring.isActive(at: expiry.adding(milliseconds: -1)))
        #expect(!expiring.isActive(at: expiry))
        #expect(!expiring.isActive(at: expiry.adding(seconds: 1)))
        #expect(permanent.isActive(at: Timestamp(milliseconds: .max)))
    }

    @Test func aMissingColumnLoadsNothing() {
        let (entries, report) = HotlistEntry.parse(csv: "plate,category,reason,expires\n1ABC123,x,y,\n", file: "h.csv")
        #expect(entries.isEmpty)
        #expect(report.problems.map(\.line) == [1])
        #expect(report.problems.first?.message.contains("'severity'") == true)
    }
}

@Suite("Shipped fixtures")
struct FixtureTests {
    @Test func camerasFixtureLoadsCleanly() throws {
        let text = try fixture("cameras.csv")
        let (registry, report) = CameraRegistry.parse(csv: text, file: "cameras.csv")
        #expect(report.problems.isEmpty, "\(report.problems)")
        let dataLines = text.split(separator: "\n").count - 1
        #expect(report.loaded == dataLines)
        #expect(registry.count == dataLines)
        #expect(Set(registry.cameras.values.map(\.ring)) == ["R1", "R2", "R3"])
        for camera in registry.cameras.values {
            #expect(camera.id.hasPrefix(camera.ring + "-"), "\(camera.id)")
            #expect(!camera.name.isEmpty, "\(camera.id)")
        }
    }

    @Test func hotlistFixtureLoadsCleanly() throws {
        let text = try fixture("hotlist.csv")
        let (entries, report) = HotlistEntry.parse(csv: text, file: "hotlist.csv")
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(entries.count == text.split(separator: "\n").count - 1)
        #expect(entries.contains { $0.isWildcard })
        #expect(entries.contains { $0.expires == nil })
    }

    @Test func vehicleRegistryFixtureHasOnlyValidPlates() throws {
        let text = try fixture("registry.csv")
        let csv = CSVFile(text: text)
        #expect(csv.problems.isEmpty, "\(csv.problems)")
        #expect(csv.header == ["plate", "make", "model", "color", "vehicle_type"])
        #expect(csv.rows.count == text.split(separator: "\n").count - 1)
        for row in csv.rows {
            #expect(Plate(normalising: row.fields[0])?.text == row.fields[0], "line \(row.line)")
        }
        #expect(Set(csv.rows.map { $0.fields[0] }).count == csv.rows.count)
    }
}
