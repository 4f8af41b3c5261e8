import RingwatchStorage
import Synchronization

/// The last triggers emitted, kept in memory so `replay` can return a trigger in the moment
/// between its publication and its commit to SQLite.
public final class RecentTriggers: Sendable {
    private let storage = Mutex<[StoredTrigger]>([])
    private let capacity: Int

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    func append(_ trigger: StoredTrigger) {
        storage.withLock { triggers in
            triggers.append(trigger)
            if triggers.count > capacity { triggers.removeFirst(triggers.count - capacity / 2) }
        }
    }

    /// Kept triggers with `seq > since`, oldest first.
    public func since(_ sequence: Int64) -> [StoredTrigger] {
        storage.withLock { triggers in triggers.filter { $0.sequence > sequence } }
    }
}
