/// How busy the roads are at a moment, relative to the weekday peak (1.0): a piecewise-linear
/// daily curve in local time, one for weekdays, one for Saturdays, one for Sundays.
///
/// The curves follow the usual shape of urban counts: a sharp morning peak (07:00–09:00), a
/// broad evening peak (16:00–18:30), a quiet night (minimum around 04:00); weekends later,
/// flatter and lower, with a little more traffic in the small hours.
struct TrafficProfile: Sendable {
    /// The kind of day, which picks the curve.
    enum DayType: Int, CaseIterable {
        case weekday = 0, saturday, sunday
    }

    /// Offset of local time from UTC, in milliseconds.
    let utcOffsetMilliseconds: Int64
    /// The curves sampled per minute of the local day: `[dayType][minute]`.
    private let perMinute: [[Double]]

    init(utcOffsetMinutes: Int) {
        utcOffsetMilliseconds = Int64(utcOffsetMinutes) * 60_000
        let knots: [[(Double, Double)]] = [
            // Weekday (hour, level).
            [
                (0, 0.10), (2, 0.06), (4, 0.05), (5, 0.14), (6, 0.42), (7, 0.88), (7.75, 1.0), (8.5, 0.92), (9.5, 0.62), (11, 0.55),
                (13, 0.6), (15, 0.68), (16.25, 0.9), (17.25, 1.0), (18.25, 0.85), (19.5, 0.52), (21, 0.34), (23, 0.17), (24, 0.10),
            ],
            // Saturday.
            [
                (0, 0.14), (2, 0.10), (4, 0.06), (6, 0.10), (8, 0.24), (10, 0.5), (12, 0.66), (15, 0.68), (17, 0.6), (19, 0.44),
                (21, 0.32), (23, 0.22), (24, 0.16),
            ],
            // Sunday.
            [
                (0, 0.16), (2, 0.11), (4, 0.06), (7, 0.08), (9, 0.2), (11, 0.4), (13, 0.46), (16, 0.5), (18, 0.44), (20, 0.3),
                (22, 0.16), (24, 0.10),
            ],
        ]
        perMinute = knots.map { curve in
            (0..<1440).map { minute in
                let hour = (Double(minute) + 0.5) / 60
                var index = 0
                while index + 1 < curve.count, curve[index + 1].0 < hour { index += 1 }
                let (h0, v0) = curve[index], (h1, v1) = curve[min(index + 1, curve.count - 1)]
                guard h1 > h0 else { return v0 }
                return v0 + (v1 - v0) * (hour - h0) / (h1 - h0)
            }
        }
    }

    /// The local day number (days since 1970-01-01 in local time) of an instant.
    func localDay(ofMilliseconds milliseconds: Int64) -> Int64 {
        (milliseconds + utcOffsetMilliseconds).floorDivided(by: 86_400_000)
    }

    /// Milliseconds since 1970 at the start of local day `day`.
    func startOfLocalDay(_ day: Int64) -> Int64 { day * 86_400_000 - utcOffsetMilliseconds }

    /// The kind of local day `day` (1970-01-01 was a Thursday).
    func dayType(ofLocalDay day: Int64) -> DayType {
        switch Int((day + 3) % 7 + 7) % 7 {
        case 5: .saturday
        case 6: .sunday
        default: .weekday
        }
    }

    /// Minute of the local day, 0..<1440.
    func localMinute(ofMilliseconds milliseconds: Int64) -> Int {
        Int((milliseconds + utcOffsetMilliseconds).floorDivided(by: 60_000) % 1440 + 1440) % 1440
    }

    /// The level at an instant.
    func level(atMilliseconds milliseconds: Int64) -> Double {
        let day = localDay(ofMilliseconds: milliseconds)
        return perMinute[dayType(ofLocalDay: day).rawValue][localMinute(ofMilliseconds: milliseconds)]
    }

    /// The level of a minute of a kind of day.
    func level(_ type: DayType, minute: Int) -> Double { perMinute[type.rawValue][minute] }

    /// How much slower than free flow traffic moves: 1 at night, 1.45 at the peaks.
    func congestion(atMilliseconds milliseconds: Int64) -> Double {
        1 + (TrafficProfile.heaviestCongestion - 1) * max(0, level(atMilliseconds: milliseconds) - 0.4) / 0.6
    }

    /// Congestion at the peak (level 1), the most any curve reaches.
    static let heaviestCongestion = 1.45

    /// True when it is dark in late autumn (before 08:00 or from 17:00 local): the classifier
    /// then sees less.
    func isDark(atMilliseconds milliseconds: Int64) -> Bool {
        let minute = localMinute(ofMilliseconds: milliseconds)
        return minute < 8 * 60 || minute >= 17 * 60
    }
}
