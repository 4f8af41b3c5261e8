/// The characters plate readers confuse with each other (`B`/`8`, `O`/`0`/`D`/`Q`, ...), in
/// classes: two characters of one class are near-equal for matching, and a simulated reader
/// misreads a character as another of its class.
///
/// Shared by the hotlist matcher, the registry's misread correction, `reads --fuzzy` and the
/// simulator, so that what the simulator gets wrong is what the matchers forgive.
public struct OCRConfusions: Sendable, Hashable {
    /// The classes readers are known to confuse: B/8, O/0/D/Q, I/1, S/5, Z/2, G/6.
    public static let standard = OCRConfusions(validating: ["B8", "O0DQ", "I1", "S5", "Z2", "G6"])!

    /// The classes, each a string of `A-Z0-9` characters.
    public let classes: [String]
    /// For each byte, 1 + the index of its class, or 0 when it is in none.
    private let classIndex: [UInt8]
    /// For each byte, the first character of its class (itself when in none).
    private let representative: [UInt8]

    /// Classes of characters; nil when a class holds anything but `A-Z0-9`, has fewer than two
    /// characters, or a character appears in two classes.
    public init?(validating classes: [String]) {
        guard Self.problem(with: classes) == nil else { return nil }
        var index = [UInt8](repeating: 0, count: 256)
        var representative = (0..<256).map { UInt8($0) }
        for (number, members) in classes.enumerated() {
            let bytes = Array(members.utf8)
            for byte in bytes {
                index[Int(byte)] = UInt8(number + 1)
                representative[Int(byte)] = bytes[0]
            }
        }
        self.classes = classes
        self.classIndex = index
        self.representative = representative
    }

    /// Why `classes` cannot be used (one sentence for a configuration error), or nil when they
    /// can: each class needs two or more distinct `A-Z0-9` characters, and no character may be
    /// in two classes.
    public static func problem(with classes: [String]) -> String? {
        guard classes.count < 255 else { return "at most 254 confusion classes" }
        var seen = Set<UInt8>()
        for members in classes {
            let bytes = Array(members.utf8)
            guard bytes.count >= 2 else { return "confusion class '\(members)' needs at least two characters" }
            for byte in bytes {
                guard (48...57).contains(byte) || (65...90).contains(byte) else {
                    return "confusion class '\(members)' may hold only A-Z and 0-9"
                }
                guard seen.insert(byte).inserted else {
                    return "character '\(Character(Unicode.Scalar(byte)))' is in two confusion classes (or twice in one)"
                }
            }
        }
        return nil
    }

    /// True when `a` and `b` differ but belong to one class.
    @inlinable
    public func areConfusable(_ a: UInt8, _ b: UInt8) -> Bool {
        a != b && isInSomeClass(a) && sameClass(a, b)
    }

    /// True when the byte belongs to a class.
    public func isInSomeClass(_ byte: UInt8) -> Bool { classIndex[Int(byte)] != 0 }

    /// True when both bytes are in the same class (or are equal).
    public func sameClass(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (classIndex[Int(a)] != 0 && classIndex[Int(a)] == classIndex[Int(b)])
    }

    /// The other characters of `byte`'s class (empty when it is in none).
    public func alternatives(of byte: UInt8) -> [UInt8] {
        let number = Int(classIndex[Int(byte)])
        guard number > 0 else { return [] }
        return Array(classes[number - 1].utf8).filter { $0 != byte }
    }

    /// `byte` replaced by the first character of its class: two plates that differ only in
    /// confusable characters have the same canonical form.
    public func canonical(_ byte: UInt8) -> UInt8 { representative[Int(byte)] }

    /// The canonical form of a whole plate (see `canonical(_:)`).
    public func canonicalForm(of plate: String) -> String {
        String(decoding: plate.utf8.map { representative[Int($0)] }, as: UTF8.self)
    }
}

extension OCRConfusions: CustomStringConvertible {
    /// The classes as configured, e.g. `B8 O0DQ I1`.
    public var description: String { classes.joined(separator: " ") }
}
