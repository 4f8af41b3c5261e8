import Foundation
import ZeroMQ

/// Sends one request to a running engine's control socket and waits for the reply.
struct ControlClient {
    let endpoint: String
    var timeoutMilliseconds: Int32 = 5000

    /// Sends `object` as JSON, with `attachment` (a file's bytes) as a second frame when given.
    func request(_ object: [String: Any], attachment: [UInt8]? = nil) throws -> [String: Any] {
        let context = try Context()
        let socket = try Socket(context, .request)
        try socket.setLinger(milliseconds: 0)
        try socket.setReceiveTimeout(milliseconds: timeoutMilliseconds)
        try ClientSecurity.apply(to: socket)
        try socket.connect(endpoint)
        let body = try JSONSerialization.data(withJSONObject: object)
        try socket.send([Array(body)] + (attachment.map { [$0] } ?? []))
        guard let frames = try? socket.receiveFrames(), let reply = frames.last else {
            throw RuntimeError("no answer from the engine at \(endpoint) within \(timeoutMilliseconds / 1000) s; is 'ringwatch serve' running (--control ENDPOINT)?")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else {
            throw RuntimeError("the engine at \(endpoint) sent a reply that is not a JSON object")
        }
        if object["ok"] as? Bool != true {
            throw RuntimeError("the engine refused: \(object["error"] as? String ?? "no reason given")")
        }
        return object
    }
}

/// Prints a control reply as `key value` lines or one JSON line.
func printReply(_ reply: [String: Any], json: Bool) throws {
    if json {
        let data = try JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys])
        emit(String(decoding: data, as: UTF8.self) + "\n")
        return
    }
    let width = reply.keys.map(\.count).max() ?? 0
    for key in reply.keys.sorted() where key != "ok" {
        let value = reply[key]!
        let text: String
        if value is [String: Any] || value is [Any] {
            text = String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
        } else {
            text = "\(value)"
        }
        emit(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text + "\n")
    }
}
