import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch routes --like P`: vehicles whose routes resemble P's routes.
struct Routes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vehicles whose routes resemble a vehicle's routes (audited; needs --reason).",
        discussion: """
            The vehicle's reads are split into trips (a gap over --trip-gap starts a new one). \
            Vehicles that passed its cameras at about the same time of day, on any day of the \
            period, are scored trip by trip: the same cameras in the same order (a missed camera \
            or a detour costs little), at a like time of day on a like kind of day. The MARKER \
            column names vehicles that follow everybody's route: 'bus' (or the --registry type) \
            and 'frequent' (seen 40 reads or 8 hours a day); weigh those rows accordingly.
            """)

    @Option(name: .long, help: "The vehicle whose routes to match.")
    var like: String

    @Option(name: .long, help: "At most this many rows, best first.")
    var top = 20

    @Option(name: .customLong("trip-gap"), help: "Seconds without a read that end a trip (default 1800).")
    var tripGap: Double = 1800

    @Option(name: .long, help: "Minutes either side of the vehicle's time of day to look for others (default 45).")
    var tolerance: Double = 45

    @Option(name: .customLong("utc-offset"), help: "Minutes local time is ahead of UTC, for time of day (default 0).")
    var utcOffset = 0

    @Option(name: .long, help: "Vehicle registry CSV (plate,make,model,color,vehicle_type): marks buses and taxis.")
    var registry: String?

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "routes")
        guard let plate = Plate(normalising: like) else {
            throw UsageError("--like must hold 1 to 12 of A-Z and 0-9 (spaces, '-' and '.' are ignored)")
        }
        guard top > 0 else { throw UsageError("--top must be at least 1") }
        guard tripGap >= 60, tripGap <= 86_400 else { throw UsageError("--trip-gap must be 60 to 86400 seconds") }
        guard tolerance > 0, tolerance <= 720 else { throw UsageError("--tolerance must be more than 0 and at most 720 minutes") }
        guard (-14 * 60...14 * 60).contains(utcOffset) else { throw UsageError("--utc-offset must be within ±840 minutes") }
        let types = try registry.map { try vehicleTypes(from: $0) }
        let (from, to) = try options.period()
        let database = try options.openDatabase()
        try options.audit(database, command: "routes", parameters: [
            ("like", .string(plate.text)), ("top", .int(Int64(top))), ("trip_gap_s", .double(tripGap)),
            ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
        ], reaching: from)

        var search = RouteSearch(database: database)
        // Phases 2 and 3 read on several threads, each with its own connection.
        let path = options.db
        search.openReader = { try HistoryDatabase(path: path, readOnly: true) }
        search.tripGapMilliseconds = Int64(tripGap * 1000)
        search.toleranceMilliseconds = Int64(tolerance * 60_000)
        search.utcOffsetMinutes = utcOffset
        if let types { search.vehicleType = { types[$0] } }
        let progress = TerminalProgress(label: "routes", unit: "steps")
        search.progress = { done, total in progress.update(done, of: total) }
        let found = try search.similar(to: plate.text, from: from, to: to, top: top)
        progress.finish()

        let rows: [JSONValue] = found.map { row in
            .object([
                ("plate", .string(row.plate)),
                ("similarity", .double(rounded(row.similarity))),
                ("trips", .int(Int64(row.trips))),
                ("shared_cameras", options.format == .jsonl
                    ? .array(row.sharedCameras.map { .string($0) }) : .string(row.sharedCameras.joined(separator: " "))),
                ("marker", row.marker.map { .string($0) } ?? (options.format == .jsonl ? .null : .string(""))),
                ("coverage", .double(rounded(row.coverage))),
                ("precision", .double(rounded(row.precision))),
                ("all_trips", .int(Int64(row.allTrips))),
                ("reads_per_day", .double((row.readsPerDay * 10).rounded() / 10)),
            ])
        }
        var columns = ["plate", "similarity", "trips", "shared_cameras", "marker"]
        if options.format != .table { columns += ["coverage", "precision", "all_trips", "reads_per_day"] }
        emit(RowPrinter(format: options.format, columns: columns).render(rows))
    }

    private func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}

/// The `vehicle_type` of every plate in a registry CSV (section 4).
func vehicleTypes(from path: String) throws -> [String: String] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UsageError("cannot read --registry \(path): check the path and permissions")
    }
    let file = CSVFile(text: String(decoding: data, as: UTF8.self))
    guard case .success(let columns) = file.columnIndexes(["plate", "vehicle_type"]) else {
        throw UsageError("--registry \(path) lacks the columns plate and vehicle_type")
    }
    var types: [String: String] = [:]
    for row in file.rows where row.fields.count > max(columns[0], columns[1]) {
        if let plate = Plate(normalising: row.fields[columns[0]]) { types[plate.text] = row.fields[columns[1]] }
    }
    return types
}
