import ArgumentParser
import Foundation
import RingwatchCore

/// `ringwatch hotlist add/remove/list`: change the hotlist of a running engine.
struct HotlistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotlist",
        abstract: "Manage the hotlist of a running engine.",
        subcommands: [Add.self, Remove.self, List.self])

    struct ControlOption: ParsableArguments {
        @Option(name: .long, help: "The engine's control endpoint.")
        var control = "tcp://127.0.0.1:5570"
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an entry; reads still in memory fire historical triggers.")
        @Option(name: .long, help: "Plate; may hold '?' and '*'.") var plate: String
        @Option(name: .long, help: "Category, e.g. stolen_vehicle.") var category = "unspecified"
        @Option(name: .long, help: "critical, high, medium or low.") var severity = "high"
        @Option(name: .long, help: "Why the vehicle is listed.") var reason: String
        @Option(name: .long, help: "Expiry (RFC 3339).") var expires: String?
        @Option(name: .long, help: "Who adds it. Default: the login name.") var user: String?
        @OptionGroup var control: ControlOption

        func run() throws {
            guard Severity(rawValue: severity) != nil else { throw UsageError("--severity must be critical, high, medium or low") }
            if let expires { _ = try parseTime(expires, flag: "--expires") }
            var request: [String: Any] = ["op": "hotlist.add", "plate": plate, "category": category, "severity": severity,
                                          "reason": reason, "user": user ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"]
            if let expires { request["expires"] = expires }
            try printReply(try ControlClient(endpoint: control.control).request(request), json: false)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry for a plate.")
        @Option(name: .long, help: "Plate (as listed).") var plate: String
        @OptionGroup var control: ControlOption

        func run() throws {
            try printReply(try ControlClient(endpoint: control.control).request(["op": "hotlist.remove", "plate": plate]), json: false)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entries the engine matches against.")
        @OptionGroup var control: ControlOption

        func run() throws {
            let reply = try ControlClient(endpoint: control.control).request(["op": "hotlist.list"])
            let data = try JSONSerialization.data(withJSONObject: reply["entries"] ?? [], options: [.sortedKeys])
            for entry in (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? [] {
                let line = ["plate", "category", "severity", "expires", "reason"].map { "\(entry[$0] as? String ?? "-")" }
                emit(line.joined(separator: "  ") + "\n")
            }
        }
    }
}
