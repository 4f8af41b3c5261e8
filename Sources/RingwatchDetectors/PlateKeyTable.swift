/// An open-addressing multimap from 64-bit plate keys to 32-bit payloads, eight bytes a slot.
///
/// Built for a hotlist of a million plates, each stored under its canonical form and under
/// every one-character deletion of it (some eight million keys): a `Dictionary<UInt64, [Int]>`
/// would cost several times the memory and an allocation per key. A slot keeps only a 32-bit
/// fingerprint of the key's hash beside the payload, so a lookup may return a payload whose key
/// merely shares the fingerprint (about one in four billion); callers verify every candidate
/// against the entry itself, which they must do anyway to count substitutions.
///
/// No removal: the owner marks entries dead and rebuilds the table when it grows or when dead
/// entries pile up.
struct PlateKeyTable: Sendable {
    /// 0 is an empty slot; otherwise fingerprint (high 32 bits, never 0) and payload.
    private var slots: [UInt64]
    private var mask: Int
    /// Keys stored.
    private(set) var count = 0

    /// Load factor kept at or below 5/8: linear probing stays short.
    private static func capacity(for keys: Int) -> Int {
        var capacity = 16
        while capacity * 5 < keys * 8 { capacity <<= 1 }
        return capacity
    }

    /// A table with room for `keys` keys before it must be rebuilt.
    init(keys: Int = 0) {
        let capacity = Self.capacity(for: keys)
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// True when `additional` more keys fit without passing the load limit.
    func hasRoom(for additional: Int) -> Bool { (count + additional) * 8 <= slots.count * 5 }

    /// Bytes held by the slots.
    var bytes: Int { slots.count * 8 }

    /// SplitMix64's finaliser: neighbouring plate keys land far apart.
    @inline(__always)
    private static func hash(_ key: UInt64) -> UInt64 {
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Adds `payload` under `key` (the same key may hold many payloads). Check `hasRoom` first.
    mutating func insert(key: UInt64, payload: UInt32) {
        precondition(hasRoom(for: 1), "PlateKeyTable is full; rebuild it larger first")
        let hash = Self.hash(key)
        // The fingerprint comes from the high half, the slot from the low bits, so the two are
        // independent; its low bit is set so a used slot is never 0.
        let tag = UInt64(UInt32(truncatingIfNeeded: hash >> 32) | 1) << 32
        let mask = self.mask
        slots.withUnsafeMutableBufferPointer { slots in
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = tag | UInt64(payload)
        }
        count += 1
    }

    /// Calls `body` with every payload stored under `key` (and, rarely, one under another key
    /// with the same fingerprint).
    @inline(__always)
    func forEach(key: UInt64, _ body: (UInt32) -> Void) {
        let hash = Self.hash(key)
        let tag = UInt32(truncatingIfNeeded: hash >> 32) | 1
        let mask = self.mask
        slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: hash) & mask
            while case let slot = slots[index], slot != 0 {
                if UInt32(truncatingIfNeeded: slot >> 32) == tag { body(UInt32(truncatingIfNeeded: slot)) }
                index = (index + 1) & mask
            }
        }
    }
}
