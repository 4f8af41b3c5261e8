/// The registry's vehicles by plate key: an open-addressing hash table of (plate key, packed
/// vehicle) pairs, so that a lookup of a registered plate costs one cache miss where the
/// bisection of eight million sorted keys cost four or five (and the vehicle's word one more).
///
/// Linear probing with Robin Hood insertion at a load of about 0.8: each key's distance from
/// its home slot stays short and even, and a search for an absent key stops as soon as it meets
/// a resident closer to its own home than the key would be, so the many unregistered
/// candidates of the OCR-variant searches cost a probe or two as well. Key and word sit side by
/// side in one array (16 bytes a slot, four slots a cache line); a key of 0 marks a free slot,
/// which no `PlateKey` is (every digit of one is at least 1).
///
/// Immutable once built; 20 bytes a vehicle (1.25 slots of 16 bytes).
struct VehicleTable: Sendable {
    /// Slot `i` holds its key at `2i` and the vehicle's word at `2i + 1`.
    private let slots: [UInt64]
    /// Number of slots.
    let capacity: Int
    /// Stored pairs.
    let count: Int

    /// Builds the table of `keys` (distinct, not 0) and their vehicles' words, parallel arrays.
    init(keys: [UInt64], words: [UInt64]) {
        precondition(keys.count == words.count, "one word per key")
        let capacity = Self.capacity(forCount: keys.count)
        var slots = [UInt64](repeating: 0, count: 2 * capacity)
        slots.withUnsafeMutableBufferPointer { slots in
            for (key, word) in zip(keys, words) {
                precondition(key != 0, "0 marks a free slot")
                var key = key, word = word
                var slot = Self.home(of: key, capacity: capacity)
                var distance = 0
                while true {
                    let resident = slots[2 * slot]
                    if resident == 0 {
                        slots[2 * slot] = key
                        slots[2 * slot + 1] = word
                        break
                    }
                    precondition(resident != key, "keys must be distinct")
                    // Robin Hood: a key farther from home than the resident takes its slot, and
                    // the resident moves on. Distances stay short for every key alike.
                    let residentDistance = Self.distance(of: resident, at: slot, capacity: capacity)
                    if residentDistance < distance {
                        slots[2 * slot] = key
                        swap(&word, &slots[2 * slot + 1])
                        key = resident
                        distance = residentDistance
                    }
                    slot += 1
                    if slot == capacity { slot = 0 }
                    distance += 1
                }
            }
        }
        self.slots = slots
        self.capacity = capacity
        count = keys.count
    }

    /// Slots for `count` keys: a load of about 0.8, and at least one free slot, so that every
    /// probe ends.
    static func capacity(forCount count: Int) -> Int { max(8, count + count / 4 + 1) }

    /// The word stored with `key`, or nil when the key is absent.
    @inline(__always)
    func word(for key: UInt64) -> UInt64? {
        guard key != 0, count > 0 else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            var slot = Self.home(of: key, capacity: capacity)
            var distance = 0
            while true {
                let resident = slots[2 * slot]
                if resident == key { return slots[2 * slot + 1] }
                // A free slot, or a resident nearer its home than `key` would be here: with
                // Robin Hood insertion `key` would have taken this slot, so it is absent.
                if resident == 0 || Self.distance(of: resident, at: slot, capacity: capacity) < distance { return nil }
                slot += 1
                if slot == capacity { slot = 0 }
                distance += 1
            }
        }
    }

    /// The longest distance of a key from its home slot (for tests and the load log).
    var longestProbe: Int {
        var longest = 0
        for slot in 0..<capacity where slots[2 * slot] != 0 {
            longest = max(longest, Self.distance(of: slots[2 * slot], at: slot, capacity: capacity))
        }
        return longest
    }

    /// The slot where the search for `key` starts. Plate keys are base-37 numbers whose low
    /// digits vary fastest, so they are mixed (SplitMix64's finaliser) before being scaled to
    /// the capacity by the high half of a 128-bit product (no division, any capacity).
    @inline(__always)
    static func home(of key: UInt64, capacity: Int) -> Int {
        var z = key
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(truncatingIfNeeded: z.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// How many slots past its home `key` sits when it sits at `slot`.
    @inline(__always)
    private static func distance(of key: UInt64, at slot: Int, capacity: Int) -> Int {
        let home = home(of: key, capacity: capacity)
        return slot >= home ? slot - home : slot + capacity - home
    }
}
