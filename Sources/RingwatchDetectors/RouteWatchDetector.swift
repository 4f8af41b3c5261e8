import RingwatchCore
import RingwatchIndex

/// Fires `route` triggers: a vehicle that passes at least `min_match` of a watched route's
/// cameras, in order, with no gap between two matched cameras over the watch's `max_gap_s`.
///
/// Watches are indexed by camera, so a read at an unwatched camera costs one dictionary
/// lookup, and a read at a watched camera costs work for the watches through that camera only
/// (hundreds of watches over a city's cameras: a few dozen per camera). For each vehicle and
/// watch it keeps the best in-order chain ending at each position of the route (a longest
/// common subsequence, grown one read at a time), so a missed camera or a detour costs only
/// the cameras missed. A vehicle's progress on a watch is forgotten once it has passed none
/// of the watch's cameras for `max_gap_s`.
///
/// A trip fires a watch once: the first read that brings the chain to `min_match` fires, and
/// the watch stays quiet for that vehicle until its trip along the route is over. The
/// trigger's id is a function of the watch's name and the chain's reads, so two engines fed
/// the same stream emit the same ids.
public final class RouteWatchDetector: Detector {
    public let kind = TriggerKind.route

    /// A live watch and what matching needs.
    struct Slot {
        let watch: RouteWatch
        let needed: Int
        let gap: Int64
    }

    /// One read of a chain: the chain's length up to it and the read before it.
    struct Link {
        let position: Int16
        let count: Int16
        let parent: Int32
        let time: Int64
        let readID: ReadID
    }

    /// One vehicle on one watch: the best chain ending at each route position.
    struct Progress {
        var best: [Int32]
        var links: [Link] = []
        var lastTime: Int64 = .min
        var muted = false

        init(positions: Int) { best = [Int32](repeating: -1, count: positions) }
    }

    private var slots: [Slot?] = []
    /// Camera → (slot, position) entries, positions of one slot in descending order so that a
    /// read never extends a chain that it itself just extended (a route through a camera twice).
    private var byCamera: [String: [(slot: Int32, position: Int16)]] = [:]
    private var progress: [String: [Int32: Progress]] = [:]
    /// For watches with `repeatDays`: the days (since 1970) on which each vehicle matched, per
    /// watch; only vehicles that matched such a watch are here, and days past the window go.
    private var matchedDays: [String: [Int32: [Int64]]] = [:]
    private var latest: Int64 = .min
    private var lastSweep: Int64 = .min
    private var primed = false
    /// Triggers are not fired while replaying the window after a restart.
    private var replaying = false

    public init(watches: [RouteWatch] = []) {
        for watch in watches { add(watch) }
    }

    /// The live watches, in the order added.
    public var watches: [RouteWatch] { slots.compactMap { $0?.watch } }

    /// Vehicle-and-watch progress entries held (for metrics and the benchmark).
    public var progressCount: Int { progress.values.reduce(0) { $0 + $1.count } }

    /// Adds a watch, replacing a live one of the same name.
    public func add(_ watch: RouteWatch) {
        remove(name: watch.name)
        let slot = Int32(slots.count)
        slots.append(Slot(watch: watch, needed: watch.camerasNeeded, gap: Int64(watch.maximumGapSeconds * 1000)))
        for (position, camera) in watch.cameras.enumerated().reversed() {
            byCamera[camera, default: []].append((slot, Int16(position)))
        }
    }

    /// Removes the live watch called `name`; returns whether there was one.
    @discardableResult
    public func remove(name: String) -> Bool {
        guard let index = slots.firstIndex(where: { $0?.watch.name == name }) else { return false }
        let slot = Int32(index)
        for camera in slots[index]!.watch.cameras {
            byCamera[camera]?.removeAll { $0.slot == slot }
            if byCamera[camera]?.isEmpty == true { byCamera[camera] = nil }
        }
        slots[index] = nil
        return true
    }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        if !primed { prime(from: context.index, skipping: read.id, cameras: context.cameras) }
        return observe(read, cameras: context.cameras)
    }

    /// Advances every watch through `read`'s camera; returns the triggers fired.
    public func observe(_ read: PlateRead, cameras: CameraRegistry) -> [TriggerDraft] {
        advance(plate: read.plate.text, camera: read.camera, time: read.timestamp.milliseconds, readID: read.id).map {
            draft($0.watch, chain: $0.chain, days: $0.days, read: read, cameras: cameras)
        }
    }

    /// Advances every watch through `camera`; returns the chains that reached a watch's
    /// `min_match` with this read.
    func advance(plate: String, camera: String, time: Int64, readID: ReadID) -> [(watch: RouteWatch, chain: [Link], days: Int?)] {
        if time > latest { latest = time }
        if lastSweep == .min { lastSweep = latest } else if latest - lastSweep > 300_000 { sweep() }
        guard let entries = byCamera[camera] else { return [] }
        var mine = progress.removeValue(forKey: plate) ?? [:]
        defer { if !mine.isEmpty { progress[plate] = mine } }
        var fired: [(watch: RouteWatch, chain: [Link], days: Int?)] = []
        var index = 0
        while index < entries.count {
            let slotNumber = entries[index].slot
            var end = index
            while end < entries.count && entries[end].slot == slotNumber { end += 1 }
            defer { index = end }
            guard let slot = slots[Int(slotNumber)], slot.watch.excludedPlate != plate else { continue }
            let positions = slot.watch.cameras.count
            var state: Progress
            if let known = mine[slotNumber], time - known.lastTime <= slot.gap {
                state = known
            } else {
                // Only the first positions can start a chain long enough to fire.
                guard Int(entries[end - 1].position) <= positions - slot.needed else {
                    mine[slotNumber] = nil
                    continue
                }
                state = Progress(positions: positions)
            }
            for entry in entries[index..<end] {
                if let chain = extend(&state, position: entry.position, time: time, readID: readID, gap: slot.gap),
                   chain.count >= slot.needed, !state.muted {
                    state.muted = true
                    if let needed = slot.watch.repeatDays {
                        // Fires on the day the vehicle reaches `needed` days of matches in the window.
                        let days = recordMatch(plate: plate, slot: slotNumber, time: time)
                        if days == needed && !replaying { fired.append((slot.watch, chain, days)) }
                    } else if !replaying {
                        fired.append((slot.watch, chain, nil))
                    }
                }
            }
            state.lastTime = max(state.lastTime, time)
            if state.links.count > 8 * positions + 32 { compact(&state) }
            mine[slotNumber] = state
        }
        return fired
    }

    /// Extends the best chain that can reach `position` at `time`; returns the new chain
    /// (oldest link first) when it improved the position's best.
    private func extend(_ state: inout Progress, position: Int16, time: Int64, readID: ReadID, gap: Int64) -> [Link]? {
        var parent: Int32 = -1
        var count: Int16 = 1
        for earlier in 0..<Int(position) {
            let link = state.best[earlier]
            guard link >= 0 else { continue }
            let candidate = state.links[Int(link)]
            guard candidate.time <= time, time - candidate.time <= gap, candidate.count + 1 > count else { continue }
            count = candidate.count + 1
            parent = link
        }
        let current = state.best[Int(position)]
        if current >= 0 {
            let known = state.links[Int(current)]
            // Keep the longer chain; of two as long, the later (it has more time ahead of it).
            guard count > known.count || (count == known.count && time > known.time) else { return nil }
        }
        state.links.append(Link(position: position, count: count, parent: parent, time: time, readID: readID))
        state.best[Int(position)] = Int32(state.links.count - 1)
        var chain: [Link] = []
        var cursor = Int32(state.links.count - 1)
        while cursor >= 0 {
            chain.append(state.links[Int(cursor)])
            cursor = state.links[Int(cursor)].parent
        }
        return chain.reversed()
    }

    /// Keeps only the links the best chains use.
    private func compact(_ state: inout Progress) {
        var renumbered: [Int32: Int32] = [:]
        var links: [Link] = []
        func copy(_ index: Int32) -> Int32 {
            if index < 0 { return -1 }
            if let known = renumbered[index] { return known }
            let link = state.links[Int(index)]
            let parent = copy(link.parent)
            links.append(Link(position: link.position, count: link.count, parent: parent, time: link.time, readID: link.readID))
            renumbered[index] = Int32(links.count - 1)
            return Int32(links.count - 1)
        }
        state.best = state.best.map { copy($0) }
        state.links = links
    }

    /// Forgets progress that can no longer grow.
    private func sweep() {
        lastSweep = latest
        let today = latest.floorDivided(by: 86_400_000)
        for (plate, watches) in matchedDays {
            let kept = watches.filter { slots[Int($0.key)] != nil && ($0.value.max() ?? .min) > today - RouteWatch.repeatWindowDays }
            matchedDays[plate] = kept.isEmpty ? nil : kept
        }
        for (plate, watches) in progress {
            let kept = watches.filter { slotNumber, state in
                guard let slot = slots[Int(slotNumber)] else { return false }
                return latest - state.lastTime <= slot.gap
            }
            progress[plate] = kept.isEmpty ? nil : kept
        }
    }

    /// Records a match on the day of `time`; returns the distinct days with a match in the
    /// window when this is the day's first, else nil.
    private func recordMatch(plate: String, slot: Int32, time: Int64) -> Int? {
        let day = time.floorDivided(by: 86_400_000)
        var days = matchedDays[plate]?[slot] ?? []
        days.removeAll { $0 <= day - RouteWatch.repeatWindowDays }
        guard !days.contains(day) else { return nil }
        days.append(day)
        matchedDays[plate, default: [:]][slot] = days
        return days.count
    }

    func draft(_ watch: RouteWatch, chain: [Link], days: Int?, read: PlateRead, cameras registry: CameraRegistry) -> TriggerDraft {
        let matched = chain.map { watch.cameras[Int($0.position)] }
        let similarity = Double(chain.count) / Double(watch.cameras.count)
        let first = Timestamp(milliseconds: chain.first!.time), last = Timestamp(milliseconds: chain.last!.time)
        var longest: Int64 = 0
        for (a, b) in zip(chain, chain.dropFirst()) { longest = max(longest, b.time - a.time) }
        let minutes = Double((last.milliseconds - first.milliseconds) / 6_000) / 10
        let repeated = days.map { " on a \(RouteWatchDetector.ordinal($0)) day within \(RouteWatch.repeatWindowDays) days" } ?? ""
        let explanation = "Passed \(chain.count) of the \(watch.cameras.count) cameras of watched route '\(watch.name)' in order "
            + "(\(matched.joined(separator: " → "))) in \(minutes) min, at most \(longest / 1000) s between two\(repeated)."
        return TriggerDraft(
            kind: .route, severity: watch.severity, read: read, ring: registry.ring(of: read.camera),
            readIDs: chain.map(\.readID).sorted(), explanation: explanation,
            rule: "route|" + watch.name + (days == nil ? "" : "|repeat"),
            details: [
                ("watch", .string(watch.name)),
                ("similarity", .double((similarity * 1000).rounded() / 1000)),
                ("cameras", .array(matched.map { .string($0) })),
                ("route_cameras", .int(Int64(watch.cameras.count))),
                ("first_ts", .string(first.rfc3339)),
                ("last_ts", .string(last.rfc3339)),
                ("max_gap_s", .double(Double(longest) / 1000)),
            ] + (days.map { [("days", JSONValue.int(Int64($0)))] } ?? []))
    }

    static func ordinal(_ number: Int) -> String {
        switch number {
        case 2: "second"
        case 3: "third"
        default: "\(number)th"
        }
    }

    /// After a restart the window holds reads the detector never saw: replays the recent ones
    /// (without firing) so a vehicle half-way along a watched route is still caught, and one
    /// that already fired before the restart is not announced again.
    private func prime(from index: ReadIndex, skipping current: ReadID, cameras: CameraRegistry) {
        primed = true
        guard index.count > 1, !byCamera.isEmpty else { return }
        let reach = slots.compactMap { $0.map { $0.gap * Int64($0.watch.cameras.count) } }.max() ?? 0
        let restored = index.allReads().filter { $0.id != current }.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        guard let newest = restored.last?.timestamp.milliseconds else { return }
        replaying = true
        for read in restored where read.timestamp.milliseconds >= newest - reach && byCamera[read.camera] != nil {
            _ = advance(plate: read.plate.text, camera: read.camera, time: read.timestamp.milliseconds, readID: read.id)
        }
        replaying = false
    }
}
