import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
import Synchronization
import ZeroMQ

/// The control REP socket: JSON request in, JSON reply out (CONTRACT.md section 5).
///
/// Runs on its own thread. Reading counters needs no lock; changes to the pipeline's state
/// (the hotlist) run on the pipeline thread through `Pipeline.perform`.
final class ControlServer: @unchecked Sendable {
    // @unchecked: the socket and database are used only on the control thread.
    private let socket: Socket
    let engine: EngineHandles
    let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private var history: HistoryDatabase?

    init(endpoint: String, context: Context, engine: EngineHandles, logger: Logger) throws {
        socket = try Socket(context, .reply)
        try socket.setLinger(milliseconds: 0)
        try socket.bind(endpoint)
        self.engine = engine
        self.logger = logger
    }

    var endpoint: String { (try? socket.lastEndpoint) ?? "" }

    func start() {
        started = true
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .relaxed) {
                guard (try? socket.waitForInput(milliseconds: 100)) == true else { continue }
                guard let frames = try? socket.receiveFrames(dontWait: true) else { continue }
                let reply = handle(frames.last ?? [])
                do { try socket.send([Array(reply.serialized.utf8)]) } catch {
                    logger.error("control reply failed", metadata: ["error": "\(error)"])
                }
            }
            done.signal()
        }
        thread.name = "ringwatch-control"
        thread.start()
    }

    func stop() {
        guard started else { return }
        started = false
        stopRequested.store(true, ordering: .relaxed)
        done.wait()
    }

    static func failure(_ message: String) -> JSONValue { .object([("ok", .bool(false)), ("error", .string(message))]) }

    func handle(_ body: [UInt8]) -> JSONValue {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return Self.failure("request is not a JSON object; send e.g. {\"op\":\"status\"}")
        }
        guard let op = object["op"] as? String else { return Self.failure("request lacks \"op\"") }
        switch op {
        case "status": return status()
        case "replay": return replay(object)
        case "hotlist.add": return hotlistAdd(object)
        case "hotlist.remove": return hotlistRemove(object)
        case "hotlist.list": return hotlistList()
        case "registry.reload": return registryReload(object)
        case "registry.status": return registryStatus()
        default:
            return Self.failure("unknown op '\(op)'; this engine knows status, replay, hotlist.add, hotlist.remove, hotlist.list, "
                + "registry.reload, registry.status")
        }
    }

    private func status() -> JSONValue {
        let c = engine.counters
        return .object([
            ("ok", .bool(true)),
            ("reads_received", .int(Int64(c.received.load(ordering: .relaxed)))),
            ("reads_accepted", .int(Int64(c.accepted.load(ordering: .relaxed)))),
            ("reads_rejected", .int(Int64(c.rejected.load(ordering: .relaxed)))),
            ("reads_duplicate", .int(Int64(c.duplicate.load(ordering: .relaxed)))),
            ("reads_unknown_camera", .int(Int64(c.unknownCamera.load(ordering: .relaxed)))),
            ("reads_stored", .int(Int64(engine.writer.storedReads.load(ordering: .relaxed)))),
            ("ingest_gaps", .int(Int64(c.ingestGaps.load(ordering: .relaxed)))),
            ("triggers_emitted", .int(Int64(c.triggersEmitted.load(ordering: .relaxed)))),
            ("last_trigger_seq", .int(max(c.lastTriggerSequence.load(ordering: .relaxed), engine.startSequence))),
            ("uptime_s", .int(engine.uptimeSeconds)),
            ("reads_late", .int(Int64(c.late.load(ordering: .relaxed)))),
            ("reads_fields_ignored", .int(Int64(c.fieldsIgnored.load(ordering: .relaxed)))),
            ("triggers_stored", .int(Int64(engine.writer.storedTriggers.load(ordering: .relaxed)))),
            ("window_reads", .int(Int64(c.windowReads.load(ordering: .relaxed)))),
            ("writer_queue", .int(Int64(engine.writer.queueDepth))),
            ("writer_backpressure_waits", .int(Int64(engine.writer.backpressureWaits.load(ordering: .relaxed)))),
            ("rejected_by_reason", .object(c.rejections.filter { $0.count > 0 }.map { ($0.reason, .int(Int64($0.count))) })),
            ("gaps_by_camera", .object(c.gapsPerCamera.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
        ])
    }

    private func replay(_ request: [String: Any]) -> JSONValue {
        let since = (request["since_seq"] as? NSNumber)?.int64Value ?? 0
        let limit = min(max((request["limit"] as? NSNumber)?.intValue ?? 1000, 1), 10_000)
        do {
            if history == nil { history = try HistoryDatabase(path: engine.databasePath, readOnly: true) }
            var bySequence: [Int64: StoredTrigger] = [:]
            for trigger in try history!.triggers(since: since, limit: limit) { bySequence[trigger.sequence] = trigger }
            // Triggers published but not yet committed are served from memory.
            for trigger in engine.recent.since(since) where bySequence[trigger.sequence] == nil { bySequence[trigger.sequence] = trigger }
            let ordered = bySequence.values.sorted { $0.sequence < $1.sequence }.prefix(limit)
            return .object([
                ("ok", .bool(true)),
                ("triggers", .array(ordered.map { .raw($0.body) })),
            ])
        } catch {
            logger.error("replay failed", metadata: ["error": "\(error)"])
            return Self.failure("replay failed: \(error)")
        }
    }

    private func hotlistAdd(_ request: [String: Any]) -> JSONValue {
        guard let raw = request["plate"] as? String, let pattern = HotlistEntry.normalisePattern(raw) else {
            return Self.failure("hotlist.add needs \"plate\": A-Z, 0-9, ? and * after removing spaces, '-' and '.'")
        }
        let severityText = (request["severity"] as? String ?? "high").lowercased()
        guard let severity = Severity(rawValue: severityText) else {
            return Self.failure("severity must be one of critical, high, medium, low")
        }
        var expires: Timestamp?
        if let text = request["expires"] as? String, !text.isEmpty {
            guard let time = Timestamp(rfc3339: text) else { return Self.failure("expires must be an RFC 3339 time") }
            expires = time
        }
        let entry = HotlistEntry(pattern: pattern, category: request["category"] as? String ?? "unspecified",
                                 severity: severity, reason: request["reason"] as? String ?? "", expires: expires)
        let user = request["user"] as? String ?? "control"
        let entryID: Int64
        do {
            if engine.hotlistStore == nil { engine.hotlistStore = try HistoryDatabase(path: engine.databasePath) }
            entryID = try engine.hotlistStore!.addHotlistEntry(entry, user: user)
        } catch {
            return Self.failure("could not store the hotlist entry: \(error)")
        }
        let historical = engine.pipeline.perform { pipeline in
            pipeline.hotlist.add(entry)
            let drafts = pipeline.hotlist.historicalMatches(for: entry, in: pipeline.index, cameras: pipeline.cameras)
            for draft in drafts { pipeline.emit(draft) }
            return .int(Int64(drafts.count))
        }
        return .object([("ok", .bool(true)), ("entry_id", .int(entryID)), ("historical_triggers", historical)])
    }

    private func hotlistRemove(_ request: [String: Any]) -> JSONValue {
        guard let raw = request["plate"] as? String, let pattern = HotlistEntry.normalisePattern(raw) else {
            return Self.failure("hotlist.remove needs \"plate\"")
        }
        do {
            if engine.hotlistStore == nil { engine.hotlistStore = try HistoryDatabase(path: engine.databasePath) }
            try engine.hotlistStore!.removeHotlistEntries(pattern: pattern)
        } catch {
            return Self.failure("could not update the stored hotlist: \(error)")
        }
        let removed = engine.pipeline.perform { .int(Int64($0.hotlist.remove(pattern: pattern))) }
        return .object([("ok", .bool(true)), ("removed", removed)])
    }

    private func hotlistList() -> JSONValue {
        engine.pipeline.perform { pipeline in
            .object([
                ("ok", .bool(true)),
                ("entries", .array(pipeline.hotlist.entries.sorted { $0.pattern < $1.pattern }.map { entry in
                    .object([
                        ("plate", .string(entry.pattern)), ("category", .string(entry.category)),
                        ("severity", .string(entry.severity.rawValue)), ("reason", .string(entry.reason)),
                        ("expires", entry.expires.map { .string($0.rfc3339Seconds) } ?? .null),
                    ])
                })),
            ])
        }
    }
}
