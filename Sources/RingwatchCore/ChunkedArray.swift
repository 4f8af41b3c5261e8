/// An array that grows by whole chunks instead of by copying: elements never move.
///
/// The read path keeps arrays with one entry per vehicle in the window (the window's plates,
/// the convoy tracker's vehicles): millions at national volume. An `Array` doubling at 262,144
/// 56-byte values copied 15 MB and touched 30 MB of fresh pages within one read (14 ms), and at
/// millions of plates a tenth of a second. Here growing allocates one more chunk. Indexing costs
/// one more load (the chunk), which stays in the cache.
public struct ChunkedArray<Element> {
    /// Elements per chunk: 2^14.
    @usableFromInline static var shift: Int { 14 }
    @usableFromInline static var chunkSize: Int { 1 << shift }

    /// Every chunk but the last is full.
    @usableFromInline var chunks: [[Element]] = []
    @usableFromInline var stored = 0

    public var count: Int { stored }

    public init() {}

    @inlinable
    public subscript(index: Int) -> Element {
        get { chunks[index >> Self.shift][index & (Self.chunkSize - 1)] }
        _modify { yield &chunks[index >> Self.shift][index & (Self.chunkSize - 1)] }
    }

    @inlinable
    public mutating func append(_ element: Element) {
        if stored & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        stored += 1
    }

    /// Elements room is held for.
    public var capacity: Int { chunks.count * Self.chunkSize }
}
