import RingwatchIngest
import Synchronization

/// The engine's counters, written by the pipeline thread and read by the control and metrics
/// threads without locks.
public final class EngineCounters: Sendable {
    /// Every message taken off the ingest sockets (accepted + rejected + duplicate).
    public let received = Atomic<Int>(0)
    public let accepted = Atomic<Int>(0)
    public let rejected = Atomic<Int>(0)
    public let duplicate = Atomic<Int>(0)
    public let unknownCamera = Atomic<Int>(0)
    /// Reads that arrived later than the lateness allowance (accepted all the same).
    public let late = Atomic<Int>(0)
    /// Accepted reads that had an unusable optional field left out.
    public let fieldsIgnored = Atomic<Int>(0)
    /// Reads the cameras' `seq` numbers say were lost before reaching the engine.
    public let ingestGaps = Atomic<Int>(0)
    public let triggersEmitted = Atomic<Int>(0)
    public let lastTriggerSequence = Atomic<Int64>(0)
    /// Reads held in the in-memory window.
    public let windowReads = Atomic<Int>(0)
    /// Memory held by the window, estimated; updated once per minute of event time.
    public let windowBytes = Atomic<Int>(0)
    /// Monotonic time (ns) a message last arrived on an ingest socket; 0 before the first.
    public let lastReceivedAt = Atomic<UInt64>(0)
    /// Monotonic time (ns) the pipeline thread last went round its loop (it does at least
    /// every 50 ms when healthy, reads or not).
    public let pipelineHeartbeat = Atomic<UInt64>(0)
    /// Rejections by reason, in `RejectionReason.allCases` order.
    private let rejectedByReason = Mutex<[Int]>(RejectionReason.allCases.map { _ in 0 })
    /// Lost reads per camera (rarely written: only when a gap is seen).
    private let gapsByCamera = Mutex<[String: Int64]>([:])

    public init() {}

    func countRejection(_ reason: RejectionReason) {
        rejected.add(1, ordering: .relaxed)
        rejectedByReason.withLock { $0[RejectionReason.allCases.firstIndex(of: reason)!] += 1 }
    }

    func countGap(camera: String, missing: Int64) {
        // Saturating: a camera jumping its counter by 2^62 must not crash the engine.
        ingestGaps.add(Int(min(missing, Int64(Int32.max))), ordering: .relaxed)
        gapsByCamera.withLock { gaps in
            let (sum, overflow) = gaps[camera, default: 0].addingReportingOverflow(missing)
            gaps[camera] = overflow ? .max : sum
        }
    }

    /// Rejections so far, by reason code.
    public var rejections: [(reason: String, count: Int)] {
        let counts = rejectedByReason.withLock { $0 }
        return zip(RejectionReason.allCases, counts).map { ($0.rawValue, $1) }
    }

    /// Lost reads so far, by camera.
    public var gapsPerCamera: [String: Int64] { gapsByCamera.withLock { $0 } }
}
