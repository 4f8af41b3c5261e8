#if canImport(Glibc)
    import Glibc
#endif

/// Names the calling thread for the operating system (`top -H`, `perf`, `ps -L`), so an
/// operator sees which of the engine's threads uses the CPU. Linux keeps 15 bytes; elsewhere
/// this does nothing.
public func nameCurrentThread(_ name: String) {
    #if os(Linux)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    #endif
}
