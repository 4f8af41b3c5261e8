import Foundation
import RingwatchCore

/// When `/health` turns unhealthy (`[health]` in the configuration).
struct HealthPolicy: Sendable {
    /// No message on an ingest socket for this long (from start before the first); 0: no check.
    var ingestStallSeconds: Double
    /// Queued reads waiting this long for a commit.
    var writerLagSeconds: Double
    /// The pipeline thread not going round its loop for this long (it does every 50 ms).
    var pipelineStallSeconds: Double = 10

    init(_ configuration: EngineConfiguration) {
        ingestStallSeconds = Double(configuration.healthIngestStallSeconds)
        writerLagSeconds = Double(configuration.healthWriterLagSeconds)
    }
}

/// The engine's health as `/health` reports it: figures, and the problems that make it answer
/// 503 (an empty list answers 200).
struct EngineHealth: Sendable {
    var secondsSinceLastRead: Double?
    var secondsSinceStart: Double
    var writerLagSeconds: Double
    var writerQueue: Int
    var pipelineSilentSeconds: Double?
    var problems: [String] = []

    init(_ engine: EngineHandles, policy: HealthPolicy, startedAt: UInt64, now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        func seconds(since time: UInt64) -> Double? { time == 0 ? nil : Double(now > time ? now - time : 0) / 1e9 }
        let c = engine.counters
        secondsSinceLastRead = seconds(since: c.lastReceivedAt.load(ordering: .relaxed))
        secondsSinceStart = seconds(since: startedAt) ?? 0
        writerLagSeconds = engine.writer.lagSeconds
        writerQueue = engine.writer.queueDepth
        pipelineSilentSeconds = seconds(since: c.pipelineHeartbeat.load(ordering: .relaxed))

        let quiet = secondsSinceLastRead ?? secondsSinceStart
        if policy.ingestStallSeconds > 0, quiet >= policy.ingestStallSeconds {
            problems.append(secondsSinceLastRead == nil
                ? "no read received since the engine started \(Int(quiet)) s ago: check the cameras' connections to the ingest socket"
                : "ingest stalled: no read received for \(Int(quiet)) s")
        }
        if writerLagSeconds >= policy.writerLagSeconds {
            problems.append("history writer behind: reads have waited \(Int(writerLagSeconds)) s for SQLite (\(writerQueue) items queued)")
        }
        if let silent = pipelineSilentSeconds, silent >= policy.pipelineStallSeconds {
            problems.append("pipeline thread stuck for \(Int(silent)) s")
        }
        if engine.writer.hasFailed {
            problems.append("history writes failed: see the log; reads are not being stored")
        }
    }

    var isHealthy: Bool { problems.isEmpty }

    var json: JSONValue {
        .object([
            ("status", .string(isHealthy ? "ok" : "unhealthy")),
            ("problems", .array(problems.map { .string($0) })),
            ("seconds_since_last_read", secondsSinceLastRead.map { .double(($0 * 10).rounded() / 10) } ?? .null),
            ("writer_lag_s", .double((writerLagSeconds * 10).rounded() / 10)),
            ("writer_queue", .int(Int64(writerQueue))),
        ])
    }
}
