import RingwatchCore
import RingwatchIndex

/// Fires `route` triggers: a vehicle that passes at least `min_match` of a watched route's
/// cameras, in order, with no gap between two matched cameras over the watch's `max_gap_s`.
///
/// Per vehicle the detector keeps a short trail of its recent reads at watched cameras (those
/// within the longest span a watch can take), with a 256-bit mask of the cameras on it. Watches
/// are indexed by camera, so a read at an unwatched camera costs one dictionary lookup, and a
/// read at a watched camera costs, for each watch through that camera, one test of the trail's
/// mask against the watch's: only when the vehicle has passed enough of the watch's cameras
/// does the detector align the trail with the route (the longest in-order chain with no gap
/// over `max_gap_s` ending at this read — a longest common subsequence over a dozen reads). So
/// cost and memory follow the vehicles at watched cameras, not vehicles × watches, and
/// hundreds of watches stay cheap. A missed camera or a detour costs only the cameras missed.
///
/// A trip fires a watch once: the first read that brings the chain to `min_match` fires, and
/// the watch stays quiet for that vehicle until it has passed none of the watch's cameras for
/// `max_gap_s`. The trigger's id is a function of the watch's name and the chain's reads, so
/// two engines fed the same stream emit the same ids.
public final class RouteWatchDetector: Detector {
    public let kind = TriggerKind.route

    /// A live watch and what matching needs.
    struct Slot {
        let watch: RouteWatch
        let needed: Int
        let gap: Int64
        /// Route position(s) of each camera number on the route.
        let positions: [Int32: [Int]]
        let mask: CameraMask
    }

    /// A set of camera numbers, hashed into 256 bits: a camera may share a bit with another
    /// (then the test lets a vehicle through to the exact alignment), never lose one.
    struct CameraMask: Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        mutating func insert(_ camera: Int32) {
            let bit = UInt64(1) << UInt64(camera & 63)
            switch (camera >> 6) & 3 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }

        func common(with other: CameraMask) -> Int {
            (words.0 & other.words.0).nonzeroBitCount + (words.1 & other.words.1).nonzeroBitCount
                + (words.2 & other.words.2).nonzeroBitCount + (words.3 & other.words.3).nonzeroBitCount
        }

        static func == (a: CameraMask, b: CameraMask) -> Bool { a.words == b.words }
    }

    /// One read of a chain.
    struct Link {
        let position: Int16
        let time: Int64
        let readID: ReadID
    }

    /// One read on a vehicle's trail.
    struct Stop {
        let camera: Int32
        let time: Int64
        let readID: ReadID
    }

    /// A vehicle at watched cameras: its recent reads there, and the watches it already fired
    /// on this trip.
    struct Vehicle {
        var trail: [Stop] = []
        var mask = CameraMask()
        var muted: [Int32] = []
    }

    private var slots: [Slot?] = []
    private var cameraNumbers: [String: Int32] = [:]
    /// Camera number → the slots of the watches through it.
    private var byCamera: [Int32: [Int32]] = [:]
    private var vehicles: [String: Vehicle] = [:]
    /// How long a trail is kept: the longest span a live watch's chain can take.
    private var horizon: Int64 = 0
    /// Reads kept per vehicle, at most.
    static let trailLimit = 48
    /// For watches with `repeatDays`: the days (since 1970) on which each vehicle matched, per
    /// watch; only vehicles that matched such a watch are here, and days past the window go.
    private var matchedDays: [String: [Int32: [Int64]]] = [:]
    private var latest: Int64 = .min
    private var lastSweep: Int64 = .min
    private var primed = false
    /// Triggers are not fired while replaying the window after a restart.
    private var replaying = false
    /// Scratch space of the alignment, reused from read to read.
    private var nodes: [(position: Int, stop: Stop)] = []
    private var length: [Int] = []
    private var parent: [Int] = []

    public init(watches: [RouteWatch] = []) {
        for watch in watches { add(watch) }
    }

    /// The live watches, in the order added.
    public var watches: [RouteWatch] { slots.compactMap { $0?.watch } }

    /// Vehicles with a trail held (for metrics and the benchmark).
    public var progressCount: Int { vehicles.count }

    private func number(of camera: String) -> Int32 {
        if let known = cameraNumbers[camera] { return known }
        let next = Int32(cameraNumbers.count)
        cameraNumbers[camera] = next
        return next
    }

    /// Adds a watch, replacing a live one of the same name.
    public func add(_ watch: RouteWatch) {
        remove(name: watch.name)
        let slot = Int32(slots.count)
        var positions: [Int32: [Int]] = [:]
        var mask = CameraMask()
        for (position, camera) in watch.cameras.enumerated() {
            let number = number(of: camera)
            positions[number, default: []].append(position)
            mask.insert(number)
        }
        let gap = Int64(watch.maximumGapSeconds * 1000)
        slots.append(Slot(watch: watch, needed: watch.camerasNeeded, gap: gap, positions: positions, mask: mask))
        for number in positions.keys { byCamera[number, default: []].append(slot) }
        horizon = max(horizon, gap * Int64(watch.cameras.count - 1))
    }

    /// Removes the live watch called `name`; returns whether there was one.
    @discardableResult
    public func remove(name: String) -> Bool {
        guard let index = slots.firstIndex(where: { $0?.watch.name == name }) else { return false }
        let slot = Int32(index)
        for number in slots[index]!.positions.keys {
            byCamera[number]?.removeAll { $0 == slot }
            if byCamera[number]?.isEmpty == true { byCamera[number] = nil }
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

    /// Puts the read on the vehicle's trail and tests the watches through its camera; returns
    /// the chains that reached a watch's `min_match` with this read.
    func advance(plate: String, camera: String, time: Int64, readID: ReadID) -> [(watch: RouteWatch, chain: [Link], days: Int?)] {
        if time > latest { latest = time }
        if lastSweep == .min { lastSweep = latest } else if latest - lastSweep > 300_000 { sweep() }
        guard let number = cameraNumbers[camera], let watched = byCamera[number] else { return [] }
        var vehicle = vehicles.removeValue(forKey: plate) ?? Vehicle()
        defer { vehicles[plate] = vehicle }
        // The trail keeps what a chain ending now could use (reads may arrive a little late).
        if let oldest = vehicle.trail.first, oldest.time < time - horizon || vehicle.trail.count >= RouteWatchDetector.trailLimit {
            vehicle.trail.removeAll { $0.time < time - horizon }
            if vehicle.trail.count >= RouteWatchDetector.trailLimit { vehicle.trail.removeFirst(vehicle.trail.count - RouteWatchDetector.trailLimit + 1) }
            vehicle.mask = CameraMask()
            for stop in vehicle.trail { vehicle.mask.insert(stop.camera) }
        }
        var fired: [(watch: RouteWatch, chain: [Link], days: Int?)] = []
        for slotNumber in watched {
            guard let slot = slots[Int(slotNumber)], slot.watch.excludedPlate != plate else { continue }
            if let index = vehicle.muted.firstIndex(of: slotNumber) {
                // Quiet until the vehicle has passed none of the watch's cameras for the gap.
                let last = vehicle.trail.last { slot.positions[$0.camera] != nil && $0.time <= time }
                if let last, time - last.time <= slot.gap { continue }
                vehicle.muted.remove(at: index)
            }
            // Cheap test first: enough of the watch's cameras on the trail, this one included.
            var withThis = vehicle.mask
            withThis.insert(number)
            guard withThis.common(with: slot.mask) >= slot.needed else { continue }
            guard let chain = longestChain(ending: Stop(camera: number, time: time, readID: readID), trail: vehicle.trail, slot: slot),
                  chain.count >= slot.needed
            else { continue }
            vehicle.muted.append(slotNumber)
            if let needed = slot.watch.repeatDays {
                // Fires on the day the vehicle reaches `needed` days of matches in the window.
                if let days = recordMatch(plate: plate, slot: slotNumber, time: time), days == needed, !replaying {
                    fired.append((slot.watch, chain, days))
                }
            } else if !replaying {
                fired.append((slot.watch, chain, nil))
            }
        }
        vehicle.trail.append(Stop(camera: number, time: time, readID: readID))
        vehicle.mask.insert(number)
        return fired
    }

    /// The longest chain of trail reads at the watch's cameras, in route order and time order
    /// with no gap over the watch's, that ends with `current`; oldest link first.
    private func longestChain(ending current: Stop, trail: [Stop], slot: Slot) -> [Link]? {
        // The trail's reads at the route's cameras, each at each of its route positions.
        nodes.removeAll(keepingCapacity: true)
        for stop in trail where stop.time <= current.time && current.time - stop.time <= slot.gap * Int64(slot.watch.cameras.count) {
            for position in slot.positions[stop.camera] ?? [] { nodes.append((position, stop)) }
        }
        nodes.sort { ($0.stop.time, $0.position) < ($1.stop.time, $1.position) }
        length.removeAll(keepingCapacity: true)
        length.append(contentsOf: repeatElement(1, count: nodes.count))
        parent.removeAll(keepingCapacity: true)
        parent.append(contentsOf: repeatElement(-1, count: nodes.count))
        for i in nodes.indices {
            for j in 0..<i where nodes[j].position < nodes[i].position && nodes[j].stop.time <= nodes[i].stop.time
                && nodes[i].stop.time - nodes[j].stop.time <= slot.gap && nodes[j].stop.readID != nodes[i].stop.readID
                && length[j] + 1 > length[i] {
                length[i] = length[j] + 1
                parent[i] = j
            }
        }
        var best: (length: Int, position: Int, parent: Int)?
        for position in slot.positions[current.camera] ?? [] {
            var candidate = (length: 1, position: position, parent: -1)
            for j in nodes.indices where nodes[j].position < position && current.time - nodes[j].stop.time <= slot.gap {
                // Of two chains as long, the one whose last read is later (it left more time ahead).
                if length[j] + 1 > candidate.length || (length[j] + 1 == candidate.length && candidate.parent >= 0
                    && nodes[j].stop.time > nodes[candidate.parent].stop.time) {
                    candidate = (length[j] + 1, position, j)
                }
            }
            if best == nil || candidate.length > best!.length { best = candidate }
        }
        guard let best else { return nil }
        var chain = [Link(position: Int16(best.position), time: current.time, readID: current.readID)]
        var cursor = best.parent
        while cursor >= 0 {
            chain.append(Link(position: Int16(nodes[cursor].position), time: nodes[cursor].stop.time, readID: nodes[cursor].stop.readID))
            cursor = parent[cursor]
        }
        return chain.reversed()
    }

    /// Forgets trails that can no longer grow into a chain.
    private func sweep() {
        lastSweep = latest
        let today = latest.floorDivided(by: 86_400_000)
        for (plate, watches) in matchedDays {
            let kept = watches.filter { slots[Int($0.key)] != nil && ($0.value.max() ?? .min) > today - RouteWatch.repeatWindowDays }
            matchedDays[plate] = kept.isEmpty ? nil : kept
        }
        let longestGap = slots.compactMap { $0?.gap }.max() ?? 0
        vehicles = vehicles.filter { ($0.value.trail.last?.time ?? .min) >= latest - max(horizon, longestGap) }
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
        let reach = horizon
        let restored = index.allReads().filter { $0.id != current }.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        guard let newest = restored.last?.timestamp.milliseconds else { return }
        replaying = true
        for read in restored where read.timestamp.milliseconds >= newest - reach && cameraNumbers[read.camera] != nil {
            _ = advance(plate: read.plate.text, camera: read.camera, time: read.timestamp.milliseconds, readID: read.id)
        }
        replaying = false
    }
}
