/// How many reads each minute should carry, and how many visitors must arrive to make up
/// what commuters, vans and buses do not.
///
/// The profile is scaled so that the span's average is `readsPerSecond`; the expected reads of
/// scheduled traffic are known per minute of each kind of day. A visitor is read on the way in
/// now and on the way out hours later, so the visitors leaving in a minute are the arrivals of
/// earlier minutes: arrivals are solved minute by minute, in order, so that the reads of those
/// arriving plus the reads of those leaving meet the target. (Dividing the target by a visitor's
/// reads instead would leave the morning ramp a third short and the afternoon over.)
struct TrafficDemand: Sendable {
    /// Mean reads of one visitor.
    struct VisitorReads: Sendable {
        /// Through traffic, all at once.
        let through: Double
        /// A parking visitor on the way in, and on the way out.
        let inbound: Double
        let outbound: Double
    }

    let profile: TrafficProfile
    /// Reads per minute at profile level 1.
    let readsPerMinuteAtPeak: Double
    /// Expected reads per minute of commuters, vans and buses: `[dayType][minute of day]`.
    let scheduledReads: [[Double]]
    let visitorReads: VisitorReads
    /// Solved arrivals per minute from `solvedFrom`.
    private var solved: [Double]
    private let solvedFrom: Int64

    /// Solves arrivals for minutes `from..<to` (minutes since 1970), starting a day earlier so
    /// that the departures of the first minutes have a history.
    init(
        profile: TrafficProfile, readsPerMinuteAtPeak: Double, scheduledReads: [[Double]], visitorReads: VisitorReads,
        from firstMinute: Int64, to endMinute: Int64
    ) {
        self.profile = profile
        self.readsPerMinuteAtPeak = readsPerMinuteAtPeak
        self.scheduledReads = scheduledReads
        self.visitorReads = visitorReads
        solvedFrom = firstMinute - 1440
        solved = []
        var solved: [Double] = []
        solved.reserveCapacity(Int(endMinute - solvedFrom))
        let shares = VisitorTraffic.shares, parking = VisitorTraffic.parkingMinutes
        let perArrivalNow = shares[0] * visitorReads.through + (1 - shares[0]) * visitorReads.inbound
        for minute in solvedFrom..<endMinute {
            var leaving = 0.0
            for klass in shares.indices.dropFirst() {
                // Those of a class leave within ten minutes after its parking time: five on average.
                let origin = minute - Int64(parking[klass]) - 5
                let arrivals = origin >= solvedFrom ? solved[Int(origin - solvedFrom)] : steadyArrivals(minute: origin)
                leaving += shares[klass] * arrivals
            }
            let target = targetReads(minute: minute)
            let wanted = max(0, target - scheduled(minute: minute)) - leaving * visitorReads.outbound
            solved.append(max(0.1 * target / perVisitor, wanted / perArrivalNow))
        }
        self.solved = solved
    }

    /// Mean reads of one visitor, in and out.
    var perVisitor: Double {
        VisitorTraffic.shares[0] * visitorReads.through + (1 - VisitorTraffic.shares[0]) * (visitorReads.inbound + visitorReads.outbound)
    }

    /// Reads the profile asks for in `minute` (minutes since 1970).
    func targetReads(minute: Int64) -> Double {
        readsPerMinuteAtPeak * profile.level(atMilliseconds: minute * 60_000)
    }

    /// Expected reads of commuters, vans and buses in `minute`.
    func scheduled(minute: Int64) -> Double {
        let milliseconds = minute * 60_000
        let type = profile.dayType(ofLocalDay: profile.localDay(ofMilliseconds: milliseconds))
        return scheduledReads[type.rawValue][profile.localMinute(ofMilliseconds: milliseconds)]
    }

    /// Visitors expected to arrive in `minute`.
    func visitorArrivals(minute: Int64) -> Double {
        let index = minute - solvedFrom
        return index >= 0 && index < Int64(solved.count) ? solved[Int(index)] : steadyArrivals(minute: minute)
    }

    /// The most visitors expected to arrive within any `minutes` consecutive minutes of the
    /// solved span, with six standard deviations of Poisson noise on top.
    func mostArrivals(withinMinutes minutes: Int64) -> Double {
        let width = max(1, Int(min(minutes, Int64(solved.count))))
        var window = solved.prefix(width).reduce(0, +)
        var most = window
        for index in width..<max(width, solved.count) {
            window += solved[index] - solved[index - width]
            most = max(most, window)
        }
        return most + 6 * most.squareRoot() + 10
    }

    /// Arrivals as if traffic never changed: what scheduled traffic leaves of the target,
    /// divided by a visitor's reads (at least a tenth of the target, so visitors never vanish).
    func steadyArrivals(minute: Int64) -> Double {
        let target = targetReads(minute: minute)
        return max(0.1 * target, target - scheduled(minute: minute)) / perVisitor
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
