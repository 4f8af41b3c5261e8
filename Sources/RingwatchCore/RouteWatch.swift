/// A watched route: fire when any vehicle passes at least `minimumMatch` of its cameras in
/// order, with no more than `maximumGapSeconds` between two of them.
public struct RouteWatch: Sendable, Hashable {
    /// The watch's name, unique among live watches (the trigger's `watch`).
    public var name: String
    /// The cameras of the route, in order (a camera may come back on a loop).
    public var cameras: [String]
    /// Largest gap between two matched cameras, in seconds. Default 900.
    public var maximumGapSeconds: Double
    /// Share of the route's cameras to match, in order, 0 < F ≤ 1. Default 0.8.
    public var minimumMatch: Double
    /// The severity of its triggers. Default high.
    public var severity: Severity
    /// Where the route came from when learned, e.g. `learned from a vehicle's trips 2026-11-02..2026-11-20`
    /// (never the plate: that is in the audit log).
    public var origin: String
    /// A plate whose own reads do not fire the watch (the vehicle it was learned from).
    public var excludedPlate: String?
    /// When set (2 or more): fire only when a vehicle has matched the route on this many
    /// distinct days within `repeatWindowDays` — repetition is a pattern too. Nil: every match fires.
    public var repeatDays: Int?

    /// The days within which repetitions count.
    public static let repeatWindowDays: Int64 = 14

    public static let defaultMaximumGapSeconds = 900.0
    public static let defaultMinimumMatch = 0.8

    public init(name: String, cameras: [String], maximumGapSeconds: Double = defaultMaximumGapSeconds,
                minimumMatch: Double = defaultMinimumMatch, severity: Severity = .high, origin: String = "cameras",
                excludedPlate: String? = nil, repeatDays: Int? = nil) {
        self.name = name
        self.cameras = cameras
        self.maximumGapSeconds = maximumGapSeconds
        self.minimumMatch = minimumMatch
        self.severity = severity
        self.origin = origin
        self.excludedPlate = excludedPlate
        self.repeatDays = repeatDays
    }

    /// Cameras a vehicle must match: `minimumMatch` of the route, at least two.
    public var camerasNeeded: Int {
        min(cameras.count, max(2, Int((minimumMatch * Double(cameras.count) - 1e-9).rounded(.up))))
    }

    /// The first problem with the watch, as a sentence, or nil.
    public var problem: String? {
        if name.isEmpty || name.count > 100 { return "a watch needs a name of 1 to 100 characters" }
        if cameras.count < 2 { return "a watched route needs at least two cameras" }
        if cameras.count > 64 { return "a watched route has at most 64 cameras" }
        if !(maximumGapSeconds > 0 && maximumGapSeconds <= 86_400) { return "max_gap_s must be more than 0 and at most 86400" }
        if !(minimumMatch > 0 && minimumMatch <= 1) { return "min_match must be more than 0 and at most 1" }
        if let repeatDays, !(2...14).contains(repeatDays) { return "repeat_days must be 2 to 14" }
        return nil
    }

    /// Learns a route from a vehicle's trips: the trip most like all the others (ties: the
    /// longer, then the earlier). Nil when no trip passes two cameras.
    public static func learnRoute(from trips: [Trip]) -> Trip? {
        let routes = trips.filter { $0.stops.count >= 2 }
        guard !routes.isEmpty else { return nil }
        var best: (score: Double, trip: Trip)?
        for trip in routes {
            let score = routes.reduce(0.0) { $0 + RouteSimilarity.order(trip.cameras, $1.cameras) }
            if best == nil || score > best!.score + 1e-9 || (abs(score - best!.score) <= 1e-9 && trip.stops.count > best!.trip.stops.count) {
                best = (score, trip)
            }
        }
        return best?.trip
    }

    /// A gap allowance for a learned route: twice its longest leg, at least the default.
    public static func maximumGap(learnedFrom trip: Trip) -> Double {
        var longest: Int64 = 0
        for (a, b) in zip(trip.stops, trip.stops.dropFirst()) { longest = max(longest, b.time.milliseconds - a.time.milliseconds) }
        return max(defaultMaximumGapSeconds, Double(2 * longest) / 1000)
    }
}
