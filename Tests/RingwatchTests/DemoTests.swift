import Foundation
import RingwatchCore
import RingwatchTesting
import Testing

/// `ringwatch demo` end to end, accelerated, through the real binary.
@Suite("ringwatch demo", .serialized)
struct DemoTests {
    /// Kinds whose detector has landed: the demo must show triggers of each and find planted events.
    static let landed: [TriggerKind] = [.hotlist, .mismatch, .clone, .convoy]

    @Test func theDemoRunsPrintsTriggersOfEveryLandedKindAndScoresThePlantedEvents() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("demo.sqlite")
        let result = try RingwatchProcess.run(["demo", "--hours", "2", "--rate", "8", "--speed", "max", "--db", db], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Summary:") })
        for kind in Self.landed {
            #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == Substring(kind.rawValue) },
                    "no \(kind.rawValue) trigger line")
            let row = try #require(lines.first { $0.hasPrefix(kind.rawValue + " ") }, "no summary row for \(kind.rawValue)")
            let numbers = row.split(separator: " ").dropFirst().prefix(4).compactMap { Int($0) }
            #expect(numbers.count == 4)
            #expect(numbers[1] > 0, "nothing planted for \(kind.rawValue)")
            #expect(numbers[2] > 0, "\(kind.rawValue) found none of its planted events: \(row)")
        }
        // Route takeovers show over days of history, not in a demo's hours: none is planted, so
        // none is reported missed.
        #expect(!lines.contains { $0.hasPrefix("Missed planted events:") && $0.contains("route-takeover") })
        #expect(lines.contains { $0.hasPrefix("Route patterns are an analyst's questions") })
        #expect(lines.contains { $0.contains("ringwatch triggers --db \(db)") }, "the demo did not suggest queries")
        #expect(FileManager.default.fileExists(atPath: directory.file("demo/ground-truth.jsonl")))
        // The database it leaves answers the suggested query.
        let triggers = try RingwatchProcess.run(["triggers", "--db", db, "--reason", "demo test", "--format", "jsonl",
                                                 "--from", "2000-01-01T00:00:00Z", "--authorization", "TEST"])
        #expect(triggers.status == 0, "\(triggers.stderr)")
        #expect(!triggers.stdout.isEmpty)
    }
}
