/// One hotlist entry: a plate (or a pattern with `?` and `*`) and what to tell dispatch.
public struct HotlistEntry: Sendable, Hashable {
    /// Normalised plate; may hold `?` (one character) and `*` (any run).
    public let pattern: String
    public let category: String
    public let severity: Severity
    public let reason: String
    public let expires: Timestamp?

    public init(pattern: String, category: String, severity: Severity, reason: String, expires: Timestamp?) {
        self.pattern = pattern
        self.category = category
        self.severity = severity
        self.reason = reason
        self.expires = expires
    }

    /// True when the pattern holds wildcards.
    public var isWildcard: Bool { pattern.utf8.contains { $0 == 63 || $0 == 42 } }

    /// False once `expires` has passed at event time `time`.
    public func isActive(at time: Timestamp) -> Bool { expires.map { time < $0 } ?? true }

    /// Why an entry expiring at `expires` may not be added at wall-clock time `now`: it has
    /// already expired, so it could never fire on a read taken now (`field` names the flag or
    /// field in the sentence). Nil when it may. Files (`hotlist import`, `--hotlist`) still take
    /// such lines: a list is loaded as it is, and `hotlist list` marks them expired.
    public static func pastExpiryProblem(_ expires: Timestamp, now: Timestamp, field: String) -> String? {
        guard expires <= now else { return nil }
        return "\(field) \(expires.rfc3339Seconds) is already past (now \(now.rfc3339Seconds)): the entry could never fire on a "
            + "current read; give a later time, or leave \(field) out for an entry that does not expire"
    }

    /// Normalises a hotlist plate like a read's, keeping `?` and `*`.
    public static func normalisePattern(_ raw: String) -> String? {
        var out: [UInt8] = []
        for byte in raw.utf8 {
            switch byte {
            case 32, 45, 46: continue
            case 48...57, 65...90, 63, 42: out.append(byte)
            case 97...122: out.append(byte - 32)
            default: return nil
            }
        }
        guard !out.isEmpty, out.count <= 24, out.contains(where: { $0 != 42 }) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the hotlist CSV (`plate,category,severity,reason,expires`).
    /// With `now`, an entry whose expiry is not after it is loaded (it still fires on reads
    /// from before its expiry: a replay, a historical import) and named in the report's warnings.
    public static func parse(csv text: String, file: String, now: Timestamp? = nil) -> ([HotlistEntry], LoadReport) {
        let csv = CSVFile(text: text)
        var problems = csv.problems
        var warnings: [CSVFile.Problem] = []
        var entries: [HotlistEntry] = []
        switch csv.columnIndexes(["plate", "category", "severity", "reason", "expires"]) {
        case .failure(let problem):
            return ([], LoadReport(file: file, loaded: 0, problems: [problem]))
        case .success(let c):
            for row in csv.rows {
                let f = row.fields
                guard let pattern = normalisePattern(f[c[0]]) else {
                    problems.append(.init(line: row.line, message: "plate is not a plate (A-Z, 0-9, ? and * only, at most 24)")); continue
                }
                guard let severity = Severity(rawValue: f[c[2]].lowercased()) else {
                    problems.append(.init(line: row.line, message: "severity '\(f[c[2]])' is not one of critical, high, medium, low")); continue
                }
                var expires: Timestamp?
                if !f[c[4]].isEmpty {
                    guard let time = Timestamp(rfc3339: f[c[4]]) else {
                        problems.append(.init(line: row.line, message: "expires '\(f[c[4]])' is not an RFC 3339 time")); continue
                    }
                    expires = time
                    if let now, time <= now {
                        warnings.append(.init(line: row.line, message: "expires \(time.rfc3339Seconds) has passed (now \(now.rfc3339Seconds)): "
                            + "loaded, but it fires only on reads from before that time"))
                    }
                }
                entries.append(HotlistEntry(pattern: pattern, category: f[c[1]].isEmpty ? "unspecified" : f[c[1]],
                                            severity: severity, reason: f[c[3]], expires: expires))
            }
        }
        var report = LoadReport(file: file, loaded: entries.count, problems: problems.sorted { $0.line < $1.line })
        report.warnings = warnings
        return (entries, report)
    }
}
