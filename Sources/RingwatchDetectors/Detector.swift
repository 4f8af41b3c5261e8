import RingwatchCore
import RingwatchIndex

/// What a detector may look at besides the read itself.
public struct DetectionContext {
    /// The window of recent reads; the read being evaluated is already in it.
    public let index: ReadIndex
    public let cameras: CameraRegistry
    /// True when the read arrived later than the lateness allowance.
    public let isLate: Bool

    public init(index: ReadIndex, cameras: CameraRegistry, isLate: Bool) {
        self.index = index
        self.cameras = cameras
        self.isLate = isLate
    }
}

/// A detector sees every accepted read, in arrival order, on the pipeline thread, and returns
/// the triggers it fires (usually none).
///
/// Detectors work on event time only, so replaying recorded traffic at any speed gives the same
/// triggers. They must be cheap: this runs once per read for every read.
public protocol Detector: AnyObject {
    /// The kind of the triggers it fires.
    var kind: TriggerKind { get }

    /// Evaluates one accepted read.
    func evaluate(_ read: PlateRead, context: DetectionContext) -> [TriggerDraft]
}
