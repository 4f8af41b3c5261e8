import RingwatchCore

extension TrafficSimulator {
    /// The planted events with the reads published for them: complete once `next()` has returned
    /// nil; before that, the events with at least one evidence read so far.
    public var groundTruth: [GroundTruthEvent] {
        plans.indices.compactMap(event)
    }

    /// The ground truth as JSON Lines (one event per line, each line ending in a newline).
    public var groundTruthJSONLines: String {
        groundTruth.map { $0.jsonLine + "\n" }.joined()
    }

    private func event(_ index: Int) -> GroundTruthEvent? {
        let plan = plans[index]
        let all = plantedReads[index]
        let evidence = all.filter(\.evidence)
        guard let first = evidence.first else { return nil }
        let start = evidence.map(\.read.timestamp).min() ?? first.read.timestamp
        let end = evidence.map(\.read.timestamp).max() ?? first.read.timestamp
        var fields: [(String, JSONValue)] = [
            ("event", .string(plan.kind.rawValue)),
            ("id", .string(plan.id)),
            ("expect", .string(plan.kind.expect.rawValue)),
            ("plates", .array(plan.plates.map { .string($0) })),
            ("read_ids", .array(evidence.map { .string($0.read.readID) })),
            ("source_ids", .array(evidence.map { .string($0.read.sourceID) })),
            ("start", .string(start.rfc3339)),
            ("end", .string(end.rfc3339)),
        ]
        let cameraIDs = plan.cameras.map { JSONValue.string(network.cameras[$0].id) }
        switch plan.kind {
        case .hotlist:
            if let entry = plan.hotlist {
                fields += [
                    ("listed_plate", .string(entry.pattern)), ("category", .string(entry.category)),
                    ("severity", .string(entry.severity.rawValue)), ("reason", .string(entry.reason)),
                    ("expires", entry.expires.map { .string($0.rfc3339Seconds) } ?? .null),
                ]
            }
            fields.append(
                (
                    "reads",
                    .array(
                        evidence.map { planted in
                            .object([
                                ("read_id", .string(planted.read.readID)), ("source_id", .string(planted.read.sourceID)),
                                ("camera", .string(planted.read.camera)), ("ts", .string(planted.read.timestamp.rfc3339)),
                                ("plate_read", .string(planted.read.plateRead)), ("misread", .string(planted.read.misread)),
                                ("substitutions", .int(Int64(planted.read.substitutions))),
                            ])
                        })
                ))
        case .convoy:
            let roles = plan.vehicles.indices.map { member in
                member == 0 ? "lead" : member == plan.vehicles.count - 1 ? "tail" : "load"
            }
            // Gaps as published: per camera, between consecutive members read there.
            var maximumGap: Int64 = 0, shared = 0
            for camera in plan.cameras {
                let times = plan.vehicles.indices.compactMap { member in
                    evidence.first { $0.camera == camera && $0.member == member }?.read.timestamp.milliseconds
                }
                if times.count == plan.vehicles.count { shared += 1 }
                for slot in times.indices.dropFirst() { maximumGap = max(maximumGap, abs(times[slot] - times[slot - 1])) }
            }
            fields += [
                (
                    "members",
                    .array(
                        plan.vehicles.indices.map { member in
                            .object([("plate", .string(plan.plates[member])), ("role", .string(roles[member]))])
                        })
                ),
                ("cameras", .array(cameraIDs)),
                ("co_occurrences", .int(Int64(shared))),
                ("max_gap_s", TrafficSimulator.decimal(Double(maximumGap) / 1000, places: 1)),
            ]
        case .cloneVehicle:
            let member = plan.vehicles[0]
            let registered = VehicleCatalog.models[member.vehicle.model], carried = VehicleCatalog.models[member.seenModel]
            var mismatched: [JSONValue] = []
            if registered.make != carried.make { mismatched.append(.string("make")) }
            if registered.model != carried.model { mismatched.append(.string("model")) }
            if member.vehicle.color != member.seenColor { mismatched.append(.string("color")) }
            func description(_ model: VehicleCatalog.Model, _ color: Int) -> JSONValue {
                .object([("make", .string(model.make)), ("model", .string(model.model)), ("color", .string(VehicleCatalog.colors[color]))])
            }
            fields += [
                ("plate", .string(plan.plates[0])),
                ("registered", description(registered, member.vehicle.color)),
                ("carried", description(carried, member.seenColor)),
                ("mismatched", .array(mismatched)),
                ("cameras", .array(cameraIDs)),
            ]
        case .cloneSpeed:
            fields.append(("plate", .string(plan.plates[0])))
            if let a = evidence.first(where: { $0.member == 0 }), let b = evidence.first(where: { $0.member == 1 }) {
                let kilometres = network.distance(a.camera, b.camera)
                let seconds = Double(abs(b.read.timestamp.milliseconds - a.read.timestamp.milliseconds)) / 1000
                fields += [
                    ("camera_a", .string(a.read.camera)), ("camera_b", .string(b.read.camera)),
                    ("read_a", .string(a.read.readID)), ("read_b", .string(b.read.readID)),
                    ("distance_km", TrafficSimulator.decimal(kilometres, places: 2)),
                    ("elapsed_s", TrafficSimulator.decimal(seconds, places: 1)),
                    ("implied_speed_kmh", TrafficSimulator.decimal(kilometres / max(seconds, 0.001) * 3600, places: 0)),
                ]
            }
        case .routeTakeover:
            func runs(_ member: Int) -> [(Timestamp, Timestamp)] {
                let reads = all.filter { $0.member == member }
                var spans: [(Timestamp, Timestamp)] = []
                for run in Set(reads.map(\.run)).sorted() {
                    let times = reads.filter { $0.run == run }.map(\.read.timestamp)
                    if let low = times.min(), let high = times.max() { spans.append((low, high)) }
                }
                return spans
            }
            func json(_ spans: [(Timestamp, Timestamp)]) -> JSONValue {
                .array(spans.map { .object([("start", .string($0.0.rfc3339)), ("end", .string($0.1.rfc3339))]) })
            }
            let original = runs(0), takeover = runs(1)
            fields += [
                ("cameras", .array(cameraIDs)),
                ("takeover_plate", .string(plan.plates[0])),
                ("original_plate", .string(plan.plates[1])),
                ("skipped_camera", plan.skippedCamera.map { .string(network.cameras[$0].id) } ?? .null),
                ("original_runs", json(original)),
                ("takeover_runs", json(takeover)),
                ("learn_from", original.first.map { .string($0.0.adding(seconds: -60).rfc3339) } ?? .null),
                ("learn_to", original.last.map { .string($0.1.adding(seconds: 60).rfc3339) } ?? .null),
            ]
        }
        return GroundTruthEvent(
            event: plan.kind.rawValue, id: plan.id, expect: plan.kind.expect, plates: plan.plates,
            readIDs: evidence.map(\.read.readID), sourceIDs: evidence.map(\.read.sourceID), start: start, end: end,
            reads: evidence.map(\.read), json: .object(fields))
    }

    /// A number rounded to `places` decimals. Swift writes doubles with its own shortest
    /// round-trip algorithm, the same on every platform.
    static func decimal(_ value: Double, places: Int) -> JSONValue {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return .double((value * scale).rounded() / scale)
    }
}
