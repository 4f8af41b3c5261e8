import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchStorage
import RingwatchTesting
import Synchronization
import Synchronization
import ZeroMQ

/// Purging the oldest day out of a year of hour tables while the engine ingests.
///
/// The history holds 8,760 hour tables: the oldest day full (`readsPerDay` reads, sealed and
/// indexed like any past day) and a token read in every later hour, so the catalogue is a
/// year's. (A full year at 5 million reads a day would need ~270 GB of disk.) The engine runs on
/// it with paced ingest; the purge goes through the control socket like `ringwatch purge`.
func purgeBenchmark(runs: Int, readsPerDay: Int, ingestRate: Int) throws {
    var purgeTimes: [Double] = [], ratesBefore: [Double] = [], ratesDuring: [Double] = [], losses: [Int] = []
    var receivedDuring: [Double] = [], backlogs: [Double] = []
    for run in 0..<runs {
        let directory = TemporaryDirectory(prefix: "ringwatch-bench-purge")
        let path = directory.file("year.sqlite")
        let now = Timestamp.now
        let oldestDay = Timestamp(milliseconds: (now.dayNumber - 366) * 86_400_000)
        let buildTime = try seconds { try buildYear(path: path, oldestDay: oldestDay, readsPerDay: readsPerDay, until: now) }

        var configuration = EngineConfiguration.loopback(
            databasePath: path, camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv")
        configuration.retentionDays = 3650  // the purge under test is the one asked for, not the automatic one
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let engine = try Engine(configuration: configuration, logger: logger)
        engine.start()
        let context = try Context()
        let feeder = PacedPublisher(context: context, endpoint: engine.ingestEndpoint, rate: ingestRate, start: now)
        while engine.counters.received.load(ordering: .relaxed) == 0 { usleep(1000) }

        // Ingest alone for 3 s, then the purge, then ingest until everything sent is stored.
        let before0 = engine.storedReads
        Thread.sleep(forTimeInterval: 3)
        let before = Double(engine.storedReads - before0) / 3
        let client = try Socket(context, .request)
        try client.setReceiveTimeout(milliseconds: 600_000)
        try client.connect(engine.controlEndpoint)
        let during0 = engine.storedReads
        let received0 = engine.counters.received.load(ordering: .relaxed)
        // The pipeline keeps taking reads while the writer drops tables; the backlog between
        // received and stored is what the writer's queue absorbs.
        let sampling = Atomic<Bool>(true)
        let peak = Atomic<Int>(0)
        let sampler = Thread {
            while sampling.load(ordering: .relaxed) {
                let backlog = engine.counters.received.load(ordering: .relaxed) - engine.storedReads
                if backlog > peak.load(ordering: .relaxed) { peak.store(backlog, ordering: .relaxed) }
                usleep(5000)
            }
        }
        sampler.start()
        var reply = ""
        let purgeTime = try seconds {
            let cutoff = oldestDay.adding(seconds: 86_400).rfc3339
            try client.send(["{\"op\":\"purge\",\"before\":\"\(cutoff)\",\"user\":\"bench\",\"reason\":\"benchmark\"}"])
            reply = try client.receiveStrings()?.last ?? ""
        }
        let during = Double(engine.storedReads - during0) / purgeTime
        receivedDuring.append(Double(engine.counters.received.load(ordering: .relaxed) - received0) / purgeTime)
        sampling.store(false, ordering: .relaxed)
        backlogs.append(Double(peak.load(ordering: .relaxed)))
        let sent = feeder.stop()
        let deadline = Date().addingTimeInterval(30)
        while engine.counters.received.load(ordering: .relaxed) < sent && Date() < deadline { usleep(1000) }
        engine.stop()
        losses.append(sent - engine.storedReads)
        precondition(reply.contains("\"tables_dropped\":24"), "purge did not drop the day: \(reply)")
        purgeTimes.append(purgeTime * 1000)
        ratesBefore.append(before)
        ratesDuring.append(during)
        if run == 0 {
            print("purge: 1 day of \(readsPerDay) reads out of 8,760 hour tables (history built in \(String(format: "%.0f", buildTime)) s), "
                + "ingest paced at \(ingestRate) reads/s over loopback")
        }
    }
    report("purge one day (24 tables)", purgeTimes, unit: "ms")
    report("ingest stored before the purge", ratesBefore, unit: "reads/s")
    report("ingest received during the purge", receivedDuring, unit: "reads/s")
    report("ingest stored during the purge", ratesDuring, unit: "reads/s")
    report("peak backlog received - stored", backlogs, unit: "reads")
    print("reads lost per run (sent - stored): \(losses.map(String.init).joined(separator: ", "))")
}

/// Writes the year of history straight through `HistoryDatabase`, as the writer would.
private func buildYear(path: String, oldestDay: Timestamp, readsPerDay: Int, until now: Timestamp) throws {
    let database = try HistoryDatabase(path: path)
    let cameras = cameraIDs
    let batch = 50_000
    var written = 0
    while written < readsPerDay {
        let count = min(batch, readsPerDay - written)
        let reads = (written..<(written + count)).map { index in
            PlateRead(sourceID: "d\(index)", camera: cameras[index % cameras.count],
                      timestamp: oldestDay.adding(milliseconds: Int64(index) * 86_400_000 / Int64(readsPerDay)),
                      plate: Plate(normalised: plateText(index % 400_000)), confidence: 0.9, make: "Skoda", model: "Octavia", color: "grey")
        }
        try database.connection.transaction { try database.insert(reads: reads, receivedAt: oldestDay) }
        written += count
    }
    try database.connection.transaction {
        var hour = oldestDay.hourNumber + 24
        while hour < now.hourNumber - 1 {
            let time = Timestamp(milliseconds: hour * 3_600_000)
            try database.insert(reads: [PlateRead(sourceID: "t\(hour)", camera: "R1-01", timestamp: time, plate: Plate(normalised: "1TOK000"))],
                                receivedAt: time)
            hour += 1
        }
    }
    try database.sealHours(before: now.adding(seconds: -7200))
}

private func plateText(_ number: Int) -> String {
    plate(number).filter { $0 != "-" }
}

/// Publishes generated reads at a steady rate on its own thread until stopped.
final class PacedPublisher: @unchecked Sendable {
    // @unchecked: `sent` is read only after `stop()` has joined the thread.
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var sent = 0

    init(context: Context, endpoint: String, rate: Int, start: Timestamp) {
        let messages = makeBodies(count: 200_000, fleet: 100_000, start: start, seed: 11)
        let thread = Thread { [self] in
            defer { finished.signal() }
            guard let socket = try? Socket(context, .publisher) else { return }
            try? socket.setSendHighWaterMark(0)
            try? socket.connect(endpoint)
            Thread.sleep(forTimeInterval: 0.3)
            let began = DispatchTime.now().uptimeNanoseconds
            var index = 0
            while !stopRequested.load(ordering: .relaxed) {
                let due = Int(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 * Double(rate))
                while index < due {
                    // Fresh ids and times per lap, so no read is a duplicate of an earlier one.
                    let lap = index / messages.count
                    let message = messages[index % messages.count]
                    let body = lap == 0 ? message.body : Array(String(decoding: message.body, as: UTF8.self)
                        .replacingOccurrences(of: "\"id\":\"", with: "\"id\":\"\(lap)-").utf8)
                    try? socket.send([message.topic, body])
                    index += 1
                }
                usleep(1000)
            }
            sent = index
            withExtendedLifetime(socket) {}
        }
        thread.start()
    }

    /// Stops publishing; returns how many reads were sent.
    func stop() -> Int {
        stopRequested.store(true, ordering: .relaxed)
        finished.wait()
        return sent
    }
}
