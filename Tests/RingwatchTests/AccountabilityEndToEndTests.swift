import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing
import ZeroMQ

/// Decisions, purge, audit and access periods through the real binary.
extension EndToEndTests {
    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func operatorsDecideOnHitsPurgesRunThroughTheEngineAndTheAuditLogRecordsAllOfIt() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        try daemon.waitUntilReady()
        let context = try Context()
        let subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe("trigger.")
        try subscriber.connect(daemon.triggers)
        let publisher = try connectedPublisher(context, to: daemon)
        try publisher.send(["read.R1.R1-03", ReadMessages.body(camera: "R1-03", ts: base, plate: "1-ABC-123", id: "acc-1")])
        #expect(try subscriber.waitForInput(milliseconds: 10_000))
        let frames = try #require(try subscriber.receiveStrings())
        let published = try #require(try JSONSerialization.jsonObject(with: Data(frames[1].utf8)) as? [String: Any])
        let triggerID = try #require(published["trigger_id"] as? String)

        let accepted = try RingwatchProcess.run(["ack", "--trigger", triggerID, "--decision", "accept", "--reason", "vehicle stopped, driver arrested",
                                                 "--user", "dispatcher-7", "--control", daemon.control])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let unknown = try RingwatchProcess.run(["ack", "--trigger", "feedface", "--decision", "reject", "--reason", "x", "--control", daemon.control])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no trigger with id"))
        let badDecision = try RingwatchProcess.run(["ack", "--trigger", triggerID, "--decision", "maybe", "--reason", "x"])
        #expect(badDecision.status == 2)

        // Purge everything before the read's hour ends, through the running engine.
        let purge = try RingwatchProcess.run(["purge", "--db", daemon.db, "--control", daemon.control, "--before", "2026-11-22T09:00:00Z",
                                              "--reason", "court order 42", "--user", "dpo"])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("1 triggers"), "\(purge.stdout)")
        let status = try daemon.status()
        #expect(status["ok"] as? Bool == true, "ingest still answers after the purge")

        #expect(daemon.stop().status == 0)

        let audit = try RingwatchProcess.run(["audit", "--db", daemon.db, "--format", "jsonl", "--reason", "dpo review"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let rows = jsonLines(audit.stdout)
        let commands = rows.map { $0["command"] as? String ?? "" }
        #expect(commands.contains("ack"))
        #expect(commands.contains("purge"))
        #expect(rows.first { $0["command"] as? String == "ack" }?["user"] as? String == "dispatcher-7")
        #expect(rows.first { $0["command"] as? String == "purge" }?["reason"] as? String == "court order 42")
        let verify = try RingwatchProcess.run(["audit", "--db", daemon.db, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("intact"))

        // Someone edits a row behind the tools' back.
        let database = try RingwatchStorageAccess.open(daemon.db)
        try database.connection.execute("UPDATE audit SET reason = 'routine' WHERE command = 'purge'")
        let broken = try RingwatchProcess.run(["audit", "--db", daemon.db, "--verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("changed"))
    }

    @Test func decisionsShowWithTriggersAndCountTowardsPrecision() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let database = try RingwatchStorageAccess.open(path)
        let now = Timestamp.now
        try database.insert(triggers: ["t1", "t2"].enumerated().map { index, id in
            StoredTrigger(sequence: Int64(index + 1), triggerID: id, kind: "hotlist", severity: "high", timestamp: now.adding(seconds: -60),
                          plate: "1ABC123", camera: "R1-01", ring: "R1", emittedAt: now,
                          body: "{\"trigger_id\":\"\(id)\",\"listed_plate\":\"1ABC123\",\"category\":\"stolen\",\"match\":\"exact\"}")
        })
        let offline = try RingwatchProcess.run(["ack", "--db", path, "--trigger", "t2", "--decision", "reject", "--reason", "other vehicle"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let listed = jsonLines(try RingwatchProcess.run(["triggers", "--db", path, "--reason", "review", "--format", "jsonl"]).stdout)
        #expect(listed.count == 2)
        #expect((listed.last?["decision"] as? [String: Any])?["decision"] as? String == "reject")
        #expect(listed.first?["decision"] == nil)
        let stats = jsonLines(try RingwatchProcess.run(["triggers", "--db", path, "--reason", "review", "--stats", "--format", "jsonl"]).stdout)
        let hotlist = try #require(stats.first { $0["scope"] as? String == "hotlist" })
        #expect(hotlist["rejected"] as? Int == 1)
        #expect(hotlist["undecided"] as? Int == 1)
        #expect(hotlist["precision"] as? Double == 0)
    }

    @Test func readsPastTheOpenAccessPeriodNeedAnAuthorisationWhichIsAudited() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("h.sqlite")
        let database = try RingwatchStorageAccess.open(path)
        let old = Timestamp.now.adding(seconds: -40 * 86_400)
        try database.insert(reads: [PlateRead(sourceID: "old", camera: "R1-01", timestamp: old, plate: Plate(normalising: "1ABC123")!)],
                            receivedAt: old)
        let period = ["--from", old.adding(seconds: -60).rfc3339, "--to", old.adding(seconds: 60).rfc3339]
        let refused = try RingwatchProcess.run(["reads", "--db", path, "--plate", "1ABC123", "--reason", "case 9"] + period)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--authorization"))
        let allowed = try RingwatchProcess.run(["reads", "--db", path, "--plate", "1ABC123", "--reason", "case 9", "--format", "jsonl",
                                                "--authorization", "OM-2026-117"] + period)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(jsonLines(allowed.stdout).count == 1)
        let audit = jsonLines(try RingwatchProcess.run(["audit", "--db", path, "--format", "jsonl"]).stdout)
        let row = try #require(audit.first { $0["command"] as? String == "reads" && $0["outcome"] as? String == "allowed" })
        #expect(row["authorization"] as? String == "OM-2026-117")
        #expect(row["reason"] as? String == "case 9")
        // The refused query did not run, but the attempt is in the log, before the allowed one.
        #expect(audit.filter { $0["command"] as? String == "reads" }.map { $0["outcome"] as? String } == ["refused", "allowed"])

        // Catching up by sequence does not reach past the open-access period without authorisation.
        let recent = Timestamp.now.adding(seconds: -3_600)
        try database.insert(triggers: [old, recent].enumerated().map { index, time in
            StoredTrigger(sequence: Int64(index + 1), triggerID: "t\(index + 1)", kind: "hotlist", severity: "high", timestamp: time,
                          plate: "1ABC123", camera: "R1-01", ring: "R1", emittedAt: time, body: "{\"seq\":\(index + 1)}")
        })
        let caughtUp = try RingwatchProcess.run(["triggers", "--db", path, "--since-seq", "0", "--reason", "case 9", "--format", "jsonl"])
        #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
        #expect(jsonLines(caughtUp.stdout).map { $0["seq"] as? Int } == [2])
        let authorised = try RingwatchProcess.run(["triggers", "--db", path, "--since-seq", "0", "--reason", "case 9", "--format", "jsonl",
                                                   "--authorization", "OM-2026-117"])
        #expect(jsonLines(authorised.stdout).map { $0["seq"] as? Int } == [1, 2])

        // A purge with no engine running works on the file directly.
        let purge = try RingwatchProcess.run(["purge", "--db", path, "--retention-days", "30", "--reason", "retention"])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("1 reads"), "\(purge.stdout)")
    }
}

extension EndToEndTests {
    @Test func theFollowerFillsGapsFromReplayAndResumesWhereItStoppedAfterARestart() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let context = try Context()
        let publisher = try connectedPublisher(context, to: daemon)
        let state = daemon.directory.file("follower.seq")
        func hit(_ index: Int) throws {
            try publisher.send(["read.R1.R1-0\(1 + index % 9)",
                                ReadMessages.body(camera: "R1-0\(1 + index % 9)", ts: base.adding(seconds: Int64(index)), plate: "1ABC123", id: "follow-\(index)")])
        }
        func waitForTriggers(_ count: Int) throws {
            for _ in 0..<200 {
                if (try daemon.status()["triggers_emitted"] as? Int ?? 0) >= count { return }
                usleep(25_000)
            }
        }
        // Two triggers fire before any follower runs: it starts from seq 0 and replays them.
        try hit(0)
        try hit(1)
        try waitForTriggers(2)
        let first = try RingwatchProcess.run(["triggers", "--follow", "--reason", "dispatch", "--since-seq", "0", "--count", "2", "--state", state,
                                              "--triggers", daemon.triggers, "--control", daemon.control, "--format", "jsonl",
                                              "--db", daemon.directory.file("none.sqlite")], timeout: 30)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(jsonLines(first.stdout).map { $0["seq"] as? Int } == [1, 2])
        #expect((try? String(contentsOfFile: state, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "2")

        // While the follower is down, three more fire; after its restart it gets exactly those.
        try hit(2)
        try hit(3)
        try hit(4)
        try waitForTriggers(5)
        let second = try RingwatchProcess.run(["triggers", "--follow", "--reason", "dispatch", "--count", "3", "--state", state,
                                               "--triggers", daemon.triggers, "--control", daemon.control, "--format", "jsonl",
                                               "--db", daemon.directory.file("none.sqlite")], timeout: 30)
        #expect(second.status == 0, "\(second.stderr)")
        let rows = jsonLines(second.stdout)
        #expect(rows.map { $0["seq"] as? Int } == [3, 4, 5])
        #expect(Set(rows.compactMap { $0["trigger_id"] as? String }).count == 3)

        // CSV has the header and the columns of `triggers` without --follow.
        let csv = try RingwatchProcess.run(["triggers", "--follow", "--reason", "dispatch csv", "--since-seq", "4", "--count", "1",
                                            "--triggers", daemon.triggers, "--control", daemon.control, "--format", "csv",
                                            "--user", "console-3", "--db", daemon.directory.file("none.sqlite")], timeout: 30)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "seq,ts,kind,severity,plate,camera,ring,trigger_id,decision,explanation,emitted_at,read_ids")
        #expect(lines.count == 2)
        let fields = lines.last.map { $0.split(separator: ",", maxSplits: 9, omittingEmptySubsequences: false).map(String.init) } ?? []
        #expect(fields.count == 10, "\(lines)")
        #expect(fields.first == "5" && fields.dropFirst(4).first == "1ABC123" && fields.dropFirst(6).first == "R1")
        #expect(fields.dropFirst(7).first?.count == 32, "the trigger_id column")

        // Without the database file on this machine, the engine recorded each follower's audit row.
        let audit = jsonLines(try RingwatchProcess.run(["audit", "--db", daemon.db, "--format", "jsonl", "--reason", "dpo review"]).stdout)
        let follows = audit.filter { $0["command"] as? String == "triggers --follow" }
        #expect(follows.count == 3)
        #expect(follows.last?["user"] as? String == "console-3")
        #expect(follows.last?["reason"] as? String == "dispatch csv")
        #expect(follows.allSatisfy { ($0["user"] as? String).map { !$0.isEmpty && $0 != "unknown" } ?? false })

        // With neither a database nor an engine to record the row, the follower does not start.
        daemon.stop()
        let refused = try RingwatchProcess.run(["triggers", "--follow", "--reason", "dispatch", "--count", "1",
                                                "--triggers", daemon.triggers, "--control", daemon.control,
                                                "--db", daemon.directory.file("none.sqlite")], timeout: 30)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot record the audit row"))
        #expect(refused.stdout.isEmpty)
    }
}
