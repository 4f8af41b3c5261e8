import CoreMetrics
import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex
import RingwatchIngest
import RingwatchRegistry
import RingwatchStorage
import Synchronization
import ZeroMQ

/// The read path: one thread that owns the trigger socket, the window and the detectors. Reads
/// arrive decoded, validated and de-duplicated, with lost reads and unknown cameras counted, from
/// the `IngestStage` (its own thread, which owns the ingest sockets), and are indexed, evaluated
/// and handed to the history writer in batches; triggers are published as they fire.
///
/// A single owner thread keeps the hot path free of locks: other threads reach the pipeline's
/// state only through `perform(_:)`, which runs a closure between two batches.
///
/// Hotlist hits go first: every read taken in a batch is matched against the hotlist before
/// any read of the batch is indexed and given to the other detectors. A hit is what a dispatch
/// room acts on, and matching costs a tenth of a read's work, so when reads queue up (a burst,
/// the host busy for a few milliseconds) a hit waits for the matching of the reads ahead of
/// it, not for their convoy, clone and registry analysis. The hotlist looks at the read alone
/// (and the registry), never at the window, so its findings do not depend on this order; the
/// other detectors still see every read in arrival order, each after the window took it. A
/// hit's `seq` may therefore come before that of a trigger an earlier read fired. While it
/// analyses a batch, the thread looks for newly arrived reads every `sliceReads` reads and
/// matches those at once, so a hit never waits for a whole backlog's analysis.
public final class Pipeline: @unchecked Sendable {
    // @unchecked: every mutable member is used only on the pipeline thread, except `commands`
    // (a Mutex); the ingest sockets belong to `stage`'s thread.
    private let configuration: EngineConfiguration
    private let counters: EngineCounters
    private let writer: HistoryWriter
    private let recent: RecentTriggers
    private let logger: Logger
    private let publisher: Socket
    /// Receives and decodes on its own thread; hands reads over in batches.
    private let stage: IngestStage
    public let cameras: CameraRegistry
    public let index: ReadIndex
    public let hotlist: HotlistDetector
    /// The vehicle registry as detectors see it; `registry.reload` swaps its contents.
    public let registry: RegistryLookup
    public let mismatch: MismatchDetector
    public let clone: CloneDetector
    /// Live route watches; `watch.add` and `watch.remove` change them.
    public let routes: RouteWatchDetector
    /// Every detector but the hotlist (which runs first, for the whole batch) and the convoy
    /// detector (on its own thread), in order.
    private var detectors: [any Detector]
    /// The convoy detector and its pair log, when convoys are detected.
    let convoys: ConvoyStage?
    /// Latency timers, one per detector in `detectors` order.
    private let detectorTimers: [CoreMetrics.Timer]
    private let hotlistTimer: CoreMetrics.Timer
    private let metrics: EngineMetrics
    /// Reads the registry corrected while the detectors ran (`MismatchDetector.onMisread`).
    private var corrections: [(read: PlateRead, plate: String)] = []
    /// Reads until the next one whose detectors are timed.
    private var timingCountdown = EngineMetrics.detectorSampling
    private var clock: EventClock
    private var batch = WriteBatch()
    private let commands = Mutex<[Command]>([])
    private let loop = LoopThread()
    /// When the message being handled came off the socket (uptime ns); 0 outside `handle`.
    private var receivedAt: UInt64 = 0

    /// A closure to run on the pipeline thread, with a semaphore its caller waits on.
    final class Command: @unchecked Sendable {
        // @unchecked: `result` is written once on the pipeline thread before `finished` is
        // signalled, and read only after waiting on it.
        let body: (Pipeline) -> JSONValue
        var result: JSONValue = .null
        let finished = DispatchSemaphore(value: 0)
        init(_ body: @escaping (Pipeline) -> JSONValue) { self.body = body }
    }

    init(
        configuration: EngineConfiguration, context: Context, cameras: CameraRegistry, hotlist: HotlistDetector,
        registry: RegistryLookup, writer: HistoryWriter, counters: EngineCounters, recent: RecentTriggers, metrics: EngineMetrics,
        logger: Logger, routes: RouteWatchDetector = RouteWatchDetector(), curveSecretKey: String? = nil
    ) throws {
        self.metrics = metrics
        self.configuration = configuration
        self.counters = counters
        self.writer = writer
        self.recent = recent
        self.logger = logger
        self.cameras = cameras
        self.hotlist = hotlist
        self.registry = registry
        // OCR-variant hotlist hits are corroborated against the registry (a reload swaps the
        // lookup's contents, not the object, so this stays current).
        hotlist.registry = registry
        self.mismatch = MismatchDetector(lookup: registry, configuration: configuration.mismatch)
        self.clone = CloneDetector(lookup: registry, configuration: configuration.clone)
        self.detectors = [mismatch]
        if configuration.cloneEnabled { detectors.append(clone) }
        // Always wired: with no watch, a read costs one dictionary lookup.
        self.routes = routes
        detectors.append(routes)
        // Vehicle types come from the registry (buses are excluded by default); a reload
        // applies to vehicles first seen after it (`replaceRegistry(_:)`).
        convoys = configuration.convoy.map { convoy in
            ConvoyStage(definition: convoy, latenessMilliseconds: configuration.latenessSeconds * 1000, registry: registry.registry,
                        cameras: cameras, timer: metrics.detectorTimer(.convoy))
        }
        self.detectorTimers = detectors.map { metrics.detectorTimer($0.kind) }
        self.hotlistTimer = metrics.detectorTimer(hotlist.kind)
        self.index = ReadIndex(configuration: .init(
            partitionMilliseconds: configuration.partitionMinutes * 60_000,
            horizonMilliseconds: configuration.horizonHours * 3_600_000))
        self.clock = EventClock(latenessMilliseconds: configuration.latenessSeconds * 1000)

        let ingest = try Socket(context, .subscriber)
        try ingest.setReceiveHighWaterMark(configuration.receiveHighWaterMark)
        try ingest.setLinger(milliseconds: 0)
        try ingest.subscribe("read.")
        if let curveSecretKey { try ingest.makeCurveServer(secretKey: curveSecretKey, domain: "ingest") }
        for endpoint in configuration.ingestBind { try ingest.bind(endpoint) }
        // The bound endpoint (with a port chosen by the system for `:*`), before any connect
        // makes a publisher's endpoint the last one.
        let boundIngest = configuration.ingestBind.isEmpty ? "" : (try? ingest.lastEndpoint) ?? ""
        for endpoint in configuration.ingestConnect { try ingest.connect(endpoint) }
        // The lossless alternative: a PULL socket, when `ingest_pull` endpoints are configured.
        var pull: Socket?
        if !configuration.ingestPull.isEmpty {
            // PUSH/PULL does not drop: past the high-water mark the camera side's PUSH blocks
            // (or its send fails with EAGAIN), so the integrator sees the backpressure.
            let socket = try Socket(context, .pull)
            try socket.setReceiveHighWaterMark(configuration.receiveHighWaterMark)
            try socket.setLinger(milliseconds: 0)
            if let curveSecretKey { try socket.makeCurveServer(secretKey: curveSecretKey, domain: "ingest") }
            for endpoint in configuration.ingestPull { try socket.bind(endpoint) }
            pull = socket
        }
        // Resolved now: once the ingest thread owns the sockets, no other thread may touch them.
        ingestEndpoint = boundIngest
        pullEndpoint = pull.flatMap { try? $0.lastEndpoint }
        stage = IngestStage(sockets: [ingest] + [pull].compactMap { $0 }, configuration: configuration, cameras: cameras, counters: counters, logger: logger)

        publisher = try Socket(context, .publisher)
        try publisher.setSendHighWaterMark(configuration.sendHighWaterMark)
        try publisher.setLinger(milliseconds: 2000)
        if let curveSecretKey { try publisher.makeCurveServer(secretKey: curveSecretKey, domain: "triggers") }
        try publisher.bind(configuration.triggers)
        // A read the registry corrects goes to the hotlist as the corrected plate too.
        mismatch.onMisread = { [unowned self] read, plate in corrections.append((read, plate)) }
    }

    /// Items received and waiting for the pipeline thread.
    var waitingItems: Int { stage.output.count }

    /// The endpoint the ingest socket bound first, with a `*` port resolved.
    let ingestEndpoint: String
    /// The endpoint the PULL socket bound, if there is one.
    let pullEndpoint: String?
    var triggerEndpoint: String { (try? publisher.lastEndpoint) ?? "" }

    /// Rebuilds the window from the history so a restart does not blind the detectors.
    /// Runs before `start()`; detectors are not re-run on these reads.
    func rebuild(from database: HistoryDatabase) throws -> Int {
        guard let latest = try database.latestReadTime() else { return 0 }
        let start = latest.adding(milliseconds: -configuration.horizonHours * 3_600_000)
        var restored = 0
        try database.forEachRead(from: start, to: latest) { stored in
            let read = stored.read
            stage.remember(read)
            _ = clock.observe(read.timestamp)
            index.insert(read)
            restored += 1
        }
        counters.windowReads.store(index.count, ordering: .relaxed)
        return restored
    }

    func start() {
        convoys?.start(window: index)
        loop.start(name: "ringwatch-pipeline", stackSize: 8 << 20) { [self] in run() }
        stage.start()
    }

    /// Stops taking reads, finishes those already received, and hands everything to the writer.
    func stop() {
        guard loop.isStarted else { return }
        // The stage hands over what libzmq holds, then says it is finished; the pipeline thread
        // takes the rest and ends.
        stage.stop()
        loop.join()
    }

    /// Runs `body` on the pipeline thread between two batches and returns its result.
    func perform(_ body: @escaping (Pipeline) -> JSONValue) -> JSONValue {
        let command = Command(body)
        commands.withLock { $0.append(command) }
        command.finished.wait()
        return command.result
    }

    /// Reads analysed between two looks at the hand-over for reads that arrived meanwhile
    /// (about half a millisecond of work at national rates): the longest a hit waits behind
    /// the analysis of reads taken before it.
    static let sliceReads = 32

    private func run() {
        nameCurrentThread("rw-pipeline")
        // Batches taken and matched against the hotlist, not analysed yet, and their reads.
        var matched: [[IngestStage.Item]] = []
        var matchedItems = 0
        while true {
            counters.pipelineHeartbeat.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            if matched.isEmpty {
                // While the convoy thread works on reads handed over, come back soon for its triggers.
                let wait = convoys?.isBusy == true ? 0.002 : 0.05
                guard let batches = stage.output.takeBatches(waitingAtMost: wait) else { break }
                matchHotlist(batches)
                matched = batches
            }
            var current: [[IngestStage.Item]] = []
            swap(&current, &matched)
            matchedItems = 0
            var sinceLook = 0
            for batch in current {
                for item in batch {
                    handle(item)
                    sinceLook += 1
                    guard sinceLook == Self.sliceReads else { continue }
                    sinceLook = 0
                    takeConvoyFindings()
                    // Reads that arrived meanwhile are matched now, so that a hit among them goes
                    // out within a slice; they are analysed after this batch, in arrival order.
                    // Bounded: past the hand-over's capacity the ingest thread waits, as before.
                    guard matchedItems < stage.output.capacity else { continue }
                    let arrived = stage.output.takeAvailableBatches()
                    guard !arrived.isEmpty else { continue }
                    matchHotlist(arrived)
                    matchedItems += arrived.reduce(0) { $0 + $1.count }
                    matched += arrived
                }
            }
            stage.output.recycle(&current)
            takeConvoyFindings()
            runCommands()
            flushBatch()
        }
        runCommands()
        convoys?.finish()
        takeConvoyFindings()
        flushBatch()
    }

    /// Hands the reads analysed since the last call to the convoy thread, and publishes the
    /// convoys it found meanwhile.
    private func takeConvoyFindings() {
        guard let convoys else { return }
        convoys.handOver()
        let found = convoys.takeOutput()
        guard !found.isEmpty else { return }
        for (draft, receivedAt) in found.drafts {
            self.receivedAt = receivedAt
            emit(draft)
        }
        self.receivedAt = 0
        batch.convoyLog.append(found.log)
    }

    /// Swaps in a reloaded vehicle registry (on the pipeline thread, through `perform`).
    func replaceRegistry(_ replacement: VehicleRegistry) {
        registry.replace(replacement)
        convoys?.replace(replacement)
    }

    /// Publishes the hotlist hits of every read in `batches` (see the type's notes on order).
    private func matchHotlist(_ batches: [[IngestStage.Item]]) {
        // The hotlist does not look at the window (the context's promise that the read is in it
        // does not hold here) nor at lateness.
        let context = DetectionContext(index: index, cameras: cameras, isLate: false)
        var countdown = timingCountdown
        for item in batches.joined() {
            guard case .read(let read, let receivedAt) = item else { continue }
            // Timed on the reads whose other detectors are timed (one in `detectorSampling`).
            countdown -= 1
            let timed = countdown == 0
            if timed { countdown = EngineMetrics.detectorSampling }
            let began = timed ? DispatchTime.now().uptimeNanoseconds : 0
            let drafts = hotlist.evaluate(read, context: context)
            if timed { hotlistTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - began)) }
            guard !drafts.isEmpty else { continue }
            self.receivedAt = receivedAt
            for draft in drafts { emit(draft) }
            self.receivedAt = 0
        }
    }

    private func handle(_ item: IngestStage.Item) {
        switch item {
        case .read(let read, let receivedAt):
            self.receivedAt = receivedAt
            accept(read)
            self.receivedAt = 0
        case .rejected(let message, let reason):
            counters.countRejection(reason)
            batch.quarantined.append(message)
        }
    }

    private func accept(_ read: PlateRead) {
        let previousLatest = clock.latest
        let late = clock.observe(read.timestamp)
        if late { counters.late.add(1, ordering: .relaxed) }
        index.insert(read)
        if let previousLatest, let latest = clock.latest, latest.milliseconds / 60_000 != previousLatest.milliseconds / 60_000 {
            counters.windowBytes.store(index.estimatedBytes, ordering: .relaxed)
        }
        counters.accepted.add(1, ordering: .relaxed)
        counters.windowReads.store(index.count, ordering: .relaxed)
        batch.reads.append(read)

        let context = DetectionContext(index: index, cameras: cameras, isLate: late)
        // One read in `detectorSampling`: time each detector for the latency histograms.
        timingCountdown -= 1
        let timed = timingCountdown == 0
        if timed { timingCountdown = EngineMetrics.detectorSampling }
        for (position, detector) in detectors.enumerated() {
            let began = timed ? DispatchTime.now().uptimeNanoseconds : 0
            let drafts = detector.evaluate(read, context: context)
            if timed { detectorTimers[position].recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - began)) }
            for draft in drafts { emit(draft) }
        }
        convoys?.observe(read, inWindow: index.inserted(read.id), late: late, receivedAt: receivedAt)
        if !corrections.isEmpty {
            let hit = Set(hotlist.matcher.matches(for: read).map(\.entry.pattern))
            for correction in corrections {
                for draft in hotlist.correctedMatches(for: correction.read, correctedPlate: correction.plate, alreadyHit: hit, cameras: cameras) {
                    emit(draft)
                }
            }
            corrections.removeAll()
        }
    }

    /// Assigns `seq`, records and publishes one trigger.
    func emit(_ draft: TriggerDraft) {
        let trigger = Trigger(draft: draft, sequence: writer.nextTriggerSequence(), emittedAt: .now)
        let stored = StoredTrigger(trigger)
        batch.triggers.append(stored)
        recent.append(stored)
        counters.triggersEmitted.add(1, ordering: .relaxed)
        metrics.countTrigger(kind: trigger.kind, severity: trigger.severity.rawValue)
        counters.lastTriggerSequence.store(trigger.sequence, ordering: .relaxed)
        if configuration.logPersonalData {
            // Only when an operator turned it on for debugging: plates are personal data.
            logger.debug("trigger", metadata: ["seq": "\(trigger.sequence)", "kind": "\(trigger.kind.rawValue)", "plate": "\(trigger.plate.text)"])
        }
        do {
            // PUB never blocks: past the high-water mark libzmq drops, and subscribers recover
            // the gap in `seq` with `replay`.
            try publisher.send([Array(trigger.topic.utf8), Array(stored.body.utf8)], dontWait: true)
        } catch {
            logger.warning("trigger publish failed; subscribers can replay it", metadata: ["seq": "\(trigger.sequence)", "error": "\(error)"])
        }
        if receivedAt != 0 {
            let elapsed = DispatchTime.now().uptimeNanoseconds &- receivedAt
            // Read received → trigger published, for every trigger a read fires.
            metrics.triggerLatency.record(nanoseconds: elapsed)
            metrics.triggerLatencyTimer.recordNanoseconds(Int64(elapsed))
        }
    }

    private func runCommands() {
        let pending = commands.withLock { queue -> [Command] in
            defer { queue.removeAll() }
            return queue
        }
        for command in pending {
            command.result = command.body(self)
            command.finished.signal()
        }
    }

    private func flushBatch() {
        guard !batch.isEmpty else { return }
        writer.submit(batch)
        batch = WriteBatch()
    }
}
