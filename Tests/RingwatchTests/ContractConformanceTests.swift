import Foundation
import RingwatchCore
import RingwatchTesting
import Testing
import ZeroMQ

/// Findings of the conformance audit against CONTRACT.md, checked through the real binary: what
/// an integrator, analyst, dispatch room or data protection officer sees.
@Suite("Contract conformance end to end", .serialized)
struct ContractConformanceTests {
    /// `serve` with one configured input file replaced by `text`.
    static func serve(_ directory: TemporaryDirectory, flag: String, text: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let file = try directory.write("input.csv", text)
        return try RingwatchProcess.run([
            "serve", "--db", directory.file("ringwatch.sqlite"), "--cameras", "Fixtures/cameras.csv", flag, file,
            "--ingest", FreePort.endpoint(), "--triggers", FreePort.endpoint(), "--control", FreePort.endpoint(),
        ], timeout: 20)
    }

    @Test("serve refuses a configured CSV whose header makes the whole file unusable", arguments: [
        ("--hotlist", "plate,category,reason\n1ABC123,stolen_vehicle,Stolen\n", "header lacks column 'severity'"),
        ("--cameras", "id,ring,lat,lon\nR1-01,R1,51.2,4.4\n", "header lacks column 'camera'"),
        ("--registry", "plate,make\n1ABC123,BMW\n", "header lacks column 'model'"),
    ])
    func serveRefusesAnUnusableFile(flag: String, text: String, message: String) throws {
        let directory = TemporaryDirectory()
        let result = try Self.serve(directory, flag: flag, text: text)
        // Before the fix the engine logged a warning, loaded nothing and ran until killed.
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("input.csv line 1: \(message)"), "\(result.stderr)")
    }

    @Test func serveStillStartsOnAFileWithABadLineAndSaysWhichLine() throws {
        let directory = TemporaryDirectory()
        let file = try directory.write("hotlist.csv", "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,urgent,Stolen,\n")
        let process = RingwatchProcess([
            "serve", "--db", directory.file("ringwatch.sqlite"), "--cameras", "Fixtures/cameras.csv", "--hotlist", file,
            "--ingest", FreePort.endpoint(), "--triggers", FreePort.endpoint(), "--control", FreePort.endpoint(),
        ])
        try process.start()
        usleep(3_000_000)
        #expect(process.isRunning)
        process.signal(SIGTERM)
        let exit = process.wait(timeout: 30)
        #expect(exit.status == 0, "\(exit.stderr)")
        #expect(exit.stderr.contains("hotlist.csv: loaded 0 lines, skipped 1"), "\(exit.stderr)")
        #expect(exit.stderr.contains("hotlist.csv line 2: severity 'urgent'"), "\(exit.stderr)")
    }

    @Test func serveBindsEveryIngestEndpointGivenAndSaysSo() throws {
        let directory = TemporaryDirectory()
        let (first, second) = (FreePort.endpoint(), FreePort.endpoint())
        let process = RingwatchProcess([
            "serve", "--db", directory.file("ringwatch.sqlite"), "--cameras", "Fixtures/cameras.csv", "--ingest", first, "--ingest", second,
            "--triggers", FreePort.endpoint(), "--control", FreePort.endpoint(),
        ])
        try process.start()
        usleep(2_500_000)
        process.signal(SIGINT)
        let exit = process.wait(timeout: 30)
        #expect(exit.status == 0, "\(exit.stderr)")
        let ready = exit.stderr.split(separator: "\n").first { $0.contains("engine ready") }.map(String.init) ?? ""
        #expect(ready.contains("ingest=\"\(first) \(second)\"") || ready.contains("ingest=\(first) \(second)"), "\(ready)")
    }

    static let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
    static let period = ["--from", "2026-11-22T00:00:00Z", "--to", "2026-11-23T00:00:00Z", "--authorization", "TEST-AUTH-1"]

    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// An engine listing 1ABC123 that has fired one hotlist trigger on a read at R1-03.
    static func engineWithOneHit() throws -> EndToEndTests.Daemon {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        try daemon.waitUntilReady()
        let context = try Context()
        let publisher = try EndToEndTests().connectedPublisher(context, to: daemon)
        try publisher.send(["read.R1.R1-03", ReadMessages.body(camera: "R1-03", ts: base.adding(milliseconds: 1_234), plate: "1-ABC-123", id: "conf-1")])
        for _ in 0..<400 where (try daemon.status()["triggers_stored"] as? Int ?? 0) < 1 { usleep(25_000) }
        return daemon
    }

    @Test func triggersAsCSVCarryEveryCommonFieldOfTheTriggerAtFullPrecision() throws {
        let daemon = try Self.engineWithOneHit()
        defer { daemon.stop() }
        let query = ["triggers", "--db", daemon.db, "--reason", "conformance", "--kind", "hotlist"] + Self.period
        let published = try #require(jsonLines(try RingwatchProcess.run(query + ["--format", "jsonl"]).stdout).first)
        let csv = try RingwatchProcess.run(query + ["--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(csv.stdout)")
        let header = lines[0].split(separator: ",").map(String.init)
        // Section 3: trigger_id, seq, kind, severity, ts, emitted_at, plate, camera, ring, read_ids, explanation.
        for field in ["trigger_id", "seq", "kind", "severity", "ts", "emitted_at", "plate", "camera", "ring", "read_ids", "explanation"] {
            #expect(header.contains(field), "CSV lacks \(field): \(lines[0])")
        }
        // The first nine columns are as before; the explanation (quoted) sits before the additions.
        #expect(Array(header.prefix(10)) == ["seq", "ts", "kind", "severity", "plate", "camera", "ring", "trigger_id", "decision", "explanation"])
        let row = lines[1]
        #expect(row.hasPrefix("1,2026-11-22T08:00:01.234Z,hotlist,critical,1ABC123,R1-03,R1,\(published["trigger_id"] as? String ?? "?"),,"), "\(row)")
        let readIDs = try #require(published["read_ids"] as? [String])
        #expect(row.hasSuffix(",\(published["emitted_at"] as? String ?? "?"),\(readIDs.joined(separator: " "))"), "\(row)")
    }

    @Test func hotlistRemovalsAndImportsRecordWhyInTheAuditLog() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let removed = try RingwatchProcess.run(["hotlist", "remove", "--plate", "1ABC123", "--reason", "vehicle recovered, PV AN.12.L3.000001/26",
                                                "--user", "alice", "--control", daemon.control])
        #expect(removed.status == 0, "\(removed.stderr)")
        let csv = try daemon.directory.write("daily.csv", "plate,category,severity,reason,expires\n2KLM456,wanted_person,high,Warrant AW-1,\n")
        let imported = try RingwatchProcess.run(["hotlist", "import", "--file", csv, "--reason", "daily national list",
                                                 "--user", "bob", "--control", daemon.control], timeout: 60)
        #expect(imported.status == 0, "\(imported.stderr)")
        let audit = jsonLines(try RingwatchProcess.run(["audit", "--db", daemon.db, "--format", "jsonl", "--reason", "dpo review"]).stdout)
        let removal = audit.first { $0["command"] as? String == "hotlist.remove" }
        #expect(removal?["reason"] as? String == "vehicle recovered, PV AN.12.L3.000001/26", "\(audit)")
        #expect(removal?["user"] as? String == "alice")
        let import_ = audit.first { $0["command"] as? String == "hotlist.import" }
        #expect(import_?["reason"] as? String == "daily national list", "\(audit)")
        #expect(import_?["user"] as? String == "bob")
    }

    @Test func controlListingsTakeTheFormatsOfTheQueryCommandsAndAHotlistListingImportsAsItIs() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: """
            plate,category,severity,reason,expires
            1ABC123,stolen_vehicle,critical,"Reported stolen, PV 1",2027-05-10T00:00:00Z
            1AB?12*,wanted_person,medium,Partial plate,
            """)
        try daemon.waitUntilReady()
        defer { daemon.stop() }
        let control = ["--control", daemon.control]
        let listed = try RingwatchProcess.run(["hotlist", "list", "--format", "csv"] + control)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout == """
            plate,category,severity,reason,expires,expired
            1AB?12*,wanted_person,medium,Partial plate,,false
            1ABC123,stolen_vehicle,critical,"Reported stolen, PV 1",2027-05-10T00:00:00.000Z,false

            """, "\(listed.stdout)")
        // The listing is a hotlist file (`expired` is an extra column an import ignores):
        // importing it as the whole list changes nothing.
        let file = try daemon.directory.write("listed.csv", listed.stdout)
        let imported = try RingwatchProcess.run(["hotlist", "import", "--file", file, "--replace", "--reason", "round trip"] + control, timeout: 60)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("loaded 2 lines, skipped 0"), "\(imported.stdout)")
        #expect(try RingwatchProcess.run(["hotlist", "list", "--format", "csv"] + control).stdout == listed.stdout)
        let jsonl = jsonLines(try RingwatchProcess.run(["hotlist", "list", "--format", "jsonl"] + control).stdout)
        #expect(jsonl.map { $0["plate"] as? String } == ["1AB?12*", "1ABC123"])

        let status = try RingwatchProcess.run(["status", "--format", "csv"] + control)
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let header = lines.first?.split(separator: ",").map(String.init) ?? []
        for counter in ["reads_received", "reads_accepted", "reads_rejected", "reads_duplicate", "reads_unknown_camera", "reads_stored",
                        "ingest_gaps", "triggers_emitted", "last_trigger_seq", "uptime_s"] {
            #expect(header.contains(counter), "status CSV lacks \(counter)")
        }

        #expect(try RingwatchProcess.run(["watch", "add", "--name", "ring-run", "--cameras", "R3-06,R2-06,R1-07"] + control).status == 0)
        let watches = try RingwatchProcess.run(["watch", "list", "--format", "csv"] + control)
        #expect(watches.stdout.hasPrefix("name,cameras,max_gap_s,min_match,cameras_needed,severity,repeat_days,origin,added_at,added_by\nring-run,R3-06 R2-06 R1-07,900,0.8,3,high,,cameras,"),
                "\(watches.stdout)")
        #expect(jsonLines(try RingwatchProcess.run(["watch", "list", "--format", "jsonl"] + control).stdout).first?["name"] as? String == "ring-run")
        let geojson = try RingwatchProcess.run(["hotlist", "list", "--format", "geojson"] + control)
        #expect(geojson.status == 2 && geojson.stderr.split(separator: "\n").count == 1)
    }
}

/// Control requests whose fields have the wrong JSON type, on a loopback engine's real REP socket.
@Suite("Control socket field types")
struct ControlFieldTypeTests {
    @Test("a field of the wrong type is refused with a sentence naming it", arguments: [
        (#"{"op":"replay","since_seq":"2"}"#, #"replay: "since_seq" must be an integer"#),
        (#"{"op":"replay","since_seq":0,"limit":"10"}"#, #"replay: "limit" must be an integer"#),
        (#"{"op":"hotlist.add","plate":"9ZZZ999","reason":"r","expires":1767225600}"#, #"hotlist.add: "expires" must be a string"#),
        (#"{"op":"hotlist.add","plate":"9ZZZ999","reason":"r","severity":1}"#, #"hotlist.add: "severity" must be a string"#),
        (#"{"op":"watch.add","name":"w","cameras":["R1-01","R1-02"],"max_gap_s":"600"}"#, #"watch.add: "max_gap_s" must be a number"#),
        (#"{"op":"hotlist.import","csv":"plate,category,severity,reason,expires\n","replace":"yes"}"#, #"hotlist.import: "replace" must be true or false"#),
    ])
    func mistypedFieldsAreRefused(request: String, error: String) throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let reply = try rig.control(request)
        #expect(reply["ok"] as? Bool == false, "\(reply)")
        #expect(reply["error"] as? String == error)
    }

    @Test func replayFromAGivenSeqStillWorksAndNullCountsAsAbsent() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
        for index in 0..<3 {
            try rig.send(ReadMessages.body(camera: "R1-02", ts: base.adding(seconds: Int64(index)), plate: "1ABC123"))
        }
        #expect(rig.waitFor { rig.engine.counters.triggersEmitted.load(ordering: .relaxed) == 3 })
        let reply = try rig.control(#"{"op":"replay","since_seq":1,"limit":null}"#)
        #expect((reply["triggers"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [2, 3])
        let unknown = try rig.control(#"{"op":"launch"}"#)
        #expect((unknown["error"] as? String)?.hasSuffix("ack, purge, audit") == true)
    }
}
