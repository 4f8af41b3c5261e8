import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchQuery
import RingwatchStorage

/// Gathers a `VehicleReport` from the history: the vehicle's reads cut into trips, its
/// companions (the same convoy search as `ringwatch convoys --plate`), the triggers that name
/// it with operators' decisions, the cameras and the retention rules. Access checks and the
/// audit row are the caller's (the `report` command), made before `build` runs.
public struct VehicleReportBuilder {
    public let database: HistoryDatabase
    /// The convoy definition companions are searched with.
    public var convoyDefinition = ConvoyDefinition()
    /// Companions listed, best first.
    public var companionLimit = 10
    /// Similar-route vehicles listed, best first.
    public var similarRouteLimit = 10
    /// A gap longer than this between two reads starts a new trip.
    public var tripGapMilliseconds: Int64 = 30 * 60_000
    /// Most reads of the vehicle taken into the report.
    public var readLimit = 20_000
    /// Triggers listed.
    public var triggerLimit = 500
    /// The route search, when this build has one.
    public var routeSource: (any SimilarRouteSource)?
    /// Cameras to draw; nil takes the registry recorded with the history.
    public var cameras: CameraRegistry?
    public var clock = ReportClock()

    public init(database: HistoryDatabase) { self.database = database }

    /// The report on `plate` (normalised) for `from...to`, made under `audit`.
    public func build(plate: String, from: Timestamp, to: Timestamp, audit: AuditRecord) throws -> VehicleReport {
        let stored = try database.reads(plates: [plate], from: from, to: to, limit: readLimit + 1)
        let passes = stored.prefix(readLimit).map { Passage($0.read) }.sorted { ($0.time, $0.camera) < ($1.time, $1.camera) }
        let trips = VehicleTrip.trips(of: passes, gapMilliseconds: tripGapMilliseconds, clock: clock)

        let search = ConvoySearch(database: database, definition: convoyDefinition)
        let companions = Array(try search.companions(of: plate, from: from, to: to).prefix(companionLimit))
        let similar = try routeSource?.similarRoutes(to: plate, from: from, to: to, top: similarRouteLimit)

        let storedTriggers = try database.triggers(involving: plate, from: from, to: to, limit: triggerLimit)
        let decisions = try database.latestDecisions(for: storedTriggers.map(\.triggerID))
        let triggers = storedTriggers.map { trigger in
            ReportTrigger(trigger: trigger, explanation: Self.explanation(of: trigger.body), decision: decisions[trigger.triggerID])
        }

        let retention = RetentionRules(
            openAccessDays: try database.meta("open_access_days").flatMap { Int64($0) } ?? 30,
            retentionDays: try database.meta("retention_days").flatMap { Int64($0) })
        return VehicleReport(
            plate: plate, from: from, to: to, audit: audit, retention: retention, cameras: try cameras ?? database.cameras(),
            passes: passes, passesTruncated: stored.count > readLimit, trips: trips, companions: companions,
            similarRoutes: similar, triggers: triggers, clock: clock)
    }

    /// The `explanation` field of a stored trigger body.
    static func explanation(of body: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return object?["explanation"] as? String ?? ""
    }
}
