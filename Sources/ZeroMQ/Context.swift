import CZeroMQ

/// A libzmq context: owns the I/O threads that every socket made from it shares.
///
/// One context per process is the norm. Sockets hold a strong reference to their context, so
/// the context is terminated only after its last socket has been closed.
public final class Context: @unchecked Sendable {
    // libzmq documents contexts as thread-safe; only sockets are single-threaded.
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads.
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        self.handle = handle
    }

    deinit {
        // Retry on EINTR: a signal during termination must not leak the context.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// libzmq's version as `major.minor.patch`.
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// True when this libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}
