/// When a classifier's make, model and colour are trusted enough to compare with the registry.
///
/// Classifiers lose confidence and colours after dusk (street lighting turns silver orange and
/// blue black), so a read is judged only above a confidence threshold that is higher at night,
/// and colours at night are not judged at all unless the operator says otherwise.
public struct ObservationPolicy: Sendable, Hashable {
    /// Lowest `vehicle_confidence` judged by day.
    public var minimumConfidence: Double = 0.8
    /// Lowest `vehicle_confidence` judged when it is dark at the camera.
    public var minimumNightConfidence: Double = 0.9
    /// Whether colours are compared when it is dark.
    public var judgeColorAtNight = false
    /// The sun elevation (degrees) below which a read counts as taken in the dark.
    public var darkBelowSunElevation: Double = -6

    public init() {}
}
