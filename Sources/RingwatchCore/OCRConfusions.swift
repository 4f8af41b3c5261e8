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
        var index = [UInt8](repeating: 0, count: 256)
        var representative = (0..<256).map { UInt8($0) }
        guard classes.count < 255 else { return nil }
        for (number, members) in classes.enumerated() {
            let bytes = Array(members.utf8)
            guard bytes.count >= 2, Set(bytes).count == bytes.count else { return nil }
            for byte in bytes {
                guard (48...57).contains(byte) || (65...90).contains(byte), index[Int(byte)] == 0 else { return nil }
                index[Int(byte)] = UInt8(number + 1)
                representative[Int(byte)] = bytes[0]
            }
        }
        self.classes = classes
        self.classIndex = index
        self.representative = representative
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
