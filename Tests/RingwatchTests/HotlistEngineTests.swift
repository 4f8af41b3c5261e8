import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchStorage
import RingwatchTesting
import Testing

/// The OCR-tolerant hotlist in the running engine: real sockets, real SQLite.
@Suite("Hotlist in the engine", .serialized)
struct HotlistEngineTests {
    let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    @Test func anOCRVariantFiresOnThePubSocketWithEveryHotlistField() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R2-04", ts: base, plate: "1-A8C-123", id: "v-1",
                                       extra: [("char_confidence", "[0.97,0.97,0.41,0.97,0.97,0.97,0.97]")]),
                     topic: "read.R2.R2-04")
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.topic == "trigger.hotlist.critical")
        let body = trigger.body
        #expect(body["plate"] as? String == "1A8C123")
        #expect(body["listed_plate"] as? String == "1ABC123")
        #expect(body["match"] as? String == "ocr_variant")
        let substitutions = try #require(body["substitutions"] as? [[String: Any]])
        #expect(substitutions.count == 1)
        #expect(substitutions.first?["pos"] as? Int == 3)
        #expect(substitutions.first?["read"] as? String == "8")
        #expect(substitutions.first?["listed"] as? String == "B")
        let score = try #require(body["score"] as? Double)
        #expect(score > 0.5 && score < 1)
        #expect(body["category"] as? String == "stolen_vehicle")
        #expect(body["reason"] as? String == "Stolen in Deurne")
        #expect(body["historical"] as? Bool == false)
        let explanation = try #require(body["explanation"] as? String)
        #expect(explanation.contains("OCR variant of hotlisted 1ABC123"))
        #expect(explanation.contains("8 at position 3 read where the list has B"))
    }

    @Test func exactOnlyMatchingIgnoresVariants() throws {
        let rig = try LoopbackEngine { $0.hotlistMatching = .exactOnly }
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "1A8C123"))
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 1), plate: "1ABC123"))
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.body["plate"] as? String == "1ABC123")
        #expect(trigger.body["match"] as? String == "exact")
        #expect(rig.engine.counters.triggersEmitted.load(ordering: .relaxed) == 1)
    }

    @Test func importReportsBadLinesByNumberAppliesLiveAndRecordsWho() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let csv = """
            plate,category,severity,reason,expires
            2KLM456,wanted_person,high,Warrant AW-1,
            2KLM457,wanted_person,urgent,Bad severity,
            3-XYZ-789,stolen_plate,medium,Plates taken,2030-01-01T00:00:00Z
            not a plate!,x,low,y,
            """
        let request = try JSONSerialization.data(withJSONObject: ["op": "hotlist.import", "csv": csv, "file": "wanted.csv", "user": "alice"])
        let reply = try rig.control(String(decoding: request, as: UTF8.self))
        #expect(reply["ok"] as? Bool == true)
        #expect(reply["loaded"] as? Int == 2)
        #expect(reply["skipped"] as? Int == 2)
        let problems = try #require(reply["problems"] as? [[String: Any]])
        #expect(problems.compactMap { $0["line"] as? Int } == [3, 5])
        #expect(reply["entries"] as? Int == 3)  // the rig's 1ABC123 and the two imported

        try rig.send(ReadMessages.body(camera: "R3-04", ts: base, plate: "3XYZ789"))
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.topic == "trigger.hotlist.medium")
        #expect(trigger.body["category"] as? String == "stolen_plate")

        let database = try HistoryDatabase(path: rig.databasePath, readOnly: true)
        let change = try #require(try database.hotlistChanges().first)
        #expect(change.user == "alice")
        #expect(change.operation == "import")
        #expect(change.entries == 2)
        #expect(Set(try database.activeHotlistEntries().map(\.pattern)) == ["2KLM456", "3XYZ789"])
    }

    @Test func aReplacingImportSwapsTheWholeListAndSurvivesARestart() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ringwatch.sqlite")
        do {
            let rig = try LoopbackEngine { $0.databasePath = path; $0.hotlistPath = nil }
            _ = try rig.control("{\"op\":\"hotlist.add\",\"plate\":\"9OLD999\",\"severity\":\"low\",\"reason\":\"old\",\"user\":\"bob\"}")
            let csv = "plate,category,severity,reason,expires\n2KLM456,wanted_person,high,Warrant,\n"
            let request = try JSONSerialization.data(withJSONObject: ["op": "hotlist.import", "csv": csv, "replace": true, "user": "alice"])
            let reply = try rig.control(String(decoding: request, as: UTF8.self))
            #expect(reply["removed"] as? Int == 1)
            #expect(reply["entries"] as? Int == 1)
            // An empty file never empties the list.
            let empty = try JSONSerialization.data(withJSONObject: ["op": "hotlist.import", "csv": "plate,category,severity,reason,expires\n", "replace": true])
            #expect(try rig.control(String(decoding: empty, as: UTF8.self))["ok"] as? Bool == false)
            #expect(rig.engine.stop() == nil)
        }
        let rig = try LoopbackEngine { $0.databasePath = path; $0.hotlistPath = nil }
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base, plate: "9OLD999"))
        try rig.send(ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: 1), plate: "2KLM4S6"))  // S for 5
        let trigger = try #require(try rig.nextTrigger())
        #expect(trigger.body["listed_plate"] as? String == "2KLM456")
        #expect(trigger.body["match"] as? String == "ocr_variant")
        let list = try rig.control("{\"op\":\"hotlist.list\"}")
        #expect(list["count"] as? Int == 1)
    }

    @Test func addAndImportFireHistoricalVariantHitsForReadsInMemory() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        try rig.send(ReadMessages.body(camera: "R3-04", ts: base, plate: "2KLM4S6"))
        try rig.send(ReadMessages.body(camera: "R3-05", ts: base.adding(seconds: 5), plate: "7QRS111"))
        let probes = rig.probes
        #expect(rig.waitFor { rig.engine.counters.accepted.load(ordering: .relaxed) == probes + 2 })
        let added = try rig.control("{\"op\":\"hotlist.add\",\"plate\":\"2KLM456\",\"category\":\"wanted_person\",\"severity\":\"high\",\"reason\":\"warrant\"}")
        #expect(added["historical_triggers"] as? Int == 1)
        let first = try #require(try rig.nextTrigger())
        #expect(first.body["historical"] as? Bool == true)
        #expect(first.body["match"] as? String == "ocr_variant")
        #expect(first.body["camera"] as? String == "R3-04")

        let csv = "plate,category,severity,reason,expires\n7QR*,witness,medium,Partial plate,\n"
        let request = try JSONSerialization.data(withJSONObject: ["op": "hotlist.import", "csv": csv, "historical": true])
        let imported = try rig.control(String(decoding: request, as: UTF8.self))
        #expect(imported["historical_triggers"] as? Int == 1)
        let second = try #require(try rig.nextTrigger())
        #expect(second.body["match"] as? String == "wildcard")
        #expect(second.body["historical"] as? Bool == true)
    }

    @Test func removeRecordsWhoRemovedTheEntry() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        _ = try rig.control("{\"op\":\"hotlist.add\",\"plate\":\"2KLM456\",\"reason\":\"r\",\"user\":\"alice\"}")
        let removed = try rig.control("{\"op\":\"hotlist.remove\",\"plate\":\"2KLM456\",\"user\":\"carol\"}")
        #expect(removed["removed"] as? Int == 1)
        let database = try HistoryDatabase(path: rig.databasePath, readOnly: true)
        let changes = try database.hotlistChanges()
        #expect(changes.map(\.operation) == ["remove", "add"])
        #expect(changes.map(\.user) == ["carol", "alice"])
        let removedBy = try database.connection.rows("SELECT removed_by FROM hotlist WHERE plate = '2KLM456'").first?.first?.string
        #expect(removedBy == "carol")
    }
}

@Suite("Hotlist configuration")
struct HotlistConfigurationTests {
    @Test func theHotlistTableSetsFileClassesAndLimits() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("ringwatch.toml", """
            [hotlist]
            file = "lists/hot.csv"
            confusions = ["b8", "O0DQ", "UV"]
            max_substitutions = 1
            allow_drop_insert = false
            drop_insert_min_length = 6
            lower_severity_below = 0.4
            """)
        let configuration = try EngineConfiguration.load(tomlFile: path)
        #expect(configuration.hotlistPath == "lists/hot.csv")
        let tolerance = configuration.hotlistMatching.tolerance
        #expect(tolerance.confusions.classes == ["B8", "O0DQ", "UV"])
        #expect(tolerance.maximumSubstitutions == 1)
        #expect(!tolerance.allowsDropInsert)
        #expect(tolerance.dropInsertMinimumLength == 6)
        #expect(configuration.hotlistMatching.lowerSeverityBelowScore == 0.4)
    }

    @Test func aPlainHotlistPathStillWorks() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("ringwatch.toml", "hotlist = \"Fixtures/hotlist.csv\"\n")
        let configuration = try EngineConfiguration.load(tomlFile: path)
        #expect(configuration.hotlistPath == "Fixtures/hotlist.csv")
        #expect(configuration.hotlistMatching.tolerance == .standard)
    }

    @Test("bad [hotlist] settings name the key", arguments: [
        ("confusions = [\"B8\", \"8S\"]", "two confusion classes"),
        ("confusions = [\"B\"]", "at least two characters"),
        ("max_substitutions = 9", "max_substitutions"),
        ("allow_drop_insert = \"yes\"", "allow_drop_insert"),
        ("lower_severity_below = 2", "lower_severity_below"),
        ("fuzzy = true", "unknown key 'fuzzy'"),
    ])
    func badSettings(line: String, message: String) throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("ringwatch.toml", "[hotlist]\n\(line)\n")
        let error = #expect(throws: EngineConfiguration.Problem.self) { try EngineConfiguration.load(tomlFile: path) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}

@Suite("Shipped configuration")
struct ShippedConfigurationTests {
    @Test func theExampleConfigurationLoadsWithTheDefaultMatching() throws {
        let configuration = try EngineConfiguration.load(tomlFile: RingwatchProcess.packageRoot + "/deploy/ringwatch.toml")
        #expect(configuration.hotlistPath == "Fixtures/hotlist.csv")
        #expect(configuration.hotlistMatching == HotlistMatcher.Configuration())
    }
}

@Suite("Hotlist storage")
struct HotlistStorageTests {
    func entry(_ plate: String, _ category: String, _ reason: String) -> HotlistEntry {
        HotlistEntry(pattern: plate, category: category, severity: .high, reason: reason, expires: nil)
    }

    @Test func anImportWrittenInPlateOrderStillLetsTheLaterEntryWin() throws {
        let directory = TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.file("h.sqlite"))
        _ = try database.addHotlistEntry(entry("9ZZZ999", "uninsured", "before"), user: "bob")
        let superseded = try database.importHotlist([
            entry("5QRS111", "wanted_person", "first"), entry("1ABC123", "stolen_vehicle", "x"),
            entry("5QRS111", "wanted_person", "second"), entry("9ZZZ999", "uninsured", "after"),
            entry("5QRS111", "stolen_plate", "other category"),
        ], user: "alice", source: "import:t.csv", replace: false, chunk: 2)
        #expect(superseded == 2)  // 9ZZZ999 from before, and the first 5QRS111 wanted_person
        let active = try database.activeHotlistEntries()
        #expect(active.count == 4)
        // Loaded in entry_id order into a matcher, the later of two equal keys replaces the earlier.
        let matcher = HotlistMatcher(entries: active)
        #expect(matcher.count == 4)
        #expect(Set(active.map(\.reason)) == ["x", "second", "after", "other category"])
        let replaced = try database.importHotlist([entry("7NEW777", "witness", "only")], user: "carol", source: "import:u.csv", replace: true)
        #expect(replaced == 4)
        #expect(try database.activeHotlistEntries().map(\.pattern) == ["7NEW777"])
        #expect(try database.hotlistChanges().map(\.operation) == ["replace", "import", "add"])
    }
}
