import RingwatchCore

/// Great-circle distances between registered cameras, computed when asked.
///
/// A precomputed matrix costs n² doubles: 242 MB and 15 million haversines for a national
/// network of 5,500 cameras. The clone detector asks for a handful of distances per read whose
/// plate was seen recently, so each is computed from the two cameras' positions instead.
struct CameraDistances {
    private var indexes: [String: Int] = [:]
    private var cameras: [Camera] = []
    /// The largest distance between two cameras (exact up to `exactLimit` cameras, otherwise an
    /// upper bound: twice the furthest camera from their centre): no two reads further apart in
    /// time than it takes to drive this far can be implausible.
    private(set) var maximum: Double = 0

    /// Networks up to this many cameras get the exact maximum (n²/2 distances, once).
    static let exactLimit = 2_000

    init(_ registry: CameraRegistry) {
        cameras = registry.order.compactMap { registry[$0] }
        for (index, camera) in cameras.enumerated() { indexes[camera.id] = index }
        if cameras.count <= CameraDistances.exactLimit {
            for a in cameras.indices {
                for b in cameras.indices where b > a { maximum = max(maximum, cameras[a].distanceKilometres(to: cameras[b])) }
            }
        } else {
            let latitude = cameras.map(\.latitude).reduce(0, +) / Double(cameras.count)
            let longitude = cameras.map(\.longitude).reduce(0, +) / Double(cameras.count)
            let centre = Camera(id: "", ring: "", latitude: latitude, longitude: longitude, name: "")
            maximum = 2 * (cameras.map { $0.distanceKilometres(to: centre) }.max() ?? 0)
        }
    }

    var cameraCount: Int { cameras.count }

    /// Distance between two cameras in km; nil when either is not registered.
    func kilometres(_ a: String, _ b: String) -> Double? {
        guard let first = indexes[a], let second = indexes[b] else { return nil }
        return kilometres(first, second)
    }

    /// Where `camera` is among the registered cameras, for `kilometres(_:_:)` by place.
    func place(of camera: String) -> Int? { indexes[camera] }

    /// Distance in km between the cameras at two places.
    func kilometres(_ a: Int, _ b: Int) -> Double { cameras[a].distanceKilometres(to: cameras[b]) }
}
