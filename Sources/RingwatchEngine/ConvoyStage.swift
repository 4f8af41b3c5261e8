import CoreMetrics
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex
import RingwatchRegistry
import RingwatchStorage
import Synchronization

/// The convoy detector and its pair log on a thread of their own (docs/architecture.md,
/// "Convoys on their own thread").
///
/// The convoy tracker is a third of the pipeline thread's work per read, and it needs nothing
/// from the window once it has the read's numbers in it: the pipeline inserts each read,
/// hands it over with those numbers, and goes on with the next read while this thread follows
/// the vehicles. The tracker sees every read in the pipeline's order, so it finds the same
/// convoys as on the pipeline thread; its triggers come back to the pipeline thread, which
/// gives them their `seq` and publishes them with its next slice.
///
/// Vehicle types (buses are excluded from convoys by default) come from the registry this
/// thread was last given (`replace(_:)`, ordered with the reads), never from the pipeline's
/// lookup, which belongs to the pipeline thread.
final class ConvoyStage: @unchecked Sendable {
    // @unchecked: `detector`, `recorder`, `registry` and `outgoing` belong to this stage's
    // thread once it has started (before, to the thread that starts it); `input` and `output`
    // do their own locking and `inFlight` is atomic.

    enum Item {
        /// A read the window took, with its numbers there and whether it came late.
        case read(PlateRead, windowPlate: UInt32?, windowCamera: UInt16?, late: Bool, receivedAt: UInt64)
        /// A reloaded registry: vehicles first seen after it take their type from it.
        case registry(VehicleRegistry)
    }

    /// What the stage found since the pipeline last asked.
    struct Output {
        var drafts: [(draft: TriggerDraft, receivedAt: UInt64)] = []
        var log = ConvoyLogBatch()
        var isEmpty: Bool { drafts.isEmpty && log.isEmpty }
    }

    let detector: ConvoyDetector
    private let recorder: ConvoyPairRecorder
    private let cameras: CameraRegistry
    private let timer: CoreMetrics.Timer
    /// The registry vehicle types come from (see the type's notes).
    private let registry: RegistryBox
    private let input: Handoff<Item>
    private let output = Mutex(Output())
    /// Reads handed over whose findings are not in `output` yet.
    private let inFlight = Atomic<Int>(0)
    /// Items the pipeline collected and has not handed over yet (pipeline thread).
    private var outgoing: [Item] = []
    private let loop = LoopThread()

    /// The registry as this stage's thread sees it.
    private final class RegistryBox: @unchecked Sendable {
        // @unchecked: read and replaced only on the stage's thread.
        var current: VehicleRegistry
        init(_ registry: VehicleRegistry) { current = registry }
    }

    init(definition: ConvoyDefinition, latenessMilliseconds: Int64, registry: VehicleRegistry, cameras: CameraRegistry, timer: CoreMetrics.Timer) {
        let box = RegistryBox(registry)
        self.registry = box
        self.cameras = cameras
        self.timer = timer
        detector = ConvoyDetector(definition: definition, latenessMilliseconds: latenessMilliseconds,
                                  vehicleType: { plate in PlateKey(plate).flatMap(box.current.vehicleType) })
        // The pair log lets `ringwatch convoys --from --to` read the pairs found here instead of
        // streaming the reads again.
        recorder = ConvoyPairRecorder(detector: detector, latenessMilliseconds: latenessMilliseconds,
                                      registryLoaded: { box.current.count > 0 })
        // About a tenth of a second of reads at national rates; past it the pipeline waits.
        input = Handoff(capacity: 8_192)
        outgoing.reserveCapacity(Pipeline.sliceReads)
    }

    /// Primes the detector with the reads restored into `index` and starts the thread.
    func start(window index: ReadIndex) {
        detector.prime(from: index)
        loop.start(name: "ringwatch-convoys", stackSize: 8 << 20) { [self] in run() }
    }

    /// Queues a read the window just took; `handOver()` passes the queue to the thread.
    func observe(_ read: PlateRead, inWindow numbers: InsertedRead?, late: Bool, receivedAt: UInt64) {
        outgoing.append(.read(read, windowPlate: numbers?.plate.rawValue, windowCamera: numbers?.camera.rawValue, late: late, receivedAt: receivedAt))
    }

    /// Vehicles first seen after the reads queued so far take their type from `registry`.
    func replace(_ registry: VehicleRegistry) {
        outgoing.append(.registry(registry))
        handOver()
    }

    /// Passes the queued reads to the stage's thread (waits while it is a full queue behind).
    func handOver() {
        guard !outgoing.isEmpty else { return }
        inFlight.add(outgoing.count, ordering: .relaxed)
        input.put(moving: &outgoing)
    }

    /// True while reads handed over have findings still to come.
    var isBusy: Bool { inFlight.load(ordering: .acquiring) > 0 }

    /// The triggers and pair-log lines found since the last call.
    func takeOutput() -> Output {
        output.withLock { output in
            defer { output = Output() }
            return output
        }
    }

    /// Hands over the rest, lets the thread finish it, and stops it.
    func finish() {
        handOver()
        input.finish()
        loop.join()
    }

    private func run() {
        nameCurrentThread("rw-convoys")
        var countdown = EngineMetrics.detectorSampling
        while var batches = input.takeBatches(waitingAtMost: 0.5) {
            guard !batches.isEmpty else { continue }
            var found = Output()
            var count = 0
            for item in batches.joined() {
                count += 1
                switch item {
                case .read(let read, let windowPlate, let windowCamera, let late, let receivedAt):
                    countdown -= 1
                    let timed = countdown == 0
                    if timed { countdown = EngineMetrics.detectorSampling }
                    let began = timed ? DispatchTime.now().uptimeNanoseconds : 0
                    for draft in detector.observe(read, windowPlate: windowPlate, windowCamera: windowCamera, cameras: cameras) {
                        found.drafts.append((draft, receivedAt))
                    }
                    if timed { timer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - began)) }
                    recorder.observed(read, late: late)
                case .registry(let replacement):
                    registry.current = replacement
                }
            }
            found.log = recorder.drain()
            if !found.isEmpty {
                output.withLock { output in
                    output.drafts += found.drafts
                    output.log.append(found.log)
                }
            }
            input.recycle(&batches)
            // After the findings are out: a pipeline that sees no reads in flight finds them all.
            inFlight.subtract(count, ordering: .releasing)
        }
    }
}
