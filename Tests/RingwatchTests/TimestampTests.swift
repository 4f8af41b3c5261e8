import Foundation
import RingwatchCore
import Testing

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the same sequence on every
/// run, so a failing value can be reproduced from the seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        // The low bits of an LCG are weak: mix the high bits down (MurmurHash3 finaliser).
        var z = state
        z ^= z >> 33
        z &*= 0xFF51_AFD7_ED55_8CCD
        z ^= z >> 33
        return z
    }
}

@Suite("Timestamp: RFC 3339 parsing and formatting")
struct TimestampTests {
    // Expected values computed independently (Python's datetime).
    @Test(arguments: [
        ("2026-11-22T08:15:30.123Z", Int64(1_795_335_330_123)),
        ("2026-11-22T08:15:30Z", 1_795_335_330_000),
        ("2026-11-22T09:15:30+01:00", 1_795_335_330_000),
        ("2026-11-22T02:45:30-05:30", 1_795_335_330_000),
        ("2026-11-22T08:15:30+00:00", 1_795_335_330_000),
        ("2026-11-22T08:15:30-00:00", 1_795_335_330_000),
        ("2026-11-22t08:15:30z", 1_795_335_330_000),  // lower-case t and z
        ("2026-11-22 08:15:30Z", 1_795_335_330_000),  // RFC 3339 allows a space
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000),
        ("2000-02-29T23:59:59.999Z", 951_868_799_999),
        ("1969-07-20T20:17:40Z", -14_182_940_000),
        ("1900-01-01T00:00:00Z", -2_208_988_800_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000),
    ])
    func parsesToEpochMilliseconds(text: String, milliseconds: Int64) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.milliseconds == milliseconds)
    }

    @Test(arguments: [
        ("2026-11-22T08:15:30.1Z", Int64(1_795_335_330_100)),
        ("2026-11-22T08:15:30.12Z", 1_795_335_330_120),
        ("2026-11-22T08:15:30.123Z", 1_795_335_330_123),
        ("2026-11-22T08:15:30.123456Z", 1_795_335_330_123),  // microseconds truncated
        ("2026-11-22T08:15:30.999999Z", 1_795_335_330_999),  // truncated, never rounded up
        ("2026-11-22T08:15:30.123456789+01:00", 1_795_331_730_123),
        ("2026-11-22T08:15:30.000Z", 1_795_335_330_000),
    ])
    func fractionsGiveMillisecondsAndTruncateTheRest(text: String, milliseconds: Int64) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.milliseconds == milliseconds)
    }

    @Test(arguments: [
        "",
        "garbage",
        "2026-11-22",  // date only
        "2026-11-22T08:15:30",  // no offset
        "2026-11-22T08:15:30.123",  // no offset after a fraction
        "2026-11-22T08:15Z",  // no seconds
        "2026-02-30T00:00:00Z",  // February 30th
        "2026-02-29T00:00:00Z",  // not a leap year
        "1900-02-29T00:00:00Z",  // century, not a leap year
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",  // month 13
        "2026-00-10T00:00:00Z",  // month 0
        "2026-11-00T00:00:00Z",  // day 0
        "2026-11-32T00:00:00Z",
        "2026-11-22T24:00:00Z",  // hour 24
        "2026-11-22T08:60:00Z",
        "2026-11-22T08:15:61Z",
        "2026-11-22T08:15:30.Z",  // '.' without digits
        "2026-11-22T08:15:30+0100",  // offset without colon
        "2026-11-22T08:15:30+01",
        "2026-11-22T08:15:30+24:00",
        "2026-11-22T08:15:30+01:60",
        "2026-11-22T08:15:30Z ",  // trailing space
        " 2026-11-22T08:15:30Z",
        "2026-11-22T08:15:30ZZ",
        "2026-11-22X08:15:30Z",
        "2026/11/22T08:15:30Z",
        "26-11-22T08:15:30Z",
        "2026-1-22T08:15:30Z",
        "+2026-11-22T08:15:30Z",
        "2026-11-22T08:15:30,123Z",
        "２026-11-22T08:15:30Z",
    ])
    func rejectsInvalidOrIncompleteText(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func leapYearsFollowTheGregorianRules() {
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") != nil)  // divisible by 400
        #expect(Timestamp(rfc3339: "2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2100-02-29T00:00:00Z") == nil)  // divisible by 100 only
        // The day after 28 February in a common year is 1 March.
        let feb28 = Timestamp(rfc3339: "2026-02-28T00:00:00Z")!
        #expect(feb28.adding(seconds: 86_400).rfc3339 == "2026-03-01T00:00:00.000Z")
        let leapFeb28 = Timestamp(rfc3339: "2024-02-28T00:00:00Z")!
        #expect(leapFeb28.adding(seconds: 86_400).rfc3339 == "2024-02-29T00:00:00.000Z")
    }

    @Test func leapSecondIsAcceptedAndFoldedIntoTheLastSecond() throws {
        let leap = try #require(Timestamp(rfc3339: "2016-12-31T23:59:60Z"))
        #expect(leap == Timestamp(rfc3339: "2016-12-31T23:59:59Z"))
    }

    @Test(arguments: [
        (Int64(1_795_335_330_123), "2026-11-22T08:15:30.123Z", "2026-11-22T08:15:30Z"),
        (0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"),
        (1, "1970-01-01T00:00:00.001Z", "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59Z"),
        (-1000, "1969-12-31T23:59:59.000Z", "1969-12-31T23:59:59Z"),
        (-14_182_940_000, "1969-07-20T20:17:40.000Z", "1969-07-20T20:17:40Z"),
        (-2_208_988_800_000, "1900-01-01T00:00:00.000Z", "1900-01-01T00:00:00Z"),
        (951_868_799_999, "2000-02-29T23:59:59.999Z", "2000-02-29T23:59:59Z"),
    ])
    func formatsInUTCWithMilliseconds(milliseconds: Int64, full: String, seconds: String) {
        let time = Timestamp(milliseconds: milliseconds)
        #expect(time.rfc3339 == full)
        #expect(time.description == full)
        #expect(time.rfc3339Seconds == seconds)
    }

    @Test func offsetsAreNormalisedToUTCWhenFormatted() throws {
        let time = try #require(Timestamp(rfc3339: "2026-01-01T00:30:00+01:00"))
        #expect(time.rfc3339 == "2025-12-31T23:30:00.000Z")
        let west = try #require(Timestamp(rfc3339: "2025-12-31T20:00:00.5-05:30"))
        #expect(west.rfc3339 == "2026-01-01T01:30:00.500Z")
    }

    @Test func preEpochSecondsRoundDown() {
        #expect(Timestamp(milliseconds: -1).seconds == -1)
        #expect(Timestamp(milliseconds: -1000).seconds == -1)
        #expect(Timestamp(milliseconds: -1001).seconds == -2)
        #expect(Timestamp(milliseconds: 1999).seconds == 1)
        #expect(Int64(-7).floorDivided(by: 2) == -4)
        #expect(Int64(7).floorDivided(by: -2) == -4)
        #expect(Int64(-8).floorDivided(by: 2) == -4)
    }

    // 1970-01-01 was a Thursday; weekday counts Monday = 0.
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 3, 0),
        ("1969-12-31T23:59:59.999Z", 2, 23),
        ("1969-12-29T05:00:00Z", 0, 5),  // a Monday before the epoch
        ("1969-07-20T20:17:40Z", 6, 20),
        ("2026-11-22T08:15:30Z", 6, 8),  // Sunday
        ("2026-11-23T00:00:00Z", 0, 0),  // Monday
        ("2026-11-22T23:30:00-01:00", 0, 0),  // Monday 00:30 in UTC
        ("2024-02-29T12:00:00Z", 3, 12),
        ("1900-01-01T00:00:00Z", 0, 0),
    ])
    func weekdayAndHourAreInUTC(text: String, weekday: Int, hour: Int) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.weekday == weekday)
        #expect(time.hourOfDay == hour)
    }

    @Test func formattingThenParsingRoundTripsForSeededValues() throws {
        var generator = SeededGenerator(seed: 0x5249_4E47)  // "RING"
        // 1900-01-01 up to 9999-12-31T23:59:59.999Z, plus the edges themselves.
        let range: ClosedRange<Int64> = -2_208_988_800_000...253_402_300_799_999
        var values: [Int64] = [range.lowerBound, range.upperBound, 0, -1, 1, 86_399_999, -86_400_000]
        for _ in 0..<2_000 { values.append(Int64.random(in: range, using: &generator)) }
        for milliseconds in values {
            let text = Timestamp(milliseconds: milliseconds).rfc3339
            #expect(text.utf8.count == 24, "\(milliseconds) -> \(text)")
            let parsed = try #require(Timestamp(rfc3339: text), "\(milliseconds) -> \(text)")
            #expect(parsed.milliseconds == milliseconds, "\(text)")
            let seconds = try #require(Timestamp(rfc3339: Timestamp(milliseconds: milliseconds).rfc3339Seconds))
            #expect(seconds.milliseconds == milliseconds.floorDivided(by: 1000) * 1000)
        }
    }

    @Test func formattingAgreesWithFoundationForSeededValues() {
        var generator = SeededGenerator(seed: 42)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // 1901 to 2099 in whole seconds, where Foundation is certainly right.
        for _ in 0..<500 {
            let seconds = Int64.random(in: -2_177_452_800...4_102_444_799, using: &generator)
            let ours = Timestamp(seconds: seconds).rfc3339Seconds
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(ours == theirs, "\(seconds)")
        }
    }

    @Test func parsingWithOffsetsAgreesWithShiftedUTCForSeededValues() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let seconds = Int64.random(in: 0...4_102_444_799, using: &generator)
            let offsetMinutes = Int64.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &generator)
            // Local wall-clock text for the instant, written with that offset.
            let local = Timestamp(seconds: seconds + offsetMinutes * 60).rfc3339Seconds.dropLast()  // drop "Z"
            let sign = offsetMinutes < 0 ? "-" : "+"
            let magnitude = abs(offsetMinutes)
            let offset = sign + two(magnitude / 60) + ":" + two(magnitude % 60)
            let parsed = try #require(Timestamp(rfc3339: String(local) + offset), "\(local)\(offset)")
            #expect(parsed.seconds == seconds, "\(local)\(offset)")
        }
    }

    private func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    @Test func comparisonAndArithmeticFollowMilliseconds() {
        let a = Timestamp(milliseconds: 1_000)
        #expect(a < a.adding(milliseconds: 1))
        #expect(a.adding(seconds: -2) == Timestamp(milliseconds: -1_000))
        #expect(Timestamp(seconds: 3) == Timestamp(milliseconds: 3_000))
    }
}
