import ArgumentParser
import Foundation
import RingwatchQuery

/// `ringwatch status`: a running engine's counters.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask a running engine for its counters.")

    @Option(name: .long, help: "The engine's control endpoint.")
    var control = "tcp://127.0.0.1:5570"

    @Option(name: .long, help: "Output: table, jsonl or csv (a header row and one row of counters).")
    var format = "table"

    func run() throws {
        guard ["table", "jsonl", "csv"].contains(format) else { throw UsageError("--format must be table, jsonl or csv") }
        let reply = try ControlClient(endpoint: control).request(["op": "status"])
        guard format == "csv" else { return try printReply(reply, json: format == "jsonl") }
        // The counters in name order; the per-reason and per-camera maps as JSON text in their cells.
        let keys = reply.keys.sorted().filter { $0 != "ok" }
        let cells = try keys.map { key -> String in
            let value = reply[key]!
            if value is [String: Any] || value is [Any] {
                return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
            }
            return "\(value)"
        }
        emit(keys.joined(separator: ",") + "\n" + cells.map(RowPrinter.csvField).joined(separator: ",") + "\n")
    }
}
