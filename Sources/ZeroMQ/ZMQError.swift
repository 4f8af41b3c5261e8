import CZeroMQ

/// An error raised by libzmq, with the operation that failed and `zmq_strerror`'s text.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// What the wrapper was doing, e.g. `bind tcp://127.0.0.1:5550`.
    public let operation: String
    /// libzmq's own description of `code`.
    public let message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    /// True when the call failed only because it would have blocked (`EAGAIN`).
    public var wouldBlock: Bool { code == EAGAIN }

    /// True when the call was interrupted by a signal (`EINTR`); callers retry.
    public var interrupted: Bool { code == EINTR }

    /// True when the context was terminated while the call waited.
    public var contextTerminated: Bool { code == ETERM }

    public var description: String {
        "ZeroMQ \(operation) failed: \(message) (errno \(code))"
    }
}
