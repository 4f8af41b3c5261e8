import RingwatchCore

/// Per-camera traffic by hour of day, learned from the reads themselves: what the live convoy
/// detector scores co-occurrences against.
///
/// Each camera has 24 slots, one per UTC hour of day. A slot counts the reads of the hour in
/// progress and keeps an exponentially weighted average of that hour's count over past days
/// (`smoothing` per day), so Monday's 08:00 informs Tuesday's. The estimate for the hour in
/// progress blends the count so far, scaled up by how much of the hour has passed in event
/// time, with the average of past days; before any past day is known, the count so far alone.
///
/// Not thread-safe: it belongs to its detector.
public final class TrafficRates: TrafficRateSource {
    struct Slot {
        /// Average reads in this hour of day on past days; negative until one day is known.
        var average: Double = -1
        /// The hour (hours since 1970) `count` belongs to.
        var hour: Int64 = .min
        var count = 0
    }

    /// Weight of the newest day in the average.
    public let smoothing: Double
    private var slots: [String: [Slot]] = [:]
    private var latest: Int64 = .min

    public init(smoothing: Double = 0.3) {
        precondition(smoothing > 0 && smoothing <= 1)
        self.smoothing = smoothing
    }

    /// Counts one read at `camera`.
    public func observe(camera: String, at time: Timestamp) {
        let milliseconds = time.milliseconds
        if milliseconds > latest { latest = milliseconds }
        let hour = milliseconds.floorDivided(by: 3_600_000)
        let hourOfDay = Int(hour - hour.floorDivided(by: 24) * 24)
        if slots[camera] == nil { slots[camera] = Array(repeating: Slot(), count: 24) }
        slots[camera]![hourOfDay].observe(hour: hour, smoothing: smoothing)
    }

    public func readsPerHour(camera: String, at time: Timestamp) -> Double {
        guard let cameraSlots = slots[camera] else { return 0 }
        let hour = time.milliseconds.floorDivided(by: 3_600_000)
        let slot = cameraSlots[Int(hour - hour.floorDivided(by: 24) * 24)]
        guard slot.hour == hour else { return max(slot.average, 0) }
        // The hour in progress: scale the count so far by the share of the hour elapsed (at least
        // five minutes' worth, so the first reads of an hour do not look like a flood).
        let elapsed = Double(min(max(latest - hour * 3_600_000, 300_000), 3_600_000)) / 3_600_000
        let current = Double(slot.count) / elapsed
        return slot.average < 0 ? current : elapsed * current + (1 - elapsed) * slot.average
    }

    /// Cameras with at least one read.
    public var cameraCount: Int { slots.count }
}

extension TrafficRates.Slot {
    mutating func observe(hour newHour: Int64, smoothing: Double) {
        if newHour == hour {
            count += 1
        } else if newHour > hour {
            // A new day for this hour: fold the finished count into the average.
            if hour != .min { average = average < 0 ? Double(count) : smoothing * Double(count) + (1 - smoothing) * average }
            hour = newHour
            count = 1
        }
        // A read for a day already folded is too late to change the average; ignore it.
    }
}
