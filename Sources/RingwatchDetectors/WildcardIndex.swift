/// Hotlist patterns with `?` and `*`, bucketed so that a read visits only the patterns that
/// share a run of characters with it rather than every pattern on the list.
///
/// Each pattern goes into exactly one bucket, keyed by its *anchor*: its longest run of literal
/// characters (at most six, as confusion representatives) at a place the pattern fixes:
/// - no `*`: the pattern's length and the run's offset (`1ABC?23` → length 7, `1AB` at 0);
/// - a run before the first `*`: its offset from the start (`?XY*` → `XY` at 1);
/// - else a run after the last `*`: its offset from the end (`*BC123` → `BC123`, 0 from the end);
/// - else a run between stars, anywhere in the read (`*BC1*` → `BC1`);
/// - no literal at all (`???????`, `*?*`): one bucket per shape.
///
/// A read probes one bucket per anchor *kind* in use (shape, offset, run length: a handful on
/// any real list; a floating run probes each position of the read), so what it visits follows
/// the patterns that share their longest known run with it, not the list size. The assumption:
/// wildcard entries are witnesses' partial descriptions, a small share of a list (up to tens of
/// thousands) with a run of three or more known characters; patterns with only single isolated
/// literals share coarse buckets and are assumed rare.
struct WildcardIndex: Sendable {
    /// Where an anchor sits; one probe per read for each kind in use.
    private struct Kind: Hashable, Sendable {
        enum Shape: UInt64 { case fixed = 1, prefix, suffix, floating, none }
        let shape: Shape
        /// The pattern's length for `fixed`; 0 otherwise.
        let length: Int
        /// From the start (`fixed`, `prefix`) or characters after the run (`suffix`).
        let offset: Int
        /// Characters in the anchor (0...6).
        let run: Int
    }

    private var buckets: [UInt64: [Int32]] = [:]
    private var kinds: [Kind] = []
    /// Patterns indexed.
    private(set) var count = 0

    /// Six characters of 6 bits fill bits 0...35 of a bucket key.
    private static let maximumRun = 6

    /// The bucket key of `kind` with the anchor characters `run` (canonical).
    private static func key(_ kind: Kind, _ run: UnsafeBufferPointer<UInt8>.SubSequence) -> UInt64 {
        var key = kind.shape.rawValue << 60 | UInt64(kind.length) << 52 | UInt64(kind.offset) << 44 | UInt64(kind.run) << 40
        for (index, byte) in run.enumerated() { key |= CanonicalPlateKey.digit(byte) << UInt64(index * 6) }
        return key
    }

    /// The longest run of literals in `pattern[range]` (at most `maximumRun` long), as
    /// (start, length); nil when the range holds no literal.
    private static func longestRun(in pattern: [UInt8], _ range: Range<Int>) -> (start: Int, length: Int)? {
        var best: (start: Int, length: Int)?
        var start = range.lowerBound
        while start < range.upperBound {
            guard pattern[start] != 42 && pattern[start] != 63 else { start += 1; continue }
            var end = start
            while end < range.upperBound && pattern[end] != 42 && pattern[end] != 63 { end += 1 }
            if (best?.length ?? 0) < end - start { best = (start, end - start) }
            start = end
        }
        return best.map { ($0.start, min($0.length, maximumRun)) }
    }

    /// Adds the pattern (already canonical, with `?` and `*`) of entry `entry`. A pattern
    /// without `*` longer than any plate cannot match and is left out.
    mutating func insert(canonicalPattern pattern: [UInt8], entry: Int32) {
        let kind: Kind
        var anchor = 0..<0
        if let firstStar = pattern.firstIndex(of: 42) {
            let lastStar = pattern.lastIndex(of: 42)!
            if let run = Self.longestRun(in: pattern, 0..<firstStar) {
                kind = Kind(shape: .prefix, length: 0, offset: run.start, run: run.length)
                anchor = run.start..<run.start + run.length
            } else if let run = Self.longestRun(in: pattern, lastStar + 1..<pattern.count) {
                kind = Kind(shape: .suffix, length: 0, offset: pattern.count - run.start - run.length, run: run.length)
                anchor = run.start..<run.start + run.length
            } else if let run = Self.longestRun(in: pattern, 0..<pattern.count) {
                kind = Kind(shape: .floating, length: 0, offset: 0, run: run.length)
                anchor = run.start..<run.start + run.length
            } else {
                kind = Kind(shape: .none, length: 0, offset: 0, run: 0)
            }
        } else {
            guard pattern.count <= CanonicalPlateKey.maximumLength else { return }
            let run = Self.longestRun(in: pattern, 0..<pattern.count) ?? (0, 0)
            kind = Kind(shape: .fixed, length: pattern.count, offset: run.start, run: run.length)
            anchor = run.start..<run.start + run.length
        }
        guard kind.offset < 256, kind.length < 256 else { return }
        let key = pattern.withUnsafeBufferPointer { Self.key(kind, $0[anchor]) }
        buckets[key, default: []].append(entry)
        if !kinds.contains(kind) { kinds.append(kind) }
        count += 1
    }

    /// Calls `body` with every entry whose anchor the read `plate` (canonical) contains where
    /// the pattern wants it; an entry may come twice when a floating anchor occurs twice.
    func forEachCandidate(canonicalPlate plate: UnsafeBufferPointer<UInt8>, _ body: (Int32) -> Void) {
        guard count > 0 else { return }
        let n = plate.count
        func visit(_ kind: Kind, at start: Int) {
            guard start >= 0, start + kind.run <= n else { return }
            if let entries = buckets[Self.key(kind, plate[start..<start + kind.run])] { for entry in entries { body(entry) } }
        }
        for kind in kinds {
            switch kind.shape {
            case .fixed: if kind.length == n { visit(kind, at: kind.offset) }
            case .prefix: visit(kind, at: kind.offset)
            case .suffix: visit(kind, at: n - kind.offset - kind.run)
            case .floating: for start in 0...max(0, n - kind.run) { visit(kind, at: start) }
            case .none: visit(kind, at: 0)
            }
        }
    }
}
