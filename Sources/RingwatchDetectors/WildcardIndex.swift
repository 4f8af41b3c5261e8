/// Hotlist patterns with `?` and `*`, bucketed so that a read visits only the patterns that can
/// match it rather than every pattern on the list.
///
/// Each pattern goes into exactly one bucket, keyed by one literal character (its confusion
/// representative) at a position the pattern fixes:
/// - no `*`: the length and the first literal's position (`1AB?12?` → length 7, position 0, `1`);
///   all-`?` patterns by length alone;
/// - with `*` and a literal before the first `*`: that literal's position from the start
///   (`?AB*` → position 1, `A`);
/// - else with a literal after the last `*`: its position from the end (`*123` → 0 from the end, `3`);
/// - else (literals only between stars, `*AB*`): the first literal, anywhere.
///
/// A read of n characters probes at most a few buckets per position in use (a bit mask says
/// which positions any pattern uses), so the cost per read follows the number of *matching
/// shapes*, not the list size. The assumption: wildcard entries are partial descriptions from
/// witnesses, a small part of any list (hundreds to tens of thousands); a bucket then holds a
/// handful. Patterns of the last kind share one bucket per character and are assumed rare.
struct WildcardIndex: Sendable {
    private enum Shape: UInt32 {
        case fixed = 1, fixedAny, prefix, suffix, inner
    }

    private var buckets: [UInt32: [Int32]] = [:]
    /// Per read length (0...12): positions used by `fixed` patterns of that length.
    private var fixedPositions = [UInt32](repeating: 0, count: CanonicalPlateKey.maximumLength + 1)
    /// Read lengths with all-`?` patterns.
    private var fixedAnyLengths: UInt32 = 0
    private var prefixPositions: UInt32 = 0
    private var suffixPositions: UInt32 = 0
    /// Characters used by `inner` patterns, one bit per `CanonicalPlateKey.digit`.
    private var innerCharacters: UInt64 = 0
    /// Patterns indexed.
    private(set) var count = 0

    private static func key(_ shape: Shape, _ a: Int = 0, _ b: Int = 0, _ character: UInt8 = 0) -> UInt32 {
        shape.rawValue << 24 | UInt32(a) << 16 | UInt32(b) << 8 | UInt32(character)
    }

    /// Adds the pattern (already canonical, with `?` and `*`) of entry `entry`. Patterns that
    /// cannot match any plate (fixed length over 12) are left out.
    mutating func insert(canonicalPattern pattern: [UInt8], entry: Int32) {
        let isLiteral = { (byte: UInt8) in byte != 42 && byte != 63 }
        let key: UInt32
        if let firstStar = pattern.firstIndex(of: 42) {
            let lastStar = pattern.lastIndex(of: 42)!
            if let position = pattern[..<firstStar].firstIndex(where: isLiteral), position < 32 {
                key = Self.key(.prefix, 0, position, pattern[position])
                prefixPositions |= 1 << UInt32(position)
            } else if let position = pattern[(lastStar + 1)...].lastIndex(where: isLiteral), pattern.count - 1 - position < 32 {
                let offset = pattern.count - 1 - position
                key = Self.key(.suffix, 0, offset, pattern[position])
                suffixPositions |= 1 << UInt32(offset)
            } else {
                guard let position = pattern.firstIndex(where: isLiteral) else { return }
                key = Self.key(.inner, 0, 0, pattern[position])
                innerCharacters |= 1 << CanonicalPlateKey.digit(pattern[position])
            }
        } else {
            guard pattern.count <= CanonicalPlateKey.maximumLength else { return }
            if let position = pattern.firstIndex(where: isLiteral) {
                key = Self.key(.fixed, pattern.count, position, pattern[position])
                fixedPositions[pattern.count] |= 1 << UInt32(position)
            } else {
                key = Self.key(.fixedAny, pattern.count)
                fixedAnyLengths |= 1 << UInt32(pattern.count)
            }
        }
        buckets[key, default: []].append(entry)
        count += 1
    }

    /// Calls `body` with every entry whose bucket fits the read `plate` (canonical), each once.
    func forEachCandidate(canonicalPlate plate: UnsafeBufferPointer<UInt8>, _ body: (Int32) -> Void) {
        guard count > 0 else { return }
        let n = plate.count
        func visit(_ key: UInt32) {
            if let entries = buckets[key] { for entry in entries { body(entry) } }
        }
        if fixedAnyLengths & (1 << UInt32(n)) != 0 { visit(Self.key(.fixedAny, n)) }
        var positions = fixedPositions[n]
        while positions != 0 {
            let position = positions.trailingZeroBitCount
            positions &= positions - 1
            if position < n { visit(Self.key(.fixed, n, position, plate[position])) }
        }
        positions = prefixPositions
        while positions != 0 {
            let position = positions.trailingZeroBitCount
            positions &= positions - 1
            if position < n { visit(Self.key(.prefix, 0, position, plate[position])) }
        }
        positions = suffixPositions
        while positions != 0 {
            let offset = positions.trailingZeroBitCount
            positions &= positions - 1
            if offset < n { visit(Self.key(.suffix, 0, offset, plate[n - 1 - offset])) }
        }
        if innerCharacters != 0 {
            var seen: UInt64 = 0
            for character in plate {
                let bit: UInt64 = 1 << CanonicalPlateKey.digit(character)
                guard innerCharacters & bit != 0, seen & bit == 0 else { continue }
                seen |= bit
                visit(Self.key(.inner, 0, 0, character))
            }
        }
    }
}
