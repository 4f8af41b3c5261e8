/// An array that grows by whole chunks instead of by copying: elements never move.
///
/// The convoy tracker keeps one entry per vehicle in the window, some hundreds of thousands of
/// 56-byte values at national volume; an `Array` doubling at 262,144 of them copied 15 MB and
/// touched 30 MB of fresh pages within one read (14 ms). Here growing allocates one more chunk.
/// Indexing costs one more load (the chunk), which stays in the cache.
struct ChunkedArray<Element> {
    /// Elements per chunk: 2^14.
    private static var shift: Int { 14 }
    private static var chunkSize: Int { 1 << shift }

    /// Every chunk but the last is full.
    private var chunks: [[Element]] = []
    private(set) var count = 0

    subscript(index: Int) -> Element {
        get { chunks[index >> Self.shift][index & (Self.chunkSize - 1)] }
        _modify { yield &chunks[index >> Self.shift][index & (Self.chunkSize - 1)] }
    }

    mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}
