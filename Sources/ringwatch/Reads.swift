import ArgumentParser
import RingwatchCore
import RingwatchEngine
import RingwatchQuery
import RingwatchStorage

/// `ringwatch reads --plate P [--fuzzy]`: the history of one plate (and, with `--fuzzy`, of its
/// OCR-confusion variants).
struct Reads: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "History of plate reads (audited; needs --reason).",
        discussion: """
            --fuzzy also returns reads whose plate is an OCR-confusion variant of --plate (B/8, O/0/D/Q, \
            I/1, S/5, Z/2, G/6 unless --config says otherwise): up to --max-substitutions confused \
            characters, and one dropped or added character on plates of 5 or more. A 'match' column \
            says exact, ocr_variant or wildcard. A plain plate is looked up through the history's \
            (plate, ts) index, variant by variant; a pattern with '?' or '*' scans the period.
            """)

    @Option(name: .long, help: "Plate; '?' stands for one character and '*' for any run.")
    var plate: String

    @Option(name: .long, help: "Only reads from this camera.")
    var camera: String?

    @Option(name: .long, help: "At most this many rows.")
    var limit = 10_000

    @Flag(name: .long, help: "Also reads of the plate's OCR-confusion variants.")
    var fuzzy = false

    @Option(name: .customLong("max-substitutions"), help: "With --fuzzy: confused characters allowed, 0-4 (default 2, or the config's).")
    var maxSubstitutions: Int?

    @Flag(name: .customLong("no-drop-insert"), help: "With --fuzzy: do not allow a dropped or added character.")
    var noDropInsert = false

    @Option(name: .long, help: "With --fuzzy: the engine's TOML config, whose [hotlist] classes and limits to use.")
    var config: String?

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "reads")
        guard let pattern = HotlistEntry.normalisePattern(plate) else {
            throw UsageError("--plate must hold A-Z, 0-9, '?' and '*' (spaces, '-' and '.' are ignored)")
        }
        guard fuzzy || (maxSubstitutions == nil && !noDropInsert && config == nil) else {
            throw UsageError("--max-substitutions, --no-drop-insert and --config apply only with --fuzzy")
        }
        let tolerance = try self.tolerance()
        let (from, to) = try options.period()
        let database = try options.openDatabase()
        var parameters: [(String, JSONValue)] = [
            ("plate", .string(pattern)), ("camera", .optional(camera)),
            ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
        ]
        if let tolerance { parameters.append(("fuzzy", .string(tolerance.description))) }
        try options.audit(database, command: "reads", parameters: parameters, reaching: from)
        let cameras = try database.cameras()

        let isPattern = pattern.contains { $0 == "?" || $0 == "*" }
        var found: [(StoredRead, String?)]
        if let tolerance {
            if isPattern {
                // Each confusable literal becomes its class in the GLOB; the limit is checked here.
                let listed = Array(pattern.utf8)
                found = try database.reads(pattern: tolerance.fuzzyGlob(for: pattern), from: from, to: to, camera: camera, limit: limit + 1)
                    .compactMap { stored in tolerance.edits(read: Array(stored.read.plate.text.utf8), pattern: listed).map { _ in (stored, "wildcard") } }
            } else {
                found = try database.reads(plates: tolerance.variants(of: pattern), from: from, to: to, camera: camera, limit: limit + 1)
                    .map { ($0, $0.read.plate.text == pattern ? "exact" : "ocr_variant") }
            }
        } else {
            found = try database.reads(pattern: pattern, from: from, to: to, camera: camera, limit: limit + 1).map { ($0, nil) }
        }

        found = cutAtLimit(found, limit: limit)
        let rows: [JSONValue] = found.map { stored, match in
            let read = stored.read
            var fields: [(String, JSONValue)] = [
                ("read_id", .string(read.id.description)),
                ("ts", .string(read.timestamp.rfc3339)),
                ("camera", .string(read.camera)),
                ("ring", .string(cameras.ring(of: read.camera))),
                ("plate", .string(read.plate.text)),
                ("confidence", .optional(read.confidence)),
                ("make", .optional(read.make)),
                ("model", .optional(read.model)),
                ("color", .optional(read.color)),
            ]
            if let match { fields.append(("match", .string(match))) }
            return .object(fields)
        }
        var columns = ["read_id", "ts", "camera", "ring", "plate", "confidence", "make", "model", "color"]
        if tolerance != nil { columns.append("match") }
        // GeoJSON: each read a Point at its camera.
        let printer = RowPrinter(format: options.format, columns: columns) { row in
            GeoJSON.point(camera: row["camera"]?.stringValue ?? "", in: cameras)
        }
        emit(printer.render(rows))
    }

    /// The tolerance `--fuzzy` uses: the config's `[hotlist]` settings (or the defaults), then flags.
    private func tolerance() throws -> OCRTolerance? {
        guard fuzzy else { return nil }
        var tolerance = OCRTolerance.standard
        if let config {
            do {
                tolerance = try EngineConfiguration.load(tomlFile: config).hotlistMatching.tolerance
            } catch let problem as EngineConfiguration.Problem {
                throw UsageError(problem.description)
            }
        }
        if let maxSubstitutions {
            guard (0...4).contains(maxSubstitutions) else { throw UsageError("--max-substitutions must be 0 to 4") }
            tolerance.maximumSubstitutions = maxSubstitutions
        }
        if noDropInsert { tolerance.allowsDropInsert = false }
        return tolerance
    }
}
