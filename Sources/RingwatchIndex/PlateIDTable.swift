/// An open-addressing map from 64-bit plate keys to 32-bit plate ids, with removal.
///
/// The window interns every read's plate: a `Dictionary<String, UInt32>` hashes the text with
/// SipHash and compares strings, which was the larger part of a window insert at national
/// volume. Nearly every plate is at most twelve characters of `A-Z0-9`, and such a plate is one
/// base-37 number (`key(of:)`), so the window looks it up here by that number with a cheap
/// mixing hash instead. Linear probing; removal shifts later entries of the run back, so there
/// are no tombstones and lookups stay short however many plates come and go.
struct PlateIDTable {
    /// 0 marks an empty slot; a plate key is never 0 (every digit is at least 1).
    private var keys: [UInt64]
    private var values: [UInt32]
    private var mask: Int
    /// Keys stored.
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: 0, count: 16)
        values = [UInt32](repeating: 0, count: 16)
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
            let found = keys[index]
            if found == key { return values[index] }
            if found == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// Stores `value` under `key`, replacing what was there.
    mutating func set(_ value: UInt32, for key: UInt64) {
        precondition(key != 0, "0 is not a plate key")
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var index = Self.hash(key) & mask
        while keys[index] != 0 && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == 0 { count += 1 }
        keys[index] = key
        values[index] = value
    }

    /// Removes `key`; false when it was not there.
    @discardableResult
    mutating func remove(_ key: UInt64) -> Bool {
        var hole = Self.hash(key) & mask
        while keys[hole] != key {
            if keys[hole] == 0 { return false }
            hole = (hole + 1) & mask
        }
        // Backward shift: move up each later entry of the run that may live in the hole (its
        // home slot is not cyclically between the hole and where it sits).
        var next = (hole + 1) & mask
        while keys[next] != 0 {
            let home = Self.hash(keys[next]) & mask
            if (next - home) & mask >= (next - hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = 0
        count -= 1
        return true
    }

    /// Calls `body` with every key and its id, in no particular order.
    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for index in keys.indices where keys[index] != 0 { body(keys[index], values[index]) }
    }

    /// Bytes held by the slots.
    var bytes: Int { keys.count * 12 }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [UInt32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for index in oldKeys.indices where oldKeys[index] != 0 { set(oldValues[index], for: oldKeys[index]) }
    }
}
