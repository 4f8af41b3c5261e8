import Foundation
import Logging
import RingwatchCore
import RingwatchIngest
import RingwatchStorage
import Synchronization
import ZeroMQ

/// The receiving end of the read path: its own thread owns the ingest sockets (SUB, and PULL
/// when configured), takes messages off them, decodes and validates each, drops duplicates,
/// counts reads from unknown cameras and reads lost on the way (gaps in a camera's `seq`), and
/// hands the rest to the pipeline thread in batches.
///
/// This is a tenth of the engine's work per read and need nothing from
/// the window, so they run here, on a second core, while the pipeline thread indexes and
/// evaluates the previous batch. The hand-over is bounded: when the pipeline falls behind, this thread waits and stops
/// receiving, and the sockets' high-water marks apply exactly as when one thread did both
/// (SUB drops past it and counts nothing lost here; PULL pushes back on the camera side).
final class IngestStage: @unchecked Sendable {
    // @unchecked: the sockets and the decoder are used only on the ingest thread once it has
    // started; `stopRequested` is atomic and `output` does its own locking.

    /// One message, received and decoded (or rejected).
    enum Item {
        /// A read that passed decoding; `receivedAt` is when it came off the socket (uptime ns).
        case read(PlateRead, receivedAt: UInt64)
        /// A message that did not, with why and what it held.
        case rejected(QuarantinedMessage, RejectionReason)
    }

    /// Messages taken off a socket before the batch is handed over (less when the socket runs dry).
    static let batchSize = 256

    let sockets: [Socket]
    let output: Handoff<Item>
    private let decoder: ReadDecoder
    /// Ids of the reads in the window (by event time, like the window itself).
    private var duplicates: DuplicateFilter
    /// The newest event time accepted, for forgetting ids as the window moves on.
    private var newest: Int64 = .min
    private let cameras: CameraRegistry
    private var sequences = SequenceTracker()
    /// Whether each camera is in the registry, by the number `sequences` gave it.
    private var registered: [Bool] = []
    /// When each camera's last gap was logged (wall clock), so a lossy link logs once in 10 s.
    private var lastGapLog: [String: Timestamp] = [:]
    private let counters: EngineCounters
    private let logger: Logger
    private let maximumFutureSkewSeconds: Int64
    private let quarantineMaximumBytes: Int
    private let stopRequested = Atomic<Bool>(false)
    private let loop = LoopThread()
    private var pending: [Item] = []
    /// The read at the end of `pending` whose duplicate check waits for the next message (see `handle`).
    private var deferred: Admission?

    init(sockets: [Socket], configuration: EngineConfiguration, cameras: CameraRegistry, counters: EngineCounters, logger: Logger) {
        self.sockets = sockets
        self.cameras = cameras
        self.counters = counters
        self.logger = logger
        decoder = ReadDecoder(maximumBodyBytes: configuration.maximumBodyBytes)
        duplicates = DuplicateFilter(horizonMilliseconds: configuration.horizonHours * 3_600_000)
        maximumFutureSkewSeconds = configuration.maximumFutureSkewSeconds
        quarantineMaximumBytes = configuration.quarantineMaximumBytes
        // Enough for a fraction of a second at full speed; beyond it the sockets buffer.
        output = Handoff(capacity: 32 * Self.batchSize)
        pending.reserveCapacity(Self.batchSize)
    }

    /// Remembers a read restored into the window at a restart, so that a camera resending it is
    /// told it is a duplicate and its camera's `seq` continues. Only before `start()`.
    func remember(_ read: PlateRead) {
        precondition(!loop.isStarted, "reads are remembered before the ingest thread starts")
        _ = duplicates.insert(read.id, at: read.timestamp)
        newest = max(newest, read.timestamp.milliseconds)
        if let sequence = read.sequence { sequences.restore(camera: read.camera, sequence: sequence) }
    }

    func start() {
        loop.start(name: "ringwatch-ingest", stackSize: 1 << 20) { [self] in run() }
    }

    /// Stops receiving after handing over everything libzmq already holds; the pipeline then
    /// sees `take` return nil once it has taken the rest.
    func stop() {
        guard loop.isStarted else { return }
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        loop.join()
    }

    private func run() {
        nameCurrentThread("rw-ingest")
        while !stopRequested.load(ordering: .relaxed) {
            let ready = (try? Poller.poll(sockets, milliseconds: 50)) ?? []
            var taken = 0
            for (socket, hasInput) in zip(sockets, ready) where hasInput { taken += drain(socket) }
            if taken > 0 { counters.lastReceivedAt.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }
        }
        // Finish what libzmq already holds for us: those reads were received.
        while sockets.reduce(0, { $0 + drain($1) }) > 0 {}
        output.finish()
    }

    /// Takes the messages waiting on `socket`, handing them over a batch at a time; returns how
    /// many there were. Stops after a few batches so that one busy socket does not starve the other.
    private func drain(_ socket: Socket) -> Int {
        var taken = 0
        while taken < 16 * Self.batchSize {
            let got: Bool
            do {
                got = try socket.receive(dontWait: true, maximumFrames: 2) { message in
                    handle(message)
                    return true
                } ?? false
            } catch {
                logger.error("ingest receive failed", metadata: ["error": "\(error)"])
                break
            }
            if !got { break }
            taken += 1
            if pending.count >= Self.batchSize { handOver() }
        }
        handOver()
        return taken
    }

    private func handOver() {
        admitDeferred()
        guard !pending.isEmpty else { return }
        output.put(moving: &pending)
        pending.reserveCapacity(Self.batchSize)
    }

    private func handle(_ message: ReceivedMessage) {
        let receivedAt = DispatchTime.now().uptimeNanoseconds
        counters.received.add(1, ordering: .relaxed)
        let now = Timestamp.now
        guard message.totalFrames == 2 else {
            reject(Rejection(.badEnvelope, "message has \(message.totalFrames) frames; expected 2 (topic, body)"), message, at: now)
            return
        }
        switch decoder.decode(message.frames[1]) {
        case .failure(let rejection):
            reject(rejection, message, at: now)
        case .success(let decoded):
            let read = decoded.read
            if maximumFutureSkewSeconds > 0, read.timestamp.milliseconds > now.milliseconds + maximumFutureSkewSeconds * 1000 {
                reject(Rejection(.futureTimestamp, "ts is more than \(maximumFutureSkewSeconds) s ahead of the engine's clock"), message, at: now)
                return
            }
            if !decoded.ignored.isEmpty { counters.fieldsIgnored.add(1, ordering: .relaxed) }
            // The duplicate check waits for the next message's decoding: the id table's slot for
            // this read is fetched from memory meanwhile (at national volume the table is far
            // larger than the caches, and the wait was a sixth of this thread's time).
            duplicates.prefetch(read.id)
            let admission = Admission(id: read.id, timestamp: read.timestamp, camera: read.camera, sequence: read.sequence)
            admitDeferred()
            // Appended now, as the read's last use (so it is moved, not copied), and taken back
            // out if it turns out to be a duplicate.
            pending.append(.read(read, receivedAt: receivedAt))
            deferred = admission
        }
    }

    /// What the duplicate check and the camera's bookkeeping need of a read held back by `handle`.
    private struct Admission {
        let id: ReadID
        let timestamp: Timestamp
        let camera: String
        let sequence: Int64?
    }

    /// Finishes the read held back by `handle` (the last item of `pending`): takes it back out
    /// as a duplicate, or tracks its camera. Called before anything else is appended to
    /// `pending` and before each hand-over, so reads and rejections keep the order they came in.
    private func admitDeferred() {
        guard let read = deferred.take() else { return }
        guard duplicates.insert(read.id, at: read.timestamp) else {
            pending.removeLast()
            counters.duplicate.add(1, ordering: .relaxed)
            return
        }
        if read.timestamp.milliseconds > newest {
            // Forget ids older than the window once a minute of event time.
            if newest != .min, read.timestamp.milliseconds / 60_000 != newest / 60_000 {
                duplicates.evict(olderThanHorizonBefore: read.timestamp)
            }
            newest = read.timestamp.milliseconds
        }
        // One lookup of the camera id a read: its number answers both questions below.
        let cameraNumber = sequences.number(of: read.camera)
        while registered.count <= cameraNumber { registered.append(cameras.contains(sequences.cameras[registered.count])) }
        if !registered[cameraNumber] { counters.unknownCamera.add(1, ordering: .relaxed) }
        if let sequence = read.sequence, case .gap(let missing) = sequences.observe(cameraNumber: cameraNumber, sequence: sequence) {
            counters.countGap(camera: read.camera, missing: missing)
            logGap(camera: read.camera, missing: missing)
        }
    }

    private func logGap(camera: String, missing: Int64) {
        let now = Timestamp.now
        if let last = lastGapLog[camera], now.milliseconds - last.milliseconds < 10_000 { return }
        lastGapLog[camera] = now
        logger.warning("reads lost between camera and engine", metadata: ["camera": "\(camera)", "missing": "\(missing)"])
    }

    /// Keeps the message's body (the last frame, cut at `quarantine_max_bytes`) and topic (the
    /// first frame of a multi-frame message) with the reason.
    private func reject(_ rejection: Rejection, _ message: ReceivedMessage, at time: Timestamp) {
        admitDeferred()
        let body = message.frames.last ?? UnsafeRawBufferPointer(start: nil, count: 0)
        let topic = message.frames.count > 1 ? String(decoding: message.frames[0].prefix(256), as: UTF8.self) : nil
        let kept = QuarantinedMessage(
            receivedAt: time, topic: topic, reason: rejection.reason.rawValue, detail: rejection.detail,
            size: body.count, body: Array(body.prefix(quarantineMaximumBytes)))
        pending.append(.rejected(kept, rejection.reason))
    }
}
