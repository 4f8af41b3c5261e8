/// What the simulator has produced so far, by kind of sensor behaviour.
public struct SimulationStatistics: Sendable, Equatable {
    /// Messages handed out by `next()`, duplicates included.
    public var messages = 0
    /// Distinct reads published (each with its own `id`).
    public var reads = 0
    /// Extra copies of a message with the same `id`.
    public var duplicates = 0
    /// Reads lost on the way: their `seq` numbers are skipped.
    public var lost = 0
    /// Reads published late (after younger reads).
    public var late = 0
    /// Passes a camera did not read at all.
    public var missed = 0
    /// Published reads with one or two OCR substitutions.
    public var substitutions = 0
    /// Published reads with a dropped or an extra character.
    public var dropsAndInserts = 0
    /// Published reads of planted events.
    public var plantedReads = 0

    /// Nothing produced yet.
    public init() {}
}

/// How the simulated fleet is made up.
public struct FleetSummary: Sendable, Equatable {
    /// Vehicles that commute on most weekdays along their own route.
    public let commuters: Int
    /// Delivery vans on daily multi-stop tours.
    public let vans: Int
    /// Buses, on `busLines` lines.
    public let buses: Int
    /// Vehicles of planted events.
    public let planted: Int
    /// The pool visiting vehicles are drawn from.
    public let visitors: Int

    /// Every vehicle.
    public var total: Int { commuters + vans + buses + planted + visitors }
}
