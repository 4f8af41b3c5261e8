/// How one day's trips are drawn: a colour, a dash pattern and a marker shape, so that days
/// stay apart on a black-and-white print as well as on screen.
struct DayStyle {
    let colour: String
    /// SVG `stroke-dasharray`; empty for a solid line.
    let dashes: String
    let marker: MarkerShape

    /// Colour-blind-safe colours (Okabe and Ito), each with its own dashes and marker; after
    /// seven days the combinations shift so that neighbouring days still differ.
    static func forDay(index: Int) -> DayStyle {
        let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
        let dashes = ["", "9 4", "2 3", "10 3 2 3", "5 5", "1 3", "12 3 2 3 2 3"]
        let markers = MarkerShape.allCases
        let round = index / colours.count
        return DayStyle(colour: colours[index % colours.count], dashes: dashes[(index + round) % dashes.count],
                        marker: markers[(index + 2 * round) % markers.count])
    }

    /// `stroke-dasharray` as an attribute, or nothing for a solid line.
    var dashAttribute: String { dashes.isEmpty ? "" : " stroke-dasharray=\"\(dashes)\"" }
}

/// Marker shapes drawn at each pass.
enum MarkerShape: CaseIterable {
    case circle, square, triangle, diamond, cross, triangleDown, plus

    /// The SVG element of the marker centred at (x, y), `size` across.
    func svg(x: Double, y: Double, size: Double, colour: String, extra: String = "") -> String {
        let r = size / 2
        let n = HTMLText.number
        func polygon(_ points: [(Double, Double)]) -> String {
            "<polygon points=\"\(points.map { "\(n(x + $0.0)),\(n(y + $0.1))" }.joined(separator: " "))\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"0.6\"\(extra)/>"
        }
        switch self {
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"0.6\"\(extra)/>"
        case .square:
            return polygon([(-r, -r), (r, -r), (r, r), (-r, r)])
        case .triangle:
            return polygon([(0, -r * 1.2), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)])
        case .triangleDown:
            return polygon([(0, r * 1.2), (r * 1.1, -r * 0.8), (-r * 1.1, -r * 0.8)])
        case .diamond:
            return polygon([(0, -r * 1.3), (r * 1.1, 0), (0, r * 1.3), (-r * 1.1, 0)])
        case .cross:
            let t = r * 0.4
            return polygon([(-r, -r + t), (-r + t, -r), (0, -t), (r - t, -r), (r, -r + t), (t, 0), (r, r - t), (r - t, r), (0, t),
                            (-r + t, r), (-r, r - t), (-t, 0)])
        case .plus:
            let t = r * 0.35
            return polygon([(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)])
        }
    }
}
