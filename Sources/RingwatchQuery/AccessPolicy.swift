import Foundation
import RingwatchCore

/// The open-access period: reads older than it are returned only under a magistrate's
/// authorisation (Belgium: one month).
public struct AccessPolicy: Sendable {
    public var openAccessDays: Int64

    public init(openAccessDays: Int64 = 30) { self.openAccessDays = openAccessDays }

    /// The oldest time open to a query without authorisation, at `now`.
    public func openAccessStart(now: Timestamp) -> Timestamp { now.adding(seconds: -openAccessDays * 86_400) }

    /// Nil when the period may be queried; else a sentence saying what is needed. A blank
    /// authorisation (only spaces) is no authorisation, and the sentence says so.
    public func refusal(from: Timestamp, authorization: String?, now: Timestamp) -> String? {
        guard from < openAccessStart(now: now), AccessPolicy.reference(authorization) == nil else { return nil }
        let reads = "reads before \(openAccessStart(now: now).rfc3339Seconds) are past the \(openAccessDays)-day open-access period"
        if authorization != nil {
            return "\(reads) and the --authorization given is blank; give the reference of the magistrate's authorisation or a later --from"
        }
        return "\(reads); give --authorization REF (the magistrate's authorisation) or a later --from"
    }

    /// The authorisation's reference, or nil when none was given or it is blank.
    public static func reference(_ authorization: String?) -> String? {
        guard let authorization, !authorization.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return authorization
    }
}
