import Foundation
import RingwatchTesting
import Testing

/// Usage mistakes the argument parser alone explains badly: the real binary, its exit status and
/// what it says on standard error.
@Suite("Command-line usage")
struct CommandLineUsageTests {
    @Test(arguments: [
        (["simulate", "--out", "/tmp/x.jsonl", "--rate", "-1"], "--rate"),
        (["reads", "--plate", "1ABC123", "--reason", "r", "--limit", "-5"], "--limit"),
    ])
    func aNegativeNumberNamesTheOptionInOneLine(arguments: [String], option: String) throws {
        let result = try RingwatchProcess.run(arguments, timeout: 20)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.contains("\(option) does not take a negative number") == true, "\(result.stderr)")
    }

    @Test(arguments: [[], ["hotlist"], ["watch"]])
    func noCommandIsAUsageErrorThatListsTheCommands(arguments: [String]) throws {
        let result = try RingwatchProcess.run(arguments, timeout: 20)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("SUBCOMMANDS:"))
        #expect(result.stderr.hasSuffix("ringwatch: no command given; pick one of the commands above\n"))
    }

    @Test func helpAndVersionStillSucceed() throws {
        let help = try RingwatchProcess.run(["help"], timeout: 20)
        #expect(help.status == 0)
        #expect(help.stdout.contains("SUBCOMMANDS:"))
        let version = try RingwatchProcess.run(["--version"], timeout: 20)
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
