/// Why a simulation cannot start: one sentence saying what is wrong and what to do.
public struct SimulationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
