import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchStorage

/// The `watch.*` operations of the control socket: live route watches. Every change is audited
/// and stored in SQLite (with who and when) before the pipeline applies it.
extension ControlServer {
    /// `{"op":"watch.add","name":N,"cameras":[...],"max_gap_s":G,"min_match":F,"severity":S}`, or
    /// `"plate":P,"from":T1,"to":T2` instead of `cameras` to learn the route from that vehicle's
    /// trips in the history (needs `"reason"`, and `"authorization"` before the open-access period).
    func watchAdd(_ request: [String: Any]) -> JSONValue {
        guard let name = (request["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return Self.failure("watch.add needs \"name\"")
        }
        let severityText = (request["severity"] as? String ?? "high").lowercased()
        guard let severity = Severity(rawValue: severityText) else {
            return Self.failure("severity must be one of critical, high, medium, low")
        }
        let minimumMatch = (request["min_match"] as? NSNumber)?.doubleValue ?? RouteWatch.defaultMinimumMatch
        var maximumGap = (request["max_gap_s"] as? NSNumber)?.doubleValue
        let repeatDays = (request["repeat_days"] as? NSNumber)?.intValue
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        let reason = (request["reason"] as? String).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        var parameters: [(String, JSONValue)] = [("name", .string(name))]
        var watch: RouteWatch
        var learnedTrips = 0
        if let raw = request["plate"] as? String {
            guard request["cameras"] == nil else { return Self.failure("watch.add takes \"cameras\" or \"plate\", not both") }
            guard let plate = Plate(normalising: raw) else { return Self.failure("\"plate\" must hold 1 to 12 of A-Z and 0-9") }
            guard let fromText = request["from"] as? String, let from = Timestamp(rfc3339: fromText),
                  let toText = request["to"] as? String, let to = Timestamp(rfc3339: toText), from <= to
            else { return Self.failure("learning a route needs \"from\" and \"to\" (RFC 3339, from before to)") }
            guard let reason else {
                return Self.failure("learning a route reads a vehicle's history: give \"reason\" (case number or purpose); it is audited")
            }
            let given = request["authorization"] as? String
            let authorization = given.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            do {
                let database = try store()
                let days = (try database.meta("open_access_days")).flatMap { Int64($0) } ?? 30
                // The open-access period of the query commands (RingwatchQuery's AccessPolicy).
                let now = Timestamp.now
                let openFrom = now.adding(seconds: -days * 86_400)
                var refusal: String?
                if from < openFrom && authorization == nil {
                    refusal = "reads before \(openFrom.rfc3339Seconds) are past the \(days)-day open-access period"
                        + (given == nil ? "; " : " and the \"authorization\" given is blank; ")
                        + "give \"authorization\" (the magistrate's authorisation) or a later \"from\""
                }
                parameters += [("plate", .string(plate.text)), ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339))]
                // A refused attempt is audited too, with why (docs/privacy.md).
                try AuditLog(connection: database.connection).append(AuditRecord(
                    timestamp: now, user: user, command: "watch.add --plate", reason: reason, authorization: authorization,
                    parameters: .object(parameters), refusal: refusal))
                if let refusal { return Self.failure(refusal) }
                let passages = try database.reads(pattern: plate.text, from: from, to: to, limit: 1_000_000).map { Passage($0.read) }
                let trips = Trip.split(passages).filter { $0.stops.count >= 2 }
                guard let route = RouteWatch.learnRoute(from: trips) else {
                    return Self.failure("the vehicle has no trip past two cameras or more between \"from\" and \"to\"; widen the period")
                }
                learnedTrips = trips.count
                maximumGap = maximumGap ?? RouteWatch.maximumGap(learnedFrom: route)
                watch = RouteWatch(
                    name: name, cameras: route.cameras, maximumGapSeconds: maximumGap!, minimumMatch: minimumMatch,
                    severity: severity, origin: "learned from \(trips.count) trips of a vehicle, \(from.rfc3339Seconds)..\(to.rfc3339Seconds)",
                    excludedPlate: request["exclude_plate"] as? Bool == true ? plate.text : nil)
            } catch {
                return Self.failure("could not read the vehicle's history: \(error)")
            }
        } else if let cameras = request["cameras"] as? [String] {
            watch = RouteWatch(name: name, cameras: cameras.map { $0.trimmingCharacters(in: .whitespaces) },
                               maximumGapSeconds: maximumGap ?? RouteWatch.defaultMaximumGapSeconds, minimumMatch: minimumMatch,
                               severity: severity)
            let unknown = watch.cameras.filter { engine.pipeline.cameras[$0] == nil }
            if !unknown.isEmpty {
                return Self.failure("unknown camera\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); "
                    + "use the ids of the camera registry")
            }
        } else {
            return Self.failure("watch.add needs \"cameras\" (camera ids in order) or \"plate\", \"from\" and \"to\"")
        }
        watch.repeatDays = repeatDays
        if let problem = watch.problem { return Self.failure(problem) }
        do {
            parameters += [("cameras", .array(watch.cameras.map { .string($0) })), ("max_gap_s", .double(watch.maximumGapSeconds)),
                           ("min_match", .double(watch.minimumMatch)), ("severity", .string(watch.severity.rawValue))]
            if request["plate"] == nil { try audit(request, command: "watch.add", reason: reason ?? "not given", parameters: parameters) }
            _ = try store().addRouteWatch(watch, user: user)
        } catch {
            return Self.failure("could not store the watch: \(error)")
        }
        _ = engine.pipeline.perform { [watch] pipeline in
            pipeline.routes.add(watch)
            return .null
        }
        logger.info("route watch added", metadata: ["user": "\(user)", "cameras": "\(watch.cameras.count)"])
        var reply: [(String, JSONValue)] = [("ok", .bool(true))]
        reply += Self.describe(watch)
        if learnedTrips > 0 { reply.append(("learned_trips", .int(Int64(learnedTrips)))) }
        return .object(reply)
    }

    /// `{"op":"watch.remove","name":N}` → `ok, removed`.
    func watchRemove(_ request: [String: Any]) -> JSONValue {
        guard let name = (request["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return Self.failure("watch.remove needs \"name\"")
        }
        let user = (request["user"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "control"
        let removed: Int
        do {
            try audit(request, command: "watch.remove", reason: request["reason"] as? String ?? "not given", parameters: [("name", .string(name))])
            removed = try store().removeRouteWatch(name: name, user: user)
        } catch {
            return Self.failure("could not update the stored watches: \(error)")
        }
        _ = engine.pipeline.perform { .bool($0.routes.remove(name: name)) }
        return .object([("ok", .bool(true)), ("removed", .int(Int64(removed)))])
    }

    /// `{"op":"watch.list"}` → `ok, watches` (each with who added it and when).
    func watchList() -> JSONValue {
        do {
            let stored = try store().activeRouteWatches()
            return .object([
                ("ok", .bool(true)),
                ("watches", .array(stored.map { item in
                    .object(Self.describe(item.watch) + [
                        ("added_at", .string(item.addedAt.rfc3339)), ("added_by", .string(item.addedBy)),
                    ])
                })),
            ])
        } catch {
            return Self.failure("could not read the stored watches: \(error)")
        }
    }

    static func describe(_ watch: RouteWatch) -> [(String, JSONValue)] {
        [
            ("name", .string(watch.name)), ("cameras", .array(watch.cameras.map { .string($0) })),
            ("max_gap_s", .double(watch.maximumGapSeconds)), ("min_match", .double(watch.minimumMatch)),
            ("cameras_needed", .int(Int64(watch.camerasNeeded))), ("severity", .string(watch.severity.rawValue)),
            ("origin", .string(watch.origin)), ("repeat_days", watch.repeatDays.map { .int(Int64($0)) } ?? .null),
        ]
    }
}
