// Hotlist benchmarks (issue 4): matching rate against a 1,000,000-entry hotlist, and the time to
// load and to import a 1,000,000-entry hotlist CSV.
//
//   swift build -c release --product ringwatch-bench
//   .build/release/ringwatch-bench hotlist --runs 5 [--reads N]
import Foundation
import Logging
import RingwatchCore
import RingwatchDetectors
import RingwatchEngine
import RingwatchStorage
import RingwatchTesting
import ZeroMQ

/// A hotlist of `count` entries as CSV text: 99% current-format Belgian plates, 1% witness
/// patterns with `?` and `*` that fix four or five characters (`1ABC*`, `*BC123`, `1AB?12?`,
/// `?ABC12?`), a fifth with an expiry. Also returns the plain plates, for planting hits.
func hotlistCSV(count: Int, seed: UInt64 = 99) -> (text: String, plates: [String]) {
    var random = SeededGenerator(state: seed)
    let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), digits = Array("0123456789")
    func plate() -> String {
        var text = String(digits[1 + Int(random.next() % 9)])
        for _ in 0..<3 { text.append(letters[Int(random.next() % 26)]) }
        for _ in 0..<3 { text.append(digits[Int(random.next() % 10)]) }
        return text
    }
    let categories = [("stolen_vehicle", "critical"), ("wanted_person", "high"), ("stolen_plate", "high"), ("uninsured", "low")]
    var lines = ["plate,category,severity,reason,expires"]
    lines.reserveCapacity(count + 1)
    var plates: [String] = []
    plates.reserveCapacity(count)
    for index in 0..<count {
        var listed = plate()
        if index % 100 == 99 {
            let bytes = Array(listed)
            switch index / 100 % 4 {
            case 0: listed = String(bytes.prefix(4)) + "*"                                              // 1ABC*
            case 1: listed = "*" + String(bytes.suffix(5))                                              // *BC123
            case 2: listed = String(bytes.prefix(3)) + "?" + String(bytes[4...5]) + "?"                 // 1AB?12?
            default: listed = "?" + String(bytes[1...5]) + "?"                                          // ?ABC12?
            }
        } else {
            plates.append(listed)
        }
        let (category, severity) = categories[index % categories.count]
        let expires = index % 5 == 0 ? "2027-06-30T00:00:00Z" : ""
        lines.append("\(listed),\(category),\(severity),Case AN.\(index % 90 + 10).L3.\(100_000 + index)/26,\(expires)")
    }
    return (lines.joined(separator: "\n") + "\n", plates)
}

/// Runs the hotlist suite and prints its figures.
func runHotlistBenchmark(runs: Int, reads readCount: Int) throws {
    let size = 1_000_000
    let time = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!
    let (csv, plates) = hotlistCSV(count: size)
    print("hotlist: \(size) entries (\(plates.count) plates, \(size - plates.count) patterns), \(csv.utf8.count / 1_000_000) MB of CSV")

    // Loading at start: parse the CSV, build the matcher.
    var parseTimes: [Double] = [], buildTimes: [Double] = [], loadTimes: [Double] = []
    var matcher = HotlistMatcher()
    for _ in 0..<runs {
        var entries: [HotlistEntry] = []
        let parse = seconds { entries = HotlistEntry.parse(csv: csv, file: "bench.csv").0 }
        precondition(entries.count == size, "the generated hotlist did not parse")
        matcher = HotlistMatcher()
        let build = seconds { matcher = HotlistMatcher(entries: entries) }
        parseTimes.append(parse * 1000)
        buildTimes.append(build * 1000)
        loadTimes.append((parse + build) * 1000)
    }
    report("parse 1M-entry CSV", parseTimes, unit: "ms")
    report("build matcher (1M entries)", buildTimes, unit: "ms")
    report("load at start (parse + build)", loadTimes, unit: "ms")
    print("matcher key table: \(matcher.tableBytes / 1_048_576) MiB")

    // Matching: the same reads against lists of growing size, OCR-tolerant and exact-only.
    let reads = HotlistTraffic.reads(count: readCount, listed: plates, at: time)
    let entries = matcher.entries
    for (label, list, configuration) in [
        ("match, 10k entries", Array(entries.prefix(10_000)), HotlistMatcher.Configuration()),
        ("match, 100k entries", Array(entries.prefix(100_000)), HotlistMatcher.Configuration()),
        ("match, 1M entries", entries, HotlistMatcher.Configuration()),
        ("match, 1M entries, exact-only", entries, HotlistMatcher.Configuration.exactOnly),
    ] {
        let subject = list.count == entries.count && configuration == HotlistMatcher.Configuration()
            ? matcher : HotlistMatcher(configuration: configuration, entries: list)
        var rates: [Double] = []
        var hits = 0
        for _ in 0..<runs {
            hits = 0
            let elapsed = seconds { for read in reads { hits += subject.matches(for: read).count } }
            rates.append(Double(reads.count) / elapsed)
        }
        report(label, rates, unit: "reads/s")
        // The same list on the reads that match nothing: the cost of the lookup alone, without
        // building results (which grow with the number of hits, not with the list).
        let misses = reads.filter { subject.matches(for: $0).isEmpty }
        var missRates: [Double] = []
        for _ in 0..<runs {
            var found = 0
            let elapsed = seconds { for read in misses { found += subject.matches(for: read).count } }
            precondition(found == 0)
            missRates.append(Double(misses.count) / elapsed)
        }
        report("  of which reads without a hit", missRates, unit: "reads/s")
        print("    \(hits) matches in \(reads.count) reads; \(reads.count - misses.count) reads with a hit")
    }

    // Importing live: store 1M entries in SQLite (what hotlist.import does before applying).
    var importTimes: [Double] = []
    for _ in 0..<runs {
        let directory = TemporaryDirectory(prefix: "ringwatch-bench")
        let database = try HistoryDatabase(path: directory.file("bench.sqlite"))
        importTimes.append(try seconds { try database.importHotlist(entries, user: "bench", source: "import:bench.csv", replace: true) } * 1000)
    }
    report("store 1M-entry import in SQLite", importTimes, unit: "ms")

    // The whole live import, as `ringwatch hotlist import --replace` does it: the request and the
    // file (a second frame) over the control socket to a running engine, which parses, writes to
    // SQLite beside the matcher build, and swaps. "live" is when the new list matched reads.
    let request = Array(JSONValue.object([
        ("op", .string("hotlist.import")), ("file", .string("bench.csv")), ("replace", .bool(true)),
    ]).serialized.utf8)
    let file = Array(csv.utf8)
    var importTimes2: [Double] = [], liveTimes: [Double] = []
    for _ in 0..<runs {
        let directory = TemporaryDirectory(prefix: "ringwatch-bench")
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let engine = try Engine(configuration: .loopback(databasePath: directory.file("bench.sqlite"),
                                                         camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv"), logger: logger)
        engine.start()
        let context = try Context()
        let client = try Socket(context, .request)
        try client.setReceiveTimeout(milliseconds: 600_000)
        try client.setLinger(milliseconds: 0)
        try client.connect(engine.controlEndpoint)
        var reply: [String: Any] = [:]
        importTimes2.append(try seconds {
            try client.send([request, file])
            reply = try JSONSerialization.jsonObject(with: Data(client.receiveFrames()?.last ?? [])) as? [String: Any] ?? [:]
        } * 1000)
        precondition(reply["ok"] as? Bool == true, "the engine refused the import: \(reply)")
        liveTimes.append((reply["live_after_s"] as? Double ?? .nan) * 1000)
        engine.stop()
    }
    report("hotlist.import 1M, new list live", liveTimes, unit: "ms")
    report("hotlist.import 1M, stored, replied", importTimes2, unit: "ms")
}
