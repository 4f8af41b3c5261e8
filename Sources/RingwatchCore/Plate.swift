/// A number plate in normalised form: upper-case `A-Z0-9`, 1 to 12 characters, without the
/// spaces, dashes and dots that plates and readers print (`1-ABC-123` becomes `1ABC123`).
public struct Plate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalised text.
    public let text: String

    /// The longest plate accepted after normalisation.
    public static let maximumLength = 12

    /// Normalises `raw`; nil when what remains is empty, too long, or holds other characters.
    public init?(normalising raw: String) {
        var raw = raw
        guard let plate = raw.withUTF8({ Plate(normalising: $0) }) else { return nil }
        self = plate
    }

    /// Normalises raw UTF-8 bytes without intermediate allocations (the ingest hot path).
    public init?(normalising bytes: UnsafeBufferPointer<UInt8>) {
        var buffer: (UInt64, UInt64) = (0, 0)
        var length = 0
        let accepted: Bool = withUnsafeMutableBytes(of: &buffer) { out in
            for byte in bytes {
                switch byte {
                case 32, 45, 46:  // space, '-', '.'
                    continue
                case 48...57, 65...90:
                    guard length < Plate.maximumLength else { return false }
                    out[length] = byte
                case 97...122:
                    guard length < Plate.maximumLength else { return false }
                    out[length] = byte - 32
                default:
                    return false
                }
                length += 1
            }
            return length > 0
        }
        guard accepted else { return nil }
        self.text = withUnsafeBytes(of: &buffer) { String(decoding: $0.prefix(length), as: UTF8.self) }
    }

    /// Wraps text that is already normalised (from the database or the index).
    public init(normalised text: String) { self.text = text }

    public var description: String { text }

    public static func < (lhs: Plate, rhs: Plate) -> Bool { lhs.text < rhs.text }
}
