/// One difference between a plate as read and a listed plate (or pattern): a character read as
/// another of its confusion class, a listed character the reader dropped, or a character it
/// added.
public struct PlateEdit: Sendable, Hashable, CustomStringConvertible {
    /// What the reader did.
    public enum Kind: String, Sendable, Hashable {
        /// Read `read` where the list has `listed` (the two are in one confusion class).
        case substituted
        /// Left out the listed character `listed`.
        case dropped
        /// Read an extra character `read` that the listed plate lacks.
        case added
    }

    public let kind: Kind
    /// 0-based index in the listed plate or pattern: of the character substituted or dropped;
    /// for an added character, of the listed character it was read before (the listed length
    /// when it was added at the end).
    public let listedIndex: Int
    /// 0-based index in the plate as read: of the character read (substituted or added); for a
    /// dropped character, where it is missing.
    public let readIndex: Int
    /// The character read; nil when dropped.
    public let read: UInt8?
    /// The listed character; nil when added.
    public let listed: UInt8?

    public init(kind: Kind, listedIndex: Int, readIndex: Int, read: UInt8?, listed: UInt8?) {
        self.kind = kind
        self.listedIndex = listedIndex
        self.readIndex = readIndex
        self.read = read
        self.listed = listed
    }

    /// The read character as a string ("" when dropped).
    public var readText: String { read.map { String(Character(Unicode.Scalar($0))) } ?? "" }

    /// The listed character as a string ("" when added).
    public var listedText: String { listed.map { String(Character(Unicode.Scalar($0))) } ?? "" }

    public var description: String {
        switch kind {
        case .substituted: "\(readText) for \(listedText) at \(listedIndex + 1)"
        case .dropped: "\(listedText) dropped at \(listedIndex + 1)"
        case .added: "\(readText) added before \(listedIndex + 1)"
        }
    }
}
