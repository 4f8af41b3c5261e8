// Appending reads to the history: a real SQLite file (WAL, synchronous=NORMAL) in a temporary
// directory, hour tables unindexed until sealed, as the engine's writer keeps them.
import Benchmark
import Logging
import RingwatchBenchmarkSupport
import RingwatchCore
import RingwatchStorage
import RingwatchTesting

/// A fresh history database and a day of reads to append, a batch at a time.
final class History {
    let directory = TemporaryDirectory(prefix: "ringwatch-microbench")
    let database: HistoryDatabase
    let reads: [PlateRead]
    var next = 0

    init() throws {
        database = try HistoryDatabase(path: directory.file("history.sqlite"))
        // Every contract field, characters' confidences included (stored as JSON text).
        reads = ReadTraffic.spreadReads(count: 1_000_000, fleet: 300_000, hours: 24)
    }

    /// The next `count` reads (the day again, a day later, when it runs out).
    func batch(_ count: Int) -> [PlateRead] {
        var batch: [PlateRead] = []
        batch.reserveCapacity(count)
        for _ in 0..<count {
            var read = reads[next % reads.count]
            let lap = Int64(next / reads.count)
            if lap > 0 { read.timestamp = read.timestamp.adding(seconds: lap * 86_400) }
            batch.append(read)
            next += 1
        }
        return batch
    }
}

let benchmarks: @Sendable () -> Void = {
    // One iteration is one commit of 1,000 reads; figures are per read.
    let perRead = Benchmark.Configuration.perOperation(seconds: 3, iterations: 500)

    Benchmark("database append: 1,000 reads per transaction", configuration: perRead) { (benchmark: Benchmark, history: History) in
        let batch = history.batch(benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        do {
            try history.database.connection.transaction { try history.database.insert(reads: batch, receivedAt: .now) }
        } catch {
            benchmark.error("append failed: \(error)")
        }
        benchmark.stopMeasurement()
    } setup: {
        try History()
    }

    Benchmark("history writer: submit a 1,000-read batch, wait for its commit", configuration: perRead) {
        (benchmark: Benchmark, state: (History, HistoryWriter)) in
        let (history, writer) = state
        var batch = WriteBatch()
        batch.reads = history.batch(benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        writer.submit(batch)
        if let failure = writer.flush() { benchmark.error("commit failed: \(failure)") }
        benchmark.stopMeasurement()
    } setup: {
        let history = try History()
        var logger = Logger(label: "microbench")
        logger.logLevel = .warning
        let writer = try HistoryWriter(database: history.database, logger: logger)
        writer.start()
        // The writer thread runs until the process ends (as in the engine, it seals finished
        // hours between commits: that cost shows in the upper percentiles).
        return (history, writer)
    }
}
