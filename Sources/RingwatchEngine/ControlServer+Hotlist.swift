import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// The `hotlist.*` operations of the control socket. Every change is stored in SQLite (with who
/// and when) before it is applied to the running matcher on the pipeline thread.
extension ControlServer {
    private var hotlistStore: HistoryDatabase {
        get throws {
            if let store = engine.hotlistStore { return store }
            let store = try HistoryDatabase(path: engine.databasePath)
            engine.hotlistStore = store
            return store
        }
    }

    func hotlistAdd(_ request: [String: Any]) -> JSONValue {
        guard let raw = request["plate"] as? String, let pattern = HotlistEntry.normalisePattern(raw) else {
            return Self.failure("hotlist.add needs \"plate\": A-Z, 0-9, ? and * after removing spaces, '-' and '.'")
        }
        let severityText = (request["severity"] as? String ?? "high").lowercased()
        guard let severity = Severity(rawValue: severityText) else {
            return Self.failure("severity must be one of critical, high, medium, low")
        }
        var expires: Timestamp?
        if let text = request["expires"] as? String, !text.isEmpty {
            guard let time = Timestamp(rfc3339: text) else { return Self.failure("expires must be an RFC 3339 time") }
            expires = time
        }
        let entry = HotlistEntry(pattern: pattern, category: request["category"] as? String ?? "unspecified",
                                 severity: severity, reason: request["reason"] as? String ?? "", expires: expires)
        let user = request["user"] as? String ?? "control"
        let entryID: Int64
        do {
            entryID = try hotlistStore.addHotlistEntry(entry, user: user)
        } catch {
            return Self.failure("could not store the hotlist entry: \(error)")
        }
        let historical = engine.pipeline.perform { pipeline in
            pipeline.hotlist.add(entry)
            let drafts = pipeline.hotlist.historicalMatches(for: entry, in: pipeline.index, cameras: pipeline.cameras)
            for draft in drafts { pipeline.emit(draft) }
            return .int(Int64(drafts.count))
        }
        return .object([("ok", .bool(true)), ("entry_id", .int(entryID)), ("historical_triggers", historical)])
    }

    func hotlistRemove(_ request: [String: Any]) -> JSONValue {
        guard let raw = request["plate"] as? String, let pattern = HotlistEntry.normalisePattern(raw) else {
            return Self.failure("hotlist.remove needs \"plate\"")
        }
        do {
            try hotlistStore.removeHotlistEntries(pattern: pattern, user: request["user"] as? String ?? "control")
        } catch {
            return Self.failure("could not update the stored hotlist: \(error)")
        }
        let removed = engine.pipeline.perform { .int(Int64($0.hotlist.remove(pattern: pattern))) }
        return .object([("ok", .bool(true)), ("removed", removed)])
    }

    /// `{"op":"hotlist.list","limit":N}`: the first N live entries by plate (default 10,000) and
    /// how many there are in all.
    func hotlistList(_ request: [String: Any]) -> JSONValue {
        let limit = max((request["limit"] as? NSNumber)?.intValue ?? 10_000, 0)
        // Copy the entries out on the pipeline thread; sort and format them here, off it.
        var entries: [HotlistEntry] = []
        _ = engine.pipeline.perform { pipeline in
            entries = pipeline.hotlist.entries
            return .null
        }
        let listed = entries.sorted { ($0.pattern, $0.category) < ($1.pattern, $1.category) }.prefix(limit)
        return .object([
            ("ok", .bool(true)),
            ("count", .int(Int64(entries.count))),
            ("entries", .array(listed.map { entry in
                .object([
                    ("plate", .string(entry.pattern)), ("category", .string(entry.category)),
                    ("severity", .string(entry.severity.rawValue)), ("reason", .string(entry.reason)),
                    ("expires", entry.expires.map { .string($0.rfc3339Seconds) } ?? .null),
                ])
            })),
        ])
    }

    /// `{"op":"hotlist.import", "csv": TEXT | "path": FILE, "file": NAME, "replace": BOOL,
    /// "historical": BOOL, "user": U}`: loads a hotlist CSV (section 4) into the running engine.
    ///
    /// Bad lines are skipped and reported by number; the rest is stored in one go and applied
    /// live. `replace` makes the file the whole list: the replacement matcher is built here, off
    /// the pipeline thread, and swapped in at once, so matching never sees a half-loaded list.
    /// Without it, entries are added (replacing those with the same plate and category) on the
    /// pipeline thread. `historical` also fires triggers for matching reads still in memory.
    func hotlistImport(_ request: [String: Any]) -> JSONValue {
        let started = DispatchTime.now().uptimeNanoseconds
        let user = request["user"] as? String ?? "control"
        let replace = request["replace"] as? Bool ?? false
        let historical = request["historical"] as? Bool ?? false
        let name: String, text: String
        if let csv = request["csv"] as? String {
            text = csv
            name = ((request["file"] as? String ?? "import.csv") as NSString).lastPathComponent
        } else if let path = request["path"] as? String {
            guard let data = FileManager.default.contents(atPath: path) else {
                return Self.failure("the engine cannot read \(path); check the path on the engine's host, or send the file's text as \"csv\"")
            }
            text = String(decoding: data, as: UTF8.self)
            name = path
        } else {
            return Self.failure("hotlist.import needs \"csv\" (the file's text) or \"path\" (a file on the engine's host)")
        }
        let (entries, report) = HotlistEntry.parse(csv: text, file: name)
        if entries.isEmpty, let header = report.problems.first(where: { $0.line == 1 }) {
            return Self.failure("\(name) \(header.description); nothing imported")
        }
        if replace && entries.isEmpty {
            return Self.failure("\(name) holds no valid entry; refusing to replace the hotlist with an empty list")
        }
        // A matcher of the imported entries (the replacement list, or the probe for historical
        // hits) is built on another core while this thread stores the import, so the pipeline
        // only swaps or appends.
        let build = MatcherBuild()
        let building = DispatchGroup()
        if replace || historical {
            let configuration = engine.hotlistMatching
            DispatchQueue.global().async(group: building) { build.matcher = HotlistMatcher(configuration: configuration, entries: entries) }
        }
        let removed: Int
        do {
            removed = try hotlistStore.importHotlist(entries, user: user, source: "import:\(name)", replace: replace)
        } catch {
            building.wait()
            return Self.failure("could not store the import: \(error)")
        }
        building.wait()
        let replacement = replace ? build.matcher : nil
        let probe = historical ? build.matcher : nil
        let applied = engine.pipeline.perform { pipeline in
            if let replacement {
                pipeline.hotlist.replaceMatcher(with: replacement)
            } else {
                pipeline.hotlist.add(contentsOf: entries)
            }
            var fired = 0
            if let probe {
                let drafts = pipeline.hotlist.historicalMatches(using: probe, in: pipeline.index, cameras: pipeline.cameras)
                for draft in drafts { pipeline.emit(draft) }
                fired = drafts.count
            }
            return .object([("entries", .int(Int64(pipeline.hotlist.count))), ("historical_triggers", .int(Int64(fired)))])
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        logger.info("hotlist import applied", metadata: [
            "user": "\(user)", "loaded": "\(entries.count)", "skipped": "\(report.skipped)", "replace": "\(replace)",
            "seconds": "\(String(format: "%.2f", seconds))",
        ])
        return .object([
            ("ok", .bool(true)),
            ("file", .string(name)),
            ("loaded", .int(Int64(entries.count))),
            ("skipped", .int(Int64(report.skipped))),
            ("problems", .array(report.problems.prefix(1000).map { .object([("line", .int(Int64($0.line))), ("message", .string($0.message))]) })),
            (replace ? "removed" : "superseded", .int(Int64(removed))),
            ("entries", applied["entries"] ?? .null),
            ("historical_triggers", applied["historical_triggers"] ?? .int(0)),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ])
    }
}

/// The matcher built beside the SQLite write of an import.
private final class MatcherBuild: @unchecked Sendable {
    // @unchecked: written once by the building task before its group leaves, read only after
    // the control thread waited on that group.
    var matcher: HotlistMatcher?
}
