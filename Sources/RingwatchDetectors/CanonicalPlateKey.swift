/// A plate of up to 12 `A-Z0-9` characters as one 64-bit number (base 37, digits 1...36), so
/// that hotlist lookups hash an integer instead of a string.
///
/// Every character is first replaced by its confusion class's representative, so a plate and
/// all its confusion variants share one key. Distinct texts give distinct keys (no digit is 0,
/// so the length is part of the number); 37^12 < 2^63.
enum CanonicalPlateKey {
    /// The longest text that fits.
    static let maximumLength = 12

    /// Powers of 37 up to 37^12.
    static let powers: [UInt64] = (0...12).map { exponent in (0..<exponent).reduce(1) { product, _ in product * 37 } }

    /// The digit of one `A-Z0-9` byte (1...36).
    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt64 {
        byte <= 57 ? UInt64(byte &- 47) : UInt64(byte &- 54)
    }

    /// The key of `bytes` (already canonical); nil when longer than 12.
    static func key<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? {
        guard bytes.count <= maximumLength else { return nil }
        return bytes.reduce(0) { $0 &* 37 &+ digit($1) }
    }
}
