import RingwatchCore
import RingwatchIngest
import RingwatchSimulator

/// Reads from the traffic simulator: commuters, vans, bus lines, visitors and planted events
/// (hotlist, convoys, clones, a route takeover) on the 48 fixture cameras, decoded and
/// de-duplicated as the engine does, in arrival order.
public struct SimulatedTraffic: Sendable {
    public let reads: [PlateRead]
    /// The simulator's vehicle registry CSV (`plate,make,model,color,vehicle_type`).
    public let registryCSV: String

    /// Simulates `hours` of traffic at `readsPerSecond` from `start` (07:00 in Antwerp by default).
    public init(seed: UInt64 = 1, readsPerSecond: Double, hours: Double, start: Timestamp = ReadTraffic.start) {
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.start = start
        configuration.hours = hours
        configuration.readsPerSecond = readsPerSecond
        if let problem = configuration.problem { fatalError("simulation configuration: \(problem)") }
        let simulator: TrafficSimulator
        do {
            simulator = try TrafficSimulator(configuration: configuration, cameras: ReadTraffic.cameras)
        } catch {
            fatalError("cannot start the traffic simulator: \(error)")
        }
        let decoder = ReadDecoder()
        var seen = Set<ReadID>()
        var reads: [PlateRead] = []
        reads.reserveCapacity(Int(readsPerSecond * hours * 3600))
        while let message = simulator.next() {
            // The engine quarantines what does not decode and drops duplicates: so do we.
            guard case .success(let decoded) = decoder.decode(message.body), seen.insert(decoded.read.id).inserted else { continue }
            reads.append(decoded.read)
        }
        self.reads = reads
        self.registryCSV = simulator.registryCSV
    }

    /// Four hours of the morning rush at 50 reads/s (about one read per camera per second):
    /// the stream the window-dependent detectors are measured on.
    public static let morningRush = SimulatedTraffic(readsPerSecond: 50, hours: 4)
}
