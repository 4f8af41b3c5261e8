import RingwatchCore

/// GeoJSON (RFC 7946) pieces for `--format geojson`: geometries from the camera registry's
/// coordinates, so query results open in QGIS or any other GIS. Positions are `[lon, lat]`.
public enum GeoJSON {
    /// A Point at `camera`, or null when the registry does not know it.
    public static func point(camera: String, in registry: CameraRegistry) -> JSONValue {
        guard let camera = registry[camera] else { return .null }
        return .object([("type", .string("Point")), ("coordinates", position(camera))])
    }

    /// A LineString through the known `cameras` in order (a Point when only one is known; null
    /// when none is). Cameras missing from the registry are left out of the line.
    public static func line(cameras: [String], in registry: CameraRegistry) -> JSONValue {
        let known = cameras.compactMap { registry[$0] }
        switch known.count {
        case 0: return .null
        case 1: return .object([("type", .string("Point")), ("coordinates", position(known[0]))])
        default: return .object([("type", .string("LineString")), ("coordinates", .array(known.map(position)))])
        }
    }

    /// One Feature: a geometry (or null) and the row's fields as properties.
    public static func feature(geometry: JSONValue, properties: JSONValue) -> JSONValue {
        .object([("type", .string("Feature")), ("geometry", geometry), ("properties", properties)])
    }

    /// A FeatureCollection of `features`.
    public static func featureCollection(_ features: [JSONValue]) -> JSONValue {
        .object([("type", .string("FeatureCollection")), ("features", .array(features))])
    }

    private static func position(_ camera: Camera) -> JSONValue {
        .array([.double(camera.longitude), .double(camera.latitude)])
    }
}
