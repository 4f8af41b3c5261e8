import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// The `hotlist.*` operations of the control socket. Every change is stored in SQLite (with who
/// and when) before it is applied to the running matcher on the pipeline thread.
extension ControlServer {
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
            if let problem = HotlistEntry.pastExpiryProblem(time, now: .now, field: "expires") { return Self.failure(problem) }
            expires = time
        }
        let entry = HotlistEntry(pattern: pattern, category: request["category"] as? String ?? "unspecified",
                                 severity: severity, reason: request["reason"] as? String ?? "", expires: expires)
        let user = request["user"] as? String ?? "control"
        let entryID: Int64
        do {
            try audit(request, command: "hotlist.add", reason: entry.reason.isEmpty ? "not given" : entry.reason, parameters: [
                ("plate", .string(entry.pattern)), ("category", .string(entry.category)),
                ("severity", .string(entry.severity.rawValue)), ("expires", .optional(entry.expires?.rfc3339)),
            ])
            entryID = try store().addHotlistEntry(entry, user: user)
        } catch {
            return Self.failure("could not store the hotlist entry: \(error)")
        }
        // Usually the entry goes straight in; when the key table is full it must be rebuilt,
        // which takes seconds for a large list, so that happens here and the pipeline swaps.
        var replacement: HotlistMatcher?
        _ = engine.pipeline.perform { pipeline in
            if !pipeline.hotlist.matcher.hasRoom(for: [entry]) { replacement = pipeline.hotlist.matcher }
            return .null
        }
        replacement?.add(entry)
        let historical = engine.pipeline.perform { [replacement] pipeline in
            if let replacement { pipeline.hotlist.replaceMatcher(with: replacement) } else { pipeline.hotlist.add(entry) }
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
            try audit(request, command: "hotlist.remove", reason: request["reason"] as? String ?? "not given",
                      parameters: [("plate", .string(pattern))])
            try store().removeHotlistEntries(pattern: pattern, user: request["user"] as? String ?? "control")
        } catch {
            return Self.failure("could not update the stored hotlist: \(error)")
        }
        let removed = engine.pipeline.perform { .int(Int64($0.hotlist.remove(pattern: pattern))) }
        return .object([("ok", .bool(true)), ("removed", removed)])
    }

    /// `{"op":"hotlist.list","limit":N}`: the first N entries the matcher holds, by plate
    /// (default 10,000), and how many there are in all. `expires` is to the millisecond;
    /// `expired` says whether it has passed by the wall clock (such an entry no longer fires on
    /// current reads, but stays listed until it is removed).
    func hotlistList(_ request: [String: Any]) -> JSONValue {
        let limit = max((request["limit"] as? NSNumber)?.intValue ?? 10_000, 0)
        // Copy the entries out on the pipeline thread; sort and format them here, off it.
        var entries: [HotlistEntry] = []
        _ = engine.pipeline.perform { pipeline in
            entries = pipeline.hotlist.entries
            return .null
        }
        let listed = entries.sorted { ($0.pattern, $0.category) < ($1.pattern, $1.category) }.prefix(limit)
        let now = Timestamp.now
        return .object([
            ("ok", .bool(true)),
            ("count", .int(Int64(entries.count))),
            ("entries", .array(listed.map { entry in
                .object([
                    ("plate", .string(entry.pattern)), ("category", .string(entry.category)),
                    ("severity", .string(entry.severity.rawValue)), ("reason", .string(entry.reason)),
                    ("expires", entry.expires.map { .string($0.rfc3339) } ?? .null),
                    ("expired", .bool(!entry.isActive(at: now))),
                ])
            })),
        ])
    }

    /// `{"op":"hotlist.import", "csv": TEXT | "path": FILE, "file": NAME, "replace": BOOL,
    /// "historical": BOOL, "user": U}`, or the file's bytes as a second frame (`attachment`):
    /// loads a hotlist CSV (section 4) into the running engine.
    ///
    /// Bad lines are skipped and reported by number. The new list — the file alone with
    /// `replace`, else the current list plus the file (same plate and category replaced) — is
    /// built here, off the pipeline thread, while the import is written to SQLite beside it, and
    /// swapped in as soon as it is ready: matching never sees half a list and never waits. The
    /// reply comes once both are done. `historical` also fires triggers for matching reads
    /// still in memory.
    func hotlistImport(_ request: [String: Any], attachment: [UInt8]?) -> JSONValue {
        let started = DispatchTime.now().uptimeNanoseconds
        let user = request["user"] as? String ?? "control"
        let replace = request["replace"] as? Bool ?? false
        let historical = request["historical"] as? Bool ?? false
        let name: String, text: String
        if let attachment {
            text = String(decoding: attachment, as: UTF8.self)
            name = ((request["file"] as? String ?? "import.csv") as NSString).lastPathComponent
        } else if let csv = request["csv"] as? String {
            text = csv
            name = ((request["file"] as? String ?? "import.csv") as NSString).lastPathComponent
        } else if let path = request["path"] as? String {
            guard let data = FileManager.default.contents(atPath: path) else {
                return Self.failure("the engine cannot read \(path); check the path on the engine's host, or send the file itself")
            }
            text = String(decoding: data, as: UTF8.self)
            name = path
        } else {
            return Self.failure("hotlist.import needs the file: a second frame, \"csv\" (its text) or \"path\" (a file on the engine's host)")
        }
        let (entries, report) = HotlistEntry.parse(csv: text, file: name, now: .now)
        let parsed = DispatchTime.now().uptimeNanoseconds
        if entries.isEmpty, let header = report.problems.first(where: { $0.line == 1 }) {
            return Self.failure("\(name) \(header.description); nothing imported")
        }
        if replace && entries.isEmpty {
            return Self.failure("\(name) holds no valid entry; refusing to replace the hotlist with an empty list")
        }

        // The list can change only through this thread, so a snapshot taken now stays current
        // until the swap. Copy-on-write: taking it costs nothing; adding to it copies it once.
        var base: HotlistMatcher?
        if !replace {
            _ = engine.pipeline.perform { pipeline in
                base = pipeline.hotlist.matcher
                return .null
            }
        }
        let configuration = engine.hotlistMatching
        let swapped = Swap()
        let building = DispatchGroup()
        DispatchQueue.global().async(group: building) { [base, engine] in
            var next = base ?? HotlistMatcher(configuration: configuration)
            next.add(contentsOf: entries)
            let probe = historical ? (replace ? next : HotlistMatcher(configuration: configuration, entries: entries)) : nil
            let applied = engine.pipeline.perform { pipeline in
                pipeline.hotlist.replaceMatcher(with: next)
                var fired = 0
                if let probe {
                    let drafts = pipeline.hotlist.historicalMatches(using: probe, in: pipeline.index, cameras: pipeline.cameras)
                    for draft in drafts { pipeline.emit(draft) }
                    fired = drafts.count
                }
                return .object([("entries", .int(Int64(pipeline.hotlist.count))), ("historical_triggers", .int(Int64(fired)))])
            }
            swapped.set(applied, at: DispatchTime.now().uptimeNanoseconds)
        }
        base = nil  // the building task holds the snapshot now; let it be the only one
        let removed: Int
        let storeFailure: (any Error)?
        do {
            try audit(request, command: replace ? "hotlist.import --replace" : "hotlist.import",
                      reason: request["reason"] as? String ?? "not given",
                      parameters: [("file", .string(name)), ("entries", .int(Int64(entries.count)))])
            removed = try store().importHotlist(entries, user: user, source: "import:\(name)", replace: replace)
            storeFailure = nil
        } catch {
            removed = 0
            storeFailure = error
        }
        let stored = DispatchTime.now().uptimeNanoseconds
        building.wait()
        let (applied, live) = swapped.get()
        let finished = DispatchTime.now().uptimeNanoseconds
        func phase(_ from: UInt64, _ to: UInt64) -> String { String(format: "%.2f", Double(max(to, from) - from) / 1e9) }
        logger.debug("hotlist import phases (s)", metadata: [
            "parse": "\(phase(started, parsed))", "store": "\(phase(parsed, stored))", "live_after": "\(phase(started, live))",
        ])
        if let storeFailure {
            // Applied but not stored: it lasts until a restart. Say so rather than hide it.
            logger.error("hotlist import applied but not stored", metadata: ["error": "\(storeFailure)"])
            return Self.failure("the import was applied but could not be stored (\(storeFailure)); it will not survive a restart: import it again")
        }
        let seconds = Double(finished - started) / 1e9
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
            // Loaded, but already expired by the engine's clock: they fire only on older reads.
            ("expired", .int(Int64(report.warnings.count))),
            ("warnings", .array(report.warnings.prefix(1000).map { .object([("line", .int(Int64($0.line))), ("message", .string($0.message))]) })),
            (replace ? "removed" : "superseded", .int(Int64(removed))),
            ("entries", applied["entries"] ?? .null),
            ("historical_triggers", applied["historical_triggers"] ?? .int(0)),
            ("live_after_s", .double((Double(live - started) / 1e9 * 1000).rounded() / 1000)),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ])
    }
}

/// The outcome of the building task of an import: what the pipeline reported and when.
private final class Swap: @unchecked Sendable {
    // @unchecked: written once by the building task before its group leaves, read only after
    // the control thread waited on that group.
    private var applied: JSONValue = .null
    private var time: UInt64 = 0

    func set(_ applied: JSONValue, at time: UInt64) {
        self.applied = applied
        self.time = time
    }

    func get() -> (JSONValue, UInt64) { (applied, time) }
}
