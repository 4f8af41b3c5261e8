import Foundation
import RingwatchCore

/// Days and times as the report shows them: in one time zone (UTC unless asked otherwise),
/// whose name the page states.
public struct ReportClock: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!) { self.timeZone = timeZone }

    /// The zone's name as shown on the page, e.g. `UTC` or `Europe/Brussels`.
    public var zoneName: String {
        // Foundation on Linux names UTC "GMT"; analysts read UTC in RFC 3339 times, so say UTC.
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT"].contains(timeZone.identifier) ? "UTC" : timeZone.identifier
    }

    /// Milliseconds since the epoch on the local wall clock.
    private func local(_ time: Timestamp) -> Int64 {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(time.milliseconds) / 1000))
        return time.milliseconds + Int64(offset) * 1000
    }

    /// The local day number (days since 1970-01-01).
    public func day(of time: Timestamp) -> Int64 { local(time).floorDivided(by: 86_400_000) }

    /// Seconds since local midnight, 0..<86400.
    public func secondOfDay(_ time: Timestamp) -> Int {
        let local = local(time)
        return Int((local - local.floorDivided(by: 86_400_000) * 86_400_000) / 1000)
    }

    /// `07:56`.
    public func time(_ time: Timestamp) -> String {
        let second = secondOfDay(time)
        return Self.twoDigits(second / 3600) + ":" + Self.twoDigits(second / 60 % 60)
    }

    /// `07:56:09`.
    public func timeWithSeconds(_ time: Timestamp) -> String {
        self.time(time) + ":" + Self.twoDigits(secondOfDay(time) % 60)
    }

    /// `2026-11-22 07:56`.
    public func dateTime(_ time: Timestamp) -> String { date(day(of: time)) + " " + self.time(time) }

    /// `2026-11-22`.
    public func date(_ day: Int64) -> String {
        let (year, month, dayOfMonth) = Timestamp.civil(day: day)
        return "\(year)-" + Self.twoDigits(Int(month)) + "-" + Self.twoDigits(Int(dayOfMonth))
    }

    /// `Sun 22 Nov`.
    public func shortDate(_ day: Int64) -> String {
        let (_, month, dayOfMonth) = Timestamp.civil(day: day)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdayName(day)) \(dayOfMonth) \(months[Int(month) - 1])"
    }

    /// `Mon` … `Sun`.
    public func weekdayName(_ day: Int64) -> String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][Int(((day + 3) % 7 + 7) % 7)]
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
