import CZeroMQ

/// A ZeroMQ socket. Like libzmq's, it must be used from one thread at a time: create it on the
/// thread that owns it and keep it there.
public final class Socket {
    /// The socket patterns Ringwatch uses.
    public enum Kind: Sendable {
        case publisher, subscriber, request, reply, push, pull, pair

        var rawValue: Int32 {
            switch self {
            case .publisher: ZMQ_PUB
            case .subscriber: ZMQ_SUB
            case .request: ZMQ_REQ
            case .reply: ZMQ_REP
            case .push: ZMQ_PUSH
            case .pull: ZMQ_PULL
            case .pair: ZMQ_PAIR
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    /// Keeps the context alive for as long as the socket exists.
    public let context: Context
    public let kind: Kind
    private var receiveParts: [UnsafeMutablePointer<zmq_msg_t>] = []

    public init(_ context: Context, _ kind: Kind) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, kind.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.handle = handle
        self.context = context
        self.kind = kind
    }

    deinit {
        zmq_close(handle)
        for part in receiveParts {
            zmq_msg_close(part)
            part.deallocate()
        }
    }

    // MARK: Endpoints

    /// Binds to `endpoint` (e.g. `tcp://127.0.0.1:5550`; `tcp://127.0.0.1:*` picks a free port).
    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq reconnects in the background if the peer is not there yet.
    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    /// The endpoint the socket last bound, with the port resolved when `*` was asked for.
    public var lastEndpoint: String {
        get throws(ZMQError) { try stringOption(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    }

    // MARK: Options

    /// Subscribes a SUB socket to messages whose first frame starts with `prefix`.
    public func subscribe(_ prefix: String) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8), name: "ZMQ_SUBSCRIBE")
    }

    /// How many messages may queue for sending before libzmq drops (PUB) or blocks (others).
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, int: messages, name: "ZMQ_SNDHWM")
    }

    /// On a PUB socket: wait for room (or throw `wouldBlock` with `dontWait`) when a subscriber's
    /// queue is at the high-water mark, instead of dropping the message. For publishers that must
    /// not lose anything, such as replays and the simulator.
    public func setPublisherNoDrop(_ enabled: Bool) throws(ZMQError) {
        try setOption(ZMQ_XPUB_NODROP, int: enabled ? 1 : 0, name: "ZMQ_XPUB_NODROP")
    }

    /// How many messages may queue on receipt before libzmq stops reading from peers.
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVHWM, int: messages, name: "ZMQ_RCVHWM")
    }

    /// How long unsent messages are kept after close, in milliseconds (-1: forever).
    public func setLinger(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_LINGER, int: milliseconds, name: "ZMQ_LINGER")
    }

    /// How long a blocking receive waits, in milliseconds (-1: forever).
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVTIMEO, int: milliseconds, name: "ZMQ_RCVTIMEO")
    }

    /// How long a blocking send waits, in milliseconds (-1: forever).
    public func setSendTimeout(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDTIMEO, int: milliseconds, name: "ZMQ_SNDTIMEO")
    }

    /// Messages larger than this many bytes make libzmq drop the peer (-1: no limit).
    public func setMaximumMessageSize(_ bytes: Int64) throws(ZMQError) {
        var value = bytes
        guard zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("setsockopt ZMQ_MAXMSGSIZE")
        }
    }

    public func setOption(_ option: Int32, int value: Int32, name: String) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("setsockopt \(name)")
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8], name: String) throws(ZMQError) {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZMQError.last("setsockopt \(name)") }
    }

    func stringOption(_ option: Int32, name: String) throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(handle, option, &buffer, &size) == 0 else {
            throw ZMQError.last("getsockopt \(name)")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Sending

    /// Sends one message made of `frames`. With `dontWait`, throws `wouldBlock` instead of waiting.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            try sendFrame(frame, flags: flags)
        }
    }

    /// Sends one message whose frames are UTF-8 strings.
    public func send(_ frames: [String], dontWait: Bool = false) throws(ZMQError) {
        try send(frames.map { Array($0.utf8) }, dontWait: dontWait)
    }

    private func sendFrame(_ frame: [UInt8], flags: Int32) throws(ZMQError) {
        while true {
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if sent >= 0 { return }
            let error = ZMQError.last("send")
            if !error.interrupted { throw error }
        }
    }

    // MARK: Receiving

    /// Receives one whole message and hands its frames to `body` without copying them.
    ///
    /// The buffers are valid only inside `body`. Returns nil when `dontWait` is set and nothing
    /// is waiting. Frames beyond `maximumFrames` are consumed and counted, not kept, so a
    /// malformed sender cannot make the receiver allocate without bound.
    public func receive<Result>(
        dontWait: Bool = false,
        maximumFrames: Int = 8,
        _ body: (ReceivedMessage) throws -> Result
    ) throws -> Result? {
        var kept = 0
        var total = 0
        while true {
            if kept == receiveParts.count {
                let part = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
                zmq_msg_init(part)
                receiveParts.append(part)
            }
            let part = receiveParts[kept]
            let flags: Int32 = (dontWait && total == 0) ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(part, handle, flags) < 0 {
                let error = ZMQError.last("receive")
                if error.wouldBlock && total == 0 { return nil }
                if error.interrupted { continue }
                throw error
            }
            total += 1
            if kept < maximumFrames { kept += 1 }
            if zmq_msg_more(part) == 0 { break }
        }
        let frames = (0..<kept).map { index in
            UnsafeRawBufferPointer(start: zmq_msg_data(receiveParts[index]), count: zmq_msg_size(receiveParts[index]))
        }
        return try body(ReceivedMessage(frames: frames, totalFrames: total))
    }

    /// Receives one whole message, copying its frames.
    public func receiveFrames(dontWait: Bool = false) throws -> [[UInt8]]? {
        try receive(dontWait: dontWait, maximumFrames: 64) { message in message.frames.map { Array($0) } }
    }

    /// Receives one whole message whose frames are UTF-8 text.
    public func receiveStrings(dontWait: Bool = false) throws -> [String]? {
        try receiveFrames(dontWait: dontWait)?.map { String(decoding: $0, as: UTF8.self) }
    }

    /// True when a message can be received now, waiting up to `milliseconds` (-1: forever).
    public func waitForInput(milliseconds: Int) throws(ZMQError) -> Bool {
        try Poller.poll([self], milliseconds: milliseconds)[0]
    }
}

/// One received multipart message; its buffers belong to the socket and are valid only inside
/// the closure that received them.
public struct ReceivedMessage {
    /// The kept frames, in order.
    public let frames: [UnsafeRawBufferPointer]
    /// How many frames the message really had (more than `frames.count` when some were cut).
    public let totalFrames: Int

    init(frames: [UnsafeRawBufferPointer], totalFrames: Int) {
        self.frames = frames
        self.totalFrames = totalFrames
    }
}

/// Waits for input on several sockets at once.
public enum Poller {
    /// Returns, for each socket, whether a message can be received; waits up to `milliseconds`.
    public static func poll(_ sockets: [Socket], milliseconds: Int) throws(ZMQError) -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        while true {
            let result = items.withUnsafeMutableBufferPointer {
                zmq_poll($0.baseAddress, Int32($0.count), milliseconds)
            }
            if result >= 0 { break }
            let error = ZMQError.last("poll")
            if error.interrupted { return sockets.map { _ in false } }
            throw error
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
