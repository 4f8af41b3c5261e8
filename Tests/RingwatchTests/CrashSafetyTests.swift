import Foundation
import RingwatchCore
import RingwatchStorage
import RingwatchTesting
import SQLite
import Testing
import ZeroMQ

extension EndToEndTests {
    /// `kill -9` under load, three times: every read the engine reported as stored is in the
    /// file, the file is consistent, `seq` never goes back, and the window is rebuilt.
    @Test func killNineUnderLoadLosesNothingAcknowledgedAndNeverReusesASequence() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Reported stolen,\n")
        defer { daemon.stop() }
        var sent = 0
        var highestSequence: Int64 = 0
        for round in 0..<3 {
            try daemon.waitUntilReady()
            if round > 0 {
                let status = try daemon.status()
                #expect(status["window_reads"] as? Int ?? 0 > 0, "round \(round): the window was not rebuilt")
            }
            let context = try Context()
            let publisher = try connectedPublisher(context, to: daemon)
            // Publish until the engine has stored a good share, with a hotlisted read every 50.
            var acknowledged = 0
            var lastSequence: Int64 = 0
            for batch in 0..<40 {
                for index in 0..<500 {
                    let n = sent + index
                    let plate = n % 50 == 0 ? "1ABC123" : "1KN\(String(format: "%c", 65 + n % 26))\(String(format: "%03d", n % 1000))"
                    try publisher.send(["read.R3.R3-0\(1 + n % 9)",
                                        ReadMessages.body(camera: "R3-0\(1 + n % 9)", ts: base.adding(seconds: Int64(n)), plate: plate, id: "crash-\(n)")])
                }
                sent += 500
                if batch % 10 == 9 {
                    let status = try daemon.status()
                    acknowledged = status["reads_stored"] as? Int ?? acknowledged
                    lastSequence = Int64(status["last_trigger_seq"] as? Int ?? 0)
                }
            }
            let status = try daemon.status()
            acknowledged = status["reads_stored"] as? Int ?? acknowledged
            lastSequence = Int64(status["last_trigger_seq"] as? Int ?? Int(lastSequence))
            daemon.process.signal(SIGKILL)
            _ = daemon.process.wait(timeout: 10)

            let database = try RingwatchStorageAccess.open(daemon.db)
            #expect(try database.connection.rows("PRAGMA integrity_check").first?.first?.string == "ok")
            let stored = try database.readCount()
            // Counted across rounds: a restart re-counts reads_stored from zero.
            #expect(stored >= Int64(acknowledged), "round \(round): \(stored) reads in the file, \(acknowledged) acknowledged in this run")
            let sequences = try database.connection.rows("SELECT seq FROM triggers ORDER BY seq").compactMap { $0.first?.int64 }
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
            #expect(sequences.first.map { $0 > 0 } ?? true)
            #expect(lastSequence >= highestSequence, "round \(round): seq went back")
            highestSequence = max(highestSequence, sequences.last ?? 0, lastSequence)
            try daemon.restart()
        }
        try daemon.waitUntilReady()
        // After three crashes new triggers still number above everything ever published.
        let context = try Context()
        let publisher = try connectedPublisher(context, to: daemon)
        try publisher.send(["read.R1.R1-01", ReadMessages.body(camera: "R1-01", ts: base.adding(seconds: Int64(sent + 1)), plate: "1ABC123", id: "after-crashes")])
        var next: Int64 = 0
        for _ in 0..<200 {
            next = Int64(try daemon.status()["last_trigger_seq"] as? Int ?? 0)
            if next > highestSequence { break }
            usleep(25_000)
        }
        #expect(next > highestSequence)
    }
}
