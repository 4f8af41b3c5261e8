/// How many reads each minute should carry, and how many of them are left for visitors once
/// commuters, vans and buses have had theirs.
///
/// The profile is scaled so that the span's average is `readsPerSecond`; the expected reads of
/// the scheduled traffic are known per minute of each kind of day; visitors make up the rest.
struct TrafficDemand: Sendable {
    let profile: TrafficProfile
    /// Reads per minute at profile level 1.
    let readsPerMinuteAtPeak: Double
    /// Expected reads per minute of commuters, vans and buses: `[dayType][minute of day]`.
    let scheduledReads: [[Double]]
    /// Mean reads per visitor (way in and out).
    let readsPerVisitor: Double

    /// Reads the profile asks for in `minute` (minutes since 1970).
    func targetReads(minute: Int64) -> Double {
        readsPerMinuteAtPeak * profile.level(atMilliseconds: minute * 60_000)
    }

    /// Visitors arriving per minute: the reads not made by scheduled traffic (at least a tenth
    /// of the target, so visitors never vanish), divided by a visitor's reads.
    func visitorArrivals(minute: Int64) -> Double {
        let milliseconds = minute * 60_000
        let type = profile.dayType(ofLocalDay: profile.localDay(ofMilliseconds: milliseconds))
        let target = targetReads(minute: minute)
        let scheduled = scheduledReads[type.rawValue][profile.localMinute(ofMilliseconds: milliseconds)]
        return max(0.1 * target, target - scheduled) / readsPerVisitor
    }

    /// Reads per minute of a day, built by spreading trips' reads over minutes (a difference
    /// array, so each trip costs the same however long it is).
    struct DailyCurve: Sendable {
        private var differences = [Double](repeating: 0, count: 1441)

        init() {}

        /// Adds `reads` spread evenly over `minutes` minutes from minute `from` (wrapping at midnight).
        mutating func add(_ reads: Double, from: Int, minutes: Int) {
            let width = max(1, min(1440, minutes))
            let share = reads / Double(width)
            let start = (from % 1440 + 1440) % 1440
            let end = start + width
            differences[start] += share
            if end <= 1440 {
                differences[end] -= share
            } else {
                differences[1440] -= share
                differences[0] += share
                differences[end - 1440] -= share
            }
        }

        /// The reads of each minute.
        var perMinute: [Double] {
            var running = 0.0
            return (0..<1440).map { minute in
                running += differences[minute]
                return running
            }
        }
    }
}
