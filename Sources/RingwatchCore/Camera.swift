/// A camera of the registry: where it is and on which ring.
public struct Camera: Sendable, Hashable {
    /// The camera id, as reads carry it (`R2-07`).
    public let id: String
    /// Its ring label, inner to outer: `R1`, `R2`, `R3`.
    public let ring: String
    public let latitude: Double
    public let longitude: Double
    public let name: String

    public init(id: String, ring: String, latitude: Double, longitude: Double, name: String) {
        self.id = id
        self.ring = ring
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
    }

    /// Great-circle distance to `other` in kilometres (haversine, mean Earth radius).
    public func distanceKilometres(to other: Camera) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let a = sinSquared(dLat / 2) + cosine(latitude * radians) * cosine(other.latitude * radians) * sinSquared(dLon / 2)
        return 2 * 6371.0088 * arcsine(min(1, a.squareRoot()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func sinSquared(_ x: Double) -> Double { let s = sin(x); return s * s }
private func cosine(_ x: Double) -> Double { cos(x) }
private func arcsine(_ x: Double) -> Double { asin(x) }

/// The cameras Ringwatch knows, loaded from the cameras CSV (`camera,ring,lat,lon,name`).
public struct CameraRegistry: Sendable {
    public private(set) var cameras: [String: Camera] = [:]
    /// Camera ids in file order.
    public private(set) var order: [String] = []

    public init(_ cameras: [Camera] = []) {
        for camera in cameras { add(camera) }
    }

    private mutating func add(_ camera: Camera) {
        if cameras.updateValue(camera, forKey: camera.id) == nil { order.append(camera.id) }
    }

    public subscript(id: String) -> Camera? { cameras[id] }

    /// Whether `id` is registered, without copying the camera out (the pipeline asks per read).
    public func contains(_ id: String) -> Bool { cameras.index(forKey: id) != nil }

    public var count: Int { cameras.count }

    /// The ring of `camera`, or `?` for a camera missing from the registry.
    public func ring(of camera: String) -> String { cameras[camera]?.ring ?? "?" }

    /// Parses the CSV text; bad lines are skipped and reported by number.
    public static func parse(csv text: String, file: String) -> (CameraRegistry, LoadReport) {
        let csv = CSVFile(text: text)
        var problems = csv.problems
        var registry = CameraRegistry()
        switch csv.columnIndexes(["camera", "ring", "lat", "lon", "name"]) {
        case .failure(let problem):
            return (registry, LoadReport(file: file, loaded: 0, problems: [problem]))
        case .success(let columns):
            for row in csv.rows {
                let id = row.fields[columns[0]], ring = row.fields[columns[1]]
                guard !id.isEmpty else {
                    problems.append(.init(line: row.line, message: "camera id is empty")); continue
                }
                guard !ring.isEmpty else {
                    problems.append(.init(line: row.line, message: "ring is empty")); continue
                }
                guard let lat = Double(row.fields[columns[2]]), (-90...90).contains(lat) else {
                    problems.append(.init(line: row.line, message: "lat '\(row.fields[columns[2]])' is not a latitude")); continue
                }
                guard let lon = Double(row.fields[columns[3]]), (-180...180).contains(lon) else {
                    problems.append(.init(line: row.line, message: "lon '\(row.fields[columns[3]])' is not a longitude")); continue
                }
                if registry.cameras[id] != nil {
                    problems.append(.init(line: row.line, message: "camera '\(id)' is listed twice; the later line wins"))
                }
                registry.add(Camera(id: id, ring: ring, latitude: lat, longitude: lon, name: row.fields[columns[4]]))
            }
        }
        return (registry, LoadReport(file: file, loaded: registry.count, problems: problems.sorted { $0.line < $1.line }))
    }
}
