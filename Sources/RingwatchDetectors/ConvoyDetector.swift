import RingwatchCore
import RingwatchIndex

/// Fires `convoy` triggers: two or more vehicles travelling together (issue 6).
///
/// A thin wrapper around `ConvoyTracker`: each read becomes a passage, and each convoy the
/// tracker reports becomes one trigger, when it first meets the definition and again only
/// when it gains a member, or when it forms anew after a quiet period. A convoy that keeps
/// going fires no more.
///
/// After a restart the window already holds up to a day of reads; on its first read the
/// detector learns traffic rates from all of them and replays the last `window` into the
/// tracker (without firing), so convoys under way are neither missed nor announced twice.
public final class ConvoyDetector: Detector {
    public let kind = TriggerKind.convoy
    public let tracker: ConvoyTracker
    private var primed = false
    /// Event time (ms) from which this detector saw every read live: `Int64.min` when the
    /// window held nothing before its first read, else just after the newest read it was
    /// primed with after a restart; nil before its first read. The convoy pair log covers
    /// only hours that begin at or after it.
    public private(set) var liveSince: Int64?
    /// Every pair assessment the tracker reports (`ConvoyTracker.onPairAssessed`), from live
    /// reads only: not while it replays the window after a restart (those pairs were logged,
    /// or their hours left uncovered, by the engine that read them).
    public var onPairAssessed: ((ConvoyTracker.AssessedPair) -> Void)? {
        didSet { if primed { tracker.onPairAssessed = onPairAssessed } }
    }

    public init(definition: ConvoyDefinition = ConvoyDefinition(), latenessMilliseconds: Int64 = 60_000,
                vehicleType: VehicleTypeLookup? = nil) {
        tracker = ConvoyTracker(definition: definition, latenessMilliseconds: latenessMilliseconds, vehicleType: vehicleType)
    }

    public var definition: ConvoyDefinition { tracker.definition }

    public func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft] {
        if !primed { prime(from: context.index, skipping: read.id) }
        let numbers = context.index.inserted(read.id)
        return observe(read, windowPlate: numbers?.plate.rawValue, windowCamera: numbers?.camera.rawValue, cameras: context.cameras)
    }

    /// `evaluate` away from the window, for a caller that primed the detector (`prime(from:)`)
    /// and took the read's numbers in the window (`ReadIndex.inserted`) as it was inserted:
    /// the engine runs this detector on a thread of its own.
    public func observe(_ read: PlateRead, windowPlate: UInt32?, windowCamera: UInt16?, cameras: CameraRegistry) -> [TriggerDraft] {
        precondition(primed, "prime the convoy detector with the window before its first read")
        return tracker.observe(Passage(read), windowPlate: windowPlate, windowCamera: windowCamera)
            .map { draft(for: $0, read: read, cameras: cameras) }
    }

    /// Learns from the reads restored into the window (after a restart) before the first live
    /// read; `evaluate` does it on its first read.
    public func prime(from index: ReadIndex) {
        if !primed { prime(from: index, skipping: nil) }
    }

    /// Learns from the reads restored into the window before this detector saw any.
    private func prime(from index: ReadIndex, skipping current: ReadID?) {
        primed = true
        liveSince = .min
        defer { tracker.onPairAssessed = onPairAssessed }
        guard index.count > 1 else { return }
        let restored = index.allReads().filter { $0.id != current }.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        guard let newest = restored.last?.timestamp else { return }
        liveSince = newest.milliseconds + 1
        let replayFrom = newest.milliseconds - tracker.definition.windowMilliseconds - tracker.latenessMilliseconds
        for read in restored {
            let passage = Passage(readID: read.id, plate: read.plate.text, camera: read.camera, time: read.timestamp, direction: read.direction)
            if read.timestamp.milliseconds >= replayFrom {
                _ = tracker.observe(passage)
            } else {
                tracker.learnedRates?.observe(camera: read.camera, at: read.timestamp)
            }
        }
    }

    func draft(for event: ConvoyTracker.Event, read: PlateRead, cameras: CameraRegistry) -> TriggerDraft {
        let group = event.group
        var evidence = group.readIDs
        if !evidence.contains(read.id) { evidence.append(read.id) }
        return TriggerDraft(
            kind: .convoy, severity: tracker.definition.severity(score: group.score), read: read, ring: cameras.ring(of: read.camera),
            readIDs: evidence.sorted(), explanation: group.explanation,
            rule: "convoy|" + group.plates.sorted().joined(separator: ","),
            details: [
                ("plates", .array(group.plates.map { .string($0) })),
                ("cameras", .array(group.cameras.map { .string($0) })),
                ("co_occurrences", .int(Int64(group.coOccurrences))),
                ("max_gap_s", .double(Double(group.maxGapMilliseconds) / 1000)),
                ("score", .double((group.score * 1000).rounded() / 1000)),
                ("expected_by_chance", .double(group.expectedByChance)),
                ("change", .string(event.change.rawValue)),
                ("first_ts", .string(group.first.rfc3339)),
                ("last_ts", .string(group.last.rfc3339)),
            ])
    }
}
