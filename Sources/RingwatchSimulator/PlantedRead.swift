/// A published read of a planted event, with where it belongs in the event.
struct PlantedRead: Sendable {
    let read: GroundTruthRead
    let camera: Int
    let member: Int
    let run: Int
    let evidence: Bool
}
