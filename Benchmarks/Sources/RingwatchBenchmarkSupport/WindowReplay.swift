import RingwatchCore
import RingwatchDetectors
import RingwatchIndex

/// Replays a stream of reads into a window and through detectors, as the pipeline does
/// (insert, then evaluate), a slice at a time, so a benchmark measures reads in steady state.
///
/// The stream is warmed first (the window filled, the detectors' memory learnt) outside the
/// measurement. When the measured part runs out, the stream starts again shifted by its own
/// span, so event time keeps moving forward and nothing counts as late.
public final class WindowReplay {
    public let index: ReadIndex
    public let cameras: CameraRegistry
    public let detectors: [any Detector]
    /// Whether each read goes into the window before the detectors see it.
    public let inserts: Bool
    private let reads: [PlateRead]
    private let span: Int64
    private var position = 0
    private var lap: Int64 = 0
    /// Triggers fired since the start (warm-up included).
    public private(set) var fired = 0
    /// Drafts kept from the warm-up, for the trigger-encode benchmark.
    public private(set) var drafts: [TriggerDraft] = []

    public init(
        reads: [PlateRead], cameras: CameraRegistry = ReadTraffic.cameras, detectors: [any Detector], inserts: Bool = true,
        index: ReadIndex = ReadIndex()
    ) {
        precondition(!reads.isEmpty)
        self.reads = reads
        self.cameras = cameras
        self.detectors = detectors
        self.inserts = inserts
        self.index = index
        let first = reads.map(\.timestamp.milliseconds).min()!, last = reads.map(\.timestamp.milliseconds).max()!
        span = last - first + 1000
    }

    /// Replays the first `fraction` of the stream without measuring; keeps up to `keepDrafts`.
    public func warm(fraction: Double, keepDrafts: Int = 0) {
        let end = Int(Double(reads.count) * fraction)
        while position < end {
            let drafts = step(reads[position])
            if self.drafts.count < keepDrafts { self.drafts += drafts }
            position += 1
        }
        warmedTo = position
    }

    private var warmedTo = 0

    /// Reads left before the stream starts again.
    public var remaining: Int { reads.count - position }

    /// Replays the next `count` reads; returns the triggers fired.
    @inline(__always)
    public func advance(_ count: Int) -> Int {
        var fired = 0
        for _ in 0..<count {
            if position == reads.count {
                position = warmedTo
                lap += 1
            }
            var read = reads[position]
            position += 1
            if lap > 0 { read.timestamp = read.timestamp.adding(milliseconds: lap * span) }
            fired += step(read).count
        }
        self.fired += fired
        return fired
    }

    @inline(__always)
    private func step(_ read: PlateRead) -> [TriggerDraft] {
        if inserts { index.insert(read) }
        let context = DetectionContext(index: index, cameras: cameras, isLate: false)
        if detectors.count == 1 { return detectors[0].evaluate(read, context: context) }
        var drafts: [TriggerDraft] = []
        for detector in detectors { drafts += detector.evaluate(read, context: context) }
        return drafts
    }
}
