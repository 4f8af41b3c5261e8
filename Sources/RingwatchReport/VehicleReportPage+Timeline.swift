import RingwatchCore

extension VehicleReportPage {
    /// Passes per day against the hour of day: one row per day, a bar from the first to the last
    /// pass of each trip and a marker at each pass, so habits (the same trip every afternoon)
    /// line up in a column.
    var timelineSection: String {
        let clock = report.clock
        let days = report.days
        var out = "<section id=\"timeline\">\n<h2>Timeline</h2>\n"
        guard !report.passes.isEmpty else {
            return out + "<p class=\"empty\">No passes in the period.</p>\n</section>\n"
        }
        let left = 112.0, right = 64.0, top = 26.0, rowHeight = 20.0
        let width = 760.0, plot = width - left - right
        let height = top + rowHeight * Double(days.count) + 8
        func x(_ second: Int) -> Double { left + plot * Double(second) / 86_400 }
        let passesByDay = Dictionary(grouping: report.passes) { clock.day(of: $0.time) }

        out += "<p class=\"note\">One row per day, hour of day (\(e(clock.zoneName))) across. A bar spans each trip from its first to its last pass; each mark is one pass.</p>\n"
        out += "<svg class=\"timeline\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"Passes per day by hour of day\">"
        out += "<title>Passes of \(e(report.plate)) by hour of day</title>"
        // Hour grid: a line every hour, a label every three.
        for hour in 0...24 {
            let position = x(hour * 3600)
            let major = hour % 3 == 0
            out += "<line x1=\"\(n(position))\" y1=\"\(n(top - 4))\" x2=\"\(n(position))\" y2=\"\(n(height - 8))\" stroke=\"\(major ? "#bbb" : "#e2e2e2")\" stroke-width=\"\(major ? 1 : 0.6)\"/>"
            if major {
                out += "<text class=\"axis\" x=\"\(n(position))\" y=\"\(n(top - 10))\" text-anchor=\"middle\">\(hour < 10 ? "0" : "")\(hour):00</text>"
            }
        }
        for (row, day) in days.enumerated() {
            let y = top + rowHeight * Double(row) + rowHeight / 2
            let style = style(ofDay: day)
            let passes = passesByDay[day] ?? []
            out += "<g class=\"timeline-day\" data-day=\"\(clock.date(day))\" data-passes=\"\(passes.count)\">"
            if row % 2 == 1 {
                out += "<rect x=\"\(n(left))\" y=\"\(n(y - rowHeight / 2))\" width=\"\(n(plot))\" height=\"\(n(rowHeight))\" fill=\"#f4f4f4\"/>"
            }
            out += "<text class=\"axis\" x=\"\(n(left - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(e(clock.shortDate(day)))</text>"
            for trip in shownTrips where trip.day == day {
                let start = clock.secondOfDay(trip.start)
                // A trip past midnight is drawn to the end of its first day.
                let end = clock.day(of: trip.end) == day ? clock.secondOfDay(trip.end) : 86_399
                out += "<rect class=\"trip-bar\" x=\"\(n(x(start)))\" y=\"\(n(y - 3))\" width=\"\(n(max(2, x(end) - x(start))))\" height=\"6\" fill=\"\(style.colour)\" fill-opacity=\"0.35\" stroke=\"\(style.colour)\" stroke-width=\"0.8\"\(style.dashAttribute)>"
                out += "<title>Trip \(trip.number): \(e(clock.time(trip.start)))–\(e(clock.time(trip.end))), \(trip.passes.count) pass\(trip.passes.count == 1 ? "" : "es")</title></rect>"
            }
            for pass in passes {
                out += style.marker.svg(x: x(clock.secondOfDay(pass.time)), y: y, size: 6, colour: style.colour,
                                        extra: " class=\"timeline-pass\"")
            }
            out += "<text class=\"axis\" x=\"\(n(width - 6))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(passes.count)</text>"
            out += "</g>"
        }
        out += "<text class=\"axis\" x=\"\(n(width - 6))\" y=\"\(n(top - 10))\" text-anchor=\"end\">passes</text>"
        out += "</svg>\n</section>\n"
        return out
    }
}
