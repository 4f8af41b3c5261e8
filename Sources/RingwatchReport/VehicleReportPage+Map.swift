import RingwatchCore

extension VehicleReportPage {
    /// Rings are told apart by grey level and dash pattern.
    private static let ringDashes = ["", "6 4", "2 3", "10 4 2 4"]

    /// The cameras grouped by ring, inner ring first (ring labels sort inner to outer: R1, R2, R3).
    var rings: [(label: String, cameras: [Camera])] {
        let byRing = Dictionary(grouping: report.cameras.order.compactMap { report.cameras[$0] }, by: \.ring)
        return byRing.keys.sorted().map { ($0, byRing[$0]!) }
    }

    /// A ring's outline: its cameras joined in order of bearing from their centre.
    private func ringOutline(_ cameras: [Camera], _ projection: MapProjection) -> [(x: Double, y: Double)] {
        let points = cameras.map(projection.point)
        let cx = points.map(\.x).reduce(0, +) / Double(points.count), cy = points.map(\.y).reduce(0, +) / Double(points.count)
        return points.sorted { atan2($0.y - cy, $0.x - cx) < atan2($1.y - cy, $1.x - cx) }
    }

    /// Rings and cameras, the background of every map.
    private func background(_ projection: MapProjection, cameraLabels: Bool, detail: Bool) -> String {
        var out = "<g class=\"rings\">"
        for (index, ring) in rings.enumerated() where ring.cameras.count >= 3 {
            let outline = ringOutline(ring.cameras, projection)
            let dashes = Self.ringDashes[index % Self.ringDashes.count]
            out += "<polygon class=\"ring\" data-ring=\"\(e(ring.label))\" points=\"\(points(outline))\" fill=\"none\" stroke=\"#9a9a9a\" stroke-width=\"\(detail ? 1.2 : 0.8)\""
            out += dashes.isEmpty ? "" : " stroke-dasharray=\"\(dashes)\""
            out += "><title>Ring \(e(ring.label))</title></polygon>"
            if detail, let top = outline.min(by: { $0.y < $1.y }) {
                out += "<text class=\"ring-label\" x=\"\(n(top.x + 6))\" y=\"\(n(top.y - 6))\">\(e(ring.label))</text>"
            }
        }
        out += "</g><g class=\"cameras\">"
        for id in report.cameras.order {
            guard let camera = report.cameras[id] else { continue }
            let p = projection.point(camera)
            out += "<circle class=\"camera\" cx=\"\(n(p.x))\" cy=\"\(n(p.y))\" r=\"\(detail ? 2.2 : 1.4)\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"0.8\">"
            out += "<title>\(e(camera.id)) \(e(camera.name))</title></circle>"
            if cameraLabels {
                out += "<text class=\"camera-label\" x=\"\(n(p.x + 3))\" y=\"\(n(p.y + 9))\">\(e(camera.id))</text>"
            }
        }
        return out + "</g>"
    }

    /// The map section: rings, cameras, each trip as an ordered path in its day's style with
    /// the time at each camera, the legend and the list of trips.
    var mapSection: String {
        var out = "<section id=\"map\">\n<h2>Trips on the map</h2>\n"
        let known = report.cameras.order.compactMap { report.cameras[$0] }
        guard !known.isEmpty else {
            out += "<p class=\"empty\">The history holds no camera coordinates, so no map can be drawn; pass --cameras CSV.</p>\n"
            return out + tripTable + "</section>\n"
        }
        let projection = MapProjection(cameras: known, width: 700, margin: 28)
        out += "<div class=\"map-row\">\n<figure class=\"map\">\n"
        out += "<svg class=\"trip-map\" viewBox=\"0 0 \(n(projection.width)) \(n(projection.height))\" width=\"\(n(projection.width))\" height=\"\(n(projection.height))\" role=\"img\" aria-label=\"Map of the vehicle's trips\">"
        out += "<title>Trips of \(e(report.plate))</title>"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(projection.width))\" height=\"\(n(projection.height))\" fill=\"#fff\"/>"
        out += background(projection, cameraLabels: true, detail: true)
        var labelsAt: [String: Int] = [:]
        var paths = "", marks = "", labels = ""
        for trip in shownTrips {
            let style = style(ofDay: trip.day)
            // Trips of different days along the same road are drawn a little apart.
            let shift = Double((dayIndex[trip.day] ?? 0) % 5 - 2) * 2.2
            let located = trip.passes.compactMap { pass in report.cameras[pass.camera].map { (pass, projection.point($0)) } }
            let line = located.map { (x: $0.1.x + shift, y: $0.1.y + shift) }
            paths += "<g class=\"trip\" data-trip=\"\(trip.number)\" data-day=\"\(report.clock.date(trip.day))\" data-cameras=\"\(e(trip.cameras.joined(separator: " ")))\">"
            paths += "<title>Trip \(trip.number), \(e(report.clock.shortDate(trip.day))) \(e(report.clock.time(trip.start)))–\(e(report.clock.time(trip.end)))</title>"
            if line.count >= 2 {
                paths += "<polyline points=\"\(points(line))\" fill=\"none\" stroke=\"\(style.colour)\" stroke-width=\"2.4\" stroke-linejoin=\"round\"\(style.dashAttribute)/>"
                paths += arrow(from: line[line.count - 2], to: line[line.count - 1], colour: style.colour)
            }
            paths += "</g>"
            for (pass, point) in located {
                marks += style.marker.svg(x: point.x + shift, y: point.y + shift, size: 7, colour: style.colour,
                                          extra: " class=\"pass\" data-camera=\"\(e(pass.camera))\" data-ts=\"\(pass.time.rfc3339)\"")
                // Up to four times stack beside a camera; the list below has every one.
                let stacked = labelsAt[pass.camera, default: 0]
                labelsAt[pass.camera] = stacked + 1
                guard stacked < 4 else { continue }
                labels += "<text class=\"time\" x=\"\(n(point.x + 7))\" y=\"\(n(point.y - 5 - Double(stacked) * 10))\">\(e(report.clock.time(pass.time)))</text>"
            }
        }
        out += "<g class=\"trips\">\(paths)</g><g class=\"passes\">\(marks)</g><g class=\"times\">\(labels)</g>"
        out += northArrow(projection)
        out += "</svg>\n</figure>\n"
        out += legend
        out += "</div>\n"
        out += tripTable
        return out + "</section>\n"
    }

    /// A small arrowhead at the end of a trip, pointing the way it went.
    private func arrow(from: (x: Double, y: Double), to: (x: Double, y: Double), colour: String) -> String {
        let dx = to.x - from.x, dy = to.y - from.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 1 else { return "" }
        let ux = dx / length, uy = dy / length
        // Back off from the marker, then draw a head 9 px long.
        let tipX = to.x - ux * 6, tipY = to.y - uy * 6
        let baseX = tipX - ux * 9, baseY = tipY - uy * 9
        let head = [(tipX, tipY), (baseX - uy * 4, baseY + ux * 4), (baseX + uy * 4, baseY - ux * 4)]
        return "<polygon class=\"arrow\" points=\"\(head.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "))\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"0.5\"/>"
    }

    private func northArrow(_ projection: MapProjection) -> String {
        let x = projection.width - 22, y = 30.0
        return "<g class=\"north\"><polygon points=\"\(n(x)),\(n(y - 14)) \(n(x + 5)),\(n(y)) \(n(x - 5)),\(n(y))\" fill=\"#333\"/>"
            + "<text x=\"\(n(x))\" y=\"\(n(y + 12))\" text-anchor=\"middle\" class=\"camera-label\">N</text></g>"
    }

    /// Days (line, dashes, marker) and rings.
    private var legend: String {
        var out = "<div class=\"legend\">\n<h3>Legend</h3>\n<ul>\n"
        let tripDays = Dictionary(grouping: shownTrips, by: \.day)
        for day in report.days where tripDays[day] != nil {
            let style = style(ofDay: day)
            let count = tripDays[day]!.count
            out += "<li class=\"legend-day\" data-day=\"\(report.clock.date(day))\"><svg width=\"54\" height=\"14\" viewBox=\"0 0 54 14\" aria-hidden=\"true\">"
            out += "<line x1=\"2\" y1=\"7\" x2=\"52\" y2=\"7\" stroke=\"\(style.colour)\" stroke-width=\"2.4\"\(style.dashAttribute)/>"
            out += style.marker.svg(x: 27, y: 7, size: 8, colour: style.colour)
            out += "</svg> \(e(report.clock.shortDate(day))): \(count) trip\(plural(count))</li>\n"
        }
        for (index, ring) in rings.enumerated() {
            let dashes = Self.ringDashes[index % Self.ringDashes.count]
            out += "<li><svg width=\"54\" height=\"14\" viewBox=\"0 0 54 14\" aria-hidden=\"true\"><line x1=\"2\" y1=\"7\" x2=\"52\" y2=\"7\" stroke=\"#9a9a9a\" stroke-width=\"1.2\""
            out += dashes.isEmpty ? "" : " stroke-dasharray=\"\(dashes)\""
            out += "/></svg> Ring \(e(ring.label)) (\(ring.cameras.count) cameras)</li>\n"
        }
        out += "<li><svg width=\"54\" height=\"14\" viewBox=\"0 0 54 14\" aria-hidden=\"true\"><circle cx=\"27\" cy=\"7\" r=\"2.2\" fill=\"#fff\" stroke=\"#555\"/></svg> Camera</li>\n"
        out += "</ul>\n<p class=\"note\">Each pass is marked with its day's marker and labelled with its time (\(e(report.clock.zoneName))); an arrowhead shows where a trip ended.</p>\n</div>\n"
        return out
    }

    /// Every trip with its cameras and times in order.
    var tripTable: String {
        guard !report.trips.isEmpty else { return "<p class=\"empty\">The vehicle was not seen in the period.</p>\n" }
        var out = "<h3>Trips</h3>\n<table class=\"trips\">\n<thead><tr><th>Trip</th><th>Day</th><th>Time</th><th>Cameras passed, with times</th></tr></thead>\n<tbody>\n"
        for trip in shownTrips {
            let style = style(ofDay: trip.day)
            out += "<tr class=\"trip-row\" data-trip=\"\(trip.number)\" data-cameras=\"\(e(trip.cameras.joined(separator: " ")))\">"
            out += "<td><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">\(style.marker.svg(x: 7, y: 7, size: 9, colour: style.colour))</svg> \(trip.number)</td>"
            out += "<td>\(e(report.clock.shortDate(trip.day)))</td>"
            out += "<td>\(e(report.clock.time(trip.start)))–\(e(report.clock.time(trip.end)))</td><td>"
            out += trip.passes.map { pass in
                let unknown = report.cameras[pass.camera] == nil ? " <span class=\"note\">(no coordinates)</span>" : ""
                return "\(e(pass.camera)) \(e(report.clock.timeWithSeconds(pass.time)))\(unknown)"
            }.joined(separator: " → ")
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if report.trips.count > shownTrips.count {
            out += "<p class=\"note\">\(report.trips.count - shownTrips.count) later trips are not drawn; narrow the period to see them.</p>\n"
        }
        return out
    }

    /// A small map of `shared` cameras, numbered and joined in order, over faint rings.
    func miniMap(shared: [String], label: String) -> String {
        let known = report.cameras.order.compactMap { report.cameras[$0] }
        guard !known.isEmpty else { return "" }
        let projection = MapProjection(cameras: known, width: 190, margin: 10)
        var out = "<svg class=\"mini-map\" viewBox=\"0 0 \(n(projection.width)) \(n(projection.height))\" width=\"\(n(projection.width))\" height=\"\(n(projection.height))\" role=\"img\" aria-label=\"\(e(label))\">"
        out += "<title>\(e(label))</title>"
        out += background(projection, cameraLabels: false, detail: false)
        let located = shared.compactMap { report.cameras[$0] }.map(projection.point)
        if located.count >= 2 {
            out += "<polyline points=\"\(points(located))\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.8\" stroke-dasharray=\"5 2\"/>"
        }
        for (index, point) in located.enumerated() {
            out += "<circle cx=\"\(n(point.x))\" cy=\"\(n(point.y))\" r=\"3.2\" fill=\"#000\"/>"
            out += "<text class=\"order\" x=\"\(n(point.x + 4))\" y=\"\(n(point.y - 3))\">\(index + 1)</text>"
        }
        return out + "</svg>"
    }

    func n(_ value: Double) -> String { HTMLText.number(value) }

    func points(_ list: [(x: Double, y: Double)]) -> String {
        list.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
