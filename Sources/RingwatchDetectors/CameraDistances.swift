import RingwatchCore

/// Great-circle distances between every pair of registered cameras, computed once: the clone
/// detector asks for one per candidate read, and a network has tens to hundreds of cameras.
struct CameraDistances {
    private var indexes: [String: Int] = [:]
    private var kilometres: [Double] = []
    private var size = 0
    /// The largest distance between two cameras: no two reads further apart in time than it
    /// takes to drive this far can be implausible.
    private(set) var maximum: Double = 0

    init(_ cameras: CameraRegistry) {
        let list = cameras.order.compactMap { cameras[$0] }
        size = list.count
        for (index, camera) in list.enumerated() { indexes[camera.id] = index }
        kilometres = [Double](repeating: 0, count: size * size)
        for a in 0..<size {
            for b in (a + 1)..<max(a + 1, size) {
                let distance = list[a].distanceKilometres(to: list[b])
                kilometres[a * size + b] = distance
                kilometres[b * size + a] = distance
                maximum = max(maximum, distance)
            }
        }
    }

    var cameraCount: Int { size }

    /// Distance between two cameras in km; nil when either is not registered.
    func kilometres(_ a: String, _ b: String) -> Double? {
        guard let first = indexes[a], let second = indexes[b] else { return nil }
        return kilometres[first * size + second]
    }
}
