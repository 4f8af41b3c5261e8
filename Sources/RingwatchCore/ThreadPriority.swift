#if canImport(Glibc)
    import Glibc
#endif

/// Lowers the calling thread's scheduling priority by `steps` nice levels (Linux threads have a
/// nice value of their own); elsewhere this does nothing. Returns the thread's nice value
/// afterwards, or nil when it could not be changed.
///
/// For background work that must not take a core from the read path when the machine is busy:
/// the history writer's hour sealing builds indexes for seconds, and at equal priority the
/// scheduler shares a core between it and the pipeline, which then falls behind.
@discardableResult
public func lowerCurrentThreadPriority(by steps: Int32) -> Int32? {
    #if os(Linux)
        guard let thread = currentThreadID(), let current = niceness(of: thread) else { return nil }
        let target = min(19, current + max(0, steps))
        guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, target) == 0 else { return nil }
        return target
    #else
        return nil
    #endif
}

/// The calling thread's nice value (Linux), or nil.
public func currentThreadNiceness() -> Int32? {
    #if os(Linux)
        currentThreadID().flatMap(niceness(of:))
    #else
        return nil
    #endif
}

#if os(Linux)
    /// A thread's nice value (getpriority returns -1 both as a value and as an error).
    private func niceness(of thread: id_t) -> Int32? {
        errno = 0
        let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread)
        return errno == 0 ? value : nil
    }

    /// The kernel's id of the calling thread, from `/proc/thread-self` (a link to
    /// `PID/task/TID`); Glibc's `gettid` is not visible to Swift.
    private func currentThreadID() -> id_t? {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let last = link.split(separator: "/").last, let id = UInt32(last) else { return nil }
        return id
    }
#endif
