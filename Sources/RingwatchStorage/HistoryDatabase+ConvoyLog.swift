import RingwatchCore
import SQLite

// MARK: - The convoy pair log

/// One co-occurrence of a logged pair: both reads at one camera (`first*` of `plateA`).
public struct ConvoyLogPassage: Sendable, Equatable {
    public var camera: String
    public var firstRead: UInt64
    public var firstTime: Int64
    public var secondRead: UInt64
    public var secondTime: Int64

    public init(camera: String, firstRead: UInt64, firstTime: Int64, secondRead: UInt64, secondTime: Int64) {
        self.camera = camera
        self.firstRead = firstRead
        self.firstTime = firstTime
        self.secondRead = secondRead
        self.secondTime = secondTime
    }
}

/// One assessment of a pair that met the convoy definition, as the live tracker made it
/// (`ConvoyTracker.AssessedPair`), in storage terms.
public struct ConvoyLogPair: Sendable, Equatable {
    /// 1: added to the grouping; 2: re-assessed as its convoy was announced again.
    public var kind: Int
    public var readTime: Int64
    public var lastEvidence: Int64
    public var plateA: String
    public var plateB: String
    public var score: Double
    public var expectedByChance: Double
    public var consistentOrder: Bool
    public var consistentGap: Bool
    public var passages: [ConvoyLogPassage]
    public var evidence: [ConvoyLogPassage]

    public init(kind: Int, readTime: Int64, lastEvidence: Int64, plateA: String, plateB: String, score: Double, expectedByChance: Double,
                consistentOrder: Bool, consistentGap: Bool, passages: [ConvoyLogPassage], evidence: [ConvoyLogPassage]) {
        self.kind = kind
        self.readTime = readTime
        self.lastEvidence = lastEvidence
        self.plateA = plateA
        self.plateB = plateB
        self.score = score
        self.expectedByChance = expectedByChance
        self.consistentOrder = consistentOrder
        self.consistentGap = consistentGap
        self.passages = passages
        self.evidence = evidence
    }

    /// The oldest read of the evidence.
    public var firstTime: Int64 {
        (passages + evidence).reduce(readTime) { min($0, $1.firstTime, $1.secondTime) }
    }

    /// Passages, then evidence: one co-occurrence a line (camera and four numbers, tab
    /// separated), the evidence lines as indexes into the passages where they are among them.
    var encoded: String {
        func line(_ item: ConvoyLogPassage) -> String {
            "\(item.camera)\t\(Int64(bitPattern: item.firstRead))\t\(item.firstTime)\t\(Int64(bitPattern: item.secondRead))\t\(item.secondTime)"
        }
        var text = passages.map { line($0) + "\n" }.joined() + "-"
        for item in evidence {
            text += "\n" + (passages.firstIndex(of: item).map(String.init) ?? line(item))
        }
        return text
    }

    /// The passages and evidence of `encoded`; nil when the text is not one.
    static func decode(_ text: Substring) -> (passages: [ConvoyLogPassage], evidence: [ConvoyLogPassage])? {
        var passages: [ConvoyLogPassage] = [], evidence: [ConvoyLogPassage] = []
        var inEvidence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line == "-" {
                inEvidence = true
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count == 1, inEvidence {
                guard let index = Int(fields[0]), passages.indices.contains(index) else { return nil }
                evidence.append(passages[index])
                continue
            }
            guard fields.count == 5, let a = Int64(fields[1]), let t = Int64(fields[2]), let b = Int64(fields[3]), let u = Int64(fields[4])
            else { return nil }
            let item = ConvoyLogPassage(camera: String(fields[0]), firstRead: UInt64(bitPattern: a), firstTime: t,
                                        secondRead: UInt64(bitPattern: b), secondTime: u)
            if inEvidence { evidence.append(item) } else { passages.append(item) }
        }
        return inEvidence ? (passages, evidence) : nil
    }
}

/// An hour the live convoy tracker saw whole, under one definition.
public struct ConvoyLogHour: Sendable, Equatable {
    public var hour: Int64
    /// `ConvoyDefinition.pairLogFingerprint` of the tracker.
    public var definition: String
    public var minimumPairScore: Double
    /// Reads of the hour the tracker saw: the hour answers only while as many are stored.
    public var reads: Int64
    /// Whether a vehicle registry excluded vehicles by type (buses).
    public var registry: Bool

    public init(hour: Int64, definition: String, minimumPairScore: Double, reads: Int64, registry: Bool) {
        self.hour = hour
        self.definition = definition
        self.minimumPairScore = minimumPairScore
        self.reads = reads
        self.registry = registry
    }
}

/// The pairs that met the convoy definition (at any score) in one hour, for the commuter rule:
/// one row an hour with a sorted array of 64-bit pair hashes, so that dense traffic, where most
/// pairs of strangers in a platoon meet the definition once, costs the writer a few bytes a
/// pair instead of a row and two index entries.
public struct ConvoyLogPairHour: Sendable, Equatable {
    public let hour: Int64
    /// The oldest read of any of the pairs' evidence (a purge before it removes the row).
    public let first: Int64
    /// `hash(plateA, plateB)` of each pair, sorted, without repeats.
    public let pairs: [UInt64]

    public init(hour: Int64, first: Int64, pairs: [UInt64]) {
        self.hour = hour
        self.first = first
        self.pairs = pairs
    }

    /// The pair's hash: the same in every process (plates in `PairKey` order, first the one
    /// that sorts first). Two pairs sharing a hash by chance (about one in 10^19 per pair of
    /// pairs) would only make one count the other's hours in the commuter rule.
    public static func hash(_ plateA: String, _ plateB: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(plateA)
        hash.combine(plateB)
        return hash.value
    }

    /// Whether the pair of `hash` met the definition in this hour.
    public func contains(_ hash: UInt64) -> Bool {
        var low = 0, high = pairs.count
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle] < hash { low = middle + 1 } else { high = middle }
        }
        return low < pairs.count && pairs[low] == hash
    }

    var blob: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pairs.count * 8)
        for value in pairs { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    init(hour: Int64, first: Int64, blob: [UInt8]) {
        var pairs: [UInt64] = []
        pairs.reserveCapacity(blob.count / 8)
        var index = 0
        while index + 8 <= blob.count {
            var value: UInt64 = 0
            for shift in 0..<8 { value |= UInt64(blob[index + shift]) << (8 * UInt64(shift)) }
            pairs.append(value)
            index += 8
        }
        self.init(hour: hour, first: first, pairs: pairs)
    }
}

/// What the live convoy tracker adds to the pair log in one write batch.
public struct ConvoyLogBatch: Sendable {
    public var pairs: [ConvoyLogPair] = []
    /// Hours the tracker settled, with the pairs that met the definition in each.
    public var pairHours: [ConvoyLogPairHour] = []
    public var hours: [ConvoyLogHour] = []

    public init() {}

    public var isEmpty: Bool { pairs.isEmpty && pairHours.isEmpty && hours.isEmpty }
    public var itemCount: Int { pairs.count + pairHours.count + hours.count }
}

/// The convoy pair log (schema 9, issue 6): every pair the live convoy tracker found to meet the
/// definition, written with the reads, and the hours it saw whole. The period-wide convoy search
/// replays it instead of streaming a week's reads through a tracker again.
///
/// - `convoy_pairs`: each assessment at `minimumPairScore` or more, in order, with its evidence.
/// - `convoy_pair_hours`: for each hour, the pairs that met the definition in it at any score, as
///   sorted hashes (the commuter rule counts a pair's days).
/// - `convoy_log_hours`: coverage. An hour is listed once the tracker's event time passed its end
///   by the lateness, if the tracker ran from before it without a gap, no read of it came late,
///   and with the definition's fingerprint and the number of its reads the tracker saw. A read
///   stored in the hour some other way (late, imported) leaves the stored count different, and
///   the hour then no longer answers.
///
/// The rows name plates: a purge removes each row whose evidence began before its cutoff, and the
/// coverage of the hours those rows came from.
extension HistoryDatabase {
    /// Writes one batch of the log; call inside a transaction.
    public func insert(convoyLog batch: ConvoyLogBatch) throws {
        guard !batch.isEmpty else { return }
        if !batch.pairs.isEmpty {
            let insert = try connection.cached("""
                INSERT INTO convoy_pairs (hour, read_ts, kind, last_evidence, first_ts, plate_a, plate_b, score, expected, flags, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for pair in batch.pairs {
                insert.reset()
                insert.bind(pair.readTime.floorDivided(by: 3_600_000), at: 1)
                insert.bind(pair.readTime, at: 2)
                insert.bind(Int64(pair.kind), at: 3)
                insert.bind(pair.lastEvidence, at: 4)
                insert.bind(pair.firstTime, at: 5)
                insert.bind(pair.plateA, at: 6)
                insert.bind(pair.plateB, at: 7)
                insert.bind(pair.score, at: 8)
                insert.bind(pair.expectedByChance, at: 9)
                insert.bind(Int64((pair.consistentOrder ? 1 : 0) | (pair.consistentGap ? 2 : 0)), at: 10)
                insert.bind(pair.encoded, at: 11)
                try insert.step()
                insert.reset()
            }
        }
        for row in batch.pairHours {
            // An hour is settled once; pairs of a read that came after that (which also leaves
            // the hour uncovered) are not added.
            try connection.cached("INSERT OR IGNORE INTO convoy_pair_hours (hour, first_ts, pairs) VALUES (?, ?, ?)")
                .run([.integer(row.hour), .integer(row.first), .blob(row.blob)])
        }
        for hour in batch.hours {
            try connection.cached("""
                INSERT INTO convoy_log_hours (hour, definition, min_pair_score, reads, registry, written_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (hour) DO UPDATE SET definition = excluded.definition, min_pair_score = excluded.min_pair_score,
                        reads = excluded.reads, registry = excluded.registry, written_at = excluded.written_at
                """).run([.integer(hour.hour), .text(hour.definition), .real(hour.minimumPairScore), .integer(hour.reads),
                          .integer(hour.registry ? 1 : 0), .integer(Timestamp.now.milliseconds)])
        }
    }

    /// The hours of `from...to` the log covers, by hour.
    public func convoyLogHours(from: Timestamp, to: Timestamp) throws -> [Int64: ConvoyLogHour] {
        var out: [Int64: ConvoyLogHour] = [:]
        for row in try connection.rows(
            "SELECT hour, definition, min_pair_score, reads, registry FROM convoy_log_hours WHERE hour BETWEEN ? AND ?",
            [.integer(from.hourNumber), .integer(to.hourNumber)]) {
            guard let hour = row[0].int64, let definition = row[1].string, let reads = row[3].int64 else { continue }
            out[hour] = ConvoyLogHour(hour: hour, definition: definition, minimumPairScore: row[2].double ?? 1, reads: reads,
                                      registry: row[4].int64 == 1)
        }
        return out
    }

    /// Reads stored in an hour table: its largest row id (row ids only grow, and only a purge
    /// deletes rows, which then makes the count differ from the log's and the hour not answer).
    public func storedReadCount(in table: String) throws -> Int64 {
        try connection.scalarInt("SELECT MAX(id) FROM \(table)") ?? 0
    }

    /// The logged assessments whose read is in `from...to`, in the order the tracker made them.
    public func convoyLogPairs(from: Timestamp, to: Timestamp) throws -> [ConvoyLogPair] {
        let statement = try connection.cached("""
            SELECT kind, read_ts, last_evidence, plate_a, plate_b, score, expected, flags, evidence FROM convoy_pairs
            WHERE hour BETWEEN ? AND ? AND read_ts BETWEEN ? AND ? ORDER BY id
            """)
        defer { statement.reset() }
        try statement.bind([.integer(from.hourNumber), .integer(to.hourNumber), .integer(from.milliseconds), .integer(to.milliseconds)])
        var out: [ConvoyLogPair] = []
        while try statement.step() {
            guard let a = statement.string(3), let b = statement.string(4), let text = statement.string(8),
                  let (passages, evidence) = ConvoyLogPair.decode(text[...])
            else { throw SQLiteError(code: 0, message: "a convoy_pairs row cannot be read", context: "convoy pair log; search the reads instead (--search-path reads)") }
            let flags = statement.int64(7)
            out.append(ConvoyLogPair(kind: Int(statement.int64(0)), readTime: statement.int64(1), lastEvidence: statement.int64(2),
                                     plateA: a, plateB: b, score: statement.double(5), expectedByChance: statement.double(6),
                                     consistentOrder: flags & 1 != 0, consistentGap: flags & 2 != 0, passages: passages, evidence: evidence))
        }
        return out
    }

    /// The pairs that met the definition in each hour of `fromHour...toHour`, oldest first.
    public func convoyPairHours(fromHour: Int64, toHour: Int64) throws -> [ConvoyLogPairHour] {
        try connection.rows("SELECT hour, first_ts, pairs FROM convoy_pair_hours WHERE hour BETWEEN ? AND ? ORDER BY hour",
                            [.integer(fromHour), .integer(toHour)]).compactMap { row in
            guard let hour = row[0].int64, let first = row[1].int64, case .blob(let bytes) = row[2] else { return nil }
            return ConvoyLogPairHour(hour: hour, first: first, blob: bytes)
        }
    }

    /// Rows of the log (for measurement and tests): assessments, (pair, hour) entries, covered hours.
    public func convoyLogRowCounts() throws -> (pairs: Int64, pairHours: Int64, hours: Int64) {
        (try connection.scalarInt("SELECT COUNT(*) FROM convoy_pairs") ?? 0,
         try connection.scalarInt("SELECT COALESCE(SUM(LENGTH(pairs) / 8), 0) FROM convoy_pair_hours") ?? 0,
         try connection.scalarInt("SELECT COUNT(*) FROM convoy_log_hours") ?? 0)
    }

    /// Forgets the log rows whose evidence began before `cutoff`, and the coverage of the hours
    /// they came from and of every hour before the cutoff's end (purge; call inside a transaction).
    func forgetConvoyLog(before cutoff: Timestamp) throws {
        var hours = Set<Int64>()
        for row in try connection.rows("SELECT DISTINCT hour FROM convoy_pairs WHERE first_ts < ?", [.integer(cutoff.milliseconds)]) {
            if let hour = row[0].int64 { hours.insert(hour) }
        }
        for row in try connection.rows("SELECT DISTINCT hour FROM convoy_pair_hours WHERE first_ts < ?", [.integer(cutoff.milliseconds)]) {
            if let hour = row[0].int64 { hours.insert(hour) }
        }
        try connection.cached("DELETE FROM convoy_pairs WHERE first_ts < ?").run([.integer(cutoff.milliseconds)])
        try connection.cached("DELETE FROM convoy_pair_hours WHERE first_ts < ?").run([.integer(cutoff.milliseconds)])
        try connection.cached("DELETE FROM convoy_log_hours WHERE hour <= ?").run([.integer(cutoff.hourNumber)])
        for hour in hours { try connection.cached("DELETE FROM convoy_log_hours WHERE hour = ?").run([.integer(hour)]) }
    }
}

extension ConvoyLogBatch {
    /// Adds `other`'s rows after this batch's.
    public mutating func append(_ other: ConvoyLogBatch) {
        pairs += other.pairs
        pairHours += other.pairHours
        hours += other.hours
    }
}
