import ArgumentParser
import Foundation

/// `ringwatch registry reload/status`: the vehicle registry of a running engine.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Reload or inspect the vehicle registry (DIV) of a running engine.",
        subcommands: [Reload.self, Status.self])

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the registry CSV again (or another one) without stopping the engine.",
            discussion: "The engine reads the file on its control thread and swaps it in between two batches of reads. "
                + "A file without a single usable vehicle is refused and the old registry stays.")
        @Option(name: .long, help: "Registry CSV to load instead of the configured one (a path the engine can read).")
        var path: String?
        @Option(name: .long, help: "The engine's control endpoint.")
        var control = "tcp://127.0.0.1:5570"
        @Option(name: .long, help: "Seconds to wait for the engine (eight million vehicles take several).")
        var timeout = 120

        func run() throws {
            guard timeout > 0 else { throw UsageError("--timeout must be a positive number of seconds") }
            var request: [String: Any] = ["op": "registry.reload"]
            if let path {
                // The engine resolves relative paths against its own directory: send an absolute one.
                request["path"] = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            }
            let client = ControlClient(endpoint: control, timeoutMilliseconds: Int32(min(timeout, 3600) * 1000))
            try printReply(try client.request(request), json: false)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What registry is loaded, and what the registry checks did.")
        @Option(name: .long, help: "The engine's control endpoint.")
        var control = "tcp://127.0.0.1:5570"
        @Option(name: .long, help: "Output: table or jsonl.")
        var format = "table"

        func run() throws {
            guard format == "table" || format == "jsonl" else { throw UsageError("--format must be table or jsonl") }
            try printReply(try ControlClient(endpoint: control).request(["op": "registry.status"]), json: format == "jsonl")
        }
    }
}
