import Foundation
import Synchronization

/// A thread that runs one loop until the loop returns, and that its owner can wait for: the
/// pipeline's and the ingest stage's threads.
final class LoopThread: @unchecked Sendable {
    // @unchecked: `thread` is set and cleared only by the owner (start, join), never by the loop.
    private let done = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// True between `start` and `join`.
    var isStarted: Bool { thread != nil }

    /// Starts `loop` on a new thread named `name` (as `Thread.name`; the loop names itself for
    /// the operating system).
    func start(name: String, stackSize: Int? = nil, _ loop: @escaping @Sendable () -> Void) {
        precondition(thread == nil, "\(name) is already running")
        let thread = Thread { [done] in
            loop()
            done.signal()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        self.thread = thread
        thread.start()
    }

    /// Waits until the loop has returned; does nothing when the thread was never started.
    func join() {
        guard thread != nil else { return }
        done.wait()
        thread = nil
    }
}

/// A thread that serves one endpoint until told to stop: the control socket's, the CURVE
/// handler's and the metrics endpoint's. `serve` waits for input for at most a fraction of a
/// second and handles what came; the thread calls it until `stop`, which returns once the
/// current call has.
final class ServiceThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let loop = LoopThread()

    func start(name: String, _ serve: @escaping @Sendable () -> Void) {
        loop.start(name: name) { [self] in
            while !stopRequested.load(ordering: .relaxed) { serve() }
        }
    }

    /// Asks the loop to end and waits for it; does nothing when it was never started.
    func stop() {
        guard loop.isStarted else { return }
        stopRequested.store(true, ordering: .relaxed)
        loop.join()
    }
}
