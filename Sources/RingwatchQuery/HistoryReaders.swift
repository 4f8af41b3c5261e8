import Foundation
import RingwatchStorage
import Synchronization

/// Several connections to one history file, for a search that reads on several threads: the
/// caller's own connection and further read-only ones, opened on first use and kept for the
/// search's later phases.
///
/// WAL lets any number of readers read at once, and a cold page cache is the main reason to:
/// while one thread waits for the disk, another steps SQLite or counts. A `HistoryDatabase` is
/// used from one thread at a time; each thread here gets its own.
final class HistoryReaders {
    let database: HistoryDatabase
    private let open: (() throws -> HistoryDatabase)?
    /// Threads (and connections) in all, the caller's included.
    let count: Int
    /// Connections opened so far; slot 0 is `database`.
    private var connections: [HistoryDatabase?]

    /// `open` makes a further connection to the file of `database`; without it, or with
    /// `threads` 1, everything is read on `database` on the caller's thread.
    init(_ database: HistoryDatabase, threads: Int, open: (() throws -> HistoryDatabase)?) {
        self.database = database
        self.open = open
        count = open == nil ? 1 : max(1, threads)
        connections = [database] + [HistoryDatabase?](repeating: nil, count: count - 1)
    }

    /// Runs `work` on each of `items` items, spread over the threads as each becomes free. Each
    /// thread starts with `start()`, its own state, and hands it to `work` with its own
    /// connection; returns the states, one per thread. `finished` is called after each item,
    /// with the items finished so far, from one thread at a time and in increasing order.
    ///
    /// When an item throws, the threads stop taking items and the first error is rethrown.
    func spread<State>(
        items: Int, start: () -> State,
        work: (_ database: HistoryDatabase, _ state: inout State, _ item: Int) throws -> Void,
        finished: (_ done: Int) -> Void = { _ in }
    ) throws -> [State] {
        let threads = min(count, max(1, items))
        let queue = Mutex(Queue())
        var outcomes = [Result<State, any Error>?](repeating: nil, count: threads)
        // One access to each array for the whole run: each thread touches only its own slots.
        outcomes.withUnsafeMutableBufferPointer { outcomes in
            connections.withUnsafeMutableBufferPointer { connections in
                Self.onThreads(threads) { thread in
                    outcomes[thread] = Result {
                        do {
                            let database = try connections[thread] ?? open!()
                            connections[thread] = database
                            var state = start()
                            while let item = queue.withLock({ $0.take(below: items) }) {
                                try work(database, &state, item)
                                // Under the lock, so the calls come one at a time and in order.
                                queue.withLock { queue in
                                    queue.done += 1
                                    finished(queue.done)
                                }
                            }
                            return state
                        } catch {
                            queue.withLock { $0.failed = true }
                            throw error
                        }
                    }
                }
            }
        }
        // Only a thread that failed holds an error; the others stopped taking items.
        return try outcomes.map { try $0!.get() }
    }

    /// The items handed out so far.
    private struct Queue {
        var next = 0
        var done = 0
        var failed = false

        mutating func take(below items: Int) -> Int? {
            guard !failed, next < items else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Calls `body(0)` … `body(count - 1)`, each on a thread of its own (`body(0)` on the
    /// caller's), and returns when all have returned.
    private static func onThreads(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            let group = DispatchGroup()
            for thread in 1..<count {
                let handed = ThreadBody(body)
                group.enter()
                Thread {
                    handed.run(thread)
                    group.leave()
                }.start()
            }
            body(0)
            group.wait()
        }
    }

    /// The work handed to one other thread.
    ///
    /// @unchecked Sendable: only that thread calls `run`. The body is called on several threads at
    /// once: it is the closure of `spread`, which gives each thread its own connection, state and
    /// result slot, shares the queue of items only under its mutex, and otherwise only reads what
    /// the caller handed it. `run` lets go of it before the thread signals that it is done, so it
    /// does not outlive `onThreads` (which `withoutActuallyEscaping` checks).
    private final class ThreadBody: @unchecked Sendable {
        private var body: ((Int) -> Void)?
        init(_ body: @escaping (Int) -> Void) { self.body = body }

        func run(_ thread: Int) {
            body?(thread)
            body = nil
        }
    }
}
