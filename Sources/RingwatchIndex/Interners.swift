import RingwatchCore

/// Plates in the window, each stored once and referred to by a 32-bit id.
///
/// Reference-counted: when the last read of a plate leaves the window its slot is reused, so
/// memory follows the plates in the window, not every plate ever seen.
struct PlateInterner {
    /// Ids of plates that have a base-37 key (nearly all): an integer hash, no string compare.
    private var keyed = PlateIDTable()
    /// Ids of the rest (longer plates, or other characters).
    private var unkeyed: [String: UInt32] = [:]
    // By plate id, in chunks: at national volume the window holds millions of plates, and
    // doubling arrays of them copied a few hundred megabytes within one read.
    private var texts = ChunkedArray<String>()
    private var references = ChunkedArray<UInt32>()
    /// The newest read of each plate (the head of its chain through the partitions).
    private var heads = ChunkedArray<ReadLink?>()
    private var free: [UInt32] = []

    /// The id of `plate`, adding a reference.
    mutating func retain(_ plate: String) -> UInt32 {
        let key = PlateIDTable.key(of: plate)
        if let id = key.map({ keyed.value(for: $0) }) ?? unkeyed[plate] {
            references[Int(id)] += 1
            return id
        }
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            texts[Int(id)] = plate
            references[Int(id)] = 1
            heads[Int(id)] = nil
        } else {
            id = UInt32(texts.count)
            texts.append(plate)
            references.append(1)
            heads.append(nil)
        }
        if let key { keyed.set(id, for: key) } else { unkeyed[plate] = id }
        return id
    }

    /// Drops one reference; the slot is freed with the last.
    mutating func release(_ id: UInt32) {
        let slot = Int(id)
        references[slot] -= 1
        if references[slot] == 0 {
            if let key = PlateIDTable.key(of: texts[slot]) { keyed.remove(key) } else { unkeyed.removeValue(forKey: texts[slot]) }
            texts[slot] = ""
            heads[slot] = nil
            free.append(id)
        }
    }

    func head(_ id: UInt32) -> ReadLink? { heads[Int(id)] }

    mutating func setHead(_ id: UInt32, _ link: ReadLink) { heads[Int(id)] = link }

    func id(of plate: String) -> UInt32? {
        if let key = PlateIDTable.key(of: plate) { return keyed.value(for: key) }
        return unkeyed[plate]
    }

    func text(_ id: UInt32) -> String { texts[Int(id)] }

    /// Calls `body` with each plate currently in the window.
    func forEachText(_ body: (String) -> Void) {
        for slot in 0..<references.count where references[slot] > 0 { body(texts[slot]) }
    }

    /// Plates currently in the window.
    var count: Int { keyed.count + unkeyed.count }

    /// Bytes held, estimated: a plate string fits inline (16 bytes) in the text array; the key
    /// table's slots; its id, reference count and chain head.
    var estimatedBytes: Int {
        keyed.bytes + unkeyed.capacity * 40 + texts.capacity * 16 + references.capacity * 4 + heads.capacity * 24
            + free.capacity * 4
    }
}

/// Small vocabularies (camera ids, makes, models, colours) as 16-bit ids; never shrinks.
struct VocabularyInterner {
    /// Ids of texts of up to 16 bytes (nearly all): integer hashing and comparison.
    private var short = ShortTextTable()
    /// Ids of longer texts.
    private var long: [String: UInt16] = [:]
    private var texts: [String] = [""]  // id 0 means "none"

    /// The id of `text`, 0 for nil or when the vocabulary is full.
    mutating func id(for text: String?) -> UInt16 {
        guard let text else { return 0 }
        let key = ShortTextTable.key(of: text)
        if let id = key.map({ short.value(for: $0) }) ?? long[text] { return id }
        guard texts.count < Int(UInt16.max) else { return 0 }
        let id = UInt16(texts.count)
        texts.append(text)
        if let key { short.insert(id, for: key) } else { long[text] = id }
        return id
    }

    func existingID(for text: String) -> UInt16? {
        if let key = ShortTextTable.key(of: text) { return short.value(for: key) }
        return long[text]
    }

    func text(_ id: UInt16) -> String? { id == 0 ? nil : texts[Int(id)] }

    var count: Int { texts.count - 1 }
}
