import RingwatchCore

/// A trigger as the scorer needs it: its kind, its evidence and the plates it names.
public struct TriggerObservation: Sendable, Equatable {
    public var kind: TriggerKind
    /// Engine read ids (16 hex digits).
    public var readIDs: [String]
    /// The trigger's `plate`, and for a convoy every member (`plates`).
    public var plates: [String]

    /// A trigger seen as `kind`, with its evidence and the plates it names.
    public init(kind: TriggerKind, readIDs: [String], plates: [String]) {
        self.kind = kind
        self.readIDs = readIDs
        self.plates = plates
    }

    /// The observation of a published trigger: its plate, plus the members of a convoy.
    public init(_ trigger: Trigger) {
        var plates = [trigger.plate.text]
        for (key, value) in trigger.details where key == "plates" {
            for plate in value.arrayValue ?? [] { if let text = plate.stringValue, !plates.contains(text) { plates.append(text) } }
        }
        self.init(kind: trigger.kind, readIDs: trigger.readIDs.map(\.description), plates: plates)
    }
}

/// How one detector did against the planted events it should find.
public struct DetectorScore: Sendable, Equatable {
    public let kind: TriggerKind
    /// Planted events expecting this kind.
    public let planted: Int
    /// Ids of the planted events a trigger found, and of those none did.
    public let foundEvents: [String]
    public let missedEvents: [String]
    /// Triggers of this kind, and how many of them match no planted event (ordinary traffic
    /// can give true hits too, so these are not all false alarms).
    public let triggers: Int
    public let unmatchedTriggers: Int

    public var found: Int { foundEvents.count }
    public var missed: Int { missedEvents.count }
    /// found / planted; nil when nothing was planted.
    public var recall: Double? { planted == 0 ? nil : Double(found) / Double(planted) }
}

/// Compares triggers with the ground truth: per expected trigger kind, how many planted events
/// were found and which were missed.
///
/// A planted event counts as found when a trigger of its expected kind shares at least one read
/// id with its evidence; a `convoy` also when a convoy trigger names two or more of its plates,
/// and a `route` also when a route trigger names the vehicle that took the route over.
public struct GroundTruthScorer: Sendable {
    public let events: [GroundTruthEvent]

    /// A scorer for `events` (a simulator's `groundTruth`).
    public init(events: [GroundTruthEvent]) { self.events = events }

    /// Scores `triggers`. With `hotlistMaximumSubstitutions`, a hotlist event's evidence is
    /// restricted to its reads that a matcher within that limit can be asked to find (correct
    /// reads and substitutions up to the limit; no dropped or extra characters), and events with
    /// no such read are not counted at all.
    ///
    /// Returns one score per trigger kind that has planted events or triggers, in
    /// `TriggerKind.allCases` order.
    public func score(_ triggers: [TriggerObservation], hotlistMaximumSubstitutions: Int? = nil) -> [DetectorScore] {
        var scores: [DetectorScore] = []
        for kind in TriggerKind.allCases {
            let ofKind = triggers.filter { $0.kind == kind }
            var candidates: [(event: GroundTruthEvent, readIDs: Set<String>)] = []
            for event in events where event.expect == kind {
                var evidence = event.readIDs
                if kind == .hotlist, let limit = hotlistMaximumSubstitutions {
                    evidence = event.reads.filter { $0.misread == "none" || ($0.misread == "substitution" && $0.substitutions <= limit) }
                        .map(\.readID)
                    if evidence.isEmpty { continue }
                }
                candidates.append((event, Set(evidence)))
            }
            guard !candidates.isEmpty || !ofKind.isEmpty else { continue }

            var found: [String] = [], missed: [String] = []
            var matchedTriggers = Set<Int>()
            for candidate in candidates {
                var hit = false
                for (index, trigger) in ofKind.enumerated() where GroundTruthScorer.matches(trigger, candidate.event, candidate.readIDs) {
                    hit = true
                    matchedTriggers.insert(index)
                }
                if hit { found.append(candidate.event.id) } else { missed.append(candidate.event.id) }
            }
            scores.append(
                DetectorScore(
                    kind: kind, planted: candidates.count, foundEvents: found, missedEvents: missed,
                    triggers: ofKind.count, unmatchedTriggers: ofKind.count - matchedTriggers.count))
        }
        return scores
    }

    /// Scores published triggers.
    public func score(triggers: [Trigger], hotlistMaximumSubstitutions: Int? = nil) -> [DetectorScore] {
        score(triggers.map(TriggerObservation.init), hotlistMaximumSubstitutions: hotlistMaximumSubstitutions)
    }

    /// Scores triggers given as (kind, read ids, plates).
    public func score(
        _ triggers: [(kind: TriggerKind, readIDs: [String], plates: [String])], hotlistMaximumSubstitutions: Int? = nil
    ) -> [DetectorScore] {
        score(
            triggers.map { TriggerObservation(kind: $0.kind, readIDs: $0.readIDs, plates: $0.plates) },
            hotlistMaximumSubstitutions: hotlistMaximumSubstitutions)
    }

    private static func matches(_ trigger: TriggerObservation, _ event: GroundTruthEvent, _ evidence: Set<String>) -> Bool {
        if trigger.readIDs.contains(where: evidence.contains) { return true }
        switch event.expect {
        case .convoy:
            return trigger.plates.filter(event.plates.contains).count >= 2
        case .route:
            return event.plates.first.map(trigger.plates.contains) ?? false
        default:
            return false
        }
    }
}
