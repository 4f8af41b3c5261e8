import RingwatchCore
import RingwatchTesting

/// A 1,000,000-entry hotlist and reads against it, from fixed seeds.
///
/// The list: 99 % current-format Belgian plates, 1 % witness patterns with `?` and `*` fixing
/// four or five characters, one entry in five with an expiry. The reads: 1 % exact hits, 1 %
/// misreads of listed plates (a look-alike substitution, or a dropped character), the rest
/// plates that are not listed; half carry per-character confidence.
public struct HotlistFixture: Sendable {
    public let entries: [HotlistEntry]
    /// The plain plates on the list, for planting hits.
    public let listedPlates: [String]

    public init(count: Int = 1_000_000, seed: UInt64 = 99) {
        var random = SeededRandom(seed: seed)
        let categories: [(String, Severity)] = [
            ("stolen_vehicle", .critical), ("wanted_person", .high), ("stolen_plate", .high), ("uninsured", .low),
        ]
        let expiry = Timestamp(rfc3339: "2027-06-30T00:00:00Z")!
        var entries: [HotlistEntry] = []
        var plates: [String] = []
        entries.reserveCapacity(count)
        plates.reserveCapacity(count)
        for index in 0..<count {
            var pattern = random.belgianPlate()
            if index % 100 == 99 {
                let bytes = Array(pattern)
                switch index / 100 % 4 {
                case 0: pattern = String(bytes.prefix(4)) + "*"
                case 1: pattern = "*" + String(bytes.suffix(5))
                case 2: pattern = String(bytes.prefix(3)) + "?" + String(bytes[4...5]) + "?"
                default: pattern = "?" + String(bytes[1...5]) + "?"
                }
            } else {
                plates.append(pattern)
            }
            let (category, severity) = categories[index % categories.count]
            entries.append(
                HotlistEntry(
                    pattern: pattern, category: category, severity: severity, reason: "Case AN.\(index % 90 + 10).L3.\(100_000 + index)/26",
                    expires: index % 5 == 0 ? expiry : nil))
        }
        self.entries = entries
        self.listedPlates = plates
    }

    /// `count` reads at one camera, a millisecond apart from `time` (`HotlistTraffic`).
    public func reads(count: Int, at time: Timestamp = ReadTraffic.start, seed: UInt64 = 5) -> [PlateRead] {
        HotlistTraffic.reads(count: count, listed: listedPlates, at: time, seed: seed)
    }
}
