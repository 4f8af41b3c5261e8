import RingwatchCore

/// One message as a camera would publish it: the two frames of CONTRACT.md section 2.
public struct SimulatedMessage: Sendable {
    /// `read.<ring>.<camera>`.
    public let topic: String
    /// The UTF-8 JSON body.
    public let body: [UInt8]
    /// The `ts` written in the body (the camera's clock: true time plus its skew).
    public let timestamp: Timestamp

    /// A message of two frames, `topic` and `body`, whose body says `timestamp` as its `ts`.
    public init(topic: String, body: [UInt8], timestamp: Timestamp) {
        self.topic = topic
        self.body = body
        self.timestamp = timestamp
    }

    /// The replayable JSON Lines form written by `ringwatch simulate --out`:
    /// `{"topic":"read.R1.R1-01","body":{...}}` (the body embedded verbatim), without the newline.
    public var jsonLine: [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(body.count + topic.utf8.count + 24)
        appendJSONLine(to: &line)
        line.removeLast()
        return line
    }

    /// Appends `jsonLine` and a newline to `out` (for writers that batch lines).
    public func appendJSONLine(to out: inout [UInt8]) {
        out.append(contentsOf: "{\"topic\":".utf8)
        JSONValue.writeString(topic, to: &out)
        out.append(contentsOf: ",\"body\":".utf8)
        out.append(contentsOf: body)
        out.append(125)
        out.append(10)
    }

    /// Parses a line of the `--out` form back into a message (for `--replay`); nil when the line
    /// is not `{"topic":"…","body":{…}}` or the body has no RFC 3339 `ts`.
    public init?(jsonLine line: some Collection<UInt8>) {
        let bytes = Array(line)
        var end = bytes.count
        while end > 0, bytes[end - 1] == 10 || bytes[end - 1] == 13 || bytes[end - 1] == 32 { end -= 1 }
        let head = Array("{\"topic\":\"".utf8), middle = Array("\",\"body\":".utf8)
        guard end > head.count + middle.count + 3, bytes.starts(with: head), bytes[end - 1] == 125 else { return nil }
        guard let quote = bytes[head.count..<end].firstIndex(of: 34), !bytes[head.count..<quote].contains(92) else { return nil }
        guard bytes[quote..<end].starts(with: middle) else { return nil }
        let body = Array(bytes[(quote + middle.count)..<(end - 1)])
        guard body.first == 123, body.last == 125, let timestamp = SimulatedMessage.timestamp(in: body) else { return nil }
        self.init(topic: String(decoding: bytes[head.count..<quote], as: UTF8.self), body: body, timestamp: timestamp)
    }

    /// The `ts` of a body, found by its key (bodies written by the simulator have it second).
    static func timestamp(in body: [UInt8]) -> Timestamp? {
        let key = Array("\"ts\":\"".utf8)
        guard body.count > key.count else { return nil }
        for start in 0...(body.count - key.count) where body[start] == 34 && body[start..<(start + key.count)].elementsEqual(key) {
            let from = start + key.count
            guard let close = body[from...].firstIndex(of: 34) else { return nil }
            return body[from..<close].withUnsafeBufferPointer { Timestamp.parse($0) }
        }
        return nil
    }
}
