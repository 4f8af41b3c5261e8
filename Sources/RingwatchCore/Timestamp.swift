/// An instant in event time: milliseconds since 1970-01-01T00:00:00Z.
///
/// Reads carry RFC 3339 text; the engine works with this integer form throughout so that
/// windows, partitions and comparisons cost nothing.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + seconds * 1000) }

    public func adding(milliseconds delta: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + delta) }

    /// Whole seconds since the epoch (rounded down).
    public var seconds: Int64 { milliseconds.floorDivided(by: 1000) }

    /// The current wall-clock time.
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public var description: String { rfc3339 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Int64 {
    /// Division that rounds towards negative infinity, so times before 1970 land in the right bucket.
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

// MARK: - RFC 3339

extension Timestamp {
    /// Parses RFC 3339 / ISO 8601 text such as `2026-11-22T08:15:30.123Z` or
    /// `2026-11-22T09:15:30+01:00`. Fractions beyond milliseconds are truncated. Returns nil for
    /// anything that is not a valid date-time with an explicit offset.
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Timestamp.parse($0) }) else { return nil }
        self = value
    }

    /// Parses RFC 3339 from raw UTF-8 bytes (the ingest hot path).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let count = bytes.count
        guard count >= 20 else { return nil }
        func digits(_ start: Int, _ length: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
              let day = digits(8, 2), bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              let hour = digits(11, 2), bytes[13] == 58, let minute = digits(14, 2), bytes[16] == 58,
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var millis: Int64 = 0
        if index < count, bytes[index] == 46 {  // '.'
            index += 1
            var scale: Int64 = 100
            let start = index
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                millis += Int64(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < count else { return nil }
        var offsetSeconds: Int64 = 0
        switch bytes[index] {
        case 90, 122:  // 'Z', 'z'
            index += 1
        case 43, 45:  // '+', '-'
            guard count - index == 6, bytes[index + 3] == 58,
                  let offsetHours = digits(index + 1, 2), let offsetMinutes = digits(index + 4, 2),
                  offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == 45 ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        let time = Timestamp(milliseconds: seconds * 1000 + millis)
        // Only years 0001-9999 in UTC can be written back as RFC 3339.
        guard time >= Timestamp.earliest, time <= Timestamp.latest else { return nil }
        return time
    }

    /// 0001-01-01T00:00:00Z, the earliest time RFC 3339 can write.
    public static let earliest = Timestamp(milliseconds: daysFromCivil(year: 1, month: 1, day: 1) * 86_400_000)
    /// 9999-12-31T23:59:59.999Z, the latest.
    public static let latest = Timestamp(milliseconds: daysFromCivil(year: 10_000, month: 1, day: 1) * 86_400_000 - 1)

    /// `2026-11-22T08:15:30.123Z` (milliseconds always shown, always UTC).
    public var rfc3339: String { format(fraction: true) }

    /// `2026-11-22T08:15:30Z`, for people.
    public var rfc3339Seconds: String { format(fraction: false) }

    private func format(fraction: Bool) -> String {
        let totalSeconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - totalSeconds * 1000)
        let days = totalSeconds.floorDivided(by: 86_400)
        let secondOfDay = Int(totalSeconds - days * 86_400)
        let (year, month, day) = Timestamp.civil(day: days)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        put(Int(year), 4); out.append(45); put(Int(month), 2); out.append(45); put(Int(day), 2)
        out.append(84)
        put(secondOfDay / 3600, 2); out.append(58); put(secondOfDay / 60 % 60, 2); out.append(58); put(secondOfDay % 60, 2)
        if fraction { out.append(46); put(millis, 3) }
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday (UTC).
    public var weekday: Int { Int((milliseconds.floorDivided(by: 86_400_000) + 3) % 7 + 7) % 7 }

    /// Hour of the day, 0…23 (UTC).
    public var hourOfDay: Int { Int(milliseconds.floorDivided(by: 3_600_000) % 24 + 24) % 24 }

    static func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// (year, month, day) of a day number since 1970-01-01.
    public static func civil(day days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
