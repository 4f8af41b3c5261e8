/// A deterministic random number generator (SplitMix64) for tests and benchmarks: the same
/// seed gives the same sequence on every machine and run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A plate of the current Belgian format, `1ABC123`.
    public mutating func belgianPlate() -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8), digits = Array("0123456789".utf8)
        var bytes = [digits[1 + Int(next() % 9)]]
        for _ in 0..<3 { bytes.append(letters[Int(next() % 26)]) }
        for _ in 0..<3 { bytes.append(digits[Int(next() % 10)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
