import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery

/// `ringwatch hotlist add/remove/list/import`: change the hotlist of a running engine.
struct HotlistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotlist",
        abstract: "Manage the hotlist of a running engine.",
        subcommands: [Add.self, Remove.self, List.self, Import.self])

    struct ControlOption: ParsableArguments {
        @Option(name: .long, help: "The engine's control endpoint.")
        var control = "tcp://127.0.0.1:5570"
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an entry; reads still in memory fire historical triggers.",
            discussion: "An --expires already past is refused (exit 2): such an entry could never fire on a current read.")
        @Option(name: .long, help: "Plate; may hold '?' and '*'.") var plate: String
        @Option(name: .long, help: "Category, e.g. stolen_vehicle.") var category = "unspecified"
        @Option(name: .long, help: "critical, high, medium or low.") var severity = "high"
        @Option(name: .long, help: "Why the vehicle is listed.") var reason: String
        @Option(name: .long, help: "Expiry (RFC 3339).") var expires: String?
        @Option(name: .long, help: "Who adds it. Default: the login name.") var user: String?
        @OptionGroup var control: ControlOption

        func run() throws {
            guard Severity(rawValue: severity) != nil else { throw UsageError("--severity must be critical, high, medium or low") }
            if let expires {
                let time = try parseTime(expires, flag: "--expires")
                if let problem = HotlistEntry.pastExpiryProblem(time, now: .now, field: "--expires") { throw UsageError(problem) }
            }
            var request: [String: Any] = ["op": "hotlist.add", "plate": plate, "category": category, "severity": severity,
                                          "reason": reason, "user": user ?? LoginName.current]
            if let expires { request["expires"] = expires }
            try printReply(try ControlClient(endpoint: control.control).request(request), json: false)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry for a plate.")
        @Option(name: .long, help: "Plate (as listed).") var plate: String
        @Option(name: .long, help: "Why it comes off the list (e.g. vehicle recovered, PV number); recorded in the audit log.")
        var reason: String?
        @Option(name: .long, help: "Who removes it. Default: the login name.") var user: String?
        @OptionGroup var control: ControlOption

        func run() throws {
            var request: [String: Any] = ["op": "hotlist.remove", "plate": plate, "user": user ?? LoginName.current]
            if let reason { request["reason"] = reason }
            try printReply(try ControlClient(endpoint: control.control).request(request), json: false)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entries the engine matches against.")
        @Option(name: .long, help: "At most this many entries, by plate.") var limit = 10_000
        @Option(name: .long, help: "Output: table, jsonl, or csv (the hotlist file format, ready for 'hotlist import').")
        var format: OutputFormat = .table
        @OptionGroup var control: ControlOption

        func run() throws {
            if format == .geojson { throw UsageError("--format geojson: hotlist entries have no place to map; use table, jsonl or csv") }
            let reply = try ControlClient(endpoint: control.control).request(["op": "hotlist.list", "limit": limit])
            let data = try JSONSerialization.data(withJSONObject: reply["entries"] ?? [], options: [.sortedKeys])
            let entries = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
            let now = Timestamp.now
            // An engine from before `expired` was listed: decide here, by the same clock.
            func expired(_ entry: [String: Any]) -> Bool {
                if let expired = entry["expired"] as? Bool { return expired }
                return (entry["expires"] as? String).flatMap(Timestamp.init(rfc3339:)).map { $0 <= now } ?? false
            }
            if format == .table {
                // For people: the expiry to the second, and whether the entry still fires.
                for entry in entries {
                    let expires = (entry["expires"] as? String).map { Timestamp(rfc3339: $0)?.rfc3339Seconds ?? $0 } ?? "-"
                    let line = ["\(entry["plate"] as? String ?? "-")", "\(entry["category"] as? String ?? "-")",
                                "\(entry["severity"] as? String ?? "-")", expires, expired(entry) ? "expired" : "live",
                                "\(entry["reason"] as? String ?? "-")"]
                    emit(line.joined(separator: "  ") + "\n")
                }
            } else {
                // The columns of the hotlist file (CONTRACT.md section 4), so a CSV listing imports
                // as it is, then `expired` (an import ignores it). Times to the millisecond.
                let columns = ["plate", "category", "severity", "reason", "expires"]
                let rows: [JSONValue] = entries.map { entry in
                    var fields: [(String, JSONValue)] = columns.map { ($0, .optional(entry[$0] as? String)) }
                    fields.append(("expired", .bool(expired(entry))))
                    return .object(fields)
                }
                emit(RowPrinter(format: format, columns: columns + ["expired"]).render(rows))
            }
            if let count = reply["count"] as? Int, count > limit {
                printError("listed \(limit) of \(count) entries; pass --limit N for more")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a hotlist CSV (plate,category,severity,reason,expires) into the running engine.",
            discussion: """
                Bad lines are skipped and reported by number on standard error; the rest is stored \
                in the engine's database (with --user and the time) and applied at once. Exit 0 when \
                the engine took the file, even with skipped lines.
                """)
        @Option(name: .long, help: "The CSV file.") var file: String
        @Flag(name: .long, help: "Make the file the whole list: entries not in it are removed.") var replace = false
        @Flag(name: .long, help: "Also fire historical triggers for matching reads still in memory.") var historical = false
        @Option(name: .long, help: "Why (e.g. the daily national list); recorded in the audit log.") var reason: String?
        @Option(name: .long, help: "Who imports it. Default: the login name.") var user: String?
        @Option(name: .long, help: "Seconds to wait for the engine.") var timeout = 300
        @OptionGroup var control: ControlOption

        func run() throws {
            guard timeout > 0 else { throw UsageError("--timeout must be a positive number of seconds") }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw UsageError("cannot read --file \(file): check the path and permissions")
            }
            // The file travels with the request as a second frame (never escaped into JSON), so
            // the engine may run on another host; it is parsed there once, with its line numbers.
            var request: [String: Any] = [
                "op": "hotlist.import", "file": file, "replace": replace, "historical": historical, "user": user ?? LoginName.current,
            ]
            if let reason { request["reason"] = reason }
            let client = ControlClient(endpoint: control.control, timeoutMilliseconds: Int32(min(timeout, 3600)) * 1000)
            let reply = try client.request(request, attachment: Array(data))
            for problem in reply["problems"] as? [[String: Any]] ?? [] {
                printError("\(file) line \(problem["line"] as? Int ?? 0): \(problem["message"] as? String ?? "")")
            }
            let skipped = reply["skipped"] as? Int ?? 0
            if skipped > (reply["problems"] as? [Any])?.count ?? 0 { printError("(only the first problems are listed)") }
            for warning in reply["warnings"] as? [[String: Any]] ?? [] {
                printError("\(file) line \(warning["line"] as? Int ?? 0): warning: \(warning["message"] as? String ?? "")")
            }
            let expired = reply["expired"] as? Int ?? 0
            if expired > (reply["warnings"] as? [Any])?.count ?? 0 { printError("(only the first warnings are listed)") }
            emit("\(file): loaded \(reply["loaded"] as? Int ?? 0) lines, skipped \(skipped); "
                 + (expired > 0 ? "\(expired) of them already expired; " : "")
                 + "the engine now lists \(reply["entries"] as? Int ?? 0) entries"
                 + (historical ? "; \(reply["historical_triggers"] as? Int ?? 0) historical triggers" : "") + "\n")
        }
    }
}
