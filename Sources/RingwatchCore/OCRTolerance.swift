/// How far a plate as read may differ from a listed plate and still be taken for it: which
/// characters readers confuse, how many may be confused in one plate, and whether one dropped or
/// added character is forgiven.
///
/// The rule, shared by the hotlist matcher, `reads --fuzzy` and the simulator's notion of "a
/// misread within the limits":
/// - same length: every differing character is a substitution within one confusion class, and
///   there are at most `maximumSubstitutions` of them;
/// - one character shorter or longer (when `allowsDropInsert` and the listed plate has at least
///   `dropInsertMinimumLength` characters): one dropped or added character, plus confusion
///   substitutions, at most `max(maximumSubstitutions, 1)` edits in all — the drop or add
///   spends one of the budget, so a variant never differs by more edits than configured.
///
/// `exactOnly` turns all of it off (wildcard patterns still match, literally).
public struct OCRTolerance: Sendable, Hashable {
    /// The characters readers confuse.
    public var confusions: OCRConfusions
    /// Confusion substitutions forgiven in one plate (0 = none).
    public var maximumSubstitutions: Int
    /// Whether one dropped or added character is forgiven.
    public var allowsDropInsert: Bool
    /// Drops and additions are forgiven only for listed plates at least this long: on short
    /// plates one character less or more is too often another real plate.
    public var dropInsertMinimumLength: Int

    public init(confusions: OCRConfusions = .standard, maximumSubstitutions: Int = 2, allowsDropInsert: Bool = true,
                dropInsertMinimumLength: Int = 5) {
        self.confusions = confusions
        self.maximumSubstitutions = max(0, maximumSubstitutions)
        self.allowsDropInsert = allowsDropInsert
        self.dropInsertMinimumLength = dropInsertMinimumLength
    }

    /// The defaults: the standard classes, 2 substitutions, one drop or add on plates of 5+.
    public static let standard = OCRTolerance()

    /// Exact matching only (for measuring what OCR tolerance adds).
    public static let exactOnly = OCRTolerance(maximumSubstitutions: 0, allowsDropInsert: false)

    /// True when nothing but identical plates match.
    public var isExactOnly: Bool { maximumSubstitutions == 0 && !allowsDropInsert }

    /// Whether a listed plate of `length` characters is matched with one dropped or added character.
    public func forgivesDropInsert(listedLength length: Int) -> Bool { allowsDropInsert && length >= dropInsertMinimumLength }

    /// The differences between `read` and the listed plate `listed` (no wildcards), fewest
    /// first; `[]` when identical; nil when they differ by more than this tolerance forgives.
    public func edits(read: [UInt8], listed: [UInt8]) -> [PlateEdit]? {
        if read.count == listed.count {
            var edits: [PlateEdit] = []
            for index in 0..<read.count where read[index] != listed[index] {
                guard edits.count < maximumSubstitutions, confusions.sameClass(read[index], listed[index]) else { return nil }
                edits.append(PlateEdit(kind: .substituted, listedIndex: index, readIndex: index, read: read[index], listed: listed[index]))
            }
            return edits
        }
        guard forgivesDropInsert(listedLength: listed.count), abs(read.count - listed.count) == 1 else { return nil }
        let budget = max(maximumSubstitutions, 1) - 1
        let dropped = read.count < listed.count
        // The longer of the two loses one character at `gap`; the rest must align.
        let (longer, shorter) = dropped ? (listed, read) : (read, listed)
        var best: [PlateEdit]?
        for gap in 0..<longer.count {
            // Removing either of two equal neighbours gives the same alignment.
            if gap > 0 && longer[gap] == longer[gap - 1] { continue }
            var edits: [PlateEdit] = [dropped
                ? PlateEdit(kind: .dropped, listedIndex: gap, readIndex: gap, read: nil, listed: listed[gap])
                : PlateEdit(kind: .added, listedIndex: gap, readIndex: gap, read: read[gap], listed: nil)]
            var aligned = true
            for index in 0..<shorter.count {
                let other = index < gap ? index : index + 1
                let (readIndex, listedIndex) = dropped ? (index, other) : (other, index)
                guard read[readIndex] != listed[listedIndex] else { continue }
                guard edits.count - 1 < budget, confusions.sameClass(read[readIndex], listed[listedIndex]) else {
                    aligned = false
                    break
                }
                edits.append(PlateEdit(kind: .substituted, listedIndex: listedIndex, readIndex: readIndex,
                                       read: read[readIndex], listed: listed[listedIndex]))
            }
            if aligned, best == nil || edits.count < best!.count {
                best = edits.sorted { ($0.listedIndex, $0.readIndex) < ($1.listedIndex, $1.readIndex) }
            }
        }
        return best
    }

    /// The differences between `read` and `listed` (plate texts); see `edits(read:listed:)`.
    public func edits(read: String, listed: String) -> [PlateEdit]? {
        edits(read: Array(read.utf8), listed: Array(listed.utf8))
    }
}

extension OCRTolerance: CustomStringConvertible {
    public var description: String {
        "classes \(confusions), up to \(maximumSubstitutions) substitutions, "
            + (allowsDropInsert ? "one drop or add on plates of \(dropInsertMinimumLength)+" : "no drops or adds")
    }
}
