/// An open-addressing map from texts of at most 16 UTF-8 bytes to 16-bit ids, without removal.
///
/// Every read brings a camera id, a make, a model and a colour to number; a `Dictionary` keyed
/// by `String` runs SipHash over each and compares strings. Such words are short, so their
/// bytes fit in two machine words that are hashed with two multiplications and compared as
/// integers. Longer texts are the caller's to handle (`key(of:)` is nil for them).
struct ShortTextTable {
    /// A text's bytes, zero-padded, and its length (so "A" and "A\0" differ).
    struct Key: Equatable {
        var low: UInt64
        var high: UInt64
        var length: Int
    }

    private struct Slot {
        var key: Key
        /// 0 marks an empty slot.
        var value: UInt16
    }

    private var slots = [Slot](repeating: Slot(key: Key(low: 0, high: 0, length: 0), value: 0), count: 16)
    private var mask = 15
    private(set) var count = 0

    /// The key of `text`; nil when it is longer than 16 bytes.
    static func key(of text: String) -> Key? {
        var text = text
        return text.withUTF8 { bytes -> Key? in
            guard bytes.count <= 16 else { return nil }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            // Little-endian or not, equal texts give equal words: only equality and the hash matter.
            return Key(low: words.0, high: words.1, length: bytes.count)
        }
    }

    @inline(__always)
    private static func hash(_ key: Key) -> Int {
        var z = key.low &* 0x9E37_79B9_7F4A_7C15 ^ key.high &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(key.length)
        z = (z ^ (z >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: z ^ (z >> 32))
    }

    /// The id stored under `key`.
    func value(for key: Key) -> UInt16? {
        var index = Self.hash(key) & mask
        while true {
            let slot = slots[index]
            if slot.value == 0 { return nil }
            if slot.key == key { return slot.value }
            index = (index + 1) & mask
        }
    }

    /// Stores `value` (not 0) under `key`, which must not be there yet.
    mutating func insert(_ value: UInt16, for key: Key) {
        precondition(value != 0, "0 marks an empty slot")
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var index = Self.hash(key) & mask
        while slots[index].value != 0 { index = (index + 1) & mask }
        slots[index] = Slot(key: key, value: value)
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: Key(low: 0, high: 0, length: 0), value: 0), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for slot in old where slot.value != 0 { insert(slot.value, for: slot.key) }
    }
}
