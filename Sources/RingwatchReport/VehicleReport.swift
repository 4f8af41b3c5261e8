import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// Everything one analyst report shows about a vehicle, gathered from the history by
/// `VehicleReportBuilder` and drawn by `VehicleReportPage`.
public struct VehicleReport: Sendable {
    /// The normalised plate the report is about.
    public let plate: String
    /// The data period asked for.
    public let from: Timestamp
    public let to: Timestamp
    /// The audit record of the query that made the report: who asked, why, when, under what authorisation.
    public let audit: AuditRecord
    /// The retention rules recorded with the history.
    public let retention: RetentionRules
    /// The camera registry (with coordinates) the map is drawn from.
    public let cameras: CameraRegistry
    /// The vehicle's reads in the period, oldest first.
    public let passes: [Passage]
    /// True when the period held more reads than the report takes (`readLimit`).
    public let passesTruncated: Bool
    /// The passes cut into trips where the vehicle was not seen for a while.
    public let trips: [VehicleTrip]
    /// Vehicles that travelled with it (the convoy search), best first.
    public let companions: [ConvoyCompanion]
    /// Vehicles with the most similar routes; nil when no route search is wired into this build.
    public let similarRoutes: [SimilarRouteRow]?
    /// Triggers that name the vehicle, with their explanations and operators' decisions.
    public let triggers: [ReportTrigger]
    /// How times and days are shown.
    public let clock: ReportClock

    public init(plate: String, from: Timestamp, to: Timestamp, audit: AuditRecord, retention: RetentionRules,
                cameras: CameraRegistry, passes: [Passage], passesTruncated: Bool, trips: [VehicleTrip],
                companions: [ConvoyCompanion], similarRoutes: [SimilarRouteRow]?, triggers: [ReportTrigger], clock: ReportClock) {
        self.plate = plate
        self.from = from
        self.to = to
        self.audit = audit
        self.retention = retention
        self.cameras = cameras
        self.passes = passes
        self.passesTruncated = passesTruncated
        self.trips = trips
        self.companions = companions
        self.similarRoutes = similarRoutes
        self.triggers = triggers
        self.clock = clock
    }

    /// The local days the report covers, oldest first: every day of the period when it is at most
    /// five weeks long, else only the days with a pass.
    public var days: [Int64] {
        let first = clock.day(of: from), last = clock.day(of: to)
        if last - first < 35 { return Array(first...last) }
        return Array(Set(passes.map { clock.day(of: $0.time) })).sorted()
    }
}

/// One trip: consecutive passes of the vehicle with no long gap between them.
public struct VehicleTrip: Sendable {
    /// 1-based, in time order.
    public let number: Int
    /// The local day the trip started on.
    public let day: Int64
    /// The passes, oldest first.
    public let passes: [Passage]

    public init(number: Int, day: Int64, passes: [Passage]) {
        self.number = number
        self.day = day
        self.passes = passes
    }

    public var start: Timestamp { passes.first!.time }
    public var end: Timestamp { passes.last!.time }
    /// Cameras in the order passed (a camera passed twice is listed twice).
    public var cameras: [String] { passes.map(\.camera) }

    /// Cuts `passes` (oldest first) into trips wherever the vehicle went unseen for more than `gap`.
    public static func trips(of passes: [Passage], gapMilliseconds gap: Int64, clock: ReportClock) -> [VehicleTrip] {
        var trips: [VehicleTrip] = []
        var current: [Passage] = []
        func close() {
            guard let first = current.first else { return }
            trips.append(VehicleTrip(number: trips.count + 1, day: clock.day(of: first.time), passes: current))
            current = []
        }
        for passage in passes {
            if let last = current.last, passage.time.milliseconds - last.time.milliseconds > gap { close() }
            current.append(passage)
        }
        close()
        return trips
    }
}

/// A vehicle whose routes resemble the reported vehicle's: one row of `ringwatch routes --like`.
public struct SimilarRouteRow: Sendable {
    public let plate: String
    /// 0...1.
    public let similarity: Double
    /// The other vehicle's trips compared.
    public let trips: Int
    /// Cameras both routes pass, in route order.
    public let sharedCameras: [String]
    /// `bus`, `frequent`, …: a vehicle that follows everybody's route (so as not to mislead).
    public let marker: String?

    public init(plate: String, similarity: Double, trips: Int, sharedCameras: [String], marker: String? = nil) {
        self.marker = marker
        self.plate = plate
        self.similarity = similarity
        self.trips = trips
        self.sharedCameras = sharedCameras
    }
}

/// Finds the vehicles with the most similar routes, for the report's "similar routes" section.
/// The route search implements it; without one the section says it is not available.
public protocol SimilarRouteSource {
    /// At most `top` vehicles whose routes in `from...to` resemble `plate`'s, best first.
    func similarRoutes(to plate: String, from: Timestamp, to: Timestamp, top: Int) throws -> [SimilarRouteRow]
}

/// A trigger that names the vehicle, as the report lists it.
public struct ReportTrigger: Sendable {
    public let trigger: StoredTrigger
    /// The trigger's one-sentence explanation.
    public let explanation: String
    /// The latest operator decision, if any.
    public let decision: OperatorDecision?

    public init(trigger: StoredTrigger, explanation: String, decision: OperatorDecision?) {
        self.trigger = trigger
        self.explanation = explanation
        self.decision = decision
    }
}

/// The history's retention rules, stated in the report's footer.
public struct RetentionRules: Sendable {
    /// Reads older than this are returned only under a magistrate's authorisation.
    public let openAccessDays: Int64
    /// Reads older than this are purged; nil when the history does not record it.
    public let retentionDays: Int64?

    public init(openAccessDays: Int64, retentionDays: Int64?) {
        self.openAccessDays = openAccessDays
        self.retentionDays = retentionDays
    }
}
