#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One journey of a vehicle: its passages with no gap longer than the trip gap between two.
/// A route is the ordered list of a trip's cameras, with times.
public struct Trip: Sendable {
    /// The passages, oldest first; repeated reads of one camera in a row are one stop.
    public let stops: [Passage]

    public init(stops: [Passage]) { self.stops = stops }

    /// The cameras in the order passed.
    public var cameras: [String] { stops.map(\.camera) }
    public var start: Timestamp { stops.first!.time }
    public var end: Timestamp { stops.last!.time }

    /// The default gap that ends a trip: 30 minutes.
    public static let defaultGapMilliseconds: Int64 = 30 * 60_000

    /// Repeated reads of one camera closer than this are one stop (a vehicle read twice, or
    /// standing at a light).
    public static let repeatMilliseconds: Int64 = 120_000

    /// Splits one vehicle's passages into trips: a gap longer than `gap` between two passages
    /// starts a new trip. The passages need not be sorted.
    public static func split(_ passages: [Passage], gap: Int64 = defaultGapMilliseconds) -> [Trip] {
        var trips: [Trip] = []
        var current: [Passage] = []
        for passage in passages.sorted(by: { ($0.time, $0.readID) < ($1.time, $1.readID) }) {
            if let last = current.last {
                let elapsed = passage.time.milliseconds - last.time.milliseconds
                if elapsed > gap {
                    trips.append(Trip(stops: current))
                    current = []
                } else if passage.camera == last.camera && elapsed <= repeatMilliseconds {
                    continue
                }
            }
            current.append(passage)
        }
        if !current.isEmpty { trips.append(Trip(stops: current)) }
        return trips
    }
}

/// How alike two routes are: the same cameras in the same order, tolerant of a missed camera
/// or a detour, and at a like time of day on a like kind of day.
public enum RouteSimilarity {
    /// Length of the longest common subsequence of two camera sequences: the cameras both
    /// passed in the same order, whatever the other passed in between.
    @inlinable
    public static func commonCameras<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        var previous = [Int](repeating: 0, count: short.count + 1)
        var current = previous
        for item in long {
            for index in 1...short.count {
                current[index] = short[index - 1] == item ? previous[index - 1] + 1 : max(previous[index], current[index - 1])
            }
            swap(&previous, &current)
        }
        return previous[short.count]
    }

    /// 0…1: twice the cameras in common, in order, over both routes' lengths (Dice). One camera
    /// missed on a route of seven still scores 0.92; a route twice as long as the other,
    /// containing it, 0.67.
    @inlinable
    public static func order<T: Equatable>(_ a: [T], _ b: [T]) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 0 }
        return 2 * Double(commonCameras(a, b)) / Double(a.count + b.count)
    }

    /// 0…1: how alike the times are — 1 at the same minute of the day, 0.5 an hour apart
    /// (a Gaussian in the difference), times 1 on the same kind of day (weekday, Saturday,
    /// Sunday) and 0.5 across kinds.
    public static func time(_ a: Timestamp, _ b: Timestamp, utcOffsetMinutes: Int = 0) -> Double {
        let offset = Int64(utcOffsetMinutes) * 60_000
        let minuteA = (a.milliseconds + offset).floorDivided(by: 60_000) % 1440
        let minuteB = (b.milliseconds + offset).floorDivided(by: 60_000) % 1440
        var difference = Double(abs(minuteA - minuteB))
        difference = min(difference, 1440 - difference)
        let clock = pow2(-(difference / 60) * (difference / 60))
        let sameKind = dayKind(a, offset: offset) == dayKind(b, offset: offset)
        return clock * (sameKind ? 1 : 0.5)
    }

    /// How much the time counts against the route: a trip on the same cameras at another hour
    /// is still the same route, only less telling.
    public static let timeWeight = 0.3

    /// 0…1: route order weighted by time, `(1 - timeWeight) + timeWeight × time`.
    public static func trips(_ a: Trip, _ b: Trip, utcOffsetMinutes: Int = 0) -> Double {
        order(a.cameras, b.cameras) * ((1 - timeWeight) + timeWeight * time(a.start, b.start, utcOffsetMinutes: utcOffsetMinutes))
    }

    /// 0 weekday, 1 Saturday, 2 Sunday.
    static func dayKind(_ time: Timestamp, offset: Int64) -> Int {
        let weekday = Timestamp(milliseconds: time.milliseconds + offset).weekday
        return weekday < 5 ? 0 : weekday - 4
    }

    private static func pow2(_ exponent: Double) -> Double { exp(exponent * 0.693_147_180_559_945_3) }
}
