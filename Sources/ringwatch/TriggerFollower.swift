import Foundation
import ZeroMQ

/// The reference dispatch subscriber behind `ringwatch triggers --follow`.
///
/// ZeroMQ PUB/SUB drops messages for a subscriber that is disconnected or too slow, so the
/// follower never trusts the stream alone: it remembers the last `seq` it handed on, fills any
/// gap with the control socket's `replay`, skips what it has already seen, asks the engine for
/// its newest `seq` when the stream is quiet (a lost last trigger reveals no gap), and keeps its
/// position in a state file so that after its own restart it resumes exactly where it stopped.
struct TriggerFollower {
    let triggerEndpoint: String
    let control: ControlClient
    /// Only triggers of this kind (nil: all).
    let kind: String?
    /// Where the last handed-on `seq` is kept between runs (nil: not kept).
    let stateFile: String?
    /// Stop after handing on this many triggers (nil: run until interrupted).
    let count: Int?
    /// Called with each trigger body, in `seq` order, exactly once.
    let deliver: (String) -> Void

    /// Ask the engine for its newest `seq` after this long without a message.
    var quietCheckMilliseconds = 2000

    func run(startingAfter initial: Int64?) throws {
        let context = try Context()
        let subscriber = try Socket(context, .subscriber)
        try subscriber.setLinger(milliseconds: 0)
        try subscriber.subscribe(kind.map { "trigger.\($0)." } ?? "trigger.")
        try ClientSecurity.apply(to: subscriber)
        try subscriber.connect(triggerEndpoint)
        // Subscribe first, then catch up: anything published meanwhile is in the socket and is
        // skipped by `seq` if replay already returned it.
        var last = try initial ?? savedPosition() ?? latestSequence()
        var delivered = 0
        /// Hands on one trigger (nil body: one of another kind, only moving the position).
        func hand(_ seq: Int64, _ body: String?) -> Bool {
            guard seq > last else { return false }
            last = seq
            save(last)
            guard let body else { return false }
            deliver(body)
            delivered += 1
            return count.map { delivered >= $0 } ?? false
        }
        func catchUp(to target: Int64?) throws -> Bool {
            while target.map({ last < $0 }) ?? true {
                let batch = try replay(after: last)
                if batch.isEmpty { return false }
                for (seq, body) in batch where target.map({ seq <= $0 }) ?? true {
                    if hand(seq, body) { return true }
                }
                if target == nil && batch.count < 1000 { return false }
            }
            return false
        }
        if try catchUp(to: nil) { return }
        while !Follow.interrupted {
            guard try subscriber.waitForInput(milliseconds: quietCheckMilliseconds) else {
                if try latestSequence() > last, try catchUp(to: nil) { return }
                continue
            }
            guard let frames = try subscriber.receiveStrings(dontWait: true), frames.count == 2 else { continue }
            guard let (seq, body) = Self.normalised(frames[1]) else { continue }
            if seq > last + 1, try catchUp(to: seq - 1) { return }
            if hand(seq, body) { return }
        }
    }

    /// Triggers after `seq`, oldest first, from the engine's `replay`; those of another kind
    /// come without a body.
    private func replay(after seq: Int64) throws -> [(Int64, String?)] {
        let reply = try control.request(["op": "replay", "since_seq": seq, "limit": 1000])
        let triggers = reply["triggers"] as? [[String: Any]] ?? []
        return try triggers.map { object in
            let seq = (object["seq"] as? NSNumber)?.int64Value ?? 0
            if let kind, object["kind"] as? String != kind { return (seq, nil) }
            return (seq, try Self.serialised(object))
        }
    }

    private func latestSequence() throws -> Int64 {
        (try control.request(["op": "status"])["last_trigger_seq"] as? NSNumber)?.int64Value ?? 0
    }

    private func savedPosition() -> Int64? {
        guard let stateFile, let text = try? String(contentsOfFile: stateFile, encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func save(_ seq: Int64) {
        guard let stateFile else { return }
        // Write-then-rename: a crash leaves the old position or the new one, never half a number.
        let temporary = stateFile + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data("\(seq)\n".utf8)) {
            _ = rename(temporary, stateFile)
        }
    }

    /// A published body's `seq`, and the body with sorted keys, so that live and replayed
    /// triggers print alike.
    static func normalised(_ body: String) -> (Int64, String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let seq = (object["seq"] as? NSNumber)?.int64Value, let text = try? serialised(object)
        else { return nil }
        return (seq, text)
    }

    static func serialised(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}

/// SIGINT/SIGTERM handling for the follower: finish the current trigger, then stop.
enum Follow {
    nonisolated(unsafe) static var interrupted = false

    static func installSignalHandlers() {
        signal(SIGINT) { _ in Follow.interrupted = true }
        signal(SIGTERM) { _ in Follow.interrupted = true }
    }
}
