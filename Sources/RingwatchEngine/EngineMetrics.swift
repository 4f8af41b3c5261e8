import CoreMetrics
import Foundation
import Prometheus
import RingwatchCore
import Synchronization

/// The engine's Prometheus metrics (`--metrics`): swift-metrics timers backed by a
/// swift-prometheus registry of the engine's own (not the process-wide bootstrap, so several
/// engines in one process — tests, benchmarks — each keep their figures).
///
/// Hot-path counters stay lock-free atomics in `EngineCounters` (the `status` op reads them
/// too); `collect()` mirrors them into Prometheus counters when `/metrics` is scraped.
/// Latencies are swift-metrics `Timer`s recorded as Prometheus histograms: every database
/// commit, and one read in `detectorSampling` per detector (timing each detector on every read
/// would cost more than some detectors do).
public final class EngineMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Detector latency is timed on one read in this many.
    public static let detectorSampling = 8

    private let detectorTimers: Mutex<[String: CoreMetrics.Timer]> = Mutex([:])
    let databaseCommit: CoreMetrics.Timer
    /// Read received → trigger published (`ringwatch_trigger_latency_seconds`).
    let triggerLatencyTimer: CoreMetrics.Timer
    /// The same latencies with fine buckets, for percentiles (`Engine.triggerLatency`).
    public let triggerLatency = SharedLatencyHistogram()
    private let triggers: Mutex<[String: Prometheus.Counter]> = Mutex([:])
    private let mirror = Mutex(Mirror())

    /// Prometheus counters fed from the engine's atomics, with what they had at the last scrape.
    private struct Mirror {
        var counters: [String: (counter: Prometheus.Counter, last: Int)] = [:]
        var lastScrape: (uptimeNanoseconds: UInt64, received: Int)?
    }

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Per-read work is micro- to milliseconds; a commit is milli- to seconds.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(20), .microseconds(50),
            .microseconds(100), .microseconds(200), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.factory = factory
        databaseCommit = CoreMetrics.Timer(label: "ringwatch_database_commit_seconds", factory: factory)
        triggerLatencyTimer = CoreMetrics.Timer(label: "ringwatch_trigger_latency_seconds", factory: factory)
    }

    /// The latency timer of one detector, labelled with its trigger kind.
    func detectorTimer(_ kind: TriggerKind) -> CoreMetrics.Timer {
        detectorTimers.withLock { timers in
            if let timer = timers[kind.rawValue] { return timer }
            let timer = CoreMetrics.Timer(label: "ringwatch_detector_seconds", dimensions: [("detector", kind.rawValue)], factory: factory)
            timers[kind.rawValue] = timer
            return timer
        }
    }

    /// Counts one emitted trigger by kind and severity.
    func countTrigger(kind: TriggerKind, severity: String) {
        let key = kind.rawValue + "." + severity
        let counter = triggers.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "ringwatch_triggers", unitName: "total", helpText: "Triggers published, by kind and severity."),
                labels: [("kind", kind.rawValue), ("severity", severity)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Brings the mirrored counters and the gauges up to date, then renders the text format.
    func render(_ engine: EngineHandles, health: EngineHealth) -> [UInt8] {
        collect(engine, health: health)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }

    private func collect(_ engine: EngineHandles, health: EngineHealth) {
        let c = engine.counters
        let received = c.received.load(ordering: .relaxed)
        mirror.withLock { mirror in
            func counter(_ name: String, _ help: String, _ value: Int, labels: [(String, String)] = []) {
                let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
                if mirror.counters[key] == nil {
                    let made = registry.makeCounter(
                        descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help), labels: labels)
                    mirror.counters[key] = (made, 0)
                }
                let (made, last) = mirror.counters[key]!
                if value > last { made.increment(by: Int64(value - last)) }
                mirror.counters[key] = (made, max(value, last))
            }
            counter("ringwatch_reads_received", "Messages taken off the ingest sockets.", received)
            counter("ringwatch_reads_accepted", "Reads accepted.", c.accepted.load(ordering: .relaxed))
            counter("ringwatch_reads_duplicate", "Reads ignored as duplicates.", c.duplicate.load(ordering: .relaxed))
            counter("ringwatch_reads_unknown_camera", "Accepted reads from cameras missing from the registry.", c.unknownCamera.load(ordering: .relaxed))
            counter("ringwatch_reads_late", "Reads later than the lateness allowance (accepted).", c.late.load(ordering: .relaxed))
            counter("ringwatch_reads_stored", "Reads committed to SQLite.", engine.writer.storedReads.load(ordering: .relaxed))
            for (reason, count) in c.rejections {
                counter("ringwatch_reads_rejected", "Messages quarantined, by reason.", count, labels: [("reason", reason)])
            }
            counter("ringwatch_ingest_gaps", "Reads lost between cameras and the engine, from seq gaps.", c.ingestGaps.load(ordering: .relaxed))
            for (camera, count) in c.gapsPerCamera {
                counter("ringwatch_ingest_gaps_by_camera", "Reads lost per camera, from seq gaps.", Int(count), labels: [("camera", camera)])
            }
            counter("ringwatch_triggers_emitted", "Triggers published, all kinds.", c.triggersEmitted.load(ordering: .relaxed))
            counter("ringwatch_triggers_stored", "Triggers committed to SQLite.", engine.writer.storedTriggers.load(ordering: .relaxed))
            counter("ringwatch_writer_backpressure_waits", "Times ingest waited for the disk.", engine.writer.backpressureWaits.load(ordering: .relaxed))
            counter("ringwatch_partitions_purged", "Hour tables dropped by purges.", engine.writer.purgedPartitions.load(ordering: .relaxed))

            let now = DispatchTime.now().uptimeNanoseconds
            if let last = mirror.lastScrape, now > last.uptimeNanoseconds {
                gauge("ringwatch_ingest_reads_per_second", "Messages received per second since the previous scrape.",
                      Double(received - last.received) / (Double(now - last.uptimeNanoseconds) / 1e9))
            }
            mirror.lastScrape = (now, received)
        }
        gauge("ringwatch_window_reads", "Reads held in the in-memory window.", Double(c.windowReads.load(ordering: .relaxed)))
        gauge("ringwatch_window_bytes", "Memory held by the in-memory window (estimated from its arrays).", Double(c.windowBytes.load(ordering: .relaxed)))
        gauge("ringwatch_writer_queue_items", "Items waiting for the history writer.", Double(engine.writer.queueDepth))
        gauge("ringwatch_writer_lag_seconds", "How long queued items have waited for a commit (0 when the queue is empty).", health.writerLagSeconds)
        gauge("ringwatch_seconds_since_last_read", "Seconds since a message last arrived on an ingest socket (-1 before the first).",
              health.secondsSinceLastRead ?? -1)
        gauge("ringwatch_last_trigger_seq", "Highest trigger seq issued.", Double(c.lastTriggerSequence.load(ordering: .relaxed)))
        gauge("ringwatch_resident_memory_bytes", "Resident memory of the engine process.", Double(EngineMetrics.residentBytes() ?? 0))
        gauge("ringwatch_healthy", "1 when /health answers 200, 0 when it answers 503.", health.problems.isEmpty ? 1 : 0)
    }

    private func gauge(_ name: String, _ help: String, _ value: Double) {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help)).set(value)
    }

    /// Resident set size from /proc/self/statm (Linux), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
