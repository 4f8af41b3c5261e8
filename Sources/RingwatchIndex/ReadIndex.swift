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

/// A plate as the window numbers it, valid while the plate has a read in the window (the
/// number of a plate whose reads all left the window is given to another plate).
public struct WindowPlateID: Hashable, Sendable {
    public let rawValue: UInt32
}

/// A camera as the window numbers it: dense from 1, kept for the window's life, so a detector
/// may index an array by `rawValue`. 0 stands for every camera past the first 65,534.
public struct WindowCameraID: Hashable, Sendable {
    public let rawValue: UInt16
}

/// Where a read is kept: its partition (by number since 1970) and its place in it. Stable while
/// the read is in the window, so a detector may keep its own facts about a read under it.
public struct WindowPosition: Hashable, Sendable {
    public let partition: Int64
    public let index: Int
}

/// The numbers the window gave the read it inserted last, so detectors that run on that read
/// look nothing up again by text.
public struct InsertedRead: Sendable {
    public let id: ReadID
    public let plate: WindowPlateID
    public let camera: WindowCameraID
    public let position: WindowPosition
    /// Make, model and colour as three 16-bit vocabulary ids packed into one number (a missing
    /// attribute is 0): equal numbers mean equal descriptions. Nil when the vocabulary was full
    /// and one of them could not be numbered.
    public let description: UInt64?
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
        /// Plates of partitions past the horizon released per insert (see `retiring`); a
        /// partition of up to this many reads goes in the insert that evicts it.
        public var platesReleasedPerInsert = 256

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
        partitions.values.reduce(0) { $0 + $1.estimatedBytes } + retiring.reduce(0) { $0 + $1.partition.estimatedBytes }
            + plates.estimatedBytes
    }

    /// Adds `read`; false when it is already older than the horizon and so not kept.
    @discardableResult
    public func insert(_ read: PlateRead) -> Bool {
        let time = read.timestamp.milliseconds
        if time > latest {
            latest = time
            evictExpired()
        }
        if !retiring.isEmpty { releaseRetiring() }
        guard time >= latest - configuration.horizonMilliseconds else {
            lastInserted = nil
            return false
        }
        let key = time.floorDivided(by: configuration.partitionMilliseconds)
        let plate = plates.retain(read.plate.text)
        let camera = cameras.id(for: read.camera)
        let make = attributes.id(for: read.make), model = attributes.id(for: read.model), color = attributes.id(for: read.color)
        let target: Partition
        if let found = partition(key) {
            target = found
        } else {
            target = Partition(key: key, start: key * configuration.partitionMilliseconds)
            partitions[key] = target
            let position = keys.firstIndex(where: { $0 > key }) ?? keys.count
            keys.insert(key, at: position)
        }
        let record = Partition.Record(
            id: read.id.rawValue, time: time, plate: plate, camera: camera,
            confidence: read.confidence.flatMap { $0.isNaN ? nil : UInt8((min(max($0, 0), 1) * 254).rounded()) + 1 } ?? 0,
            direction: read.direction == .inbound ? 1 : read.direction == .outbound ? 2 : 0,
            make: make, model: model, color: color)
        let index = target.append(record)
        link(ReadLink(key: key, index: index), in: target, plate: plate, time: time)
        count += 1
        let numbered = (make != 0 || read.make == nil) && (model != 0 || read.model == nil) && (color != 0 || read.color == nil)
        lastInserted = InsertedRead(
            id: read.id, plate: WindowPlateID(rawValue: plate), camera: WindowCameraID(rawValue: camera),
            position: WindowPosition(partition: key, index: index),
            description: numbered ? UInt64(make) << 32 | UInt64(model) << 16 | UInt64(color) : nil)
        return true
    }

    /// What the window numbered when it inserted the read `id`, if that was the last read
    /// inserted (detectors run right after the insert of the read they evaluate).
    public func inserted(_ id: ReadID) -> InsertedRead? {
        guard let lastInserted, lastInserted.id == id else { return nil }
        return lastInserted
    }

    private var lastInserted: InsertedRead?

    /// Puts a new read into its plate's chain, which runs newest first by event time. A read
    /// that arrives late walks past the few newer reads of its plate.
    private func link(_ new: ReadLink, in target: Partition, plate: UInt32, time: Int64) {
        var newer: (link: ReadLink, partition: Partition)?
        var next = plates.head(plate)
        while let current = next, let found = partition(current.key), found.time(at: current.index) > time {
            newer = (current, found)
            next = found.previousOfPlate(current.index)
        }
        target.setPreviousOfPlate(new.index, next)
        if let newer {
            newer.partition.setPreviousOfPlate(newer.link.index, new)
        } else {
            plates.setHead(plate, new)
        }
    }

    /// The partition of `key`, if it is in the window. The last one found is cached: nearly
    /// every read goes to the newest partition, and so do the plate chains it follows.
    private func partition(_ key: Int64) -> Partition? {
        if key == cachedKey { return cachedPartition }
        guard let found = partitions[key] else { return nil }
        cachedKey = key
        cachedPartition = found
        return found
    }

    private var cachedKey: Int64 = .min
    private var cachedPartition: Partition?

    /// Calls `body` with each read of `plate` from the newest back to `from`.
    private func forEachRead(plate: UInt32, from: Int64, _ body: (Partition, Int) -> Void) {
        var next = plates.head(plate)
        while let current = next, let found = partition(current.key) {
            let time = found.time(at: current.index)
            if time < from { return }
            body(found, current.index)
            next = found.previousOfPlate(current.index)
        }
    }

    /// Reads of `plate` with `from <= ts <= to`, oldest first.
    public func reads(plate: Plate, from: Timestamp, to: Timestamp) -> [IndexedRead] {
        guard let plateID = plates.id(of: plate.text) else { return [] }
        var out: [IndexedRead] = []
        forEachRead(plate: plateID, from: from.milliseconds) { partition, index in
            if partition.time(at: index) <= to.milliseconds { out.append(resolve(partition, index)) }
        }
        // The chain is newest first by time; equal times keep the (timestamp, id) order.
        return out.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
    }

    /// Calls `body` with the id, camera and time of each read of `plate` with
    /// `from <= ts <= to`, newest first, without resolving the rest of the read (for detectors
    /// that look at every read of a plate and keep few).
    public func forEachSighting(plate: Plate, from: Timestamp, to: Timestamp, _ body: (ReadID, String, Timestamp) -> Void) {
        guard let plateID = plates.id(of: plate.text) else { return }
        forEachSighting(plate: WindowPlateID(rawValue: plateID), from: from, to: to) { id, camera, time, _ in
            body(id, cameras.text(camera.rawValue) ?? "", time)
        }
    }

    /// `forEachSighting(plate:from:to:_:)` by the window's numbers: the camera as its window id,
    /// and where the read is kept. Nothing is resolved into text.
    public func forEachSighting(
        plate: WindowPlateID, from: Timestamp, to: Timestamp, _ body: (ReadID, WindowCameraID, Timestamp, WindowPosition) -> Void
    ) {
        forEachRead(plate: plate.rawValue, from: from.milliseconds) { partition, index in
            let time = partition.time(at: index)
            guard time <= to.milliseconds else { return }
            body(
                ReadID(rawValue: partition.ids[index]), WindowCameraID(rawValue: partition.cameras[index]), Timestamp(milliseconds: time),
                WindowPosition(partition: partition.key, index: index))
        }
    }

    /// The event time of the newest read of `plate` other than the one at `position` (ties
    /// between equal times go either way; the time is the same), or nil when it has no other.
    /// Without a position: the newest read of the plate.
    public func newestTime(of plate: WindowPlateID, other position: WindowPosition?) -> Timestamp? {
        var next = plates.head(plate.rawValue)
        while let current = next, let found = partition(current.key) {
            if current.key != position?.partition || current.index != position?.index {
                return Timestamp(milliseconds: found.time(at: current.index))
            }
            next = found.previousOfPlate(current.index)
        }
        return nil
    }

    /// The number the window gives `plate` while it has reads of it.
    public func plateID(_ plate: Plate) -> WindowPlateID? { plates.id(of: plate.text).map(WindowPlateID.init) }

    /// The camera id the window gave `camera`, if it has seen it.
    public func cameraID(_ camera: String) -> WindowCameraID? { cameras.existingID(for: camera).map(WindowCameraID.init) }

    /// The camera the window numbered `camera` (nil for 0, the number past a full vocabulary).
    public func camera(_ camera: WindowCameraID) -> String? { cameras.text(camera.rawValue) }

    /// Reads at `camera` with `from <= ts <= to`, oldest first.
    public func reads(camera: String, from: Timestamp, to: Timestamp) -> [IndexedRead] {
        guard let cameraID = cameras.existingID(for: camera) else { return [] }
        var out: [IndexedRead] = []
        forEachPartition(from: from, to: to) { partition in
            partition.forEach(camera: cameraID) { index in
                let time = partition.time(at: index)
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
            for index in 0..<partition.count { out.append(resolve(partition, index)) }
        }
        return out
    }

    /// The event time of the newest read, if any.
    public var latestTime: Timestamp? { latest == .min ? nil : Timestamp(milliseconds: latest) }

    /// The time before which nothing is kept.
    public var horizonStart: Timestamp? { latestTime?.adding(milliseconds: -configuration.horizonMilliseconds) }

    public var partitionCount: Int { partitions.count }

    /// Distinct plates in the window; for a few reads after a large partition leaves it, also
    /// those of its plates not yet released (`Configuration.platesReleasedPerInsert`).
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
            if oldest == cachedKey {
                cachedKey = .min
                cachedPartition = nil
            }
            if let partition = partitions.removeValue(forKey: oldest) {
                count -= partition.count
                retiring.append((partition, 0))
            }
        }
    }

    /// Partitions past the horizon whose reads' plates are still to be released, oldest first,
    /// with how many are released so far. Releasing a national five-minute partition's plates
    /// (about 174,000) in the read that evicted it held that read for tens of milliseconds;
    /// each insert releases `Configuration.platesReleasedPerInsert` instead. The partition is already out of
    /// the window: plate chains stop at it, and its plates stay numbered until released.
    private var retiring: [(partition: Partition, released: Int)] = []

    private func releaseRetiring() {
        var budget = configuration.platesReleasedPerInsert
        while budget > 0, let (partition, released) = retiring.first {
            let end = min(partition.count, released + budget)
            for index in released..<end { plates.release(partition.plates[index]) }
            budget -= end - released
            if end == partition.count { retiring.removeFirst() } else { retiring[0].released = end }
        }
    }

    private func resolve(_ partition: Partition, _ index: Int) -> IndexedRead {
        let confidence = partition.confidences[index]
        let direction = partition.directions[index]
        return IndexedRead(
            id: ReadID(rawValue: partition.ids[index]),
            plate: Plate(normalised: plates.text(partition.plates[index])),
            camera: cameras.text(partition.cameras[index]) ?? "",
            timestamp: Timestamp(milliseconds: partition.time(at: index)),
            confidence: confidence == 0 ? nil : Double(confidence - 1) / 254,
            direction: direction == 1 ? .inbound : direction == 2 ? .outbound : nil,
            make: attributes.text(partition.makes[index]),
            model: attributes.text(partition.models[index]),
            color: attributes.text(partition.colors[index]))
    }
}

/// Where a read is: its partition's key and its position there.
struct ReadLink: Equatable {
    var key: Int64
    var index: Int
}

/// One slice of event time: parallel arrays, one entry per read, plus camera chain heads.
/// A class, so following a chain through the partitions does not copy their arrays.
final class Partition {
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

    /// The partition's number: its start divided by the partition width.
    let key: Int64
    /// Event time of the partition's start; reads keep milliseconds after it.
    let start: Int64
    var ids: [UInt64] = []
    var offsets: [UInt32] = []
    var plates: [UInt32] = []
    var cameras: [UInt16] = []
    var confidences: [UInt8] = []
    var directions: [UInt8] = []
    var makes: [UInt16] = []
    var models: [UInt16] = []
    var colors: [UInt16] = []
    /// The next older read of the same plate, in any partition: its partition key's low 32
    /// bits and its index, packed; `Partition.noLink` at the end of the chain. One chain per
    /// plate across the window replaces a per-partition table of plates: less memory, and a
    /// plate's reads are found without visiting every partition.
    var previousOfPlateLinks: [UInt64] = []
    /// Index of the previous read at the same camera in this partition, or -1.
    var previousAtCamera: [Int32] = []
    /// Newest read per camera id (indexed by camera id).
    var cameraHeads: [Int32] = []

    static let noLink = UInt64.max

    init(key: Int64, start: Int64) {
        self.key = key
        self.start = start
    }

    var count: Int { ids.count }

    func time(at index: Int) -> Int64 { start + Int64(offsets[index]) }

    var estimatedBytes: Int {
        // Per read: id 8, time offset 4, plate 4, camera 2, confidence 1, direction 1,
        // make/model/colour 6, plate link 8, camera link 4.
        ids.capacity * 8 + offsets.capacity * 4 + plates.capacity * 4 + cameras.capacity * 2 + confidences.capacity
            + directions.capacity + (makes.capacity + models.capacity + colors.capacity) * 2
            + previousOfPlateLinks.capacity * 8 + previousAtCamera.capacity * 4 + cameraHeads.capacity * 4
    }

    /// Appends the read and links it into its camera's chain; returns its index.
    func append(_ record: Record) -> Int {
        let index = ids.count
        ids.append(record.id)
        offsets.append(UInt32(record.time - start))
        plates.append(record.plate)
        cameras.append(record.camera)
        confidences.append(record.confidence)
        directions.append(record.direction)
        makes.append(record.make)
        models.append(record.model)
        colors.append(record.color)
        previousOfPlateLinks.append(Partition.noLink)
        let camera = Int(record.camera)
        if camera >= cameraHeads.count { cameraHeads.append(contentsOf: repeatElement(-1, count: camera - cameraHeads.count + 1)) }
        previousAtCamera.append(cameraHeads[camera])
        cameraHeads[camera] = Int32(index)
        return index
    }

    /// The next older read of the plate of the read at `index`. Partition keys count partitions
    /// since 1970 (about 6 million five-minute ones by 2026), so 32 bits hold them.
    func previousOfPlate(_ index: Int) -> ReadLink? {
        let packed = previousOfPlateLinks[index]
        guard packed != Partition.noLink else { return nil }
        return ReadLink(key: Int64(Int32(truncatingIfNeeded: packed >> 32)), index: Int(packed & 0xFFFF_FFFF))
    }

    func setPreviousOfPlate(_ index: Int, _ link: ReadLink?) {
        guard let link else {
            previousOfPlateLinks[index] = Partition.noLink
            return
        }
        previousOfPlateLinks[index] = UInt64(UInt32(truncatingIfNeeded: link.key)) << 32 | UInt64(link.index)
    }

    func forEach(camera: UInt16, _ body: (Int) -> Void) {
        var index = Int(camera) < cameraHeads.count ? cameraHeads[Int(camera)] : -1
        while index >= 0 {
            body(Int(index))
            index = previousAtCamera[Int(index)]
        }
    }
}
