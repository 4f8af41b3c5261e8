import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// The analyst report as one self-contained HTML page: inline CSS and inline SVG, no scripts,
/// fonts, images or links to anything outside the file, so it opens on an offline workstation,
/// goes into a case file as it is, and prints (days differ by dash pattern and marker, not only
/// by colour).
///
/// The markup is also well-formed XML (every element closed, attributes quoted, only XML's own
/// character references), so that tests and tools can parse it with an XML parser. Elements
/// that carry the data (trips, passes, companions, triggers) have `data-` attributes naming it.
public struct VehicleReportPage {
    public let report: VehicleReport
    /// Trips drawn and listed at most; the rest are counted.
    public var tripLimit = 300

    public init(report: VehicleReport) { self.report = report }

    /// The whole page.
    public var html: String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<meta name=\"generator\" content=\"ringwatch report\"/>\n"
        out += "<title>Vehicle report \(e(report.plate)) · \(e(report.clock.date(report.clock.day(of: report.from)))) to \(e(report.clock.date(report.clock.day(of: report.to))))</title>\n"
        out += "<style>\n\(ReportStyleSheet.css)</style>\n</head>\n<body>\n"
        out += header
        out += mapSection
        out += timelineSection
        out += companionSection
        out += similarRouteSection
        out += triggerSection
        out += footer
        out += "</body>\n</html>\n"
        return out
    }

    var dayIndex: [Int64: Int] {
        Dictionary(uniqueKeysWithValues: report.days.enumerated().map { ($1, $0) })
    }

    func style(ofDay day: Int64) -> DayStyle { DayStyle.forDay(index: dayIndex[day] ?? 0) }

    var shownTrips: ArraySlice<VehicleTrip> { report.trips.prefix(tripLimit) }

    // MARK: - Header and footer

    private var header: String {
        let audit = report.audit
        let clock = report.clock
        let cameraCount = Set(report.passes.map(\.camera)).count
        let dayCount = Set(report.passes.map { clock.day(of: $0.time) }).count
        var out = "<header>\n<p class=\"kicker\">Ringwatch analyst report · personal data · audited query</p>\n"
        out += "<h1>Vehicle <span class=\"plate\" data-plate=\"\(e(report.plate))\">\(e(report.plate))</span></h1>\n"
        out += "<table class=\"audit\" data-audit-user=\"\(e(audit.user))\">\n"
        out += row("Asked by", e(audit.user))
        out += row("Reason", e(audit.reason))
        out += row("Asked at", "\(e(clock.dateTime(audit.timestamp))) (\(e(audit.timestamp.rfc3339Seconds)))")
        out += row("Data period", "\(e(clock.dateTime(report.from))) to \(e(clock.dateTime(report.to))) · times in \(e(clock.zoneName))")
        out += row("Authorisation", audit.authorization.map { e($0) }
            ?? "none given (the period lies within the \(report.retention.openAccessDays)-day open-access period)")
        out += row("Recorded as", "audit log entry <code>\(e(audit.command))</code> of \(e(audit.timestamp.rfc3339))")
        out += "</table>\n"
        var summary = "\(report.passes.count) read\(plural(report.passes.count)) at \(cameraCount) camera\(plural(cameraCount)), "
        summary += "\(report.trips.count) trip\(plural(report.trips.count)) on \(dayCount) day\(plural(dayCount)); "
        summary += "\(report.companions.count) companion\(plural(report.companions.count)); "
        summary += "\(report.triggers.count) trigger\(plural(report.triggers.count))."
        if report.passesTruncated { summary += " Only the first \(report.passes.count) reads of the period are shown." }
        out += "<p class=\"summary\">\(summary)</p>\n"
        out += "<nav><a href=\"#map\">Map</a> · <a href=\"#timeline\">Timeline</a> · <a href=\"#companions\">Companions</a> · "
        out += "<a href=\"#routes\">Similar routes</a> · <a href=\"#triggers\">Triggers</a></nav>\n</header>\n"
        return out
    }

    private var footer: String {
        let rules = report.retention
        var out = "<footer>\n<h2>Retention</h2>\n<p>"
        if let days = rules.retentionDays {
            out += "The history keeps plate reads for \(days) day\(plural(Int(days))); older reads, their triggers and decisions are purged. "
        } else {
            out += "The history does not record its retention period; ask the system's operator. "
        }
        out += "Reads older than \(rules.openAccessDays) day\(plural(Int(rules.openAccessDays))) are returned only with a magistrate's authorisation, which is recorded in the audit log. "
        out += "This page holds personal data taken from the history at the time above, for the reason above: keep it with the case file, do not pass it on beyond the case, and destroy it with the file.</p>\n"
        out += "<p class=\"note\">Made by ringwatch report. Times are in \(e(report.clock.zoneName)). Trips are reads with no gap longer than the trip gap between them; companions come from the convoy search (as <code>ringwatch convoys --plate</code>).</p>\n</footer>\n"
        return out
    }

    // MARK: - Companions, similar routes, triggers

    private var companionSection: String {
        let clock = report.clock
        var out = "<section id=\"companions\">\n<h2>Companions</h2>\n"
        guard !report.companions.isEmpty else {
            return out + "<p class=\"empty\">No vehicle met the convoy definition with this one in the period.</p>\n</section>\n"
        }
        out += "<p class=\"note\">Vehicles that passed the same cameras close behind or ahead of this one, best first. The score is one minus the chance that every such trip was coincidence, given the traffic at the time. The small maps show the shared cameras in the order passed.</p>\n"
        out += "<table class=\"companions\">\n<thead><tr><th>Vehicle</th><th>Score</th><th>Together</th><th>Shared cameras</th><th>Map</th></tr></thead>\n<tbody>\n"
        for companion in report.companions {
            out += "<tr class=\"companion\" data-plate=\"\(e(companion.plate))\" data-score=\"\(score(companion.score))\" data-cameras=\"\(e(companion.cameras.joined(separator: " ")))\">"
            out += "<td><span class=\"plate\">\(e(companion.plate))</span></td>"
            out += "<td class=\"num\">\(score(companion.score))</td>"
            out += "<td>\(companion.coOccurrences) passes together on \(companion.episodes.count) trip\(plural(companion.episodes.count)), \(companion.days) day\(plural(companion.days))"
            out += "<br/><span class=\"when\">\(e(clock.dateTime(companion.first))) to \(e(clock.dateTime(companion.last)))</span>"
            out += "<br/><span class=\"note\">\(e(companion.explanation))</span></td>"
            out += "<td>\(e(companion.cameras.joined(separator: " → ")))</td>"
            out += "<td class=\"mini\">\(miniMap(shared: companion.cameras, label: "Cameras shared with \(companion.plate)"))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private var similarRouteSection: String {
        var out = "<section id=\"routes\">\n<h2>Similar routes</h2>\n"
        guard let routes = report.similarRoutes else {
            return out + "<p class=\"empty\" data-unavailable=\"true\">Route search is not available in this build, so vehicles with similar routes are not listed.</p>\n</section>\n"
        }
        guard !routes.isEmpty else {
            return out + "<p class=\"empty\">No vehicle's routes resembled this one's in the period.</p>\n</section>\n"
        }
        out += "<p class=\"note\">Vehicles whose trips follow the same cameras in the same order, best first; similarity runs from 0 to 1.</p>\n"
        out += "<table class=\"routes\">\n<thead><tr><th>Vehicle</th><th>Similarity</th><th>Trips</th><th>Shared cameras</th><th>Map</th></tr></thead>\n<tbody>\n"
        for route in routes {
            out += "<tr class=\"similar-route\" data-plate=\"\(e(route.plate))\" data-similarity=\"\(score(route.similarity))\">"
            let marker = route.marker.map { " <span class=\"marker\">(\(e($0)): follows everybody's route)</span>" } ?? ""
            out += "<td><span class=\"plate\">\(e(route.plate))</span>\(marker)</td><td class=\"num\">\(score(route.similarity))</td>"
            out += "<td class=\"num\">\(route.trips)</td><td>\(e(route.sharedCameras.joined(separator: " → ")))</td>"
            out += "<td class=\"mini\">\(miniMap(shared: route.sharedCameras, label: "Cameras shared with \(route.plate)"))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private var triggerSection: String {
        let clock = report.clock
        var out = "<section id=\"triggers\">\n<h2>Triggers</h2>\n"
        guard !report.triggers.isEmpty else {
            return out + "<p class=\"empty\">The vehicle raised no trigger in the period.</p>\n</section>\n"
        }
        out += "<table class=\"triggers\">\n<thead><tr><th>Time</th><th>Kind</th><th>Camera</th><th>Why it fired</th><th>Operator's decision</th></tr></thead>\n<tbody>\n"
        for item in report.triggers {
            let trigger = item.trigger
            out += "<tr class=\"trigger\" data-trigger-id=\"\(e(trigger.triggerID))\" data-kind=\"\(e(trigger.kind))\">"
            out += "<td>\(e(clock.dateTime(trigger.timestamp)))</td>"
            out += "<td><span class=\"kind\">\(e(trigger.kind))</span><br/><span class=\"severity severity-\(e(trigger.severity))\">\(e(trigger.severity))</span></td>"
            out += "<td>\(e(trigger.camera)) (\(e(trigger.ring)))"
            if trigger.plate != report.plate {
                // A convoy trigger fires on one member's read; the others are named in its body.
                let on = trigger.kind == "convoy" ? "fired on member" : "read as"
                out += "<br/><span class=\"note\">\(on) <span class=\"plate\">\(e(trigger.plate))</span></span>"
            }
            out += "</td>"
            out += "<td>\(e(item.explanation))</td>"
            if let decision = item.decision {
                let verdict = decision.verdict == .accept ? "Accepted" : "Rejected"
                out += "<td class=\"decision decision-\(decision.verdict.rawValue)\"><strong>\(verdict)</strong> by \(e(decision.user)), \(e(clock.dateTime(decision.decidedAt)))"
                out += decision.reason.isEmpty ? "</td>" : ": \(e(decision.reason))</td>"
            } else {
                out += "<td class=\"decision decision-none\">No decision recorded</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    // MARK: - Helpers

    func e(_ text: String) -> String { HTMLText.escape(text) }

    private func row(_ label: String, _ value: String) -> String { "<tr><th>\(label)</th><td>\(value)</td></tr>\n" }

    func plural(_ count: Int) -> String { count == 1 ? "" : "s" }

    private func score(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = thousandths % 1000
        return "\(thousandths / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }
}
