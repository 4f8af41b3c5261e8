/// Each camera's recent passages, sorted by time: what the convoy tracker scans for the vehicles
/// read close to a passage.
///
/// Every read inserts into its camera's list and most reads drop from it, and with thousands of
/// cameras a list is rarely still in the cache when its camera reads again. As an array of
/// arrays, each insert touched the list's header (count, capacity, reference count) and, to
/// decide whether to drop, an element a quarter of the way in, besides the end where it
/// inserts; dropping moved the rest of the list to its front. Here the headers of all cameras
/// sit together in one small array (with the oldest time, so the drop check reads no list),
/// each list is a buffer of which a window is live, and dropping moves the window's start.
///
/// Not thread-safe: it belongs to its tracker's thread.
final class PassageLists {
    private struct Header {
        var base: UnsafeMutablePointer<Sighting>?
        /// The live passages are `base[start..<end]`.
        var start = 0
        var end = 0
        var capacity = 0
        /// The time of `base[start]`; `.max` for an empty list.
        var oldest: Int64 = .max
    }

    private var headers: [Header] = []

    init() {}

    deinit {
        for header in headers { header.base?.deallocate() }
    }

    /// Lists, one per camera number.
    var cameraCount: Int { headers.count }

    /// Passages held in all lists.
    var passageCount: Int { headers.reduce(0) { $0 + $1.end - $1.start } }

    /// Adds an empty list for the next camera number.
    func addCamera() { headers.append(Header()) }

    /// The time of the oldest passage in `camera`'s list (`.max` when it is empty).
    @inline(__always)
    func oldest(_ camera: Int) -> Int64 { headers[camera].oldest }

    /// Calls `body` with `camera`'s passages, oldest first. The buffer is valid only inside.
    @inline(__always)
    func withPassages<Result>(_ camera: Int, _ body: (UnsafeBufferPointer<Sighting>) -> Result) -> Result {
        let header = headers[camera]
        return body(UnsafeBufferPointer(start: header.base.map { $0 + header.start }, count: header.end - header.start))
    }

    /// Inserts `sighting` after every passage at or before its time (so equal times keep their
    /// arrival order); returns its position in the list.
    func insert(_ sighting: Sighting, camera: Int) -> Int {
        headers.withUnsafeMutableBufferPointer { headers in
            let header = headers.baseAddress! + camera
            let count = header.pointee.end - header.pointee.start
            var position = count
            if let base = header.pointee.base, count > 0, base[header.pointee.end - 1].time > sighting.time {
                var low = header.pointee.start, high = header.pointee.end
                while low < high {
                    let middle = (low + high) / 2
                    if base[middle].time <= sighting.time { low = middle + 1 } else { high = middle }
                }
                position = low - header.pointee.start
            }
            if header.pointee.end == header.pointee.capacity { makeRoom(header) }
            let base = header.pointee.base!
            let at = header.pointee.start + position
            if position < count { (base + at + 1).moveInitialize(from: base + at, count: count - position) }
            (base + at).initialize(to: sighting)
            header.pointee.end += 1
            if position == 0 { header.pointee.oldest = sighting.time }
            return position
        }
    }

    /// Drops `camera`'s passages older than `cutoff`.
    func drop(before cutoff: Int64, camera: Int) {
        headers.withUnsafeMutableBufferPointer { headers in
            let header = headers.baseAddress! + camera
            guard header.pointee.oldest < cutoff, let base = header.pointee.base else { return }
            var low = header.pointee.start, high = header.pointee.end
            while low < high {
                let middle = (low + high) / 2
                if base[middle].time < cutoff { low = middle + 1 } else { high = middle }
            }
            if low == header.pointee.end {
                header.pointee.start = 0
                header.pointee.end = 0
                header.pointee.oldest = .max
            } else {
                header.pointee.start = low
                header.pointee.oldest = base[low].time
            }
        }
    }

    /// Room for one more passage at the end: the live window moves to the front of its buffer
    /// when it holds at most half of it, else the buffer doubles.
    private func makeRoom(_ header: UnsafeMutablePointer<Header>) {
        let count = header.pointee.end - header.pointee.start
        if let base = header.pointee.base, count <= header.pointee.capacity / 2 {
            if count > 0 { base.moveInitialize(from: base + header.pointee.start, count: count) }
        } else {
            let capacity = max(16, header.pointee.capacity * 2)
            let grown = UnsafeMutablePointer<Sighting>.allocate(capacity: capacity)
            if let base = header.pointee.base {
                grown.moveInitialize(from: base + header.pointee.start, count: count)
                base.deallocate()
            }
            header.pointee.base = grown
            header.pointee.capacity = capacity
        }
        header.pointee.start = 0
        header.pointee.end = count
    }
}
