import RingwatchCore

/// Everything that shapes one simulated run. Same configuration, same cameras and same seed give
/// byte-identical messages, fixtures and ground truth.
///
/// The defaults describe an ordinary Antwerp Monday from 07:00 local time: 20 reads/s on
/// average over the span, a few percent of OCR misreads, and a handful of planted events.
public struct SimulationConfiguration: Sendable, Equatable {
    /// Seed of every random choice. Default 1.
    public var seed: UInt64 = 1
    /// Start of the simulated span (event time). Default 2026-11-23T06:00:00Z, a Monday, 07:00 in Antwerp.
    public var start = Timestamp(milliseconds: 1_795_413_600_000)
    /// Length of the simulated span in hours. Default 24.
    public var hours: Double = 24
    /// Average reads per simulated second over the span (before duplicates, after misses).
    /// The fleet is sized from it. Default 20; from a few reads/s to hundreds of thousands.
    public var readsPerSecond: Double = 20
    /// Offset of local time from UTC in minutes: the daily profile (peaks, night, darkness) follows
    /// local time. Default 60 (CET; use 120 for summer time).
    public var utcOffsetMinutes = 60

    // MARK: Sensor realism

    /// Share of reads with OCR substitutions (`B`→`8`, `O`→`0`, ... from `OCRConfusions.standard`). Default 0.03.
    public var misreadRate = 0.03
    /// Share of substitution misreads that change two characters instead of one. Default 0.15.
    public var doubleSubstitutionShare = 0.15
    /// Share of reads that drop a character or gain an extra one. Default 0.005.
    public var dropInsertRate = 0.005
    /// Share of passes a camera does not read at all (no message, no sequence number). Default 0.015.
    public var missedReadRate = 0.015
    /// Share of messages sent twice with the same `id`. Default 0.002.
    public var duplicateRate = 0.002
    /// Share of messages lost between camera and engine: their `seq` is skipped. Default 0.001.
    public var gapRate = 0.001
    /// Share of messages published 5–45 s after the read (within the engine's 60 s lateness). Default 0.0005.
    public var lateRate = 0.0005
    /// Largest fixed clock error of a camera, in milliseconds (each camera draws one in ±this). Default 1500.
    public var maximumClockSkewMilliseconds = 1500
    /// Share of reads that lack an optional field group (classifier output, per-character
    /// confidences, direction), each drawn independently. Default 0.03.
    public var missingFieldRate = 0.03
    /// Share of reads in the dark whose classifier reports a neighbouring colour. Default 0.1.
    public var darkColorErrorRate = 0.1

    // MARK: Traffic mix

    /// Share of a weekday's reads made by commuters (the same route most weekdays). Default 0.2.
    public var commuterShare = 0.2
    /// Commuters who drive to work and home again a few seconds behind a colleague (the
    /// commuter numbered just before them), on most of the days the colleague commutes: the
    /// everyday company that the convoy detector's commuter rule is for. They look like a
    /// two-car convoy on every such day. Default 0 (none), at most 10,000.
    public var commuterCompanions = 0
    /// Share of a weekday's reads made by delivery vans on multi-stop tours. Default 0.08.
    public var vanShare = 0.08
    /// Bus lines, each with buses at fixed intervals in the daytime. Default 6.
    public var busLines = 6
    /// Share of visiting vehicles with Dutch, French or German plates. Default 0.12.
    public var foreignShare = 0.12
    /// Upper bound on distinct vehicles (registry lines grow with it). At high rates the same
    /// vehicles simply come back more often. Default 1,000,000; at most 30,000,000 (beyond a
    /// format's plates, vehicles get the country's largest format).
    public var maximumFleet = 1_000_000
    /// Traffic simulated before `start` and not emitted, so the roads are busy from the first
    /// second. Default 30.
    public var warmUpMinutes = 30

    // MARK: Planted events and fixtures

    /// How many events of each kind to plant (recorded in the ground truth).
    public var plants = Plants()
    /// Extra hotlist entries for plates that never drive in the simulation (a realistic
    /// 100,000-entry hotlist needs about that many). Default 0.
    public var hotlistDecoys = 0

    /// The defaults above.
    public init() {}

    /// Counts of planted events. A plant whose evidence does not fit in the span is left out
    /// (see `TrafficSimulator.skippedPlants`).
    public struct Plants: Sendable, Equatable {
        /// Hotlisted vehicles, each read several times, some of those reads misread. Default 5.
        public var hotlist = 5
        /// Convoys of 2–4 vehicles (lead, load, tail) over several cameras. Default 4.
        public var convoys = 4
        /// Plates carried by a vehicle of another make and model than registered. Default 3.
        public var cloneVehicles = 3
        /// Plates read at two far-apart cameras too quickly for one vehicle. Default 3.
        public var cloneSpeeds = 3
        /// Distinctive routes driven repeatedly by one vehicle, then taken over by another. Default 1.
        public var routeTakeovers = 1

        /// The defaults above.
        public init() {}

        /// The given counts.
        public init(hotlist: Int, convoys: Int, cloneVehicles: Int, cloneSpeeds: Int, routeTakeovers: Int) {
            self.hotlist = hotlist
            self.convoys = convoys
            self.cloneVehicles = cloneVehicles
            self.cloneSpeeds = cloneSpeeds
            self.routeTakeovers = routeTakeovers
        }

        /// No planted events: plain traffic.
        public static let none = Plants(hotlist: 0, convoys: 0, cloneVehicles: 0, cloneSpeeds: 0, routeTakeovers: 0)

        /// All planted events.
        public var total: Int { hotlist + convoys + cloneVehicles + cloneSpeeds + routeTakeovers }
    }

    /// End of the span.
    public var end: Timestamp { start.adding(milliseconds: Int64((hours * 3_600_000).rounded())) }

    /// The first problem with the configuration, as one sentence, or nil.
    public var problem: String? {
        let rates: [(String, Double)] = [
            ("misreadRate", misreadRate), ("doubleSubstitutionShare", doubleSubstitutionShare), ("dropInsertRate", dropInsertRate),
            ("missedReadRate", missedReadRate), ("duplicateRate", duplicateRate), ("gapRate", gapRate), ("lateRate", lateRate),
            ("missingFieldRate", missingFieldRate), ("darkColorErrorRate", darkColorErrorRate), ("commuterShare", commuterShare),
            ("vanShare", vanShare), ("foreignShare", foreignShare),
        ]
        for (name, value) in rates where !(value >= 0 && value <= 1) {
            return "\(name) must be between 0 and 1"
        }
        if misreadRate + dropInsertRate > 1 { return "misreadRate + dropInsertRate must not exceed 1" }
        if commuterShare + vanShare > 0.8 { return "commuterShare + vanShare must leave room for other traffic (at most 0.8)" }
        if !(hours > 0 && hours <= 24 * 366) { return "hours must be more than 0 and at most a year" }
        if !(readsPerSecond > 0 && readsPerSecond <= 10_000_000) { return "readsPerSecond must be more than 0 and at most 10,000,000" }
        if !(-14 * 60...14 * 60).contains(utcOffsetMinutes) { return "utcOffsetMinutes must be within ±14 hours" }
        if !(0...60_000).contains(maximumClockSkewMilliseconds) { return "maximumClockSkewMilliseconds must be 0...60000" }
        if !(1000...30_000_000).contains(maximumFleet) { return "maximumFleet must be 1,000...30,000,000" }
        if maximumFleet + hotlistDecoys > Fleet.largestNumbering { return "maximumFleet + hotlistDecoys must be at most \(Fleet.largestNumbering)" }
        if !(0...1000).contains(busLines) { return "busLines must be 0...1000" }
        if !(0...10_000).contains(commuterCompanions) { return "commuterCompanions must be 0...10000" }
        if !(0...10_000_000).contains(hotlistDecoys) { return "hotlistDecoys must be 0...10,000,000" }
        if !(0...24 * 60).contains(warmUpMinutes) { return "warmUpMinutes must be 0...1440" }
        let counts = [plants.hotlist, plants.convoys, plants.cloneVehicles, plants.cloneSpeeds, plants.routeTakeovers]
        if counts.contains(where: { !(0...1000).contains($0) }) { return "each planted-event count must be 0...1000" }
        if start < Timestamp(milliseconds: 0) || end > Timestamp(rfc3339: "9000-01-01T00:00:00Z")! {
            return "start must lie between 1970 and 9000"
        }
        return nil
    }
}
