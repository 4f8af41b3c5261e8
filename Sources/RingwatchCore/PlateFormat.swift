/// A plate layout: which positions hold letters and which digits (Belgian `1ABC123` is a digit,
/// three letters, three digits).
///
/// Matchers use it to judge a misread: when a listed plate fits a format, a digit read where the
/// format allows only a letter (or the reverse) cannot be a real plate of that format, so the
/// read is almost certainly the listed plate misread.
public struct PlateFormat: Sendable, Hashable, CustomStringConvertible {
    /// What a position may hold.
    public enum Slot: Sendable, Hashable {
        case letter, digit

        /// The slot `byte` fills, or nil for anything but `A-Z0-9`.
        public init?(of byte: UInt8) {
            switch byte {
            case 48...57: self = .digit
            case 65...90: self = .letter
            default: return nil
            }
        }

        /// `a letter` / `a digit`, for explanations.
        public var phrase: String { self == .letter ? "a letter" : "a digit" }
    }

    /// The format written as an example plate (`1ABC123`).
    public let example: String
    /// One slot per position.
    public let slots: [Slot]

    /// A format from an example plate: every digit stands for a digit slot, every letter for a
    /// letter slot.
    public init(example: String) {
        self.example = example
        self.slots = example.utf8.map { Slot(of: $0) ?? .letter }
    }

    public var description: String { example }

    /// Belgian plates: the current `1ABC123` (since 2010) and the older `ABC123` and `123ABC`.
    public static let belgian: [PlateFormat] = [
        PlateFormat(example: "1ABC123"), PlateFormat(example: "ABC123"), PlateFormat(example: "123ABC"),
    ]

    /// True when `plate` has this format's length and a letter or digit in each slot as required.
    public func fits<Bytes: Collection<UInt8>>(_ plate: Bytes) -> Bool {
        guard plate.count == slots.count else { return false }
        return zip(plate, slots).allSatisfy { Slot(of: $0) == $1 }
    }

    /// The slot of position `index` in `plate` (0-based) by the first of `formats` that `plate`
    /// fits; nil when it fits none (a foreign or personalised plate, or a pattern).
    public static func slot<Bytes: Collection<UInt8>>(at index: Int, of plate: Bytes, formats: [PlateFormat] = belgian) -> Slot? {
        guard let format = formats.first(where: { $0.fits(plate) }), index >= 0, index < format.slots.count else { return nil }
        return format.slots[index]
    }
}
