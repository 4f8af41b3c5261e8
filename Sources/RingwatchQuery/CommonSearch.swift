import RingwatchCore
import RingwatchStorage

/// A place and time window of `ringwatch common --at CAMERA@FROM..TO`.
public struct PlaceWindow: Sendable, Hashable {
    public let camera: String
    public let from: Timestamp
    public let to: Timestamp

    public init(camera: String, from: Timestamp, to: Timestamp) {
        self.camera = camera
        self.from = from
        self.to = to
    }

    /// Parses `CAMERA@FROM..TO` (RFC 3339 times); nil when it is not of that form.
    public init?(parsing text: String) {
        guard let at = text.firstIndex(of: "@") else { return nil }
        let camera = String(text[..<at])
        let span = text[text.index(after: at)...]
        guard !camera.isEmpty, let dots = span.range(of: ".."),
              let from = Timestamp(rfc3339: String(span[..<dots.lowerBound])),
              let to = Timestamp(rfc3339: String(span[dots.upperBound...])), from <= to
        else { return nil }
        self.init(camera: camera, from: from, to: to)
    }
}

/// A vehicle seen at several of the places asked about: one row of `ringwatch common`.
public struct CommonVehicle: Sendable {
    public let plate: String
    /// The places (indexes into the query's list) where it was seen, in the query's order.
    public let places: [Int]
    /// When it was first seen at each of those places, in the same order.
    public let seen: [Timestamp]
    public let first: Timestamp
    public let last: Timestamp
}

/// Vehicles seen at every one (or at least `minimumPlaces`) of several places within each
/// place's window: a range over the (camera, ts) index per place and hour table.
public struct CommonSearch {
    public let database: HistoryDatabase

    public init(database: HistoryDatabase) { self.database = database }

    /// Best first: most places, then earliest first sighting.
    public func vehicles(at places: [PlaceWindow], minimumPlaces: Int) throws -> [CommonVehicle] {
        var sightings: [String: [Int: (first: Timestamp, last: Timestamp)]] = [:]
        for (index, place) in places.enumerated() {
            for partition in try database.readPartitions(from: place.from, to: place.to) {
                for passage in try database.passages(in: partition.table, camera: place.camera, from: place.from, to: place.to) {
                    var seen = sightings[passage.plate, default: [:]]
                    if let known = seen[index] {
                        seen[index] = (min(known.first, passage.time), max(known.last, passage.time))
                    } else {
                        seen[index] = (passage.time, passage.time)
                    }
                    sightings[passage.plate] = seen
                }
            }
        }
        var out: [CommonVehicle] = []
        for (plate, seen) in sightings where seen.count >= minimumPlaces {
            let indexes = seen.keys.sorted()
            out.append(CommonVehicle(
                plate: plate, places: indexes, seen: indexes.map { seen[$0]!.first },
                first: seen.values.map(\.first).min()!, last: seen.values.map(\.last).max()!))
        }
        return out.sorted { ($0.places.count, $1.first, $1.plate) > ($1.places.count, $0.first, $0.plate) }
    }
}
