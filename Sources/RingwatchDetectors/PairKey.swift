/// Two plates, in a fixed (sorted) order so that (A, B) and (B, A) are one key.
public struct PairKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The plate that sorts first.
    public let first: String
    /// The other plate.
    public let second: String

    public init(_ a: String, _ b: String) {
        if a <= b {
            first = a
            second = b
        } else {
            first = b
            second = a
        }
    }

    /// Whether `plate` is one of the two.
    public func contains(_ plate: String) -> Bool { first == plate || second == plate }

    /// The plate that is not `plate`.
    public func other(than plate: String) -> String { first == plate ? second : first }

    public static func < (lhs: PairKey, rhs: PairKey) -> Bool { (lhs.first, lhs.second) < (rhs.first, rhs.second) }

    public var description: String { "\(first)+\(second)" }
}
