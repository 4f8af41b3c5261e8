#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open-addressing map from 64-bit plate keys to 32-bit plate ids, with removal, that grows
/// a step at a time.
///
/// The window interns every read's plate, and the convoy tracker every vehicle it follows: a
/// `Dictionary<String, …>` hashes the text with SipHash and compares strings, which was the
/// larger part of a window insert at national volume. Nearly every plate is at most twelve
/// characters of `A-Z0-9`, and such a plate is one base-37 number (`key(of:)`), so it is looked
/// up here by that number with a cheap mixing hash instead. Linear probing; removal shifts later
/// entries of the run back, so there are no tombstones and lookups stay short however many
/// plates come and go. A key and its id share a slot: one cache miss per lookup in a table of
/// millions of plates, not two.
///
/// Growing does not rehash every entry at once (a table of a million plates took milliseconds,
/// and the read that triggered it waited): the larger table takes over at once, and each later
/// `set` or `remove` moves a few slots of the old one across (`slotsMovedPerChange`), so the old
/// one is empty long before the new one fills. Until then a lookup that misses in the new table
/// looks in the old one. Large tables are mapped from the system as zero pages, so making one
/// writes nothing up front either.
public struct PlateIDTable {
    struct Slot {
        /// 0 marks an empty slot; a plate key is never 0 (every digit is at least 1).
        var key: UInt64
        var value: UInt32
    }

    /// In the old table, a slot whose entry was moved to the new one or removed: it keeps probe
    /// runs through it intact. Never a plate key (37^12 is far below it).
    static let moved = UInt64.max

    /// Old slots moved across per `set` or `remove` while growing. The old table is at most 3/4
    /// full and the new one twice its size, so moving even two slots per change would finish
    /// before the new one reached its own limit; more keeps the old one around for less time.
    static let slotsMovedPerChange = 16

    private var slots: SlotBuffer
    /// The table being emptied into `slots`, while growing.
    private var old: SlotBuffer?
    /// The next old slot to move.
    private var cursor = 0
    /// Keys in `slots`, and still in `old`.
    private var newCount = 0
    private var oldCount = 0

    public init() {
        slots = SlotBuffer(capacity: 16)
    }

    /// Keys stored.
    public var count: Int { newCount + oldCount }

    /// The key of a plate of one to twelve `A-Z0-9` characters (base 37, digits 1...36, so the
    /// length is part of the number); nil for any other text.
    public static func key(of plate: String) -> UInt64? {
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
    static func hash(_ key: UInt64) -> Int {
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }

    /// The id stored under `key`.
    public func value(for key: UInt64) -> UInt32? {
        if let index = slots.find(key) { return slots.base[index].value }
        if let old, let index = old.find(key) { return old.base[index].value }
        return nil
    }

    /// Stores `value` under `key`, replacing what was there.
    public mutating func set(_ value: UInt32, for key: UInt64) {
        precondition(key != 0 && key != Self.moved, "not a plate key")
        makeUnique()
        // Still in the old table: it moves now, with its new value.
        if takeFromOldTable(key) {
            newCount += 1
            slots.insertNew(key, value)
            return
        }
        if let index = slots.find(key) {
            slots.base[index].value = value
            return
        }
        if (newCount + 1) * 4 > slots.capacity * 3 { grow() }
        slots.insertNew(key, value)
        newCount += 1
    }

    /// Removes `key`; false when it was not there.
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Bool {
        makeUnique()
        if takeFromOldTable(key) { return true }
        guard slots.remove(key) else { return false }
        newCount -= 1
        return true
    }

    /// While the table grows: moves the next old slots over, then takes `key` out of the old
    /// table if it is still there (true). Call after `makeUnique()`.
    private mutating func takeFromOldTable(_ key: UInt64) -> Bool {
        guard old != nil else { return false }
        moveOldSlots()
        guard let old, let index = old.find(key) else { return false }
        old.base[index].key = Self.moved
        oldCount -= 1
        return true
    }

    /// Calls `body` with every key and its id, in no particular order.
    public func forEach(_ body: (UInt64, UInt32) -> Void) {
        for buffer in [slots, old].compactMap({ $0 }) {
            for index in 0..<buffer.capacity {
                let slot = buffer.base[index]
                if slot.key != 0 && slot.key != Self.moved { body(slot.key, slot.value) }
            }
        }
    }

    /// Bytes held by the slots.
    public var bytes: Int { (slots.capacity + (old?.capacity ?? 0)) * MemoryLayout<Slot>.stride }

    /// Whether a grown table is still being filled from its predecessor (for tests).
    var isGrowing: Bool { old != nil }

    private mutating func grow() {
        // Growing again before the last growth finished (it cannot, at these rates, but a copy
        // must never lose entries): finish it first.
        while old != nil { moveOldSlots() }
        old = slots
        oldCount = newCount
        newCount = 0
        cursor = 0
        slots = SlotBuffer(capacity: slots.capacity * 2)
    }

    /// Moves the next few slots of the old table across; drops the old table once it is empty.
    private mutating func moveOldSlots() {
        guard let old else { return }
        let end = min(cursor + Self.slotsMovedPerChange, old.capacity)
        while cursor < end {
            let slot = old.base[cursor]
            if slot.key != 0 && slot.key != Self.moved {
                old.base[cursor].key = Self.moved
                slots.insertNew(slot.key, slot.value)
                oldCount -= 1
                newCount += 1
            }
            cursor += 1
        }
        if cursor == old.capacity || oldCount == 0 { self.old = nil }
    }

    /// Copy on write: a copy of the table shares its buffers until one of them changes.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&slots) { slots = slots.copy() }
        if old != nil, !isKnownUniquelyReferenced(&old) { old = old!.copy() }
    }
}

/// Zeroed slots for `PlateIDTable`: large ones mapped from the system as zero pages, which are
/// zeroed only as they are touched, so a large table is made without writing it.
final class SlotBuffer {
    typealias Slot = PlateIDTable.Slot

    let base: UnsafeMutablePointer<Slot>
    /// Slots, a power of two.
    let capacity: Int
    let mask: Int
    private let mapped: Bool

    /// Above this many bytes the buffer is mapped; below, `calloc` is cheaper.
    static let mappingThreshold = 1 << 20

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0)
        self.capacity = capacity
        mask = capacity - 1
        let bytes = capacity * MemoryLayout<Slot>.stride
        if bytes >= Self.mappingThreshold,
           let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), address != MAP_FAILED {
            base = address.bindMemory(to: Slot.self, capacity: capacity)
            mapped = true
        } else {
            guard let address = calloc(capacity, MemoryLayout<Slot>.stride) else { fatalError("out of memory for \(bytes) bytes") }
            base = address.bindMemory(to: Slot.self, capacity: capacity)
            mapped = false
        }
    }

    deinit {
        if mapped {
            munmap(base, capacity * MemoryLayout<Slot>.stride)
        } else {
            free(base)
        }
    }

    func copy() -> SlotBuffer {
        let copy = SlotBuffer(capacity: capacity)
        copy.base.update(from: base, count: capacity)
        return copy
    }

    /// The slot holding `key`, if any.
    @inline(__always)
    func find(_ key: UInt64) -> Int? {
        var index = PlateIDTable.hash(key) & mask
        while true {
            let found = base[index].key
            if found == key { return index }
            if found == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// Puts `key` in the first free slot of its run; the caller knows it is not there and that
    /// there is room.
    @inline(__always)
    func insertNew(_ key: UInt64, _ value: UInt32) {
        var index = PlateIDTable.hash(key) & mask
        while base[index].key != 0 { index = (index + 1) & mask }
        base[index] = Slot(key: key, value: value)
    }

    /// Removes `key`, shifting later entries of its run back (no tombstones).
    func remove(_ key: UInt64) -> Bool {
        guard var hole = find(key) else { return false }
        // Backward shift: move up each later entry of the run that may live in the hole (its
        // home slot is not cyclically between the hole and where it sits).
        var next = (hole + 1) & mask
        while base[next].key != 0 {
            let home = PlateIDTable.hash(base[next].key) & mask
            if (next - home) & mask >= (next - hole) & mask {
                base[hole] = base[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        base[hole].key = 0
        return true
    }
}
