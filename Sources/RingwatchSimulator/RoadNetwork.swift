import RingwatchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The roads between the cameras: each ring is a closed road through its cameras in angular
/// order around the centre; radial roads join every camera to the nearest camera of the next
/// ring inwards. Travel times come from the distance, a detour factor and a speed per road type.
///
/// Cameras are numbered by their position in the registry file; rings by *level*, 0 the
/// innermost (ordered by mean distance from the centre, so the labels need not sort).
struct RoadNetwork: Sendable {
    let cameras: [Camera]
    /// Ring label of each level, inner to outer.
    let ringLabels: [String]
    /// Level of each camera.
    let level: [Int]
    /// The cameras of each level in angular order.
    let rings: [[Int]]
    /// Position of each camera in its ring.
    let position: [Int]
    /// The nearest camera of the next inner ring; -1 on the innermost ring.
    let inward: [Int]
    /// Cameras of the next outer ring whose inward road leads here (the nearest one when none does);
    /// empty on the outermost ring.
    let outward: [[Int]]
    /// Free-flow seconds to the next camera of the ring (position + 1) and to the previous one.
    let clockwiseSeconds: [Double]
    let counterclockwiseSeconds: [Double]
    /// Free-flow seconds along the inward road (and back).
    let inwardSeconds: [Double]
    /// Topic of each camera's reads: `read.<ring>.<camera>`.
    let topics: [String]

    /// The outermost level.
    var outermost: Int { rings.count - 1 }

    /// Road speeds (km/h) and detour factors (road length over straight-line distance).
    static let innerRingSpeed = 35.0, middleRingSpeed = 70.0, outerRingSpeed = 90.0, radialSpeed = 50.0
    static let ringDetour = 1.3, radialDetour = 1.4

    init(registry: CameraRegistry) throws(SimulationError) {
        let cameras = registry.order.compactMap { registry[$0] }
        guard cameras.count >= 2 else {
            throw SimulationError("the camera registry has \(cameras.count) camera(s); the simulator needs at least 2")
        }
        guard cameras.count <= Int(UInt16.max) else {
            throw SimulationError("the camera registry has \(cameras.count) cameras; the simulator handles at most 65535")
        }
        self.cameras = cameras
        topics = cameras.map { "read.\($0.ring).\($0.id)" }

        let centreLatitude = cameras.map(\.latitude).reduce(0, +) / Double(cameras.count)
        let centreLongitude = cameras.map(\.longitude).reduce(0, +) / Double(cameras.count)
        let centre = Camera(id: "", ring: "", latitude: centreLatitude, longitude: centreLongitude, name: "")

        // Levels: rings ordered by their cameras' mean distance from the centre.
        var labels: [String] = []
        for camera in cameras where !labels.contains(camera.ring) { labels.append(camera.ring) }
        guard labels.count <= 8 else {
            throw SimulationError("the camera registry has \(labels.count) rings; the simulator handles at most 8")
        }
        func meanDistance(_ label: String) -> Double {
            let members = cameras.filter { $0.ring == label }
            return members.map { $0.distanceKilometres(to: centre) }.reduce(0, +) / Double(members.count)
        }
        let distances = labels.map(meanDistance)
        let orderedLabels = labels.indices.sorted {
            distances[$0] != distances[$1] ? distances[$0] < distances[$1] : labels[$0] < labels[$1]
        }
        .map { labels[$0] }
        ringLabels = orderedLabels
        let level = cameras.map { camera in orderedLabels.firstIndex(of: camera.ring) ?? 0 }
        self.level = level

        // Angular order around the centre (east = 0, counter-clockwise), longitude scaled to km.
        let scale = cos(centreLatitude * Double.pi / 180)
        let angle = cameras.map { atan2($0.latitude - centreLatitude, ($0.longitude - centreLongitude) * scale) }
        var rings = [[Int]](repeating: [], count: orderedLabels.count)
        for index in cameras.indices { rings[level[index]].append(index) }
        rings = rings.map { $0.sorted { angle[$0] != angle[$1] ? angle[$0] < angle[$1] : $0 < $1 } }
        self.rings = rings
        var position = [Int](repeating: 0, count: cameras.count)
        for ring in rings { for (slot, camera) in ring.enumerated() { position[camera] = slot } }
        self.position = position

        func seconds(_ a: Int, _ b: Int, speed: Double, detour: Double) -> Double {
            max(20, cameras[a].distanceKilometres(to: cameras[b]) * detour / speed * 3600)
        }
        func ringSpeed(_ level: Int) -> Double {
            level == 0
                ? RoadNetwork.innerRingSpeed : level == orderedLabels.count - 1 ? RoadNetwork.outerRingSpeed : RoadNetwork.middleRingSpeed
        }

        var inward = [Int](repeating: -1, count: cameras.count)
        var clockwise = [Double](repeating: 0, count: cameras.count)
        var counterclockwise = [Double](repeating: 0, count: cameras.count)
        var inwardSeconds = [Double](repeating: 0, count: cameras.count)
        for camera in cameras.indices {
            let ring = rings[level[camera]]
            let next = ring[(position[camera] + 1) % ring.count]
            let previous = ring[(position[camera] + ring.count - 1) % ring.count]
            clockwise[camera] = seconds(camera, next, speed: ringSpeed(level[camera]), detour: RoadNetwork.ringDetour)
            counterclockwise[camera] = seconds(camera, previous, speed: ringSpeed(level[camera]), detour: RoadNetwork.ringDetour)
            if level[camera] > 0 {
                let target = RoadNetwork.nearest(to: camera, among: rings[level[camera] - 1], cameras: cameras)
                inward[camera] = target
                inwardSeconds[camera] = seconds(camera, target, speed: RoadNetwork.radialSpeed, detour: RoadNetwork.radialDetour)
            }
        }
        var outward = [[Int]](repeating: [], count: cameras.count)
        for camera in cameras.indices where inward[camera] >= 0 { outward[inward[camera]].append(camera) }
        for camera in cameras.indices where level[camera] < orderedLabels.count - 1 && outward[camera].isEmpty {
            outward[camera] = [RoadNetwork.nearest(to: camera, among: rings[level[camera] + 1], cameras: cameras)]
        }
        self.inward = inward
        self.outward = outward
        self.clockwiseSeconds = clockwise
        self.counterclockwiseSeconds = counterclockwise
        self.inwardSeconds = inwardSeconds
    }

    private static func nearest(to camera: Int, among candidates: [Int], cameras: [Camera]) -> Int {
        var best = candidates[0], bestDistance = Double.infinity
        for candidate in candidates {
            let distance = cameras[camera].distanceKilometres(to: cameras[candidate])
            if distance < bestDistance { (best, bestDistance) = (candidate, distance) }
        }
        return best
    }

    /// The camera `steps` places along the ring from `camera` (negative: the other way).
    func ringNeighbour(of camera: Int, steps: Int) -> Int {
        let ring = rings[level[camera]]
        return ring[((position[camera] + steps) % ring.count + ring.count) % ring.count]
    }

    /// Free-flow seconds for one step along the ring.
    func ringStepSeconds(from camera: Int, clockwise: Bool) -> Double {
        clockwise ? clockwiseSeconds[camera] : counterclockwiseSeconds[camera]
    }

    /// Free-flow seconds along the radial road between `inner` and `outer` (either direction).
    func radialSeconds(inner: Int, outer: Int) -> Double {
        if inward[outer] == inner { return inwardSeconds[outer] }
        return max(20, cameras[inner].distanceKilometres(to: cameras[outer]) * RoadNetwork.radialDetour / RoadNetwork.radialSpeed * 3600)
    }

    /// Free-flow seconds of the longest way in or out any route can take: on every ring as
    /// many steps as a route may make there (through traffic included), each as long as the
    /// ring's longest step, and the slowest radial road between each pair of rings.
    var longestWaySeconds: Double {
        var seconds = 0.0
        for (level, ring) in rings.enumerated() {
            let steps = max((ring.count - 1) / 2, min(5, ring.count - 1))
            let longestStep = ring.map { max(clockwiseSeconds[$0], counterclockwiseSeconds[$0]) }.max() ?? 0
            seconds += Double(steps) * longestStep
            guard level > 0 else { continue }
            var radial = 0.0
            for camera in ring { radial = max(radial, inwardSeconds[camera]) }
            for inner in rings[level - 1] {
                for outer in outward[inner] { radial = max(radial, radialSeconds(inner: inner, outer: outer)) }
            }
            seconds += radial
        }
        return seconds
    }

    /// Straight-line distance in kilometres.
    func distance(_ a: Int, _ b: Int) -> Double { cameras[a].distanceKilometres(to: cameras[b]) }
}
