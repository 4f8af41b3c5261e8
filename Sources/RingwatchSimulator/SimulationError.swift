/// Why a simulation cannot start: one sentence saying what is wrong and what to do.
public struct SimulationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
