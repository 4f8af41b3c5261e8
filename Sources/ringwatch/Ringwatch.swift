import ArgumentParser
import Foundation

/// The `ringwatch` executable: parses arguments and wires the libraries together.
struct Ringwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringwatch",
        abstract: "Streaming ANPR analytics: hotlists, convoys, routes and registry checks on camera-ring plate reads.",
        version: "0.1.0",
        subcommands: [
            Serve.self,
            Demo.self,
            Simulate.self,
            Status.self,
            Reads.self,
            Triggers.self,
            Convoys.self,
            Report.self,
            Routes.self,
            Predict.self,
            Common.self,
            WatchCommand.self,
            HotlistCommand.self,
            RegistryCommand.self,
            Ack.self,
            Audit.self,
            Purge.self,
            Keygen.self,
        ]
    )
}

/// A usage problem found after parsing (exit 2): one line saying what to do.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A runtime failure (exit 1).
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@main
enum Main {
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try Ringwatch.parseAsRoot()
        } catch {
            let code = Ringwatch.exitCode(for: error)
            if code == .success { Ringwatch.exit(withError: error) }  // --help, --version
            let message = Ringwatch.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            printError(negativeNumberProblem(CommandLine.arguments) ?? "\(message) (see 'ringwatch help')")
            exit(2)
        }
        let group = type(of: command).configuration
        if !group.subcommands.isEmpty && group.defaultSubcommand == nil {
            // `ringwatch` or `ringwatch hotlist` alone: the commands on standard error, and a
            // usage exit.
            FileHandle.standardError.write(Data((Ringwatch.helpMessage(for: type(of: command)) + "\n").utf8))
            printError("no command given; pick one of the commands above")
            exit(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let error as UsageError {
            printError(error.description)
            exit(2)
        } catch let error as ValidationError {
            printError(error.message)
            exit(2)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch where Ringwatch.exitCode(for: error) == .success {
            // `ringwatch <command> --help` parses as a help command that throws its text.
            Ringwatch.exit(withError: error)
        } catch {
            printError("\(error)")
            exit(1)
        }
    }
}

/// ArgumentParser takes "-1" after an option for a flag and reports the option's value as
/// missing; this names the real problem. No option takes a negative number.
func negativeNumberProblem(_ arguments: [String]) -> String? {
    for (option, value) in zip(arguments, arguments.dropFirst())
    where option.hasPrefix("--") && !option.contains("=") && value.hasPrefix("-") && Double(value) != nil {
        return "\(option) does not take a negative number (\(value)) (see 'ringwatch help')"
    }
    return nil
}

/// Prints one line to standard error, prefixed with the program name.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("ringwatch: \(message)\n".utf8))
}
