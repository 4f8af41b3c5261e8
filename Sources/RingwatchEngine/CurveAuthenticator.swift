import Foundation
import Logging
import Synchronization
import ZeroMQ

/// The engine's ZAP handler (ZeroMQ RFC 27): decides, for every CURVE handshake on the
/// engine's sockets, whether the client's public key is on that socket's allow-list.
///
/// libzmq asks it over `inproc://zeromq.zap.01` in the engine's context. It is bound before
/// any secured socket binds, so no handshake can happen without it: libzmq lets every CURVE
/// client in when no handler is there.
final class CurveAuthenticator: @unchecked Sendable {
    // @unchecked: the socket is used only on the authenticator's thread after `start()`.
    private let socket: Socket
    /// Allowed client public keys (Z85) per ZAP domain (`ingest`, `triggers`, `control`).
    private let allowed: [String: Set<String>]
    private let logger: Logger
    private let thread = ServiceThread()
    /// Handshakes accepted and refused since start.
    let accepted = Atomic<Int>(0)
    let refused = Atomic<Int>(0)

    init(context: Context, allowed: [String: Set<String>], logger: Logger) throws {
        socket = try Socket(context, .reply)
        try socket.setLinger(milliseconds: 0)
        try socket.bind("inproc://zeromq.zap.01")
        self.allowed = allowed
        self.logger = logger
    }

    func start() {
        thread.start(name: "ringwatch-zap") { [self] in
            guard (try? socket.waitForInput(milliseconds: 100)) == true,
                  let frames = try? socket.receiveFrames(dontWait: true) else { return }
            do { try socket.send(reply(to: frames)) } catch {
                logger.error("ZAP reply failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func stop() { thread.stop() }

    /// The ZAP reply: version, request id, status code, status text, user id, metadata.
    func reply(to frames: [[UInt8]]) -> [[UInt8]] {
        func answer(_ requestID: [UInt8], _ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        // version, request id, domain, address, routing id, mechanism, credentials...
        guard frames.count >= 6, String(decoding: frames[0], as: UTF8.self) == "1.0" else {
            return answer(frames.count > 1 ? frames[1] : [], "500", "malformed ZAP request")
        }
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        guard mechanism == "CURVE", frames.count >= 7, let key = CurveKeyPair.z85(frames[6]) else {
            refused.add(1, ordering: .relaxed)
            logger.warning("refused a client without CURVE", metadata: ["socket": "\(domain)", "address": "\(address)"])
            return answer(frames[1], "400", "CURVE required")
        }
        guard allowed[domain]?.contains(key) == true else {
            refused.add(1, ordering: .relaxed)
            // A public key identifies a machine, not a person: safe to log, and needed to act.
            logger.warning("refused a CURVE client not on the allow-list",
                           metadata: ["socket": "\(domain)", "address": "\(address)", "public_key": "\(key)"])
            return answer(frames[1], "400", "key not allowed")
        }
        accepted.add(1, ordering: .relaxed)
        return answer(frames[1], "200", "OK", user: key)
    }

    /// Reads an allow-list file: one Z85 public key per line, optionally followed by a label
    /// after whitespace; lines starting with `#` are comments. (`#` is a Z85 character, so it
    /// only starts a comment at the beginning of a line.)
    static func loadAllowList(_ path: String, what: String) throws -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EngineConfiguration.Problem("cannot read the \(what) allow-list \(path): check [security] \(what)_clients")
        }
        var keys: Set<String> = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let key = String(trimmed.prefix { !$0.isWhitespace })
            guard CurveKeyPair.isZ85Key(key) else {
                throw EngineConfiguration.Problem("\(path) line \(number + 1): not a CURVE public key (40 Z85 characters, as 'ringwatch keygen' writes)")
            }
            keys.insert(key)
        }
        return keys
    }

    /// Reads a secret key file (one Z85 line, as `ringwatch keygen` writes).
    static func loadSecretKey(_ path: String) throws -> CurveKeyPair {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EngineConfiguration.Problem("cannot read the server secret key \(path): check [security] server_secret_key")
        }
        do {
            return try CurveKeyPair(secretKey: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw EngineConfiguration.Problem("\(path) does not hold a CURVE secret key; make one with 'ringwatch keygen'")
        }
    }
}
