import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing

/// Queries refused after their reason was given (a period past the open-access period without an
/// authorisation, or with a blank one) leave an audit row saying they were refused and why:
/// the data protection officer sees attempts, not only what ran.
@Suite("Refused attempts are audited", .serialized)
struct RefusedAttemptAuditTests {
    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A history with one read 40 days old (past the default 30-day open-access period).
    static func oldHistory(_ directory: TemporaryDirectory) throws -> (path: String, old: Timestamp) {
        let path = directory.file("h.sqlite")
        let database = try RingwatchStorageAccess.open(path)
        let old = Timestamp.now.adding(seconds: -40 * 86_400)
        try database.insert(reads: [PlateRead(sourceID: "old", camera: "R1-01", timestamp: old, plate: Plate(normalising: "1ABC123")!)],
                            receivedAt: old)
        return (path, old)
    }

    /// Every query command that needs --reason.
    static let commands = ["reads", "convoys", "routes", "predict", "common", "report", "triggers"]

    /// `command`'s arguments asking about a period around `old`.
    static func arguments(_ command: String, old: Timestamp, directory: String) -> [String] {
        switch command {
        case "reads", "convoys", "predict": [command, "--plate", "1ABC123"] + period(old)
        case "routes": ["routes", "--like", "1ABC123"] + period(old)
        case "common":
            ["common", "--at", "R1-01@\(old.adding(seconds: -60).rfc3339)..\(old.adding(seconds: 60).rfc3339)",
             "--at", "R1-02@\(old.rfc3339)..\(old.adding(seconds: 600).rfc3339)"]
        case "report": ["report", "--plate", "1ABC123", "--out", directory + "/r.html"] + period(old)
        default: [command] + period(old)
        }
    }

    static func period(_ old: Timestamp) -> [String] {
        ["--from", old.adding(seconds: -60).rfc3339, "--to", old.adding(seconds: 60).rfc3339]
    }

    @Test("a query refused for reaching past the open-access period is audited as refused", arguments: commands)
    func refusedQueryIsAudited(command: String) throws {
        let directory = TemporaryDirectory()
        let (path, old) = try Self.oldHistory(directory)
        let arguments = Self.arguments(command, old: old, directory: directory.path)
        let refused = try RingwatchProcess.run(arguments + ["--db", path, "--reason", "case 12", "--user", "analyst-4"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("open-access period"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/r.html"), "nothing was written")

        let audit = jsonLines(try RingwatchProcess.run(["audit", "--db", path, "--format", "jsonl", "--reason", "dpo review"]).stdout)
        let rows = audit.filter { ($0["command"] as? String)?.hasPrefix(command) == true }
        #expect(rows.count == 1, "\(audit)")
        let row = try #require(rows.first)
        #expect(row["outcome"] as? String == "refused", "\(row)")
        #expect((row["refusal"] as? String)?.contains("open-access period") == true, "\(row)")
        #expect(row["reason"] as? String == "case 12")
        #expect(row["user"] as? String == "analyst-4")
        #expect(row["authorization"] is NSNull)
        #expect(row["parameters"] is [String: Any])
        let verify = try RingwatchProcess.run(["audit", "--db", path, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func refusedAttemptsShowInEveryFormatAndABlankAuthorisationIsRefusedToo() throws {
        let directory = TemporaryDirectory()
        let (path, old) = try Self.oldHistory(directory)
        let query = ["reads", "--db", path, "--plate", "1ABC123", "--reason", "case 12"] + Self.period(old)
        let blank = try RingwatchProcess.run(query + ["--authorization", "  "])
        #expect(blank.status == 2)
        #expect(blank.stderr.contains("blank"), "\(blank.stderr)")
        let missing = try RingwatchProcess.run(query)
        #expect(missing.status == 2)
        let allowed = try RingwatchProcess.run(query + ["--authorization", "OM-2026-117", "--format", "jsonl"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(jsonLines(allowed.stdout).count == 1)
        // Without a reason it is a usage error before anything is looked at: not audited.
        let unexplained = try RingwatchProcess.run(["reads", "--db", path, "--plate", "1ABC123"] + Self.period(old))
        #expect(unexplained.status == 2)

        let audit = ["audit", "--db", path, "--reason", "dpo review"]
        let rows = jsonLines(try RingwatchProcess.run(audit + ["--format", "jsonl"]).stdout).filter { $0["command"] as? String == "reads" }
        #expect(rows.map { $0["outcome"] as? String } == ["refused", "refused", "allowed"])
        #expect((rows[0]["refusal"] as? String)?.contains("blank") == true)
        #expect(rows[0]["authorization"] is NSNull, "a blank authorisation is none")
        #expect(rows[2]["refusal"] is NSNull)
        #expect(rows[2]["authorization"] as? String == "OM-2026-117")

        let csv = try RingwatchProcess.run(audit + ["--format", "csv"]).stdout.split(separator: "\n").map(String.init)
        #expect(csv.first == "ts,user,command,reason,authorization,parameters,outcome,refusal")
        let readsLines = csv.filter { $0.contains(",reads,") }
        #expect(readsLines.count == 3)
        #expect(readsLines[1].contains(",refused,\"reads before ") || readsLines[1].contains(",refused,reads before "), "\(readsLines[1])")
        #expect(readsLines[2].hasSuffix(",allowed,"), "\(readsLines[2])")

        let table = try RingwatchProcess.run(audit + ["--format", "table"]).stdout.split(separator: "\n").map(String.init)
        #expect(table.first?.hasSuffix("OUTCOME") == true, "\(table.first ?? "")")
        let tableReads = table.filter { $0.contains(" reads ") }
        #expect(tableReads.count == 3)
        #expect(tableReads[1].contains("refused: reads before "), "\(tableReads[1])")
        #expect(tableReads[2].hasSuffix("allowed"), "\(tableReads[2])")

        #expect(try RingwatchProcess.run(["audit", "--db", path, "--verify"]).status == 0)
        // Turning a refused attempt into an allowed-looking row breaks the chain.
        let database = try RingwatchStorageAccess.open(path)
        try database.connection.execute("UPDATE audit SET refusal = NULL WHERE refusal IS NOT NULL")
        let broken = try RingwatchProcess.run(["audit", "--db", path, "--verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("changed"), "\(broken.stderr)")
    }

    @Test func anAuditLogWrittenBeforeRefusalsWereRecordedIsUpgradedAndStaysIntact() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        // The database as schema version 9 left it, with rows hashed as that version hashed them.
        do {
            _ = try HistoryDatabase(path: path)
            let connection = try Connection(path: path)
            try connection.execute("ALTER TABLE audit DROP COLUMN refusal; DELETE FROM schema_migrations WHERE version >= 10")
            var previous = ""
            for (index, command) in ["reads", "convoys"].enumerated() {
                let fields = [previous, String(1_795_000_000_000 + Int64(index)), "alice", command, "case 7", "", "{\"plate\":\"1ABC123\"}"]
                let hash = SHA256.hex(fields.map { "\($0.utf8.count):\($0)" }.joined())
                try connection.execute("""
                    INSERT INTO audit (ts, user, command, reason, authorization, parameters, previous_hash, hash)
                    VALUES (\(fields[1]), 'alice', '\(command)', 'case 7', NULL, '{"plate":"1ABC123"}', '\(previous)', '\(hash)');
                    INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', '\(index + 1):\(hash)')
                    """)
                previous = hash
            }
        }
        let upgraded = try HistoryDatabase(path: path)
        #expect(try upgraded.connection.scalarInt("SELECT MAX(version) FROM schema_migrations") == Int64(Schema.currentVersion))
        let log = AuditLog(connection: upgraded.connection)
        let before = try log.verify()
        #expect(before.isIntact, "\(before.problems)")
        try log.append(AuditRecord(timestamp: .now, user: "bob", command: "reads", reason: "case 8", authorization: nil,
                                   parameters: .object([]), refusal: "reads before ... are past the 30-day open-access period"))
        let verification = try log.verify()
        #expect(verification.isIntact, "\(verification.problems)")
        #expect(verification.rows == 3)
        let rows = try log.records(from: Timestamp(milliseconds: 0), to: Timestamp.now.adding(seconds: 60))
        #expect(rows.map { $0["outcome"]?.stringValue } == ["allowed", "allowed", "refused"])
    }

    @Test func learningARouteFromHistoryPastTheOpenAccessPeriodIsRefusedAndAudited() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let old = Timestamp.now.adding(seconds: -40 * 86_400)
        let reply = try rig.control("""
            {"op":"watch.add","name":"w","plate":"1ABC123","from":"\(old.rfc3339)","to":"\(old.adding(seconds: 3600).rfc3339)",\
            "reason":"case 12","user":"analyst-4"}
            """)
        #expect(reply["ok"] as? Bool == false)
        #expect((reply["error"] as? String)?.contains("open-access period") == true, "\(reply)")
        let log = AuditLog(connection: try HistoryDatabase(path: rig.databasePath).connection)
        let rows = try log.records(from: Timestamp(milliseconds: 0), to: Timestamp.now.adding(seconds: 60))
        let row = try #require(rows.first { $0["command"]?.stringValue == "watch.add --plate" })
        #expect(row["outcome"]?.stringValue == "refused")
        #expect(row["refusal"]?.stringValue?.contains("open-access period") == true)
        #expect(row["user"]?.stringValue == "analyst-4")
        #expect(try log.verify().isIntact)
    }
}
