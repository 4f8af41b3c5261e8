import ArgumentParser
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch common --at CAMERA@FROM..TO --at ...`: vehicles seen at every one of several
/// places and time windows (a series of incidents: which vehicle was near all of them?).
struct Common: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vehicles seen at every one of several places and time windows (audited; needs --reason).",
        discussion: """
            Each --at is CAMERA@FROM..TO with RFC 3339 times, e.g. \
            R1-03@2026-11-22T08:00:00Z..2026-11-22T08:30:00Z. PLACES lists the cameras where the \
            vehicle was seen, in the order given; with --min-places N, vehicles seen at N of the \
            places are listed too (most places first). --from/--to are not used: each place has \
            its own window.
            """)

    @Option(name: .customLong("at"), help: "A place and window: CAMERA@FROM..TO (repeat for each place).")
    var places: [String] = []

    @Option(name: .customLong("min-places"), help: "List vehicles seen at this many of the places (default: all).")
    var minPlaces: Int?

    @Option(name: .long, help: "At most this many rows.")
    var limit = 10_000

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "common")
        guard places.count >= 2 else { throw UsageError("give at least two --at CAMERA@FROM..TO places") }
        let windows = try places.map { text -> PlaceWindow in
            guard let window = PlaceWindow(parsing: text) else {
                throw UsageError("--at '\(text)' is not CAMERA@FROM..TO with RFC 3339 times, FROM before TO; "
                    + "write e.g. R1-03@2026-11-22T08:00:00Z..2026-11-22T08:30:00Z")
            }
            return window
        }
        let minimum = minPlaces ?? windows.count
        guard (1...windows.count).contains(minimum) else { throw UsageError("--min-places must be 1 to \(windows.count)") }
        guard limit > 0 else { throw UsageError("--limit must be at least 1") }
        let database = try options.openDatabase()
        try options.audit(database, command: "common", parameters: [
            ("at", .array(windows.map { .string("\($0.camera)@\($0.from.rfc3339)..\($0.to.rfc3339)") })),
            ("min_places", .int(Int64(minimum))),
        ], reaching: windows.map(\.from).min()!)
        let found = try CommonSearch(database: database).vehicles(at: windows, minimumPlaces: minimum)
        let time = options.format == .table ? \Timestamp.rfc3339Seconds : \Timestamp.rfc3339
        let rows: [JSONValue] = cutAtLimit(found, limit: limit).map { vehicle in
            let cameras = vehicle.places.map { windows[$0].camera }
            return .object([
                ("plate", .string(vehicle.plate)),
                ("places", options.format == .jsonl ? .array(cameras.map { .string($0) }) : .string(cameras.joined(separator: " "))),
                ("first_ts", .string(vehicle.first[keyPath: time])),
                ("last_ts", .string(vehicle.last[keyPath: time])),
                // Not in the table; JSON Lines and CSV give each time to the millisecond, as stored.
                ("seen", options.format == .jsonl
                    ? .array(vehicle.seen.map { .string($0.rfc3339) }) : .string(vehicle.seen.map(\.rfc3339).joined(separator: " "))),
            ])
        }
        var columns = ["plate", "places", "first_ts", "last_ts"]
        if options.format != .table { columns.append("seen") }
        emit(RowPrinter(format: options.format, columns: columns).render(rows))
    }
}
