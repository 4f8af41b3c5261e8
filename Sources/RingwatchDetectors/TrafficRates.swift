import RingwatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-camera traffic, learned from the reads themselves: what the live convoy detector scores
/// co-occurrences against.
///
/// Two estimates per camera, and the larger wins (a busy estimate makes a co-occurrence less
/// remarkable, so erring high errs towards fewer false convoys):
/// - the current rate: an exponentially decayed count of its reads (time constant
///   `timeConstant`, 15 minutes), corrected while the camera has been seen for less than that;
/// - the usual rate at this hour of day: for each of 24 UTC hours, an exponentially weighted
///   average of that hour's count over past days (`smoothing` per day), so yesterday's 08:00
///   rush informs today's before today's has built up.
///
/// Cameras are numbered as they are first named (`number(of:)`), so that a caller that keeps the
/// numbers (the live tracker) counts a read without hashing the camera's name.
///
/// Not thread-safe: it belongs to its detector.
public final class TrafficRates: TrafficRateSource {
    /// One hour of day.
    struct Slot {
        /// Average reads in this hour of day on past days; negative until one day is complete.
        var average: Double = -1
        /// The hour (hours since 1970) `count` belongs to.
        var hour: Int64 = .min
        var count = 0
    }

    struct CameraTraffic {
        /// Decayed count of reads, as of `at`.
        var decayed = 0.0
        var at: Int64
        /// The first read seen.
        var since: Int64
        var profile = [Slot](repeating: Slot(), count: 24)
    }

    /// Weight of the newest day in the hour-of-day averages.
    public let smoothing: Double
    /// Time constant of the current rate, in milliseconds.
    public let timeConstant: Double
    private var numbers: [String: Int] = [:]
    /// By number; nil until the camera's first read.
    private var traffic: [CameraTraffic?] = []
    /// Cameras with at least one read.
    public private(set) var cameraCount = 0

    public init(smoothing: Double = 0.3, timeConstantMilliseconds: Int64 = 15 * 60_000) {
        precondition(smoothing > 0 && smoothing <= 1 && timeConstantMilliseconds > 0)
        self.smoothing = smoothing
        self.timeConstant = Double(timeConstantMilliseconds)
    }

    /// Counts one read at `camera` (or `reads` of them at once: the history search learns the
    /// days before its period from counts per minute, as the live detector would have learned
    /// them read by read).
    public func observe(camera: String, at time: Timestamp, reads: Int = 1) {
        observe(cameraNumber: number(of: camera), at: time, reads: reads)
    }

    /// The camera's number, given to it the first time it is named.
    public func number(of camera: String) -> Int {
        if let number = numbers[camera] { return number }
        numbers[camera] = traffic.count
        traffic.append(nil)
        return traffic.count - 1
    }

    /// `observe(camera:at:reads:)` by the camera's `number(of:)`.
    public func observe(cameraNumber number: Int, at time: Timestamp, reads: Int = 1) {
        let milliseconds = time.milliseconds
        if traffic[number] == nil {
            traffic[number] = CameraTraffic(at: milliseconds, since: milliseconds)
            cameraCount += 1
        }
        // In place: copying the hour-of-day profile out and back for every read would allocate.
        traffic[number]!.observe(milliseconds, reads: reads, timeConstant: timeConstant, smoothing: smoothing)
    }

    public func readsPerHour(camera: String, at time: Timestamp) -> Double {
        guard let number = numbers[camera] else { return 0 }
        return readsPerHour(cameraNumber: number, at: time)
    }

    /// `readsPerHour(camera:at:)` by the camera's `number(of:)`.
    public func readsPerHour(cameraNumber number: Int, at time: Timestamp) -> Double {
        guard let traffic = traffic[number] else { return 0 }
        // A decayed count of steady traffic λ is λτ(1 − e^(−seen/τ)). Five minutes at least, so
        // the first few reads at a camera do not look like a flood.
        let seen = Double(max(traffic.at - traffic.since, 300_000))
        let current = traffic.decayed / (timeConstant * (1 - exp(-seen / timeConstant))) * 3_600_000
        let hour = time.milliseconds.floorDivided(by: 3_600_000)
        let usual = traffic.profile[Int(hour - hour.floorDivided(by: 24) * 24)].average
        return max(current, usual)
    }
}

extension TrafficRates.CameraTraffic {
    mutating func observe(_ milliseconds: Int64, reads: Int, timeConstant: Double, smoothing: Double) {
        if milliseconds >= at {
            decayed = decayed * exp(-Double(milliseconds - at) / timeConstant) + Double(reads)
            at = milliseconds
        } else {
            // A late read counts with the weight it would have had.
            decayed += Double(reads) * exp(-Double(at - milliseconds) / timeConstant)
            since = min(since, milliseconds)
        }
        let hour = milliseconds.floorDivided(by: 3_600_000)
        profile[Int(hour - hour.floorDivided(by: 24) * 24)].observe(hour: hour, reads: reads, smoothing: smoothing)
    }
}

extension TrafficRates.Slot {
    mutating func observe(hour newHour: Int64, reads: Int, smoothing: Double) {
        if newHour == hour {
            count += reads
        } else if newHour > hour {
            // A new day for this hour: fold the finished count into the average.
            if hour != .min { average = average < 0 ? Double(count) : smoothing * Double(count) + (1 - smoothing) * average }
            hour = newHour
            count = reads
        }
        // A read for a day already folded is too late to change the average; ignore it.
    }
}
