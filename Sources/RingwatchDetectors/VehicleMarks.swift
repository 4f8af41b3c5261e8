/// What the convoy tracker asks about each vehicle read near a passage, by vehicle id: the mark
/// of the last scan that took it, and the mask of the cameras on its trail. Sixteen bytes each,
/// side by side.
///
/// A passage's scan looks at a handful of neighbours, and each is a vehicle whose data is
/// rarely still in the cache: kept apart (the marks in one array, the masks inside the vehicles'
/// larger records) that was two memory misses per neighbour; here it is one. Held in chunks of
/// 2^14 entries that never move, so growing never copies what is there (see `ChunkedArray`),
/// reached through raw pointers because this is the tracker's innermost loop.
///
/// Not thread-safe: it belongs to its tracker's thread.
final class VehicleMarks {
    struct Entry {
        /// The mark of the last scan that took the vehicle (see `ConvoyTracker.nextStamp`).
        var stamp: UInt32 = 0
        /// Bit `camera % 64` for each camera on the vehicle's trail.
        var mask: UInt64 = 0
    }

    private static let shift = 14
    private static let chunkSize = 1 << shift
    /// 2^27 vehicles: far more than a window holds.
    private static let maximumChunks = 1 << 13

    private let directory: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>
    private var chunkCount = 0
    /// Entries held.
    private(set) var count = 0

    init() {
        directory = .allocate(capacity: Self.maximumChunks)
        directory.initialize(repeating: nil, count: Self.maximumChunks)
    }

    deinit {
        for chunk in 0..<chunkCount { directory[chunk]?.deallocate() }
        directory.deallocate()
    }

    /// The entry of vehicle `id` (below `count`).
    @inline(__always)
    func entry(_ id: Int) -> UnsafeMutablePointer<Entry> {
        directory[id >> Self.shift].unsafelyUnwrapped + (id & (Self.chunkSize - 1))
    }

    /// Adds a blank entry for the next id.
    func append() {
        if count & (Self.chunkSize - 1) == 0 {
            precondition(chunkCount < Self.maximumChunks, "the convoy tracker follows at most \(Self.maximumChunks << Self.shift) vehicles")
            let chunk = UnsafeMutablePointer<Entry>.allocate(capacity: Self.chunkSize)
            chunk.initialize(repeating: Entry(), count: Self.chunkSize)
            directory[chunkCount] = chunk
            chunkCount += 1
        }
        entry(count).pointee = Entry()
        count += 1
    }

    /// Sets every stamp to 0 (once in four billion scans).
    func clearStamps() {
        for id in 0..<count { entry(id).pointee.stamp = 0 }
    }
}
