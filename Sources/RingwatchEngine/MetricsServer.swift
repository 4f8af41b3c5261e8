import Foundation
import Logging
import Synchronization

/// A minimal HTTP/1.1 endpoint: Prometheus text at `/metrics`, a JSON health line at `/health`.
///
/// Deliberately tiny (one thread, one request per connection): it serves a scraper every few
/// seconds, and a full HTTP stack would cost minutes of build time for nothing.
final class MetricsServer: @unchecked Sendable {
    // @unchecked: the listening descriptor is used only by the metrics thread after start().
    private let listener: Int32
    let port: UInt16
    private let engine: EngineHandles
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    init(host: String, port: UInt16, engine: EngineHandles, logger: Logger) throws {
        self.engine = engine
        self.logger = logger
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw EngineConfiguration.Problem("metrics: cannot create a socket") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(listener)
            throw EngineConfiguration.Problem("--metrics host '\(host)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw EngineConfiguration.Problem("--metrics \(host):\(port): cannot listen (\(reason)); choose a free port")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = listener
    }

    deinit { close(listener) }

    func start() {
        started = true
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .relaxed) {
                var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 200) > 0 else { continue }
                let client = accept(listener, nil, nil)
                guard client >= 0 else { continue }
                serve(client)
                close(client)
            }
            done.signal()
        }
        thread.name = "ringwatch-metrics"
        thread.start()
    }

    func stop() {
        guard started else { return }
        started = false
        stopRequested.store(true, ordering: .relaxed)
        done.wait()
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(client, &buffer, buffer.count)
        guard count > 0 else { return }
        let request = String(decoding: buffer[0..<count], as: UTF8.self)
        let path = request.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? "/"
        let (status, type, body): (String, String, String)
        switch path {
        case "/metrics": (status, type, body) = ("200 OK", "text/plain; version=0.0.4", prometheusText())
        case "/health": (status, type, body) = ("200 OK", "application/json", "{\"status\":\"ok\",\"uptime_s\":\(engine.uptimeSeconds)}\n")
        default: (status, type, body) = ("404 Not Found", "text/plain", "try /metrics or /health\n")
        }
        let response = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }

    func prometheusText() -> String {
        let c = engine.counters
        var lines: [String] = []
        func counter(_ name: String, _ help: String, _ value: Int) {
            lines.append("# HELP ringwatch_\(name) \(help)")
            lines.append("# TYPE ringwatch_\(name) counter")
            lines.append("ringwatch_\(name) \(value)")
        }
        func gauge(_ name: String, _ help: String, _ value: Int) {
            lines.append("# HELP ringwatch_\(name) \(help)")
            lines.append("# TYPE ringwatch_\(name) gauge")
            lines.append("ringwatch_\(name) \(value)")
        }
        counter("reads_received_total", "Messages taken off the ingest sockets.", c.received.load(ordering: .relaxed))
        counter("reads_accepted_total", "Reads accepted.", c.accepted.load(ordering: .relaxed))
        counter("reads_duplicate_total", "Reads ignored as duplicates.", c.duplicate.load(ordering: .relaxed))
        counter("reads_unknown_camera_total", "Accepted reads from cameras missing from the registry.", c.unknownCamera.load(ordering: .relaxed))
        counter("reads_late_total", "Reads later than the lateness allowance.", c.late.load(ordering: .relaxed))
        counter("reads_stored_total", "Reads committed to SQLite.", engine.writer.storedReads.load(ordering: .relaxed))
        counter("ingest_gaps_total", "Reads lost between cameras and the engine, from seq gaps.", c.ingestGaps.load(ordering: .relaxed))
        counter("triggers_emitted_total", "Triggers published.", c.triggersEmitted.load(ordering: .relaxed))
        counter("writer_backpressure_waits_total", "Times ingest waited for the disk.", engine.writer.backpressureWaits.load(ordering: .relaxed))
        lines.append("# HELP ringwatch_reads_rejected_total Messages quarantined, by reason.")
        lines.append("# TYPE ringwatch_reads_rejected_total counter")
        for (reason, count) in c.rejections { lines.append("ringwatch_reads_rejected_total{reason=\"\(reason)\"} \(count)") }
        lines.append("# HELP ringwatch_ingest_gaps_by_camera_total Reads lost per camera.")
        lines.append("# TYPE ringwatch_ingest_gaps_by_camera_total counter")
        for (camera, count) in c.gapsPerCamera.sorted(by: { $0.key < $1.key }) {
            lines.append("ringwatch_ingest_gaps_by_camera_total{camera=\"\(camera)\"} \(count)")
        }
        gauge("window_reads", "Reads held in the in-memory window.", c.windowReads.load(ordering: .relaxed))
        gauge("writer_queue_items", "Items waiting for the history writer.", engine.writer.queueDepth)
        gauge("last_trigger_seq", "Highest trigger seq issued.", Int(c.lastTriggerSequence.load(ordering: .relaxed)))
        return lines.joined(separator: "\n") + "\n"
    }
}
