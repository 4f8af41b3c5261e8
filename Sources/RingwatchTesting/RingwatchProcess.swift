import Foundation

/// The real `ringwatch` binary, run as a subprocess: for behaviour that belongs to the process
/// (signals, exit codes, what it prints).
public final class RingwatchProcess: @unchecked Sendable {
    // @unchecked: the Process and pipes are driven from the test's thread only.
    public let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    /// Path of the built binary: `RINGWATCH_BINARY`, else `.build/debug/ringwatch` (or release)
    /// beside the package.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["RINGWATCH_BINARY"] { return path }
        let root = packageRoot
        for configuration in ["debug", "release"] {
            let candidate = "\(root)/.build/\(configuration)/ringwatch"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "\(root)/.build/debug/ringwatch"
    }

    /// The package root, found from this file's location.
    public static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    public init(_ arguments: [String], workingDirectory: String? = nil) {
        process.executableURL = URL(fileURLWithPath: RingwatchProcess.binaryPath)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? RingwatchProcess.packageRoot)
        process.standardOutput = output
        process.standardError = errors
    }

    public func start() throws { try process.run() }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    public var isRunning: Bool { process.isRunning }

    /// Waits for exit (up to `timeout` seconds, then kills) and returns status, stdout, stderr.
    public func wait(timeout: TimeInterval = 60) -> (status: Int32, stdout: String, stderr: String) {
        let deadline = Date().addingTimeInterval(timeout)
        // Drain the pipes while waiting so a chatty process cannot block on a full pipe.
        let collector = PipeCollector(output: output, errors: errors)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let (stdout, stderr) = collector.finish()
        return (process.terminationStatus, stdout, stderr)
    }

    /// Runs the binary to completion.
    public static func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = RingwatchProcess(arguments)
        try process.start()
        return process.wait(timeout: timeout)
    }
}

/// Reads both pipes on background threads until they close.
final class PipeCollector: @unchecked Sendable {
    // @unchecked: each buffer is written by its own reader thread and read after the group waits.
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()

    init(output: Pipe, errors: Pipe) {
        group.enter()
        DispatchQueue.global().async { [self] in
            out = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [self] in
            err = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
    }

    func finish() -> (String, String) {
        _ = group.wait(timeout: .now() + 10)
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
