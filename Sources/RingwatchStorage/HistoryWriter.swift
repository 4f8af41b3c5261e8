import Foundation
import Logging
import RingwatchCore
import Synchronization

/// What the pipeline hands to the writer in one go.
public struct WriteBatch: Sendable {
    public var reads: [PlateRead] = []
    public var triggers: [StoredTrigger] = []
    public var quarantined: [QuarantinedMessage] = []
    /// What the live convoy tracker adds to the convoy pair log.
    public var convoyLog = ConvoyLogBatch()

    public init() {}

    public var isEmpty: Bool { reads.isEmpty && triggers.isEmpty && quarantined.isEmpty && convoyLog.isEmpty }
    public var itemCount: Int { reads.count + triggers.count + quarantined.count + convoyLog.itemCount }
}

/// How long the history is kept, and how often the writer checks.
public struct RetentionPolicy: Sendable {
    /// Reads, triggers and quarantined messages older than this many days are purged.
    public var retentionDays: Int64
    /// How often (wall-clock) the writer looks for expired history.
    public var checkIntervalMilliseconds: Int64

    public init(retentionDays: Int64 = 365, checkIntervalMilliseconds: Int64 = 3_600_000) {
        self.retentionDays = retentionDays
        self.checkIntervalMilliseconds = checkIntervalMilliseconds
    }
}

/// A purge waiting for, or running on, the writer thread.
final class PurgeRequest: @unchecked Sendable {
    // @unchecked: `result` and `error` are written on the writer thread before `done` is
    // signalled, and read by the requester only after waiting on it.
    let cutoff: Timestamp
    let user: String
    let reason: String
    var result = PurgeResult()
    var error: (any Error)?
    let done = DispatchSemaphore(value: 0)

    init(cutoff: Timestamp, user: String, reason: String) {
        self.cutoff = cutoff
        self.user = user
        self.reason = reason
    }
}

/// Writes the history on a dedicated thread, so that ingest never waits on disk.
///
/// The pipeline submits batches; the writer drains everything queued into one transaction at a
/// time (group commit). The queue is bounded: when the disk falls behind by more than
/// `maximumQueuedItems`, `submit` blocks, which holds the pipeline, which lets ZeroMQ's
/// high-water mark take the strain at the socket, where losses are counted, instead of memory
/// growing without bound.
///
/// It also keeps the trigger sequence lease: `seq` values are handed out only below a limit
/// that is already committed to the database, so a crash can leave a gap but never reuse one.
public final class HistoryWriter: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`; the database is used only on
    // the writer thread after `start()`.
    private let condition = NSCondition()
    private var queue: [WriteBatch] = []
    private var queuedItems = 0
    /// Monotonic time before which backpressure is not logged again (guarded by `condition`).
    private var nextBackpressureLog: UInt64 = 0
    private var requestedSequenceLimit: Int64 = 0
    private var stopping = false
    private var finished = false
    private var failure: (any Error)?
    private var submittedBatches: Int64 = 0
    private var committedBatches: Int64 = 0
    /// Callers waiting in `flush()`: the writer then commits at once (guarded by `condition`).
    private var flushWaiters = 0
    private let database: HistoryDatabase
    private let logger: Logger
    private var thread: Thread?

    public let maximumQueuedItems: Int
    /// How many `seq` values one lease extension reserves. Large, because the pipeline waits
    /// for an extension that the writer can only commit between two of its steps (a commit, an
    /// hour table sealed or dropped): with 1,000 a burst of triggers during a purge stalled
    /// ingest. A crash leaves at most this many numbers unused.
    public let sequenceLeaseSize: Int64

    /// Reads committed to SQLite since start.
    public let storedReads = Atomic<Int>(0)
    /// Triggers committed to SQLite since start.
    public let storedTriggers = Atomic<Int>(0)
    /// Transactions committed since start.
    public let commits = Atomic<Int>(0)
    /// Times `submit` had to wait for the disk.
    public let backpressureWaits = Atomic<Int>(0)
    /// The highest `seq` that may be used: reserved in the database already.
    private let sequenceLimit = Atomic<Int64>(0)
    /// The last `seq` handed out.
    private var lastSequence: Int64 = 0
    /// How far event time must pass an hour's end before its table is sealed (indexed).
    public let sealDelayMilliseconds: Int64
    /// Newest event time written (writer thread only).
    private var latestWritten: Int64 = .min
    /// Hour tables sealed since start.
    public let sealedPartitions = Atomic<Int>(0)
    /// Hour tables dropped by purges since start.
    public let purgedPartitions = Atomic<Int>(0)
    /// Monotonic time (ns) of the oldest submission still queued, and of the oldest one in the
    /// commit under way; 0 when there is none.
    private let waitingSince = Atomic<UInt64>(0)
    private let committingSince = Atomic<UInt64>(0)
    /// Called on the writer thread after each commit with its duration and item count (for
    /// metrics). Set before `start()`.
    public nonisolated(unsafe) var commitObserver: (@Sendable (_ nanoseconds: UInt64, _ items: Int) -> Void)?
    /// The retention kept automatically; nil keeps everything.
    public let retention: RetentionPolicy?
    /// Purges asked for and not yet taken up (guarded by `condition`).
    private var purgeRequests: [PurgeRequest] = []
    /// Nice levels the writer thread runs below the others (0: the same priority).
    private let niceness: Int32
    /// The purge in progress (writer thread only).
    private var activePurge: PurgeRequest?
    /// Wall-clock time of the next retention check (writer thread only).
    private var nextRetentionCheck: Int64 = 0

    /// How long a queue smaller than `commitTargetItems` may wait, from its oldest submission,
    /// for more to commit with it (group commit). Each commit costs about 0.2 ms of writer CPU
    /// besides its rows (the WAL frames of every page it touches: the hour table's last page and
    /// the trigger indexes again each time); at 50,000 reads/s without the wait a commit carried
    /// 60–340 reads, and that overhead was a fifth of the writer's time. 0 commits at once.
    public let commitDelayNanoseconds: UInt64
    /// Queued items from which the writer commits without waiting.
    public let commitTargetItems: Int

    /// Opens the writer on `database`, reserving the first lease of trigger `seq` values.
    public init(
        database: HistoryDatabase, logger: Logger, maximumQueuedItems: Int = 1_000_000, sequenceLeaseSize: Int64 = 100_000,
        sealDelayMilliseconds: Int64 = 5 * 60_000, retention: RetentionPolicy? = nil, niceness: Int32 = 0,
        commitDelayMilliseconds: Int64 = 10, commitTargetItems: Int = 2_048
    ) throws {
        self.commitDelayNanoseconds = UInt64(max(0, commitDelayMilliseconds)) * 1_000_000
        self.commitTargetItems = commitTargetItems
        self.database = database
        self.niceness = niceness
        self.retention = retention
        self.sealDelayMilliseconds = sealDelayMilliseconds
        self.logger = logger
        self.maximumQueuedItems = maximumQueuedItems
        self.sequenceLeaseSize = sequenceLeaseSize
        let reserved = Int64(try database.meta("trigger_seq_reserved") ?? "0") ?? 0
        lastSequence = max(reserved, try database.lastTriggerSequence())
        let limit = lastSequence + sequenceLeaseSize
        try database.setMeta("trigger_seq_reserved", String(limit))
        sequenceLimit.store(limit, ordering: .sequentiallyConsistent)
        requestedSequenceLimit = limit
    }

    /// The last trigger `seq` used before this engine started (or since).
    public var lastIssuedSequence: Int64 { condition.withLock { lastSequence } }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "ringwatch-writer"
        self.thread = thread
        thread.start()
    }

    /// Hands over a batch; blocks while the queue is full.
    public func submit(_ batch: WriteBatch) {
        guard !batch.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if queuedItems >= maximumQueuedItems && !finished {
            backpressureWaits.add(1, ordering: .relaxed)
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= nextBackpressureLog {
                nextBackpressureLog = now + 10_000_000_000
                logger.warning("ingest waits for the disk: the history writer's queue is full", metadata: [
                    "queued_items": "\(queuedItems)", "lag_s": "\(Int(lagSeconds))",
                ])
            }
            while queuedItems >= maximumQueuedItems && !finished { condition.wait() }
        }
        let wasEmpty = queue.isEmpty
        if wasEmpty && waitingSince.load(ordering: .relaxed) == 0 {
            waitingSince.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        }
        queue.append(batch)
        queuedItems += batch.itemCount
        submittedBatches += 1
        // Wake the writer only when it has something new to decide: work after an empty queue,
        // or a queue that has just reached the size it commits without waiting. (Waking it for
        // every batch while it lets the queue fill cost a futex round trip per batch.)
        if wasEmpty || (queuedItems >= commitTargetItems && queuedItems - batch.itemCount < commitTargetItems) {
            condition.broadcast()
        }
    }

    /// The next trigger `seq`. Asks for a new lease when half of this one is used; waits only if
    /// the writer has not confirmed it by the time the lease runs out.
    public func nextTriggerSequence() -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        lastSequence += 1
        if lastSequence > requestedSequenceLimit - sequenceLeaseSize / 2 {
            requestedSequenceLimit = lastSequence + sequenceLeaseSize
            condition.broadcast()
        }
        while lastSequence > sequenceLimit.load(ordering: .sequentiallyConsistent) && !finished {
            condition.wait()
        }
        return lastSequence
    }

    /// Blocks until everything submitted so far is committed. Returns the writer's failure, if any.
    @discardableResult
    public func flush() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        let target = submittedBatches
        // A flush does not wait out the group-commit delay.
        flushWaiters += 1
        condition.broadcast()
        while committedBatches < target && !finished { condition.wait() }
        flushWaiters -= 1
        return failure
    }

    /// Commits what is queued, releases the unused part of the lease, and stops the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// How long the oldest item not yet committed has waited, in seconds; 0 when none waits.
    /// Grows while a commit or a purge step holds the writer, or the disk is slower than ingest.
    public var lagSeconds: Double {
        let committing = committingSince.load(ordering: .relaxed), waiting = waitingSince.load(ordering: .relaxed)
        let since: UInt64 = committing == 0 ? waiting : waiting == 0 ? committing : min(committing, waiting)
        guard since != 0 else { return 0 }
        let now = DispatchTime.now().uptimeNanoseconds
        return now > since ? Double(now - since) / 1e9 : 0
    }

    /// True once a write has failed for good (reported by `flush()`).
    public var hasFailed: Bool { condition.withLock { failure != nil } }

    /// Items waiting for the disk.
    public var queueDepth: Int { condition.withLock { queuedItems } }

    private func run() {
        nameCurrentThread("rw-writer")
        if niceness > 0, lowerCurrentThreadPriority(by: niceness) == nil {
            logger.warning("could not lower the history writer's priority", metadata: ["writer_nice": "\(niceness)"])
        }
        while true {
            condition.lock()
            while queue.isEmpty && !stopping && requestedSequenceLimit == sequenceLimit.load(ordering: .relaxed)
                && purgeRequests.isEmpty && pendingPurges.isEmpty && activePurge == nil && !retentionCheckDue {
                if let retention {
                    // Wake for the retention check even when no reads arrive.
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(retention.checkIntervalMilliseconds) / 1000))
                } else {
                    condition.wait()
                }
            }
            waitForGroupCommit()
            let batches = queue
            queue.removeAll(keepingCapacity: true)
            if !batches.isEmpty {
                committingSince.store(waitingSince.load(ordering: .relaxed), ordering: .relaxed)
                waitingSince.store(0, ordering: .relaxed)
            }
            let wantedLimit = requestedSequenceLimit
            let stopNow = stopping && batches.isEmpty
            let releaseTo = lastSequence
            let newPurges = purgeRequests
            purgeRequests.removeAll()
            condition.unlock()

            if stopNow {
                for request in newPurges + (activePurge.map { [$0] } ?? []) {
                    request.error = HistoryWriterStopped()
                    request.done.signal()
                }
                // A clean stop gives back the unused lease, so the next start continues without a gap.
                do { try database.setMeta("trigger_seq_reserved", String(releaseTo)) } catch {
                    logger.error("could not release the trigger sequence lease", metadata: ["error": "\(error)"])
                }
                condition.withLock {
                    finished = true
                    condition.broadcast()
                }
                return
            }
            if !batches.isEmpty || wantedLimit > sequenceLimit.load(ordering: .relaxed) {
                commit(batches, sequenceLimit: wantedLimit)
            }
            pendingPurges.append(contentsOf: newPurges)
            purgeStep()
        }
    }

    /// Lets a small queue fill for up to `commitDelayNanoseconds` from its oldest submission
    /// (called with `condition` locked). A full queue, a flush, a stop or a lease extension ends
    /// the wait at once.
    private func waitForGroupCommit() {
        guard commitDelayNanoseconds > 0 else { return }
        while !queue.isEmpty && queuedItems < commitTargetItems && !stopping && flushWaiters == 0
            && requestedSequenceLimit == sequenceLimit.load(ordering: .relaxed) {
            let since = waitingSince.load(ordering: .relaxed)
            let now = DispatchTime.now().uptimeNanoseconds
            guard since != 0, now < since + commitDelayNanoseconds else { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(since + commitDelayNanoseconds - now) / 1e9))
        }
    }

    /// Purges queued behind the active one (writer thread only).
    private var pendingPurges: [PurgeRequest] = []

    private var retentionCheckDue: Bool {
        retention != nil && Timestamp.now.milliseconds >= nextRetentionCheck
    }

    /// Removes everything recorded before `cutoff`, on the writer thread, between commits, one
    /// hour table at a time so that ingest goes on; blocks until done. Audited as `user`.
    public func purge(before cutoff: Timestamp, user: String, reason: String) throws -> PurgeResult {
        let request = PurgeRequest(cutoff: cutoff, user: user, reason: reason)
        condition.withLock {
            purgeRequests.append(request)
            condition.broadcast()
        }
        request.done.wait()
        if let error = request.error { throw error }
        return request.result
    }

    /// One step of retention work: schedules the automatic purge when due, then drops at most
    /// one hour table, so that a large purge never holds the write lock for long.
    private func purgeStep() {
        if let retention, Timestamp.now.milliseconds >= nextRetentionCheck {
            nextRetentionCheck = Timestamp.now.milliseconds + retention.checkIntervalMilliseconds
            let cutoff = Timestamp.now.adding(seconds: -retention.retentionDays * 86_400)
            pendingPurges.append(PurgeRequest(cutoff: cutoff, user: "ringwatch-engine",
                                              reason: "retention: history older than \(retention.retentionDays) days"))
        }
        if activePurge == nil, !pendingPurges.isEmpty { activePurge = pendingPurges.removeFirst() }
        guard let request = activePurge else { return }
        do {
            let step = try database.purge(before: request.cutoff, tableLimit: 1)
            request.result.add(step)
            purgedPartitions.add(step.tablesDropped, ordering: .relaxed)
            guard step.complete else { return }
            let removed = request.result
            if removed != PurgeResult() || request.user != "ringwatch-engine" {
                try AuditLog(connection: database.connection).append(AuditRecord(
                    timestamp: .now, user: request.user, command: "purge", reason: request.reason, authorization: nil,
                    parameters: .object([("before", .string(request.cutoff.rfc3339)), ("removed", removed.json)])))
                logger.info("purged history past retention", metadata: [
                    "before": "\(request.cutoff.rfc3339)", "tables": "\(removed.tablesDropped)", "reads": "\(removed.reads)",
                    "triggers": "\(removed.triggers)",
                ])
            }
        } catch {
            logger.error("purge failed; it will be retried at the next check", metadata: ["error": "\(error)"])
            request.error = error
        }
        activePurge = nil
        request.done.signal()
    }

    /// Work an upgrade left on hours sealed by older versions, done one hour per commit
    /// (writer thread only).
    private var catchUps = [
        OlderHoursCatchUp(
            pending: { try $0.unsummarisedHourCount() }, doOne: { try $0.summariseOlderHours(limit: 1) },
            done: "every sealed history hour is in the plate summary",
            failed: "could not summarise an older history hour; queries search it in full"),
        OlderHoursCatchUp(
            pending: { try $0.uncountedHourCount() }, doOne: { try $0.countOlderHours(limit: 1) },
            done: "every sealed history hour is in the camera minute counts",
            failed: "could not count an older history hour; convoy searches count it themselves"),
    ]

    /// Indexes the hours that event time has left behind. Sealing takes about a second per
    /// million reads; the queue absorbs what arrives meanwhile.
    private func seal() {
        for index in catchUps.indices { catchUps[index].step(database, logger: logger) }
        guard latestWritten != .min, let oldest = database.unsealedHours.first,
              (oldest + 1) * 3_600_000 + sealDelayMilliseconds <= latestWritten
        else { return }
        do {
            let began = DispatchTime.now().uptimeNanoseconds
            let sealed = try database.sealHours(before: Timestamp(milliseconds: latestWritten - sealDelayMilliseconds))
            sealedPartitions.add(sealed.count, ordering: .relaxed)
            if !sealed.isEmpty {
                // How long the writer was busy sealing (the ingest queue absorbs it): an operator
                // sees here whether the hours of a busy day seal in time.
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                logger.info("sealed and indexed history partitions", metadata: [
                    "tables": "\(sealed.joined(separator: ","))", "seconds": "\(String(format: "%.2f", seconds))",
                ])
            }
        } catch {
            logger.error("could not index a history partition; queries on it scan instead", metadata: ["error": "\(error)"])
        }
    }

    /// Thrown to a purge requester when the writer stops first.
    struct HistoryWriterStopped: Error, CustomStringConvertible {
        var description: String { "the engine is stopping; purge again after it restarts" }
    }

    private func commit(_ batches: [WriteBatch], sequenceLimit wantedLimit: Int64) {
        let now = Timestamp.now
        let began = DispatchTime.now().uptimeNanoseconds
        var reads = 0, triggers = 0, items = 0
        var attempt = 0
        var committed = false
        while true {
            do {
                try database.connection.transaction {
                    for batch in batches {
                        try database.insert(reads: batch.reads, receivedAt: now)
                        try database.insert(triggers: batch.triggers)
                        try database.insert(quarantined: batch.quarantined)
                        try database.insert(convoyLog: batch.convoyLog)
                    }
                    if wantedLimit > sequenceLimit.load(ordering: .relaxed) {
                        try database.setMeta("trigger_seq_reserved", String(wantedLimit))
                    }
                }
                committed = true
                break
            } catch {
                // Another process (an analyst's CLI writing its audit row) may hold the lock for a
                // moment; anything else is a real failure, reported loudly and kept for flush().
                attempt += 1
                logger.error("history write failed; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt >= 5 {
                    condition.withLock { failure = error }
                    break
                }
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
        for batch in batches {
            for read in batch.reads where read.timestamp.milliseconds > latestWritten { latestWritten = read.timestamp.milliseconds }
            reads += batch.reads.count
            triggers += batch.triggers.count
            items += batch.itemCount
        }
        if committed {
            storedReads.add(reads, ordering: .relaxed)
            storedTriggers.add(triggers, ordering: .relaxed)
            commits.add(1, ordering: .relaxed)
            commitObserver?(DispatchTime.now().uptimeNanoseconds - began, items)
        }
        committingSince.store(0, ordering: .relaxed)
        seal()
        condition.withLock {
            if committed, wantedLimit > sequenceLimit.load(ordering: .relaxed) {
                sequenceLimit.store(wantedLimit, ordering: .sequentiallyConsistent)
            }
            queuedItems -= items
            committedBatches += Int64(batches.count)
            condition.broadcast()
        }
    }
}

/// One kind of work an upgrade left on the hours sealed by older versions (re-sealing them with
/// the plate summary, counting their camera minutes), caught up one hour per commit so that it
/// never holds ingest. Whether any is left is asked once, at the first commit.
private struct OlderHoursCatchUp {
    let pending: (HistoryDatabase) throws -> Int
    let doOne: (HistoryDatabase) throws -> Int
    /// Logged when the last hour is done, or when one fails (the work then stops).
    let done: String
    let failed: String
    var left: Bool? = nil

    mutating func step(_ database: HistoryDatabase, logger: Logger) {
        do {
            if left == nil { left = try pending(database) > 0 }
            guard left == true else { return }
            if try doOne(database) == 0 {
                left = false
                logger.info("\(done)")
            }
        } catch {
            left = false
            logger.error("\(failed)", metadata: ["error": "\(error)"])
        }
    }
}
