/// An open-addressing map from 64-bit plate keys to 32-bit plate ids, with removal.
///
/// The window interns every read's plate: a `Dictionary<String, UInt32>` hashes the text with
/// SipHash and compares strings, which was the larger part of a window insert at national
/// volume. Nearly every plate is at most twelve characters of `A-Z0-9`, and such a plate is one
/// base-37 number (`key(of:)`), so the window looks it up here by that number with a cheap
/// mixing hash instead. Linear probing; removal shifts later entries of the run back, so there
/// are no tombstones and lookups stay short however many plates come and go. A key and its id
/// share a slot: one cache miss per lookup in a table of millions of plates, not two.
struct PlateIDTable {
    private struct Slot {
        /// 0 marks an empty slot; a plate key is never 0 (every digit is at least 1).
        var key: UInt64
        var value: UInt32
    }

    private var slots: [Slot]
    private var mask: Int
    /// Keys stored.
    private(set) var count = 0

    init() {
        slots = [Slot](repeating: Slot(key: 0, value: 0), count: 16)
        mask = 15
    }

    /// The key of a plate of one to twelve `A-Z0-9` characters (base 37, digits 1...36, so the
    /// length is part of the number); nil for any other text.
    static func key(of plate: String) -> UInt64? {
        var plate = plate
        return plate.withUTF8 { bytes -> UInt64? in
            guard !bytes.isEmpty, bytes.count <= 12 else { return nil }
            var key: UInt64 = 0
            for byte in bytes {
                let digit: UInt8
                switch byte {
                case 48...57: digit = byte &- 47
                case 65...90: digit = byte &- 54
                default: return nil
                }
                key = key &* 37 &+ UInt64(digit)
            }
            return key
        }
    }

    /// SplitMix64's finaliser: plate keys differ in their low digits, and this spreads them.
    @inline(__always)
    private static func hash(_ key: UInt64) -> Int {
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }

    /// The id stored under `key`.
    func value(for key: UInt64) -> UInt32? {
        var index = Self.hash(key) & mask
        while true {
            let found = slots[index]
            if found.key == key { return found.value }
            if found.key == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// Stores `value` under `key`, replacing what was there.
    mutating func set(_ value: UInt32, for key: UInt64) {
        precondition(key != 0, "0 is not a plate key")
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var index = Self.hash(key) & mask
        while slots[index].key != 0 && slots[index].key != key { index = (index + 1) & mask }
        if slots[index].key == 0 { count += 1 }
        slots[index] = Slot(key: key, value: value)
    }

    /// Removes `key`; false when it was not there.
    @discardableResult
    mutating func remove(_ key: UInt64) -> Bool {
        var hole = Self.hash(key) & mask
        while slots[hole].key != key {
            if slots[hole].key == 0 { return false }
            hole = (hole + 1) & mask
        }
        // Backward shift: move up each later entry of the run that may live in the hole (its
        // home slot is not cyclically between the hole and where it sits).
        var next = (hole + 1) & mask
        while slots[next].key != 0 {
            let home = Self.hash(slots[next].key) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole].key = 0
        count -= 1
        return true
    }

    /// Calls `body` with every key and its id, in no particular order.
    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for slot in slots where slot.key != 0 { body(slot.key, slot.value) }
    }

    /// Bytes held by the slots.
    var bytes: Int { slots.count * MemoryLayout<Slot>.stride }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, value: 0), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for slot in old where slot.key != 0 { set(slot.value, for: slot.key) }
    }
}
