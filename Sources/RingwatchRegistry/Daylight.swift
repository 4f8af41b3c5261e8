import RingwatchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a camera saw a vehicle by daylight, from the sun's elevation at the camera's place
/// and the read's event time — the classifier's colours and confidence degrade after dusk,
/// and "night" must follow the seasons rather than a fixed clock hour.
///
/// The solar position is the low-precision almanac formula (about 0.01° from 1950 to 2050),
/// far finer than the twilight boundary needs.
public enum Daylight {
    /// The sun's elevation above the horizon in degrees (negative below it).
    public static func sunElevation(at time: Timestamp, latitude: Double, longitude: Double) -> Double {
        let radians = Double.pi / 180
        // Days since J2000.0 (2000-01-01T12:00:00Z).
        let days = Double(time.milliseconds) / 86_400_000 - 10_957.5
        let meanAnomaly = (357.529 + 0.985_600_28 * days) * radians
        let meanLongitude = 280.459 + 0.985_647_36 * days
        let eclipticLongitude = (meanLongitude + 1.915 * sin(meanAnomaly) + 0.020 * sin(2 * meanAnomaly)) * radians
        let obliquity = (23.439 - 0.000_000_36 * days) * radians
        let rightAscension = atan2(cos(obliquity) * sin(eclipticLongitude), cos(eclipticLongitude))
        let declination = asin(sin(obliquity) * sin(eclipticLongitude))
        let siderealDegrees = (18.697_374_558 + 24.065_709_824_419_08 * days) * 15
        let hourAngle = (siderealDegrees + longitude) * radians - rightAscension
        let latitude = latitude * radians
        let elevation = asin(sin(latitude) * sin(declination) + cos(latitude) * cos(declination) * cos(hourAngle))
        return elevation / radians
    }

    /// The most the sun's elevation changes in a minute, in degrees, with a margin: the sky turns
    /// 0.2507° a minute (360.986° a sidereal day) and an elevation changes no faster than the
    /// sun moves across the sky; the declination adds less than 0.0003°.
    public static let maximumElevationChangePerMinute = 0.3

    /// True when the sun is below `threshold` degrees at the place and time (−6°: the end of
    /// civil twilight, when street lighting takes over).
    public static func isDark(at time: Timestamp, latitude: Double, longitude: Double, threshold: Double = -6) -> Bool {
        sunElevation(at: time, latitude: latitude, longitude: longitude) < threshold
    }
}
