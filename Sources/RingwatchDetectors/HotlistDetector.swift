import RingwatchCore
import RingwatchIndex

/// Fires `hotlist` triggers when a read matches the hotlist: exactly, as an OCR variant, or
/// through a wildcard pattern (see `HotlistMatcher`), scored, corroborated against the vehicle
/// registry when one is set, and explained in one sentence.
///
/// Severity comes from the entry. A non-exact hit is lowered one step when its final score is
/// below `lowerSeverityBelowScore` (0.5 by default), and up to two more when the registry makes
/// another vehicle the likelier one (`HotlistCorroboration`: the plate as read is registered,
/// a registered look-alike fits, or other registered plates are as close); never below `low`.
///
/// Lives on the pipeline thread, like every detector.
public final class HotlistDetector: Detector {
    public let kind = TriggerKind.hotlist
    public private(set) var matcher: HotlistMatcher
    /// The vehicle registry used to corroborate non-exact hits; nil when none is loaded. The
    /// engine sets it once the registry is loaded.
    public var registry: (any VehicleRegistryLookup)?

    public init(entries: [HotlistEntry] = [], configuration: HotlistMatcher.Configuration = .init()) {
        matcher = HotlistMatcher(configuration: configuration, entries: entries)
    }

    public var configuration: HotlistMatcher.Configuration { matcher.configuration }

    /// Live entries, plain and patterns.
    public var entries: [HotlistEntry] { matcher.entries }

    public var count: Int { matcher.count }

    /// Adds (or replaces, for the same plate and category) an entry.
    public func add(_ entry: HotlistEntry) { matcher.add(entry) }

    /// Adds entries in order, making room once.
    public func add(contentsOf entries: [HotlistEntry]) { matcher.add(contentsOf: entries) }

    /// Replaces the whole list with `replacement`, built elsewhere (off the pipeline thread).
    public func replaceMatcher(with replacement: HotlistMatcher) { matcher = replacement }

    /// Removes every entry for `pattern`; returns how many were removed.
    @discardableResult
    public func remove(pattern: String) -> Int { matcher.remove(pattern: pattern) }

    /// The active entries `read` matches, best first.
    public func matches(for read: PlateRead) -> [HotlistMatch] { matcher.matches(for: read) }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        let matches = matcher.matches(for: read)
        if matches.isEmpty { return [] }
        return matches.map { draft(for: read, match: $0, cameras: context.cameras, historical: false) }
    }

    /// Triggers for reads already in the window that match a newly added entry.
    public func historicalMatches(for entry: HotlistEntry, in index: ReadIndex, cameras: CameraRegistry) -> [TriggerDraft] {
        historicalMatches(for: [entry], in: index, cameras: cameras)
    }

    /// Triggers for reads already in the window that match any of `entries` (newly added),
    /// with the same matching rules as live reads.
    ///
    /// A few plain entries: their variants are looked up in the window one by one (a few
    /// hundred index probes each). Patterns or many entries: every distinct plate in the window
    /// goes through a matcher holding only the new entries.
    public func historicalMatches(for entries: [HotlistEntry], in index: ReadIndex, cameras: CameraRegistry) -> [TriggerDraft] {
        historicalMatches(using: HotlistMatcher(configuration: matcher.configuration, entries: entries), in: index, cameras: cameras)
    }

    /// Triggers for reads already in the window that `probe` (a matcher holding only the newly
    /// added entries, built off the pipeline thread for a large import) matches.
    public func historicalMatches(using probe: HotlistMatcher, in index: ReadIndex, cameras: CameraRegistry) -> [TriggerDraft] {
        guard probe.count > 0, let start = index.horizonStart, let end = index.latestTime else { return [] }
        let entries = probe.count <= 16 ? probe.entries : []
        var candidates: [Plate] = []
        if !entries.isEmpty && !entries.contains(where: \.isWildcard) {
            let tolerance = probe.configuration.tolerance
            candidates = Set(entries.flatMap { tolerance.variants(of: $0.pattern) }).sorted().map(Plate.init(normalised:))
        } else {
            index.forEachPlate { plate in
                let read = PlateRead(camera: "", timestamp: Timestamp(milliseconds: .min), plate: plate)
                if !probe.matches(for: read).isEmpty { candidates.append(plate) }
            }
            candidates.sort()
        }
        var drafts: [TriggerDraft] = []
        for plate in candidates {
            for indexed in index.reads(plate: plate, from: start, to: end) {
                let read = PlateRead(
                    id: indexed.id, camera: indexed.camera, timestamp: indexed.timestamp, plate: indexed.plate,
                    confidence: indexed.confidence, make: indexed.make, model: indexed.model, color: indexed.color,
                    direction: indexed.direction)
                for match in probe.matches(for: read) {
                    drafts.append(draft(for: read, match: match, cameras: cameras, historical: true))
                }
            }
        }
        return drafts.sorted { ($0.read.timestamp, $0.read.id) < ($1.read.timestamp, $1.read.id) }
    }

    /// The trigger for one match: severity rule, registry corroboration, explanation.
    func draft(for read: PlateRead, match: HotlistMatch, cameras: CameraRegistry, historical: Bool) -> TriggerDraft {
        let entry = match.entry
        let corroboration = HotlistCorroboration(match: match, read: read, registry: registry, tolerance: matcher.configuration.tolerance)
        let score = min(max(corroboration.score, 0), match.kind == .exact ? 1 : 0.99)
        var steps = corroboration.severitySteps
        let threshold = matcher.configuration.lowerSeverityBelowScore
        let lowForScore = match.kind != .exact && score < threshold
        if lowForScore { steps += 1 }
        let severity = Severity.allCases[min(entry.severity.rank + steps, Severity.allCases.count - 1)]
        let place = cameras[read.camera].map { "\($0.id) (\($0.name), ring \($0.ring))" } ?? "unregistered camera \(read.camera)"
        let explanation = HotlistExplanation.sentence(
            read: read, match: match, place: place, historical: historical, score: score, severity: severity,
            corroboration: corroboration, loweredForScoreBelow: lowForScore ? threshold : nil)
        var details: [(String, JSONValue)] = [
            ("listed_plate", .string(entry.pattern)),
            ("match", .string(match.kind.rawValue)),
            ("substitutions", .array(match.edits.map { edit in
                .object([
                    ("pos", .int(Int64(edit.listedIndex + 1))),
                    ("read", .string(edit.readText)),
                    ("listed", .string(edit.listedText)),
                    ("edit", .string(edit.kind.rawValue)),
                ])
            })),
            ("score", .double((score * 1000).rounded() / 1000)),
            ("category", .string(entry.category)),
            ("reason", .string(entry.reason)),
            ("historical", .bool(historical)),
        ]
        if severity != entry.severity { details.append(("listed_severity", .string(entry.severity.rawValue))) }
        if let registry = corroboration.json { details.append(("registry", registry)) }
        return TriggerDraft(
            kind: .hotlist, severity: severity, read: read, ring: cameras.ring(of: read.camera), readIDs: [read.id],
            explanation: explanation, rule: "hotlist|\(entry.pattern)|\(entry.category)", details: details)
    }
}
