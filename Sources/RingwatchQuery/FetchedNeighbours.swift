import RingwatchCore
import RingwatchDetectors

/// The reads fetched around a vehicle's passages, as a `NeighbourSource`: what the history
/// search measures the surrounding traffic on, as the live tracker does on what it holds.
final class FetchedNeighbours: NeighbourSource {
    private var byCamera: [String: [(time: Int64, vehicle: UInt64)]] = [:]
    private var vehicles: [String: UInt64] = [:]
    private var seen = Set<ReadID>()
    private var sorted = true

    /// Adds passages (each read once, however often it is added).
    func add(_ passages: [Passage]) {
        for passage in passages where seen.insert(passage.readID).inserted {
            byCamera[passage.camera, default: []].append((passage.time.milliseconds, vehicle(passage.plate)))
            sorted = false
        }
    }

    func neighbours(camera: String, around time: Timestamp, within: Int64, excluding pair: PairKey, limit: Int) -> [UInt64] {
        if !sorted {
            for key in byCamera.keys { byCamera[key]!.sort { $0.time < $1.time } }
            sorted = true
        }
        guard let list = byCamera[camera] else { return [] }
        let center = time.milliseconds
        let first = vehicles[pair.first], second = vehicles[pair.second]
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].time < center { low = middle + 1 } else { high = middle }
        }
        var left = low - 1, right = low
        var out: [UInt64] = []
        while out.count < limit {
            let leftGap = left >= 0 ? center - list[left].time : .max
            let rightGap = right < list.count ? list[right].time - center : .max
            let index: Int
            if leftGap <= rightGap, leftGap <= within {
                index = left
                left -= 1
            } else if rightGap <= within {
                index = right
                right += 1
            } else {
                break
            }
            let vehicle = list[index].vehicle
            if vehicle != first && vehicle != second { out.append(vehicle) }
        }
        return out
    }

    private func vehicle(_ plate: String) -> UInt64 {
        if let id = vehicles[plate] { return id }
        let id = UInt64(vehicles.count)
        vehicles[plate] = id
        return id
    }
}
