import Foundation
import RingwatchCore
import RingwatchTesting
import Testing
import ZeroMQ

extension EndToEndTests {
    /// The pair log as deployed: `ringwatch serve` sees a convoy live and logs the pair, and
    /// after it stopped, `ringwatch convoys --search-path log` lists the same convoy from the log
    /// that `--search-path reads` finds by streaming the stored reads.
    @Test func theServedEnginesPairLogAnswersThePeriodSearchLikeTheReads() throws {
        let daemon = try Daemon(hotlist: "plate,category,severity,reason,expires\n")
        let context = try Context()
        let publisher = try connectedPublisher(context, to: daemon)
        let route = ["R3-02", "R3-03", "R2-03", "R2-04", "R1-03"]
        let convoy = ["1LED001", "1LOD002", "1TAL003"]
        // Quiet background (one car a minute on the outer ring through the hour), the convoy, and
        // a read past the hour's end and the lateness, so the tracker settles 08:00-09:00; sent
        // in event-time order, as cameras do.
        var reads: [(plate: String, camera: String, time: Timestamp)] = (0..<60).map { minute in
            ("3BG\(minute)", ["R3-01", "R3-04", "R3-05"][minute % 3], base.adding(seconds: Int64(minute) * 60 + 7))
        }
        for (leg, camera) in route.enumerated() {
            for (position, plate) in convoy.enumerated() {
                reads.append((plate, camera, base.adding(seconds: 10 * 60 + Int64(leg) * 120 + Int64(position) * 9)))
            }
        }
        reads.append(("3BGEND", "R3-01", base.adding(seconds: 3600 + 120)))
        reads.sort { $0.time < $1.time }
        let before = try daemon.status()["reads_accepted"] as? Int ?? 0
        for (index, read) in reads.enumerated() {
            try publisher.send(["read.\(read.camera.prefix(2)).\(read.camera)",
                                ReadMessages.body(camera: read.camera, ts: read.time, plate: read.plate, id: "log-\(index)")])
        }
        for _ in 0..<200 where (try daemon.status()["reads_accepted"] as? Int ?? 0) < before + reads.count { usleep(25_000) }
        #expect(daemon.stop().status == 0)

        let period = ["--from", "2026-11-22T08:00:00Z", "--to", "2026-11-22T08:59:59Z", "--authorization", "TEST-AUTH-1"]
        func convoys(_ path: String) throws -> [[String]] {
            let result = try RingwatchProcess.run(["convoys", "--db", daemon.db, "--reason", "e2e", "--format", "jsonl", "--search-path", path] + period)
            #expect(result.status == 0, "\(path): \(result.stderr)")
            return result.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["plates"] as? [String]
            }
        }
        let fromLog = try convoys("log")
        #expect(fromLog == [convoy])
        #expect(try convoys("reads") == fromLog)

        // An hour the engine did not see whole (it stopped before its end) is not answered from the log.
        let uncovered = try RingwatchProcess.run(["convoys", "--db", daemon.db, "--reason", "e2e", "--search-path", "log",
                                                  "--from", "2026-11-22T09:00:00Z", "--to", "2026-11-22T09:59:59Z", "--authorization", "TEST-AUTH-1"])
        #expect(uncovered.status == 1)
        #expect(uncovered.stderr.split(separator: "\n").count == 1, "one line: \(uncovered.stderr)")
    }
}
