/// A normalised plate packed into 64 bits: each character of `A-Z0-9` is a base-37 digit
/// (1...36, so that no digit is zero and plates of different lengths never collide), most
/// significant first. Twelve characters need 37¹² ≈ 6.6 × 10¹⁸ < 2⁶³ values.
///
/// The registry keeps eight million of these in one sorted array, and the detectors key their
/// per-plate state by them: eight bytes instead of a `String` per plate.
public struct PlateKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The key of normalised plate text; nil when it is empty, longer than twelve characters or
    /// holds anything but `A-Z0-9`.
    public init?(_ text: String) {
        var text = text
        guard let key = text.withUTF8({ PlateKey(normalisedBytes: $0) }) else { return nil }
        self = key
    }

    /// The key of bytes that are already normalised (`A-Z0-9` only).
    public init?(normalisedBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty, bytes.count <= 12 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = PlateKey.digit(byte)
            guard digit != 0 else { return nil }
            value = value &* 37 &+ UInt64(digit)
        }
        rawValue = value
    }

    /// The base-37 digit of a byte of `A-Z0-9`, or 0 for any other byte.
    @inlinable
    public static func digit(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 48...57: return byte - 48 + 1  // '0'...'9' → 1...10
        case 65...90: return byte - 65 + 11  // 'A'...'Z' → 11...36
        default: return 0
        }
    }

    /// The plate text back.
    public var text: String {
        var bytes: [UInt8] = []
        var value = rawValue
        while value > 0 {
            let digit = UInt8(value % 37)
            bytes.append(digit <= 10 ? 48 + digit - 1 : 65 + digit - 11)
            value /= 37
        }
        return String(decoding: bytes.reversed(), as: UTF8.self)
    }

    public var description: String { text }

    public static func < (lhs: PlateKey, rhs: PlateKey) -> Bool { lhs.rawValue < rhs.rawValue }
}
