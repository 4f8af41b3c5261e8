import ArgumentParser

/// `ringwatch status`: a running engine's counters.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask a running engine for its counters.")

    @Option(name: .long, help: "The engine's control endpoint.")
    var control = "tcp://127.0.0.1:5570"

    @Option(name: .long, help: "Output: table or jsonl.")
    var format = "table"

    func run() throws {
        guard format == "table" || format == "jsonl" else { throw UsageError("--format must be table or jsonl") }
        let reply = try ControlClient(endpoint: control).request(["op": "status"])
        try printReply(reply, json: format == "jsonl")
    }
}
