import RingwatchCore

/// What the simulator knows about one published read that its message does not say: which
/// vehicle passed, its true plate, what the reader made of it and whether it was planted.
///
/// Handed to `TrafficSimulator.onRead` once per published read (not again for a duplicate
/// copy), so that an evaluation can tell a detector's true hits in ordinary traffic (a misread
/// that happens to be another vehicle's plate) from its false alarms.
public struct ReadTruth: Sendable {
    /// The engine's id of the read: `ReadID.from(sourceID:)` of the message's `id`.
    public let readID: ReadID
    /// The message's `id` (`sim-<seed>-<n>`).
    public let sourceID: String
    /// The vehicle's number in the simulated fleet: one number, one vehicle, one plate.
    public let vehicle: Int
    /// The true plate, normalised (for a planted clone: the copied plate).
    public let plate: String
    /// The plate as the camera read it, normalised.
    public let plateRead: String
    /// `none`, `substitution`, `drop` or `insert`.
    public let misread: String
    /// Characters substituted (0 unless `misread` is `substitution`).
    public let substitutions: Int
    /// When the vehicle passed, without the camera's clock error (the message's `ts` has it).
    public let time: Timestamp
    /// The camera's id.
    public let camera: String
    /// The id of the planted event the read belongs to (`clone-speed-2`); nil for ordinary traffic.
    public let plantedEvent: String?

    /// True when the plate as read is not the vehicle's plate.
    public var isMisread: Bool { misread != "none" }
}
