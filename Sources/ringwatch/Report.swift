import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchReport
import RingwatchStorage

/// `ringwatch report --plate P --out FILE.html`: one self-contained HTML page about a vehicle.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One self-contained HTML page about a vehicle: map of trips, timeline, companions, similar routes, hits (audited; needs --reason).",
        discussion: """
            The page has no external resources (inline CSS and SVG, no scripts), opens offline and prints in \
            black and white. Its header repeats the audit record of this query; its footer states the \
            retention rules recorded in the database. The file is written readable by its owner only.
            """)

    @Option(name: .long, help: "The vehicle to report on.")
    var plate: String

    @Option(name: .long, help: "HTML file to write (replaced if it exists).")
    var out: String

    @Option(name: .customLong("time-zone"), help: "Time zone for days and times on the page, e.g. Europe/Brussels.")
    var timeZone = "UTC"

    @Option(name: .customLong("trip-gap"), help: "Minutes without a read that end a trip (default 30).")
    var tripGap: Double = 30

    @Option(name: .long, help: "Companions listed at most (default 10).")
    var companions = 10

    @Option(name: .long, help: "Camera registry CSV to draw the map from. Default: the cameras recorded in the database.")
    var cameras: String?

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "report")
        guard let normalised = Plate(normalising: plate) else {
            throw UsageError("--plate must hold 1 to 12 of A-Z and 0-9 (spaces, '-' and '.' are ignored)")
        }
        guard options.format == .table else {
            throw UsageError("report writes HTML to --out; --format does not apply (use reads or convoys --format geojson for GIS data)")
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw UsageError("--time-zone '\(timeZone)' is not a known time zone; write e.g. UTC or Europe/Brussels")
        }
        guard tripGap > 0, tripGap <= 24 * 60 else { throw UsageError("--trip-gap must be more than 0 and at most 1440 minutes") }
        guard (0...100).contains(companions) else { throw UsageError("--companions must be between 0 and 100") }
        let registry = try cameras.map(loadCameras)
        let (from, to) = try options.period()
        let database = try options.openDatabase()
        let record = try options.audit(database, command: "report", parameters: [
            ("plate", .string(normalised.text)), ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
            ("out", .string(out)),
        ], reaching: from)

        var builder = VehicleReportBuilder(database: database)
        builder.clock = ReportClock(timeZone: zone)
        builder.tripGapMilliseconds = Int64((tripGap * 60_000).rounded())
        builder.companionLimit = companions
        builder.cameras = registry
        var routes = RouteSearch(database: database)
        routes.tripGapMilliseconds = builder.tripGapMilliseconds
        let path = options.db
        routes.openReader = { try HistoryDatabase(path: path, readOnly: true) }
        builder.routeSource = routes
        let report = try builder.build(plate: normalised.text, from: from, to: to, audit: record)
        let html = VehicleReportPage(report: report).html

        // Personal data: the file is created readable by its owner only.
        let created = FileManager.default.createFile(atPath: out, contents: Data(html.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw RuntimeError("cannot write \(out); check that its directory exists and is writable") }
        emit(out + "\n")
    }

    private func loadCameras(_ path: String) throws -> CameraRegistry {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("cannot read --cameras \(path); give the path of the camera registry CSV")
        }
        let (registry, report) = CameraRegistry.parse(csv: text, file: path)
        for problem in report.problems { printError("\(path) line \(problem.line): \(problem.message)") }
        guard registry.count > 0 else { throw UsageError("\(path) holds no cameras; check its header: camera,ring,lat,lon,name") }
        return registry
    }
}
