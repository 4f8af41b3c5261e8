// `ringwatch-bench history-writer`: CPU per read of the history writer thread as the engine runs
// it, on the national day's reads.
//
//   ringwatch-bench history-writer [--dir DIR] [--reads N] [--runs N]
//
// Decodes the first N reads of the simulated day (default 1,500,000: the whole of its first
// busy hour, 06:00, and half of the next), adds a trigger for 1.8 % of them (the share that fires
// at national scale, bodies of the published size, random ids as the SHA-256 ids are), then
// hands them to a real `HistoryWriter` on a fresh SQLite file in batches of 13,000 reads (what
// one commit holds when the engine runs at full speed), waiting for each to commit. The writer
// seals 06:00 (indexes, plate summary, camera minute counts) on its own when event time passes
// 07:05, as in the engine. Reported from the writer thread's own CPU time (user and system, from
// /proc), so other processes on the machine count for little; then the same work again on this
// thread without the writer, split into appending and sealing. Medians of `--runs`.
// `RINGWATCH_BENCH_COMMIT_READS=200` makes the commits as small as at 50,000 reads/s.
import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
import RingwatchTesting

struct HistoryWriterBenchmark {
    let directory: String
    let reads: Int
    let runs: Int
    /// Reads per commit: what the writer takes in one go at full speed on the national day
    /// (`RINGWATCH_BENCH_COMMIT_READS` sets another: about 200 at 50,000 reads/s).
    let commitSize = ProcessInfo.processInfo.environment["RINGWATCH_BENCH_COMMIT_READS"].flatMap(Int.init) ?? 13_000

    func run() throws {
        let national = NationalBenchmark(directory: directory, reads: reads, latencyRate: 0, runs: 1)
        let decoded = try national.loadReads()
        let batches = Self.batches(of: decoded, size: commitSize)
        let triggerCount = batches.reduce(0) { $0 + $1.triggers.count }
        print("history-writer: \(decoded.count) reads of \(national.dayPath) and \(triggerCount) triggers, "
            + "commits of \(commitSize) reads; median of \(runs) runs, thread CPU time")
        var writerTotal: [Double] = [], writerSystem: [Double] = [], appends: [Double] = [], triggers: [Double] = [], seals: [Double] = []
        var sealedReads = 0
        for _ in 0..<runs {
            let (total, system) = try writerRun(batches, reads: decoded.count)
            writerTotal.append(total)
            writerSystem.append(system)
            let split = try inThreadRun(batches, reads: decoded.count)
            appends.append(split.append)
            triggers.append(split.triggers)
            seals.append(split.seal)
            sealedReads = split.sealedReads
        }
        func line(_ name: String, _ values: [Double]) {
            print(String(format: "  %@ %7.3f µs per read (runs: %@)", name.padding(toLength: 24, withPad: " ", startingAt: 0) as NSString,
                         median(values), values.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        }
        line("writer thread", writerTotal)
        line("  of which system", writerSystem)
        line("in-thread append", appends)
        line("  of which triggers", triggers)
        line("in-thread seal", seals)
        print("  (seal: \(sealedReads) reads sealed, its cost spread over all \(decoded.count) reads)")
    }

    /// The reads cut into write batches, each with the triggers of its reads.
    static func batches(of reads: [PlateRead], size: Int) -> [WriteBatch] {
        var random = SeededGenerator(state: 10)
        var sequence: Int64 = 0
        var out: [WriteBatch] = []
        var start = 0
        while start < reads.count {
            var batch = WriteBatch()
            batch.reads = Array(reads[start..<min(start + size, reads.count)])
            for read in batch.reads where random.next() % 1000 < 18 {
                sequence += 1
                batch.triggers.append(trigger(for: read, sequence: sequence, random: &random))
            }
            out.append(batch)
            start += size
        }
        return out
    }

    /// A hotlist trigger for `read` shaped like the engine's: a 64-hex id and a body of about
    /// 700 bytes of JSON.
    static func trigger(for read: PlateRead, sequence: Int64, random: inout SeededGenerator) -> StoredTrigger {
        let id = (0..<4).map { _ in String(random.next(), radix: 16).leftPadded(to: 16) }.joined()
        let body = #"{"trigger_id":"\#(id)","seq":\#(sequence),"kind":"hotlist","severity":"low","ts":"\#(read.timestamp.rfc3339)","#
            + #""plate":"\#(read.plate.text)","camera":"\#(read.camera)","ring":"R1","read_id":"\#(read.id.storageValue)","#
            + #""explanation":"the plate read is one OCR substitution away from a hotlist entry (category stolen, added by bench); "#
            + #"a registered vehicle of that plate exists, which lowers the severity","#
            + #""hotlist":{"plate":"\#(read.plate.text)","category":"stolen","severity":"high","reason":"bench entry","match":"ocr_variant"},"#
            + #""vehicle":{"make":"\#(read.make ?? "")","model":"\#(read.model ?? "")","color":"\#(read.color ?? "")"},"#
            + #""confidence":\#(read.confidence ?? 0),"emitted_at":"\#(read.timestamp.rfc3339)","engine":"ringwatch-bench"}"#
        return StoredTrigger(sequence: sequence, triggerID: id, kind: "hotlist", severity: "low", timestamp: read.timestamp,
                             plate: read.plate.text, camera: read.camera, ring: "R1", emittedAt: read.timestamp, body: body)
    }

    /// One run through a real writer: its thread's CPU per read (total, system).
    func writerRun(_ batches: [WriteBatch], reads: Int) throws -> (Double, Double) {
        let temporary = TemporaryDirectory(prefix: "ringwatch-writer")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let database = try HistoryDatabase(path: temporary.file("history.sqlite"))
        let writer = try HistoryWriter(database: database, logger: logger)
        writer.start()
        // The thread names itself on start; wait for it to appear.
        var before = writerCPU()
        while before == nil {
            usleep(1_000)
            before = writerCPU()
        }
        for batch in batches {
            writer.submit(batch)
            if let error = writer.flush() { throw error }
        }
        let after = writerCPU()!
        writer.stop()
        if writer.sealedPartitions.load(ordering: .relaxed) == 0 { print("  (the writer sealed no hour: give more --reads to include sealing)") }
        let perRead = 1e6 / Double(reads)
        return ((after.user + after.system - before!.user - before!.system) * perRead, (after.system - before!.system) * perRead)
    }

    /// The writer thread's CPU seconds (user, system), once it has named itself.
    func writerCPU() -> (user: Double, system: Double)? {
        let national = NationalBenchmark(directory: directory, reads: 0, latencyRate: 0, runs: 1)
        return national.threadCPUSeconds().first { $0.key.name == "rw-writer" }?.value
    }

    /// The writer's work on this thread: appending in the same transactions (with the triggers),
    /// then sealing every hour that event time left behind. CPU per read of each (and of the
    /// triggers' part of appending; commits count with the reads).
    func inThreadRun(_ batches: [WriteBatch], reads: Int) throws -> (append: Double, triggers: Double, seal: Double, sealedReads: Int) {
        let temporary = TemporaryDirectory(prefix: "ringwatch-writer")
        let database = try HistoryDatabase(path: temporary.file("history.sqlite"))
        var latest = Int64.min
        var triggerTime: UInt64 = 0
        let began = threadCPUNanoseconds()
        for batch in batches {
            try database.connection.transaction {
                try database.insert(reads: batch.reads, receivedAt: .now)
                let triggersFrom = threadCPUNanoseconds()
                try database.insert(triggers: batch.triggers)
                triggerTime += threadCPUNanoseconds() - triggersFrom
            }
            for read in batch.reads { latest = max(latest, read.timestamp.milliseconds) }
        }
        let appended = threadCPUNanoseconds()
        let sealed = try database.sealHours(before: Timestamp(milliseconds: latest - 5 * 60_000))
        let done = threadCPUNanoseconds()
        var sealedReads = 0
        for table in sealed { sealedReads += Int(try database.connection.scalarInt("SELECT COUNT(*) FROM \(table)") ?? 0) }
        return (Double(appended - began) / Double(reads) / 1000, Double(triggerTime) / Double(reads) / 1000,
                Double(done - appended) / Double(reads) / 1000, sealedReads)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
