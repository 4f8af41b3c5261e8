import RingwatchCore

/// A read as the window keeps it, resolved back into values for detectors and queries.
public struct IndexedRead: Sendable, Hashable {
    public let id: ReadID
    public let plate: Plate
    public let camera: String
    public let timestamp: Timestamp
    /// OCR confidence rounded to 1/254, when the read had one.
    public let confidence: Double?
    public let direction: Direction?
    public let make: String?
    public let model: String?
    public let color: String?
}

/// The time-partitioned in-memory window of recent reads.
///
/// Reads go into partitions by event time (five minutes by default); a partition older than the
/// horizon (24 h by default) behind the latest read is dropped whole. Within a partition reads
/// are stored as parallel arrays of compact fields, with per-plate and per-camera chains, so
/// both "where was this plate" and "who passed this camera between t1 and t2" touch only the
/// matching reads. Plates are interned and reference-counted.
///
/// Not thread-safe: it belongs to the engine's pipeline thread.
public final class ReadIndex {
    /// Partition width and horizon.
    public struct Configuration: Sendable {
        public var partitionMilliseconds: Int64
        public var horizonMilliseconds: Int64

        public init(partitionMilliseconds: Int64 = 5 * 60_000, horizonMilliseconds: Int64 = 24 * 3_600_000) {
            precondition(partitionMilliseconds > 0 && horizonMilliseconds >= partitionMilliseconds)
            self.partitionMilliseconds = partitionMilliseconds
            self.horizonMilliseconds = horizonMilliseconds
        }
    }

    public let configuration: Configuration
    private var partitions: [Int64: Partition] = [:]
    /// Partition keys in ascending order (kept sorted; there are at most a few hundred).
    private var keys: [Int64] = []
    private var plates = PlateInterner()
    private var cameras = VocabularyInterner()
    private var attributes = VocabularyInterner()
    private var latest: Int64 = .min
    public private(set) var count = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Bytes held by the window, estimated from the capacities of its arrays and tables (for
    /// the memory metric; walks the partitions, so call it at scrape time, not per read).
    public var estimatedBytes: Int {
        partitions.values.reduce(0) { $0 + $1.estimatedBytes } + plates.estimatedBytes
    }

    /// Adds `read`; false when it is already older than the horizon and so not kept.
    @discardableResult
    public func insert(_ read: PlateRead) -> Bool {
        let time = read.timestamp.milliseconds
        if time > latest {
            latest = time
            evictExpired()
        }
        guard time >= latest - configuration.horizonMilliseconds else { return false }
        let key = time.floorDivided(by: configuration.partitionMilliseconds)
        let plate = plates.retain(read.plate.text)
        let camera = cameras.id(for: read.camera)
        let record = Partition.Record(
            id: read.id.rawValue, time: time, plate: plate, camera: camera,
            confidence: read.confidence.flatMap { $0.isNaN ? nil : UInt8((min(max($0, 0), 1) * 254).rounded()) + 1 } ?? 0,
            direction: read.direction == .inbound ? 1 : read.direction == .outbound ? 2 : 0,
            make: attributes.id(for: read.make), model: attributes.id(for: read.model), color: attributes.id(for: read.color))
        if partitions[key] == nil {
            partitions[key] = Partition()
            let position = keys.firstIndex(where: { $0 > key }) ?? keys.count
            keys.insert(key, at: position)
        }
        partitions[key]!.append(record)
        count += 1
        return true
    }

    /// Reads of `plate` with `from <= ts <= to`, oldest first.
    public func reads(plate: Plate, from: Timestamp, to: Timestamp) -> [IndexedRead] {
        guard let plateID = plates.id(of: plate.text) else { return [] }
        var out: [IndexedRead] = []
        forEachPartition(from: from, to: to) { partition in
            partition.forEach(plate: plateID) { index in
                let time = partition.times[index]
                if time >= from.milliseconds && time <= to.milliseconds { out.append(resolve(partition, index)) }
            }
        }
        return out.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
    }

    /// Reads at `camera` with `from <= ts <= to`, oldest first.
    public func reads(camera: String, from: Timestamp, to: Timestamp) -> [IndexedRead] {
        guard let cameraID = cameras.existingID(for: camera) else { return [] }
        var out: [IndexedRead] = []
        forEachPartition(from: from, to: to) { partition in
            partition.forEach(camera: cameraID) { index in
                let time = partition.times[index]
                if time >= from.milliseconds && time <= to.milliseconds { out.append(resolve(partition, index)) }
            }
        }
        return out.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
    }

    /// Calls `body` once with each distinct plate in the window, in no particular order (for
    /// matching newly listed plates against what is in memory without resolving every read).
    public func forEachPlate(_ body: (Plate) -> Void) {
        plates.forEachText { body(Plate(normalised: $0)) }
    }

    /// Every read in the window, oldest partition first (for rebuilding detector state).
    public func allReads() -> [IndexedRead] {
        var out: [IndexedRead] = []
        out.reserveCapacity(count)
        for key in keys {
            let partition = partitions[key]!
            for index in 0..<partition.times.count { out.append(resolve(partition, index)) }
        }
        return out
    }

    /// The event time of the newest read, if any.
    public var latestTime: Timestamp? { latest == .min ? nil : Timestamp(milliseconds: latest) }

    /// The time before which nothing is kept.
    public var horizonStart: Timestamp? { latestTime?.adding(milliseconds: -configuration.horizonMilliseconds) }

    public var partitionCount: Int { partitions.count }

    /// Distinct plates in the window.
    public var plateCount: Int { plates.count }

    private func forEachPartition(from: Timestamp, to: Timestamp, _ body: (Partition) -> Void) {
        let first = from.milliseconds.floorDivided(by: configuration.partitionMilliseconds)
        let last = to.milliseconds.floorDivided(by: configuration.partitionMilliseconds)
        guard first <= last else { return }
        if last - first < Int64(keys.count) {
            for key in first...last { if let partition = partitions[key] { body(partition) } }
        } else {
            for key in keys where key >= first && key <= last { body(partitions[key]!) }
        }
    }

    private func evictExpired() {
        let cutoff = (latest - configuration.horizonMilliseconds).floorDivided(by: configuration.partitionMilliseconds)
        while let oldest = keys.first, oldest < cutoff {
            keys.removeFirst()
            if let partition = partitions.removeValue(forKey: oldest) {
                for plate in partition.plates { plates.release(plate) }
                count -= partition.times.count
            }
        }
    }

    private func resolve(_ partition: Partition, _ index: Int) -> IndexedRead {
        let confidence = partition.confidences[index]
        let direction = partition.directions[index]
        return IndexedRead(
            id: ReadID(rawValue: partition.ids[index]),
            plate: Plate(normalised: plates.text(partition.plates[index])),
            camera: cameras.text(partition.cameras[index]) ?? "",
            timestamp: Timestamp(milliseconds: partition.times[index]),
            confidence: confidence == 0 ? nil : Double(confidence - 1) / 254,
            direction: direction == 1 ? .inbound : direction == 2 ? .outbound : nil,
            make: attributes.text(partition.makes[index]),
            model: attributes.text(partition.models[index]),
            color: attributes.text(partition.colors[index]))
    }
}

/// One slice of event time: parallel arrays, one entry per read, plus chain heads.
struct Partition {
    struct Record {
        var id: UInt64
        var time: Int64
        var plate: UInt32
        var camera: UInt16
        var confidence: UInt8
        var direction: UInt8
        var make: UInt16
        var model: UInt16
        var color: UInt16
    }

    var ids: [UInt64] = []
    var times: [Int64] = []
    var plates: [UInt32] = []
    var cameras: [UInt16] = []
    var confidences: [UInt8] = []
    var directions: [UInt8] = []
    var makes: [UInt16] = []
    var models: [UInt16] = []
    var colors: [UInt16] = []
    /// Index of the previous read of the same plate in this partition, or -1.
    var previousOfPlate: [Int32] = []
    /// Index of the previous read at the same camera in this partition, or -1.
    var previousAtCamera: [Int32] = []
    /// Newest read per plate id.
    var plateHeads: [UInt32: Int32] = [:]
    /// Newest read per camera id (indexed by camera id).
    var cameraHeads: [Int32] = []

    var estimatedBytes: Int {
        // Per read: id 8, time 8, plate 4, camera 2, confidence 1, direction 1, make/model/colour
        // 6, two chain links 8; a hash-table entry costs about twice its key and value.
        ids.capacity * 8 + times.capacity * 8 + plates.capacity * 4 + cameras.capacity * 2 + confidences.capacity
            + directions.capacity + (makes.capacity + models.capacity + colors.capacity) * 2
            + (previousOfPlate.capacity + previousAtCamera.capacity) * 4 + plateHeads.capacity * 16 + cameraHeads.capacity * 4
    }

    mutating func append(_ record: Record) {
        let index = Int32(ids.count)
        ids.append(record.id)
        times.append(record.time)
        plates.append(record.plate)
        cameras.append(record.camera)
        confidences.append(record.confidence)
        directions.append(record.direction)
        makes.append(record.make)
        models.append(record.model)
        colors.append(record.color)
        previousOfPlate.append(plateHeads.updateValue(index, forKey: record.plate) ?? -1)
        let camera = Int(record.camera)
        if camera >= cameraHeads.count { cameraHeads.append(contentsOf: repeatElement(-1, count: camera - cameraHeads.count + 1)) }
        previousAtCamera.append(cameraHeads[camera])
        cameraHeads[camera] = index
    }

    func forEach(plate: UInt32, _ body: (Int) -> Void) {
        var index = plateHeads[plate] ?? -1
        while index >= 0 {
            body(Int(index))
            index = previousOfPlate[Int(index)]
        }
    }

    func forEach(camera: UInt16, _ body: (Int) -> Void) {
        var index = Int(camera) < cameraHeads.count ? cameraHeads[Int(camera)] : -1
        while index >= 0 {
            body(Int(index))
            index = previousAtCamera[Int(index)]
        }
    }
}
