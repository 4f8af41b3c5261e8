import Foundation
import RingwatchCore
import RingwatchTesting
import Testing
import ZeroMQ

/// Expired hotlist entries through the real binary: listed as expired, and not addable.
@Suite("Hotlist expiry end to end", .serialized)
struct HotlistExpiryTests {
    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// One request on the engine's control socket (a real REQ socket).
    func control(_ endpoint: String, _ request: String) throws -> [String: Any] {
        let context = try Context()
        let client = try Socket(context, .request)
        try client.setReceiveTimeout(milliseconds: 10_000)
        try client.setLinger(milliseconds: 0)
        try client.connect(endpoint)
        try client.send([request])
        let reply = try #require(try client.receiveFrames()?.last)
        return try #require(try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any])
    }

    @Test func expiredEntriesAreMarkedInEveryFormatAndTheirExpiryKeepsItsMilliseconds() throws {
        // A list file keeps its expired lines (it is loaded as it is); the listing says which.
        let daemon = try EndToEndTests.Daemon(hotlist: """
            plate,category,severity,reason,expires
            1ABC123,stolen_vehicle,critical,Reported stolen,2027-05-10T00:00:00.250Z
            2OLD222,stolen_vehicle,high,Recovered since,2026-01-01T12:00:00Z
            3NOX333,wanted_person,medium,No expiry,
            """)
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let endpoint = ["--control", daemon.control]

        let table = try RingwatchProcess.run(["hotlist", "list"] + endpoint)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "1ABC123  stolen_vehicle  critical  2027-05-10T00:00:00Z  live  Reported stolen",
            "2OLD222  stolen_vehicle  high  2026-01-01T12:00:00Z  expired  Recovered since",
            "3NOX333  wanted_person  medium  -  live  No expiry",
        ], "\(table.stdout)")

        let csv = try RingwatchProcess.run(["hotlist", "list", "--format", "csv"] + endpoint)
        #expect(csv.stdout == """
            plate,category,severity,reason,expires,expired
            1ABC123,stolen_vehicle,critical,Reported stolen,2027-05-10T00:00:00.250Z,false
            2OLD222,stolen_vehicle,high,Recovered since,2026-01-01T12:00:00.000Z,true
            3NOX333,wanted_person,medium,No expiry,,false

            """, "\(csv.stdout)")

        let jsonl = jsonLines(try RingwatchProcess.run(["hotlist", "list", "--format", "jsonl"] + endpoint).stdout)
        #expect(jsonl.map { $0["plate"] as? String } == ["1ABC123", "2OLD222", "3NOX333"])
        #expect(jsonl.map { $0["expired"] as? Bool } == [false, true, false])
        #expect(jsonl.map { $0["expires"] as? String } == ["2027-05-10T00:00:00.250Z", "2026-01-01T12:00:00.000Z", nil])

        // The reply of the control operation carries the flag too.
        let listed = try control(daemon.control, #"{"op":"hotlist.list"}"#)
        let entries = try #require(listed["entries"] as? [[String: Any]])
        #expect(entries.map { $0["expired"] as? Bool } == [false, true, false])
    }

    @Test func addingAnEntryWhoseExpiryHasPassedIsRefusedOnTheCommandLineAndTheControlSocket() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n")
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let past = Timestamp.now.adding(seconds: -3_600).rfc3339
        let add = ["hotlist", "add", "--plate", "4PST444", "--category", "stolen_vehicle", "--reason", "PV 1", "--control", daemon.control]
        let refused = try RingwatchProcess.run(add + ["--expires", past])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("--expires") && refused.stderr.contains("already past"), "\(refused.stderr)")

        let reply = try control(daemon.control, """
            {"op":"hotlist.add","plate":"4PST444","reason":"PV 1","expires":"\(past)"}
            """)
        #expect(reply["ok"] as? Bool == false, "\(reply)")
        #expect((reply["error"] as? String)?.contains("already past") == true, "\(reply)")
        #expect(try RingwatchProcess.run(["hotlist", "list", "--format", "jsonl", "--control", daemon.control]).stdout.isEmpty,
                "nothing was added")

        // A future expiry, and none, are taken as before.
        let future = Timestamp.now.adding(seconds: 86_400).rfc3339
        let accepted = try RingwatchProcess.run(add + ["--expires", future])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let open = try control(daemon.control, #"{"op":"hotlist.add","plate":"5NEW555","reason":"PV 2"}"#)
        #expect(open["ok"] as? Bool == true, "\(open)")
        let listed = jsonLines(try RingwatchProcess.run(["hotlist", "list", "--format", "jsonl", "--control", daemon.control]).stdout)
        #expect(listed.map { $0["plate"] as? String } == ["4PST444", "5NEW555"])
        #expect(listed.map { $0["expired"] as? Bool } == [false, false])
    }

    /// A list file's expired lines are loaded (they still fire on reads from before their
    /// expiry) but never silently: each is named by line number, at import and at start.
    @Test func expiredLinesOfAListFileAreLoadedAndReportedByNumber() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: """
            plate,category,severity,reason,expires
            2OLD222,stolen_vehicle,high,Recovered since,2026-01-01T12:00:00Z
            """)
        try daemon.waitUntilReady()
        let future = Timestamp.now.adding(seconds: 86_400).rfc3339
        let csv = try daemon.directory.write("import.csv", """
            plate,category,severity,reason,expires
            6NEW666,stolen_vehicle,high,PV 6,\(future)
            7OLD777,stolen_vehicle,high,PV 7,2026-02-01T00:00:00Z
            8BAD888,stolen_vehicle,urgent,PV 8,
            """)
        let imported = try RingwatchProcess.run(["hotlist", "import", "--file", csv, "--control", daemon.control, "--reason", "daily list"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("import.csv line 3: warning: expires 2026-02-01T00:00:00Z has passed"), "\(imported.stderr)")
        #expect(imported.stderr.contains("import.csv line 4: severity 'urgent'"), "\(imported.stderr)")
        #expect(imported.stdout.contains("loaded 2 lines, skipped 1; 1 of them already expired;"), "\(imported.stdout)")

        let reply = try control(daemon.control, """
            {"op":"hotlist.import","csv":"plate,category,severity,reason,expires\\n7OLD777,stolen_vehicle,high,PV 7,2026-02-01T00:00:00Z\\n","reason":"r"}
            """)
        #expect(reply["ok"] as? Bool == true, "\(reply)")
        #expect(reply["expired"] as? Int == 1)
        #expect((reply["warnings"] as? [[String: Any]])?.first?["line"] as? Int == 2)

        let listed = jsonLines(try RingwatchProcess.run(["hotlist", "list", "--format", "jsonl", "--control", daemon.control]).stdout)
        #expect(Set(listed.compactMap { $0["plate"] as? String }) == ["2OLD222", "6NEW666", "7OLD777"])
        let exit = daemon.stop()
        // The file given at start: its expired line is named in the log, by number.
        #expect(exit.stderr.contains("line 2: expires 2026-01-01T12:00:00Z has passed"), "\(exit.stderr)")
    }
}
