import RingwatchCore

/// The open-access period: reads older than it are returned only under a magistrate's
/// authorisation (Belgium: one month).
public struct AccessPolicy: Sendable {
    public var openAccessDays: Int64

    public init(openAccessDays: Int64 = 30) { self.openAccessDays = openAccessDays }

    /// The oldest time open to a query without authorisation, at `now`.
    public func openAccessStart(now: Timestamp) -> Timestamp { now.adding(seconds: -openAccessDays * 86_400) }

    /// Nil when the period may be queried; else a sentence saying what is needed.
    public func refusal(from: Timestamp, authorization: String?, now: Timestamp) -> String? {
        guard from < openAccessStart(now: now), (authorization ?? "").isEmpty else { return nil }
        return "reads before \(openAccessStart(now: now).rfc3339Seconds) are past the \(openAccessDays)-day open-access period; "
            + "give --authorization REF (the magistrate's authorisation) or a later --from"
    }
}
