import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery

/// `ringwatch watch add/remove/list`: real-time route watches of a running engine.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Manage the real-time route watches of a running engine.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch a route: fire trigger.route.* when a vehicle passes enough of its cameras in order.",
            discussion: """
                Give the route as --cameras C1,C2,... or learn it with --plate P --from T1 --to T2 \
                from that vehicle's trips in the engine's history (the trip most like its others; \
                needs --reason, audited, and --authorization before the open-access period). A \
                vehicle fires the watch when it passes at least --min-match of the cameras in order \
                with at most --max-gap seconds between two of them. A watch of the same name is \
                replaced.
                """)
        @Option(name: .long, help: "The watch's name (the trigger's 'watch').") var name: String
        @Option(name: .long, help: "Camera ids of the route, in order, comma-separated.") var cameras: String?
        @Option(name: .long, help: "Learn the route from this vehicle's history.") var plate: String?
        @Option(name: .long, help: "With --plate: start of the history to learn from (RFC 3339).") var from: String?
        @Option(name: .long, help: "With --plate: end of the history to learn from (RFC 3339).") var to: String?
        @Option(name: .customLong("max-gap"), help: "Most seconds between two matched cameras (default 900; learned: twice the longest leg).")
        var maxGap: Double?
        @Option(name: .customLong("min-match"), help: "Share of the cameras to pass in order, 0-1 (default 0.8).") var minMatch: Double?
        @Option(name: .long, help: "critical, high, medium or low (default high).") var severity = "high"
        @Option(name: .customLong("repeat-days"), help: "Fire only when a vehicle drives the route on this many days within 14 (2-14).")
        var repeatDays: Int?
        @Flag(name: .customLong("exclude-plate"), help: "With --plate: do not fire for that vehicle itself.") var excludePlate = false
        @Option(name: .long, help: "Why (case number or purpose); required with --plate, audited.") var reason: String?
        @Option(name: .long, help: "Reference of the magistrate's authorisation, for history past the open-access period.")
        var authorization: String?
        @Option(name: .long, help: "Who adds it. Default: the login name.") var user: String?
        @OptionGroup var control: HotlistCommand.ControlOption

        func run() throws {
            guard Severity(rawValue: severity) != nil else { throw UsageError("--severity must be critical, high, medium or low") }
            if let minMatch, !(minMatch > 0 && minMatch <= 1) { throw UsageError("--min-match must be more than 0 and at most 1") }
            if let maxGap, !(maxGap > 0 && maxGap <= 86_400) { throw UsageError("--max-gap must be more than 0 and at most 86400 seconds") }
            var request: [String: Any] = ["op": "watch.add", "name": name, "severity": severity, "user": user ?? LoginName.current]
            switch (cameras, plate) {
            case (let cameras?, nil):
                guard from == nil, to == nil, !excludePlate else { throw UsageError("--from, --to and --exclude-plate go with --plate") }
                let list = cameras.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard list.count >= 2 else { throw UsageError("--cameras needs at least two camera ids, comma-separated") }
                request["cameras"] = list
            case (nil, let plate?):
                guard Plate(normalising: plate) != nil else { throw UsageError("--plate must hold 1 to 12 of A-Z and 0-9") }
                guard let from, let to else { throw UsageError("--plate needs --from and --to: the history to learn the route from") }
                let start = try parseTime(from, flag: "--from"), end = try parseTime(to, flag: "--to")
                guard start <= end else { throw UsageError("--from is after --to; swap them") }
                guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw UsageError("learning a route from a vehicle's history needs --reason TEXT (case number or purpose); it is audited")
                }
                request["plate"] = plate
                request["from"] = start.rfc3339
                request["to"] = end.rfc3339
                if excludePlate { request["exclude_plate"] = true }
            default:
                throw UsageError("give the route as --cameras C1,C2,... or learn it with --plate P --from T1 --to T2")
            }
            if let maxGap { request["max_gap_s"] = maxGap }
            if let minMatch { request["min_match"] = minMatch }
            if let repeatDays {
                guard (2...14).contains(repeatDays) else { throw UsageError("--repeat-days must be 2 to 14") }
                request["repeat_days"] = repeatDays
            }
            if let reason { request["reason"] = reason }
            if let authorization { request["authorization"] = authorization }
            let reply = try ControlClient(endpoint: control.control, timeoutMilliseconds: 60_000).request(request)
            emit("watch \(reply["name"] as? String ?? name): \((reply["cameras"] as? [String] ?? []).joined(separator: " → ")); "
                 + "fires at \(reply["cameras_needed"] as? Int ?? 0) cameras in order, at most \(reply["max_gap_s"] ?? "-") s apart"
                 + ((reply["repeat_days"] as? Int).map { ", on the \($0)th day within 14" } ?? "")
                 + ((reply["learned_trips"] as? Int).map { " (learned from \($0) trips)" } ?? "") + "\n")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop watching a route.")
        @Option(name: .long, help: "The watch's name.") var name: String
        @Option(name: .long, help: "Why (audited).") var reason: String?
        @Option(name: .long, help: "Who removes it. Default: the login name.") var user: String?
        @OptionGroup var control: HotlistCommand.ControlOption

        func run() throws {
            var request: [String: Any] = ["op": "watch.remove", "name": name, "user": user ?? LoginName.current]
            if let reason { request["reason"] = reason }
            let reply = try ControlClient(endpoint: control.control).request(request)
            let removed = reply["removed"] as? Int ?? 0
            emit(removed > 0 ? "removed watch \(name)\n" : "no watch called \(name)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the route watches the engine runs.")
        @Flag(name: .long, help: "One JSON object per watch (the same as --format jsonl).") var json = false
        @Option(name: .long, help: "Output: table, jsonl or csv.") var format: OutputFormat = .table
        @OptionGroup var control: HotlistCommand.ControlOption

        func run() throws {
            if format == .geojson { throw UsageError("--format geojson is not offered for watches; use table, jsonl or csv") }
            let reply = try ControlClient(endpoint: control.control).request(["op": "watch.list"])
            let watches = reply["watches"] as? [[String: Any]] ?? []
            if format == .csv {
                let columns = ["name", "cameras", "max_gap_s", "min_match", "cameras_needed", "severity", "repeat_days", "origin",
                               "added_at", "added_by"]
                let rows: [JSONValue] = watches.map { watch in
                    .object(columns.map { column in
                        switch watch[column] {
                        case let list as [String]: (column, .string(list.joined(separator: " ")))
                        case let text as String: (column, .string(text))
                        case let number as NSNumber: (column, .string(number.stringValue))
                        default: (column, .null)
                        }
                    })
                }
                return emit(RowPrinter(format: .csv, columns: columns).render(rows))
            }
            for watch in watches {
                if json || format == .jsonl {
                    let data = try JSONSerialization.data(withJSONObject: watch, options: [.sortedKeys])
                    emit(String(decoding: data, as: UTF8.self) + "\n")
                    continue
                }
                let cameras = (watch["cameras"] as? [String] ?? []).joined(separator: ",")
                // For people, to the second (CSV and JSON Lines keep the milliseconds).
                let added = (watch["added_at"] as? String).map { Timestamp(rfc3339: $0)?.rfc3339Seconds ?? $0 } ?? "-"
                emit("\(watch["name"] as? String ?? "-")  \(cameras)  max_gap_s=\(watch["max_gap_s"] ?? "-")  "
                     + "min_match=\(watch["min_match"] ?? "-")  \(watch["severity"] as? String ?? "-")  "
                     + "added \(added) by \(watch["added_by"] as? String ?? "-")\n")
            }
        }
    }
}
