// `ringwatch-bench drive`: the load side of the national benchmark, run as its own process so
// the engine does not share an address space (or an allocator) with the traffic it receives.
//
//   ringwatch-bench drive --file DAY.jsonl --count N --endpoint E [--rate R] [--triggers T]
//
// Loads the first N messages of a `ringwatch simulate --out` file into memory, connects a PUB
// socket (no drop: past the high-water mark it waits), and sends probe reads until the parent
// writes "go" on standard input. Then it sends the N messages as fast as the socket takes them,
// or at R messages per second, and prints one JSON line: messages sent, seconds, and — with
// `--triggers` — the latency from sending a read to receiving each trigger it fired.
import Foundation
import RingwatchCore
import RingwatchEngine
import RingwatchSimulator
import RingwatchTesting
import Synchronization
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

struct NationalDriver {
    var file = ""
    var count = 1_000_000
    var endpoint = ""
    /// Messages per second; 0 sends as fast as the socket takes them.
    var rate = 0
    var triggers: String?

    init(arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--file": file = iterator.next() ?? ""
            case "--count": count = Int(iterator.next() ?? "") ?? count
            case "--endpoint": endpoint = iterator.next() ?? ""
            case "--rate": rate = Int(iterator.next() ?? "") ?? 0
            case "--triggers": triggers = iterator.next()
            default: break
            }
        }
    }

    /// The messages to send: topic, body and the read's `id` (for matching triggers).
    struct Loaded {
        var topics: [[UInt8]] = []
        var bodies: [[UInt8]] = []
        /// Position of each message by the read id triggers give (`read_ids`).
        var ids: [String: Int] = [:]
    }

    static func load(_ path: String, count: Int, keepIDs: Bool) throws -> Loaded {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BenchError("drive: cannot read \(path); write it with 'ringwatch simulate --out'")
        }
        defer { try? handle.close() }
        var loaded = Loaded()
        loaded.topics.reserveCapacity(count)
        loaded.bodies.reserveCapacity(count)
        var pending: [UInt8] = []
        var topics: [String: [UInt8]] = [:]
        reading: while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var lineStart = 0
            while let newline = pending[lineStart...].firstIndex(of: 10) {
                defer { lineStart = newline + 1 }
                guard let message = SimulatedMessage(jsonLine: pending[lineStart..<newline]) else { continue }
                // Triggers name their evidence by the engine's read id, a hash of the source id.
                if keepIDs, let id = readID(message.body) { loaded.ids[ReadID.from(sourceID: id).description] = loaded.bodies.count }
                if topics[message.topic] == nil { topics[message.topic] = Array(message.topic.utf8) }
                loaded.topics.append(topics[message.topic]!)
                loaded.bodies.append(message.body)
                if loaded.bodies.count == count { break reading }
            }
            pending.removeFirst(lineStart)
        }
        return loaded
    }

    /// The value of `"id":"…"` in a read body, found without decoding the whole object.
    static func readID(_ body: [UInt8]) -> String? {
        let key = Array(#""id":""#.utf8)
        guard body.count > key.count else { return nil }
        var index = 0
        while index + key.count < body.count {
            if body[index] == key[0], Array(body[index..<index + key.count]) == key {
                let start = index + key.count
                guard let end = body[start...].firstIndex(of: 34) else { return nil }
                return String(decoding: body[start..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    func run() throws {
        let loaded = try NationalDriver.load(file, count: count, keepIDs: triggers != nil)
        let context = try Context(ioThreads: 1)
        let socket = try Socket(context, .publisher)
        try socket.setSendHighWaterMark(0)
        try socket.setPublisherNoDrop(true)
        // Wait for every message to leave, however slow the engine is: "sent = stored" must hold.
        try socket.setLinger(milliseconds: -1)
        try socket.connect(endpoint)

        // Triggers, received on their own thread: (uptime ns when received, read ids).
        let received = Mutex<[(UInt64, [String])]>([])
        let stopListening = Atomic<Bool>(false)
        var listener: Thread?
        if let triggers {
            let subscriber = try Socket(context, .subscriber)
            try subscriber.setReceiveHighWaterMark(0)
            try subscriber.subscribe("trigger.")
            try subscriber.connect(triggers)
            let box = SocketBox(subscriber)
            let thread = Thread {
                while !stopListening.load(ordering: .relaxed) {
                    guard (try? Poller.poll([box.socket], milliseconds: 20))?.first == true else { continue }
                    while let frames = try? box.socket.receiveFrames(dontWait: true) {
                        let now = DispatchTime.now().uptimeNanoseconds
                        guard frames.count == 2,
                              let object = try? JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any],
                              let ids = object["read_ids"] as? [String]
                        else { continue }
                        received.withLock { $0.append((now, ids)) }
                    }
                }
            }
            thread.start()
            listener = thread
        }

        // Probe until the parent has seen the engine receive one, then start on "go".
        var probes = 0
        while !standardInputHasLine() {
            let body = ReadMessages.body(camera: "probe", ts: Timestamp(milliseconds: 1_000_000_000_000 + Int64(probes)), plate: "PROBE")
            try socket.send(["read.probe.probe", body])
            probes += 1
            usleep(5_000)
        }
        _ = readLine()

        var sentAt = [UInt64](repeating: 0, count: loaded.bodies.count)
        let began = DispatchTime.now().uptimeNanoseconds
        var index = 0
        while index < loaded.bodies.count {
            var due = loaded.bodies.count
            if rate > 0 {
                let elapsed = DispatchTime.now().uptimeNanoseconds - began
                due = min(loaded.bodies.count, Int(Double(elapsed) * Double(rate) / 1e9) + 1)
                if due <= index {
                    // Send in bursts about a millisecond apart: a tighter loop would cost the
                    // engine CPU on two cores.
                    usleep(900)
                    continue
                }
            }
            while index < due {
                sentAt[index] = DispatchTime.now().uptimeNanoseconds
                try socket.send([loaded.topics[index], loaded.bodies[index]])
                index += 1
            }
        }
        let sendSeconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9

        var latency: [String: Any] = [:]
        if listener != nil {
            // Triggers of the last reads may still be on their way.
            sleep(3)
            stopListening.store(true, ordering: .relaxed)
            while listener?.isFinished == false { usleep(10_000) }
            var histogram = LatencyHistogram()
            for (at, ids) in received.withLock({ $0 }) {
                // The read that fired a trigger is the latest of its evidence.
                guard let sent = ids.compactMap({ loaded.ids[$0] }).map({ sentAt[$0] }).max(), sent > 0, at > sent else { continue }
                histogram.record(nanoseconds: at - sent)
            }
            func milliseconds(_ fraction: Double) -> Double { Double(histogram.percentile(fraction)) / 1e6 }
            latency = ["count": Int(histogram.count), "p50_ms": milliseconds(0.5), "p99_ms": milliseconds(0.99),
                       "p999_ms": milliseconds(0.999), "max_ms": milliseconds(1)]
        }
        let result: [String: Any] = ["sent": loaded.bodies.count, "probes": probes, "send_seconds": sendSeconds, "external_latency": latency]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Whether a line is waiting on standard input (the parent's "go").
    private func standardInputHasLine() -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}

/// Lets a socket be handed to the thread that alone uses it.
final class SocketBox: @unchecked Sendable {
    // @unchecked: the socket is used by one thread only after hand-over.
    let socket: Socket
    init(_ socket: Socket) { self.socket = socket }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
