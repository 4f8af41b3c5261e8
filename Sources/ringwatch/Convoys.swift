import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchRegistry
import RingwatchStorage

/// `ringwatch convoys`: the vehicles that travelled with a vehicle, or every convoy in a period.
struct Convoys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vehicles that travelled with a vehicle, or every convoy in a period (audited; needs --reason).")

    @Option(name: .long, help: "The vehicle whose companions to list. Without it: every convoy in the period.")
    var plate: String?

    @Option(name: .customLong("min-cameras"), help: "Distinct shared cameras a pair needs (default 3).")
    var minCameras: Int?

    @Option(name: .customLong("max-gap"), help: "Largest gap in seconds between two reads at one camera (default 60).")
    var maxGap: Double?

    @Option(name: .long, help: "Seconds within which the shared cameras must all be passed (default 1800).")
    var window: Double?

    @Option(name: .customLong("min-score"), help: "Lowest score listed, 0..1 (default: 0 with --plate, else 0.95).")
    var minScore: Double?

    @Flag(name: .customLong("include-commuters"), help: "Also list pairs seen together on 3 or more days (commuters).")
    var includeCommuters = false

    @Option(name: .long, help: "Vehicle registry (DIV) CSV: vehicles of an excluded type (buses) are left out, as live.")
    var registry: String?

    @Option(name: .long, help: "At most this many rows.")
    var limit = 1000

    @Option(name: .customLong("search-path"),
            help: "Without --plate: auto (the live engine's convoy pair log where it covers the period, else the reads), log (the pair log only), or reads.")
    var searchPath: ConvoySearchPathChoice = .auto

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "convoys")
        let wanted: String? = try plate.map { text in
            guard let plate = Plate(normalising: text) else {
                throw UsageError("--plate must hold 1 to 12 of A-Z and 0-9 (spaces, '-' and '.' are ignored)")
            }
            return plate.text
        }
        let definition = try definition()
        let minimumScore = minScore ?? (wanted == nil ? definition.minimumScore : 0)
        guard (0...1).contains(minimumScore) else { throw UsageError("--min-score must be between 0 and 1") }
        guard limit > 0 else { throw UsageError("--limit must be at least 1") }
        let (from, to) = try options.period()
        var types: VehicleRegistry?
        if let registry {
            do { types = try VehicleRegistry.load(contentsOf: registry, vocabulary: VehicleVocabulary()).0 } catch {
                throw RuntimeError("cannot read the registry \(registry): \(error)")
            }
        }
        let database = try options.openDatabase()
        try options.audit(database, command: "convoys", parameters: [
            ("plate", .optional(wanted)), ("min_cameras", .int(Int64(definition.minCameras))),
            ("max_gap_s", .double(Double(definition.maxGapMilliseconds) / 1000)),
            ("window_s", .double(Double(definition.windowMilliseconds) / 1000)), ("min_score", .double(minimumScore)),
            ("include_commuters", .bool(includeCommuters)), ("search_path", .string(searchPath.rawValue)), ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
        ], reaching: from)

        var search = ConvoySearch(database: database, definition: definition)
        search.includeCommuters = includeCommuters
        if let types { search.vehicleType = { types.vehicle(registeredAs: $0)?.vehicleType } }
        let progress = TerminalProgress(label: "convoys", unit: "hours")
        search.progress = { done, total in progress.update(done, of: total) }
        let time = options.format == .table ? \Timestamp.rfc3339Seconds : \Timestamp.rfc3339
        let rows: [JSONValue]
        let columns: [String]
        if let wanted {
            let companions = try search.companions(of: wanted, from: from, to: to, minimumScore: minimumScore)
            progress.finish()
            rows = cutAtLimit(companions, limit: limit).map { companion in
                .object([
                    ("plate", .string(companion.plate)),
                    ("co_occurrences", .int(Int64(companion.coOccurrences))),
                    ("cameras", cameraList(companion.cameras)),
                    ("first_ts", .string(companion.first[keyPath: time])),
                    ("last_ts", .string(companion.last[keyPath: time])),
                    ("score", .double(rounded(companion.score))),
                    ("days", .int(Int64(companion.days))),
                    ("explanation", .string(companion.explanation)),
                ])
            }
            columns = ["plate", "co_occurrences", "cameras", "first_ts", "last_ts", "score", "days"]
                + (options.format == .table ? [] : ["explanation"])
        } else {
            let convoys: [ConvoyGroup]
            do {
                let (found, path) = try search.convoys(from: from, to: to, minimumScore: minimumScore, path: searchPath)
                progress.finish()
                convoys = found
                // Which way it went, for the person at the terminal (no plates, not in the output).
                if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("ringwatch convoys: \(path.summary)\n".utf8)) }
            } catch let error as ConvoyPairLogNotCovering {
                progress.finish()
                throw RuntimeError(error.description)
            }
            rows = cutAtLimit(convoys, limit: limit).map { convoy in
                .object([
                    ("plates", structured ? .array(convoy.plates.map { .string($0) }) : .string(convoy.plates.joined(separator: " "))),
                    ("cameras", cameraList(convoy.cameras)),
                    ("first_ts", .string(convoy.first[keyPath: time])),
                    ("last_ts", .string(convoy.last[keyPath: time])),
                    ("score", .double(rounded(convoy.score))),
                    ("co_occurrences", .int(Int64(convoy.coOccurrences))),
                    ("max_gap_s", .double(Double(convoy.maxGapMilliseconds) / 1000)),
                    ("explanation", .string(convoy.explanation)),
                ])
            }
            columns = ["plates", "cameras", "first_ts", "last_ts", "score", "co_occurrences"]
                + (options.format == .table ? [] : ["max_gap_s", "explanation"])
        }
        // GeoJSON: each row a LineString through its shared cameras, in order.
        let registry = options.format == .geojson ? try database.cameras() : CameraRegistry()
        let printer = RowPrinter(format: options.format, columns: columns) { row in
            GeoJSON.line(cameras: row["cameras"]?.arrayValue?.compactMap(\.stringValue) ?? [], in: registry)
        }
        emit(printer.render(rows))
    }

    /// The definition with this command's flags applied.
    func definition() throws -> ConvoyDefinition {
        var definition = ConvoyDefinition()
        if let minCameras {
            guard (2...64).contains(minCameras) else { throw UsageError("--min-cameras must be between 2 and 64") }
            definition.minCameras = minCameras
        }
        if let maxGap {
            guard maxGap > 0, maxGap <= 3600 else { throw UsageError("--max-gap must be more than 0 and at most 3600 seconds") }
            definition.maxGapMilliseconds = Int64((maxGap * 1000).rounded())
            definition.gapFloorMilliseconds = min(definition.gapFloorMilliseconds, definition.maxGapMilliseconds)
        }
        if let window {
            guard window * 1000 >= Double(definition.maxGapMilliseconds), window <= 86_400 else {
                throw UsageError("--window must be at least --max-gap and at most 86400 seconds")
            }
            definition.windowMilliseconds = Int64((window * 1000).rounded())
        }
        if let problem = definition.problem { throw UsageError("convoy parameters do not fit together: \(problem)") }
        return definition
    }

    /// Cameras as an array in JSON Lines, space-separated in a table or CSV cell.
    private func cameraList(_ cameras: [String]) -> JSONValue {
        structured ? .array(cameras.map { .string($0) }) : .string(cameras.joined(separator: " "))
    }

    /// JSON Lines and GeoJSON keep lists as arrays; table and CSV cells join them with spaces.
    private var structured: Bool { options.format == .jsonl || options.format == .geojson }

    private func rounded(_ score: Double) -> Double { (score * 10_000).rounded() / 10_000 }
}

extension ConvoySearchPathChoice: ExpressibleByArgument {}
