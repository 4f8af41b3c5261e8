import Foundation
import Logging
import RingwatchCore
import Synchronization

/// What the pipeline hands to the writer in one go.
public struct WriteBatch: Sendable {
    public var reads: [PlateRead] = []
    public var triggers: [StoredTrigger] = []
    public var quarantined: [QuarantinedMessage] = []

    public init() {}

    public var isEmpty: Bool { reads.isEmpty && triggers.isEmpty && quarantined.isEmpty }
    public var itemCount: Int { reads.count + triggers.count + quarantined.count }
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
    private var requestedSequenceLimit: Int64 = 0
    private var stopping = false
    private var finished = false
    private var failure: (any Error)?
    private var submittedBatches: Int64 = 0
    private var committedBatches: Int64 = 0
    private let database: HistoryDatabase
    private let logger: Logger
    private var thread: Thread?

    public let maximumQueuedItems: Int
    /// How many `seq` values one lease extension reserves.
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

    /// Opens the writer on `database`, reserving the first lease of trigger `seq` values.
    public init(
        database: HistoryDatabase, logger: Logger, maximumQueuedItems: Int = 1_000_000, sequenceLeaseSize: Int64 = 1000,
        sealDelayMilliseconds: Int64 = 5 * 60_000
    ) throws {
        self.database = database
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
            while queuedItems >= maximumQueuedItems && !finished { condition.wait() }
        }
        queue.append(batch)
        queuedItems += batch.itemCount
        submittedBatches += 1
        condition.broadcast()
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
        while committedBatches < target && !finished { condition.wait() }
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

    /// Items waiting for the disk.
    public var queueDepth: Int { condition.withLock { queuedItems } }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping && requestedSequenceLimit == sequenceLimit.load(ordering: .relaxed) {
                condition.wait()
            }
            let batches = queue
            queue.removeAll(keepingCapacity: true)
            let wantedLimit = requestedSequenceLimit
            let stopNow = stopping && batches.isEmpty
            let releaseTo = lastSequence
            condition.unlock()

            if stopNow {
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
            commit(batches, sequenceLimit: wantedLimit)
        }
    }

    /// Indexes the hours that event time has left behind. Sealing takes about a second per
    /// million reads; the queue absorbs what arrives meanwhile.
    private func seal() {
        guard latestWritten != .min, let oldest = database.unsealedHours.first,
              (oldest + 1) * 3_600_000 + sealDelayMilliseconds <= latestWritten
        else { return }
        do {
            let sealed = try database.sealHours(before: Timestamp(milliseconds: latestWritten - sealDelayMilliseconds))
            sealedPartitions.add(sealed.count, ordering: .relaxed)
            if !sealed.isEmpty { logger.info("sealed and indexed history partitions", metadata: ["tables": "\(sealed.joined(separator: ","))"]) }
        } catch {
            logger.error("could not index a history partition; queries on it scan instead", metadata: ["error": "\(error)"])
        }
    }

    private func commit(_ batches: [WriteBatch], sequenceLimit wantedLimit: Int64) {
        let now = Timestamp.now
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
        }
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
