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
    private let metrics: EngineMetrics
    private let policy: HealthPolicy
    /// Monotonic time (ns) the server was built, for "no read since start".
    private let startedAt = DispatchTime.now().uptimeNanoseconds
    private let logger: Logger
    private let thread = ServiceThread()
    /// Whether the last /health answer was healthy (logs the change to unhealthy once).
    private let lastHealthy = Atomic<Bool>(true)

    init(host: String, port: UInt16, engine: EngineHandles, metrics: EngineMetrics, health: HealthPolicy, logger: Logger) throws {
        self.engine = engine
        self.metrics = metrics
        self.policy = health
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
        thread.start(name: "ringwatch-metrics") { [self] in
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { return }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            serve(client)
            close(client)
        }
    }

    func stop() { thread.stop() }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(client, &buffer, buffer.count)
        guard count > 0 else { return }
        let request = String(decoding: buffer[0..<count], as: UTF8.self)
        let path = request.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? "/"
        let (status, type, body): (String, String, [UInt8])
        switch path {
        case "/metrics":
            (status, type, body) = ("200 OK", "text/plain; version=0.0.4", metrics.render(engine, health: health()))
        case "/health":
            let report = health()
            if report.isHealthy {
                lastHealthy.store(true, ordering: .relaxed)
            } else if lastHealthy.exchange(false, ordering: .relaxed) {
                logger.warning("engine unhealthy", metadata: ["problems": "\(report.problems.joined(separator: "; "))"])
            }
            (status, type, body) = (report.isHealthy ? "200 OK" : "503 Service Unavailable", "application/json",
                                    Array((report.json.serialized + "\n").utf8))
        default: (status, type, body) = ("404 Not Found", "text/plain", Array("try /metrics or /health\n".utf8))
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let response = Array(head.utf8) + body
        var written = 0
        while written < response.count {
            let count = response[written...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            written += count
        }
    }

    /// The health as of now.
    func health() -> EngineHealth { EngineHealth(engine, policy: policy, startedAt: startedAt) }
}
