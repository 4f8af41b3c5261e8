import Foundation

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
    func start(name: String, stackSize: Int, _ loop: @escaping @Sendable () -> Void) {
        precondition(thread == nil, "\(name) is already running")
        let thread = Thread { [done] in
            loop()
            done.signal()
        }
        thread.name = name
        thread.stackSize = stackSize
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
