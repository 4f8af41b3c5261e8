import RingwatchCore

/// Finds the hotlist entries a read matches — exactly, as an OCR variant (confusion
/// substitutions, one dropped or added character) or through a `?`/`*` pattern — at a cost per
/// read that does not grow with the size of the list.
///
/// How:
/// - Every plain entry is stored in a `PlateKeyTable` under its *canonical form* (each character
///   replaced by its confusion class's representative, packed into 64 bits): a read and all its
///   substitution variants share one key, so one probe finds every listed plate the read could
///   be a substitution variant of; counting the substitutions then checks the limit.
/// - When drops and additions are forgiven, every plain entry is also stored under each
///   canonical form with one character deleted (its *deletion neighbourhood*). A read that
///   dropped a character is found by probing the read's own key; a read with an added character
///   by probing the read with each character deleted (n probes for n characters).
/// - Patterns live in a `WildcardIndex` that buckets them by a fixed literal.
///
/// A read costs 1 + n table probes plus a few bucket probes for patterns: about a microsecond,
/// whether the list holds ten entries or ten million. Every candidate is verified against the
/// entry with `OCRTolerance`, so the table may be approximate (fingerprints) but matches are not.
///
/// A value type: the engine builds a new matcher off the pipeline thread for a full-list import
/// and swaps it in. Entries are never moved while live; removed ones are marked dead and swept
/// when the table is rebuilt.
public struct HotlistMatcher: Sendable {
    /// How tolerant matching is, and how scores lower severities.
    public struct Configuration: Sendable, Hashable {
        /// Which misreads are forgiven.
        public var tolerance: OCRTolerance
        /// Variant and wildcard hits scoring below this (after registry corroboration) are
        /// lowered one severity step.
        public var lowerSeverityBelowScore: Double

        public init(tolerance: OCRTolerance = .standard, lowerSeverityBelowScore: Double = 0.5) {
            self.tolerance = tolerance
            self.lowerSeverityBelowScore = lowerSeverityBelowScore
        }

        /// Exact matching only (patterns still match literally): for measuring what OCR
        /// tolerance adds.
        public static let exactOnly = Configuration(tolerance: .exactOnly)
    }

    public let configuration: Configuration
    /// Each byte's class representative, flattened out of `OCRConfusions` for the per-read loop.
    private let representatives: [UInt8]
    /// Whether reads one character longer than a listed plate are looked for, by read length.
    private let probesAddedCharacter: [Bool]
    private var slots: [HotlistEntry] = []
    private var alive: [Bool] = []
    private var table = PlateKeyTable()
    private var wildcards = WildcardIndex()
    /// Patterns the table does not hold (wildcards, and plates too long for a key), for removal.
    private var unkeyed: [String: [Int32]] = [:]
    /// One bit per length of the plain plates listed (ever, since the last rebuild): a read
    /// skips the probes for an added character when no listed plate is one shorter.
    private var plainLengths: UInt32 = 0
    /// Live entries.
    public private(set) var count = 0
    private var deadCount = 0

    /// A table payload: the entry's index << 4 | a tag, `wholeTag` for the whole plate or the
    /// position (0...12) of the deleted character.
    private static let wholeTag: UInt32 = 15
    /// Entries a matcher can hold (payloads keep 28 bits for the index).
    public static let maximumEntries = 1 << 28

    public init(configuration: Configuration = Configuration(), entries: [HotlistEntry] = []) {
        self.configuration = configuration
        let tolerance = configuration.tolerance
        representatives = (0...255).map { tolerance.confusions.canonical(UInt8($0)) }
        probesAddedCharacter = (0...CanonicalPlateKey.maximumLength).map { $0 >= 2 && tolerance.forgivesDropInsert(listedLength: $0 - 1) }
        add(contentsOf: entries)
    }

    private var tolerance: OCRTolerance { configuration.tolerance }

    /// The live entries, in the order they were added.
    public var entries: [HotlistEntry] { zip(slots, alive).compactMap { $1 ? $0 : nil } }

    /// Memory held by the key table, in bytes (the entries themselves come on top).
    public var tableBytes: Int { table.bytes }

    // MARK: Changing the list

    /// Adds an entry, replacing a live one with the same pattern and category.
    public mutating func add(_ entry: HotlistEntry) { add(contentsOf: [entry]) }

    /// Adds entries in order (a later one replaces an earlier one with the same pattern and
    /// category), making room in the table once.
    public mutating func add(contentsOf newEntries: [HotlistEntry]) {
        var keys = 0
        for entry in newEntries where !entry.isWildcard { keys += Self.keyCount(entry.pattern, tolerance) }
        // Rebuild when full, or when dead entries outnumber live ones (they slow lookups).
        if !table.hasRoom(for: keys) || (deadCount > 1024 && deadCount > count) { rebuild(reservingKeys: keys) }
        // Only for bulk adds: reserving for one more entry at a time would reallocate each time.
        if newEntries.count > 1024 {
            slots.reserveCapacity(slots.count + newEntries.count)
            alive.reserveCapacity(alive.count + newEntries.count)
        }
        for entry in newEntries {
            retire(pattern: entry.pattern) { $0.category == entry.category }
            append(entry)
        }
    }

    /// True when `entries` can be added without rebuilding the key table (a rebuild takes
    /// seconds for a million entries: the engine then adds on a copy, off the pipeline thread).
    public func hasRoom(for entries: [HotlistEntry]) -> Bool {
        table.hasRoom(for: entries.reduce(0) { $0 + ($1.isWildcard ? 0 : Self.keyCount($1.pattern, tolerance)) })
    }

    /// Removes every live entry for `pattern`; returns how many. Removed entries stay in the
    /// table, marked dead, until the next rebuild (never one on removal, so it stays cheap).
    @discardableResult
    public mutating func remove(pattern: String) -> Int {
        retire(pattern: pattern) { _ in true }
    }

    /// Empties the list.
    public mutating func removeAll() {
        self = HotlistMatcher(configuration: configuration)
    }

    private mutating func append(_ entry: HotlistEntry) {
        precondition(slots.count < Self.maximumEntries, "a hotlist matcher holds at most \(Self.maximumEntries) entries")
        let index = slots.count
        slots.append(entry)
        alive.append(true)
        count += 1
        let confusions = tolerance.confusions
        if entry.isWildcard {
            wildcards.insert(canonicalPattern: entry.pattern.utf8.map { confusions.canonical($0) }, entry: Int32(index))
            unkeyed[entry.pattern, default: []].append(Int32(index))
            return
        }
        let tolerance = self.tolerance
        var pattern = entry.pattern
        plainLengths |= 1 << UInt32(min(pattern.utf8.count, 31))
        pattern.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { canonical in
                for position in 0..<bytes.count { canonical[position] = confusions.canonical(bytes[position]) }
                Self.forEachKey(canonical: UnsafeBufferPointer(canonical), entry: index, tolerance) { key, payload in
                    table.insert(key: key, payload: payload)
                }
            }
        }
        // Too long for a whole-plate key: found for removal by its text instead.
        if pattern.utf8.count > CanonicalPlateKey.maximumLength { unkeyed[entry.pattern, default: []].append(Int32(index)) }
    }

    /// Marks dead the live entries for `pattern` that `shouldRetire` picks; returns how many.
    @discardableResult
    private mutating func retire(pattern: String, where shouldRetire: (HotlistEntry) -> Bool) -> Int {
        var doomed: [Int] = []
        let confusions = tolerance.confusions
        if let indexes = unkeyed[pattern] {
            doomed = indexes.map(Int.init)
        } else if let key = CanonicalPlateKey.key(pattern.utf8.lazy.map { confusions.canonical($0) }) {
            table.forEach(key: key) { payload in
                if payload & 15 == Self.wholeTag { doomed.append(Int(payload >> 4)) }
            }
        }
        var retired = 0
        for index in doomed where alive[index] && slots[index].pattern == pattern && shouldRetire(slots[index]) {
            alive[index] = false
            count -= 1
            deadCount += 1
            retired += 1
        }
        return retired
    }

    /// Rebuilds the table and the pattern index from the live entries, with room for
    /// `reservingKeys` more keys and a quarter to spare.
    private mutating func rebuild(reservingKeys extra: Int) {
        let live = slots
        let liveFlags = alive
        var keys = extra
        for (entry, isAlive) in zip(live, liveFlags) where isAlive && !entry.isWildcard { keys += Self.keyCount(entry.pattern, tolerance) }
        slots = []
        alive = []
        unkeyed = [:]
        plainLengths = 0
        wildcards = WildcardIndex()
        count = 0
        deadCount = 0
        table = PlateKeyTable(keys: keys + keys / 4)
        slots.reserveCapacity(live.count)
        alive.reserveCapacity(live.count)
        for (entry, isAlive) in zip(live, liveFlags) where isAlive { append(entry) }
    }

    /// Keys a plain entry is stored under (an upper bound).
    private static func keyCount(_ pattern: String, _ tolerance: OCRTolerance) -> Int {
        let length = pattern.utf8.count
        return 1 + (tolerance.forgivesDropInsert(listedLength: length) ? length : 0)
    }

    /// Calls `body` with each (key, payload) a plain entry is stored under: its canonical form,
    /// and each one-character deletion of it when drops and additions are forgiven.
    private static func forEachKey(canonical: UnsafeBufferPointer<UInt8>, entry: Int, _ tolerance: OCRTolerance,
                                   _ body: (UInt64, UInt32) -> Void) {
        let n = canonical.count
        let base = UInt32(entry) << 4
        if let key = CanonicalPlateKey.key(canonical) { body(key, base | wholeTag) }
        guard tolerance.forgivesDropInsert(listedLength: n), n >= 2, n - 1 <= CanonicalPlateKey.maximumLength else { return }
        // Key without position `gap` = key(prefix before gap) × 37^(characters after) + key(suffix).
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n + 1) { suffix in
            suffix[n] = 0
            for position in stride(from: n - 1, through: 1, by: -1) {
                suffix[position] = CanonicalPlateKey.digit(canonical[position]) &* CanonicalPlateKey.powers[n - 1 - position] &+ suffix[position + 1]
            }
            var prefix: UInt64 = 0
            for gap in 0..<n {
                // Deleting either of two equal neighbours gives the same key.
                if gap == 0 || canonical[gap] != canonical[gap - 1] {
                    body(prefix &* CanonicalPlateKey.powers[n - 1 - gap] &+ suffix[gap + 1], base | UInt32(gap))
                }
                prefix = prefix &* 37 &+ CanonicalPlateKey.digit(canonical[gap])
            }
        }
    }

    // MARK: Matching

    /// The live entries, active at the read's event time, that `read` matches: at most one
    /// match per entry, best score first.
    public func matches(for read: PlateRead) -> [HotlistMatch] {
        guard count > 0 else { return [] }
        var found: [HotlistMatch] = []
        var text = read.plate.text
        // Copied once per read, not once per use: the tolerance holds arrays (reference counts).
        let tolerance = self.tolerance
        // The closures below capture these, not `self`: capturing the matcher copies the whole
        // struct (a dozen reference counts) into each closure's context.
        let slots = self.slots, alive = self.alive, table = self.table, wildcards = self.wildcards
        let representatives = self.representatives, probesAddedCharacter = self.probesAddedCharacter, plainLengths = self.plainLengths
        text.withUTF8 { plate in
            let n = plate.count
            guard n > 0, n <= CanonicalPlateKey.maximumLength else { return }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: CanonicalPlateKey.maximumLength) { canonical in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: CanonicalPlateKey.maximumLength + 1) { prefix in
                    prefix[0] = 0
                    representatives.withUnsafeBufferPointer { representatives in
                        for index in 0..<n {
                            canonical[index] = representatives[Int(plate[index])]
                            prefix[index + 1] = prefix[index] &* 37 &+ CanonicalPlateKey.digit(canonical[index])
                        }
                    }
                    var readBytes: [UInt8] = []
                    // The table yields an entry once per read (its keys differ), barring a
                    // fingerprint collision; a pattern with a floating anchor may come twice.
                    var seenPatterns = Set<Int>()
                    var matched: [Int] = []
                    func consider(_ index: Int) {
                        guard alive[index], slots[index].expires.map({ read.timestamp < $0 }) ?? true else { return }
                        // Check on the bytes first: most candidates fail, and copying the entry
                        // or allocating for them would cost more than the lookup itself.
                        var listed = slots[index].pattern
                        let (accepted, isPattern) = listed.withUTF8 { listed in
                            listed.contains(where: { $0 == 42 || $0 == 63 })
                                ? (tolerance.accepts(read: plate, pattern: listed), true)
                                : (tolerance.accepts(read: plate, listed: listed), false)
                        }
                        guard accepted else { return }
                        if isPattern { guard seenPatterns.insert(index).inserted else { return } }
                        guard !matched.contains(index) else { return }
                        if readBytes.isEmpty { readBytes = Array(plate) }
                        if let match = Self.match(read: read, readBytes: readBytes, entry: slots[index], tolerance) {
                            matched.append(index)
                            found.append(match)
                        }
                    }

                    // Substitution variants (and the plate itself) share the read's key; so do
                    // the deletion keys of listed plates the reader dropped a character from.
                    let whole = prefix[n]
                    table.forEach(key: whole) { consider(Int($0 >> 4)) }

                    // An added character: the read minus one character is a listed plate.
                    if probesAddedCharacter[n], plainLengths & (1 << UInt32(n - 1)) != 0 {
                        for gap in 0..<n {
                            if gap > 0 && canonical[gap] == canonical[gap - 1] { continue }
                            let power = CanonicalPlateKey.powers[n - 1 - gap]
                            let key = prefix[gap] &* power &+ (whole &- prefix[gap + 1] &* power)
                            table.forEach(key: key) { payload in
                                if payload & 15 == Self.wholeTag { consider(Int(payload >> 4)) }
                            }
                        }
                    }

                    wildcards.forEachCandidate(canonicalPlate: UnsafeBufferPointer(rebasing: canonical[0..<n])) { consider(Int($0)) }
                }
            }
        }
        if found.count > 1 { found.sort { $0.score > $1.score } }
        return found
    }

    /// How `read` matches `entry`, if it does within `tolerance`.
    static func match(read: PlateRead, readBytes: [UInt8], entry: HotlistEntry, _ tolerance: OCRTolerance) -> HotlistMatch? {
        let listed = Array(entry.pattern.utf8)
        let isPattern = entry.isWildcard
        guard let edits = isPattern ? tolerance.edits(read: readBytes, pattern: listed) : tolerance.edits(read: readBytes, listed: listed)
        else { return nil }
        let kind: HotlistMatch.Kind = isPattern ? .wildcard : edits.isEmpty ? .exact : .ocrVariant
        let assessments = HotlistScoring.assess(edits, read: read, listed: listed, isPattern: isPattern)
        let literals = isPattern ? listed.count(where: { $0 != 42 && $0 != 63 }) : 0
        let score = HotlistScoring.score(kind, assessments, readLength: readBytes.count, patternLiterals: literals)
        return HotlistMatch(entry: entry, kind: kind, edits: edits, assessments: assessments, score: score)
    }
}
