/// A message waiting to be published later (a duplicate, or a late delivery).
struct DelayedMessage: QueueItem {
    let time: Int64
    var serial: UInt32 = 0
    let message: SimulatedMessage

    init(time: Int64, message: SimulatedMessage) {
        self.time = time
        self.message = message
    }
}
