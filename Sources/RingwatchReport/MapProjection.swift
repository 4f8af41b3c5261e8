import RingwatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Places cameras on an SVG canvas: an equirectangular projection around the cameras' mean
/// latitude (east–west distances shrink by its cosine), fitted into `width` with a margin,
/// centred, north up. Over a city the distortion is far below what a reader can see.
struct MapProjection {
    let width: Double
    let height: Double
    private let west: Double, north: Double, scale: Double, shrink: Double, left: Double, top: Double

    /// Fits `cameras` into `width`; the height follows from their extent, at most `maximumAspect`
    /// times the width.
    init(cameras: [Camera], width: Double, margin: Double, maximumAspect: Double = 0.9) {
        self.width = width
        let latitudes = cameras.map(\.latitude), longitudes = cameras.map(\.longitude)
        let south = latitudes.min() ?? 0, north = latitudes.max() ?? 0
        let west = longitudes.min() ?? 0, east = longitudes.max() ?? 0
        shrink = max(0.01, cos((south + north) / 2 * Double.pi / 180))
        let spanX = max((east - west) * shrink, 1e-9), spanY = max(north - south, 1e-9)
        let plotWidth = width - 2 * margin, plotHeight = plotWidth * maximumAspect
        scale = min(plotWidth / spanX, plotHeight / spanY)
        self.west = west
        self.north = north
        left = margin + (plotWidth - spanX * scale) / 2
        top = margin
        height = spanY * scale + 2 * margin
    }

    /// The SVG point of a camera.
    func point(_ camera: Camera) -> (x: Double, y: Double) {
        (left + (camera.longitude - west) * shrink * scale, top + (north - camera.latitude) * scale)
    }
}
