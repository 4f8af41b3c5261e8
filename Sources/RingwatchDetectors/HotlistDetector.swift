import RingwatchCore
import RingwatchIndex

/// Fires `hotlist` triggers when a read's plate is on the hotlist.
///
/// This is the exact matcher: a read fires when its normalised plate equals a listed plate.
/// Entries with wildcards are kept (and listed) but only matched by the OCR-tolerant matcher,
/// which replaces the lookup in `matches(for:)` and reports `ocr_variant`/`wildcard` matches.
public final class HotlistDetector: Detector {
    public let kind = TriggerKind.hotlist
    private var exact: [String: [HotlistEntry]] = [:]
    private var patterns: [HotlistEntry] = []

    public init(entries: [HotlistEntry] = []) {
        for entry in entries { add(entry) }
    }

    /// Entries on the list, exact and patterns.
    public var entries: [HotlistEntry] { exact.values.flatMap { $0 } + patterns }

    public var count: Int { exact.values.reduce(0) { $0 + $1.count } + patterns.count }

    /// Adds (or replaces, for the same plate and category) an entry.
    public func add(_ entry: HotlistEntry) {
        if entry.isWildcard {
            patterns.removeAll { $0.pattern == entry.pattern && $0.category == entry.category }
            patterns.append(entry)
        } else {
            exact[entry.pattern, default: []].removeAll { $0.category == entry.category }
            exact[entry.pattern, default: []].append(entry)
        }
    }

    /// Removes every entry for `pattern`; returns how many were removed.
    @discardableResult
    public func remove(pattern: String) -> Int {
        let removed = (exact.removeValue(forKey: pattern)?.count ?? 0)
        let before = patterns.count
        patterns.removeAll { $0.pattern == pattern }
        return removed + before - patterns.count
    }

    /// The active entries `read` matches.
    public func matches(for read: PlateRead) -> [HotlistEntry] {
        guard let listed = exact[read.plate.text] else { return [] }
        return listed.filter { $0.isActive(at: read.timestamp) }
    }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        matches(for: read).map { draft(for: read, entry: $0, cameras: context.cameras, historical: false) }
    }

    /// Triggers for reads already in the window that match a newly added entry.
    public func historicalMatches(for entry: HotlistEntry, in index: ReadIndex, cameras: CameraRegistry) -> [TriggerDraft] {
        guard !entry.isWildcard, let start = index.horizonStart, let end = index.latestTime else { return [] }
        return index.reads(plate: Plate(normalised: entry.pattern), from: start, to: end)
            .filter { entry.isActive(at: $0.timestamp) }
            .map { indexed in
                let read = PlateRead(
                    id: indexed.id, camera: indexed.camera, timestamp: indexed.timestamp, plate: indexed.plate,
                    confidence: indexed.confidence, make: indexed.make, model: indexed.model, color: indexed.color,
                    direction: indexed.direction)
                return draft(for: read, entry: entry, cameras: cameras, historical: true)
            }
    }

    func draft(for read: PlateRead, entry: HotlistEntry, cameras: CameraRegistry, historical: Bool) -> TriggerDraft {
        let ring = cameras.ring(of: read.camera)
        let place = cameras[read.camera].map { "\($0.id) (\($0.name), ring \($0.ring))" } ?? "unregistered camera \(read.camera)"
        let when = historical ? "was read earlier" : "was read"
        let explanation = "Plate \(when) at \(place) and exactly matches a \(entry.severity.rawValue) hotlist entry "
            + "(\(entry.category)): \(entry.reason.isEmpty ? "no reason given" : entry.reason)."
        return TriggerDraft(
            kind: .hotlist, severity: entry.severity, read: read, ring: ring, readIDs: [read.id],
            explanation: explanation, rule: "hotlist|\(entry.pattern)|\(entry.category)",
            details: [
                ("listed_plate", .string(entry.pattern)),
                ("match", .string("exact")),
                ("substitutions", .array([])),
                ("score", .double(1)),
                ("category", .string(entry.category)),
                ("reason", .string(entry.reason)),
                ("historical", .bool(historical)),
            ])
    }
}
