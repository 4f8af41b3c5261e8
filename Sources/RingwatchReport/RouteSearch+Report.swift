import RingwatchCore
import RingwatchQuery

/// The route search feeds the report's "similar routes" section: the rows of
/// `ringwatch routes --like`, buses and frequent vehicles marked.
extension RouteSearch: SimilarRouteSource {
    public func similarRoutes(to plate: String, from: Timestamp, to: Timestamp, top: Int) throws -> [SimilarRouteRow] {
        try similar(to: plate, from: from, to: to, top: top).map { found in
            SimilarRouteRow(
                plate: found.plate, similarity: found.similarity, trips: found.trips, sharedCameras: found.sharedCameras,
                marker: found.marker)
        }
    }
}
