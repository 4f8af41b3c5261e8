import Foundation
import Logging
import RingwatchCore
import RingwatchStorage
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
    private let thread = ServiceThread()
    private var history: HistoryDatabase?

    init(endpoint: String, context: Context, engine: EngineHandles, logger: Logger, curveSecretKey: String? = nil) throws {
        socket = try Socket(context, .reply)
        try socket.setLinger(milliseconds: 0)
        if let curveSecretKey { try socket.makeCurveServer(secretKey: curveSecretKey, domain: "control") }
        try socket.bind(endpoint)
        self.engine = engine
        self.logger = logger
    }

    var endpoint: String { (try? socket.lastEndpoint) ?? "" }

    func start() {
        thread.start(name: "ringwatch-control") { [self] in
            guard (try? socket.waitForInput(milliseconds: 100)) == true,
                  let frames = try? socket.receiveFrames(dontWait: true) else { return }
            // One frame: the JSON request. A second frame is an attachment (the CSV of a
            // `hotlist.import`), kept out of the JSON so a large file is never escaped.
            let reply = handle(frames.first ?? [], attachment: frames.count > 1 ? frames[1] : nil)
            do { try socket.send([Array(reply.serialized.utf8)]) } catch {
                logger.error("control reply failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func stop() { thread.stop() }

    static func failure(_ message: String) -> JSONValue { .object([("ok", .bool(false)), ("error", .string(message))]) }

    func handle(_ body: [UInt8], attachment: [UInt8]? = nil) -> JSONValue {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return Self.failure("request is not a JSON object; send e.g. {\"op\":\"status\"}")
        }
        guard let op = object["op"] as? String else { return Self.failure("request lacks \"op\"") }
        if let problem = Self.mistypedField(in: object, op: op) { return Self.failure(problem) }
        switch op {
        case "status": return status()
        case "replay": return replay(object)
        case "hotlist.add": return hotlistAdd(object)
        case "hotlist.remove": return hotlistRemove(object)
        case "hotlist.list": return hotlistList(object)
        case "hotlist.import": return hotlistImport(object, attachment: attachment)
        case "registry.reload": return registryReload(object)
        case "registry.status": return registryStatus()
        case "watch.add": return watchAdd(object)
        case "watch.remove": return watchRemove(object)
        case "watch.list": return watchList()
        case "ack": return acknowledge(object)
        case "purge": return purge(object)
        case "audit": return recordClientAudit(object)
        default:
            return Self.failure("unknown op '\(op)'; this engine knows status, replay, hotlist.add, hotlist.remove, hotlist.list, "
                + "hotlist.import, registry.reload, registry.status, watch.add, watch.remove, watch.list, ack, purge, audit")
        }
    }

    /// The JSON type a request field must have when it is present (and not null).
    enum FieldType {
        case string, integer, number, bool, strings, object

        var name: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .number: "a number"
            case .bool: "true or false"
            case .strings: "an array of strings"
            case .object: "an object"
            }
        }

        func admits(_ value: Any) -> Bool {
            switch self {
            case .string: value is String
            case .integer: value is NSNumber && value as? Int64 != nil
            case .number: value is NSNumber
            case .bool: value is Bool
            case .strings: value is [String]
            case .object: value is [String: Any]
            }
        }
    }

    /// The fields of each operation, with their types. A field of the wrong type used to be
    /// taken as absent, so `"since_seq":"41"` replayed from the first trigger and
    /// `"expires":1767225600` added an entry that never expires; now the request is refused.
    static let fieldTypes: [String: [(String, FieldType)]] = [
        "replay": [("since_seq", .integer), ("limit", .integer)],
        "hotlist.add": [("plate", .string), ("category", .string), ("severity", .string), ("reason", .string), ("expires", .string),
                        ("user", .string)],
        "hotlist.remove": [("plate", .string), ("reason", .string), ("user", .string)],
        "hotlist.list": [("limit", .integer)],
        "hotlist.import": [("file", .string), ("csv", .string), ("path", .string), ("replace", .bool), ("historical", .bool),
                           ("reason", .string), ("user", .string)],
        "registry.reload": [("path", .string)],
        "watch.add": [("name", .string), ("cameras", .strings), ("plate", .string), ("from", .string), ("to", .string),
                      ("max_gap_s", .number), ("min_match", .number), ("severity", .string), ("repeat_days", .integer),
                      ("exclude_plate", .bool), ("reason", .string), ("authorization", .string), ("user", .string)],
        "watch.remove": [("name", .string), ("reason", .string), ("user", .string)],
        "ack": [("trigger_id", .string), ("decision", .string), ("reason", .string), ("user", .string)],
        "purge": [("before", .string), ("reason", .string), ("user", .string)],
        "audit": [("command", .string), ("reason", .string), ("user", .string), ("authorization", .string), ("parameters", .object)],
    ]

    /// A sentence naming the first field of `op` present with the wrong type, or nil.
    static func mistypedField(in request: [String: Any], op: String) -> String? {
        for (field, type) in fieldTypes[op] ?? [] {
            guard let value = request[field], !(value is NSNull) else { continue }
            if !type.admits(value) { return "\(op): \"\(field)\" must be \(type.name)" }
        }
        return nil
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
}
