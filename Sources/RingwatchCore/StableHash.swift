/// A 64-bit hash that is the same in every process and on every machine (FNV-1a, with a final
/// avalanche mix). Swift's `Hasher` is seeded per process, so it cannot make identifiers that two
/// engines, or one engine before and after a restart, must agree on.
public struct StableHash: Sendable {
    public private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var hash = state
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        state = hash
    }

    public mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
        // A separator keeps ("ab","c") and ("a","bc") apart.
        combine(separator: 0xFF)
    }

    public mutating func combine(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { combine($0) }
    }

    private mutating func combine(separator: UInt8) {
        state ^= UInt64(separator)
        state &*= 0x0000_0100_0000_01b3
    }

    /// The final value, mixed so that close inputs land far apart (splitmix64 finaliser).
    public var value: UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Hashes one string.
    public static func of(_ text: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(text)
        return hash.value
    }
}

extension UInt64 {
    /// Sixteen lower-case hexadecimal digits.
    public var hex16: String {
        SHA256.hexString((0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * UInt64($0))) })
    }

    /// Parses sixteen hexadecimal digits.
    public init?(hex16 text: String) {
        guard text.utf8.count == 16, let value = UInt64(text, radix: 16) else { return nil }
        self = value
    }
}
