/// Interns byte strings into dense ids without creating a `String` per lookup: the registry
/// loader sees four fields on each of eight million lines but only a few thousand distinct
/// values, so hashing raw bytes into an open-addressing table is what keeps the load fast.
struct ByteInterner {
    /// Slot → id + 1 (0 is empty). Capacity is a power of two, at most half full.
    private var slots: [UInt32] = Array(repeating: 0, count: 64)
    private var hashes: [UInt64] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var storage: [UInt8] = []

    var count: Int { hashes.count }

    /// The id of `bytes`, adding them when new.
    mutating func id(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let id = Int(entry - 1)
            if hashes[id] == hash && lengths[id] == bytes.count && equal(id, bytes) { return UInt32(id) }
            slot = (slot + 1) & mask
        }
        let id = hashes.count
        hashes.append(hash)
        starts.append(storage.count)
        lengths.append(bytes.count)
        storage.append(contentsOf: bytes)
        slots[slot] = UInt32(id + 1)
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    /// The text of every id, in id order.
    func strings() -> [String] {
        (0..<count).map { String(decoding: storage[starts[$0]..<starts[$0] + lengths[$0]], as: UTF8.self) }
    }

    private func equal(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        storage.withUnsafeBufferPointer { stored in
            let start = starts[id]
            for offset in 0..<bytes.count where stored[start + offset] != bytes[offset] { return false }
            return true
        }
    }

    private mutating func grow() {
        var bigger = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = UInt32(id + 1)
        }
        slots = bigger
    }

    /// Eight bytes at a time, multiply-xorshift mixed: the low bits index the table, so they
    /// must depend on every byte.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }
}
