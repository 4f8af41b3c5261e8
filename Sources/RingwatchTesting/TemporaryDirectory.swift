import Foundation

/// A directory under the system temporary folder, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let path: String

    public init(prefix: String = "ringwatch-test") {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX")
        var bytes = Array(template.utf8CString)
        let result = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "cannot create a temporary directory")
        path = String(decoding: bytes.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `text` to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Free loopback TCP ports for engines under test.
///
/// Ports come from below the kernel's ephemeral range, so the outgoing connections of
/// concurrently running tests (which take ephemeral ports) cannot take one between the check
/// and the engine's bind. Concurrent test processes can still pick the same port; callers that
/// start an engine retry with new ports when its bind fails (see `EndToEndTests.Daemon`).
public enum FreePort {
    public static func next() -> UInt16 {
        let ephemeral = ephemeralLowerBound
        let candidates: Range<Int> = ephemeral > 12_000 ? 10_000..<ephemeral : 1_024..<ephemeral
        for _ in 0..<200 {
            let port = UInt16(Int.random(in: candidates))
            if canBind(port) { return port }
        }
        return kernelChosen()
    }

    /// `tcp://127.0.0.1:<free port>`.
    public static func endpoint() -> String { "tcp://127.0.0.1:\(next())" }

    /// The first port of `net.ipv4.ip_local_port_range` (32768 on Linux by default).
    static let ephemeralLowerBound: Int = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }()

    private static func canBind(_ port: UInt16) -> Bool {
        withLoopbackSocket(port: port) { _ in true } ?? false
    }

    /// Last resort: whatever free port the kernel hands out.
    private static func kernelChosen() -> UInt16 {
        withLoopbackSocket(port: 0) { descriptor in
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            return UInt16(bigEndian: address.sin_port)
        } ?? 0
    }

    /// Binds a TCP socket to 127.0.0.1:`port`, runs `body` on it, closes it; nil if the bind fails.
    private static func withLoopbackSocket<T>(port: UInt16, _ body: (Int32) -> T) -> T? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0 ? body(descriptor) : nil
    }
}
