import RingwatchDetectors
import TOMLKit

extension EngineConfiguration {
    /// Reads the `[convoy]` table (deploy/ringwatch.toml lists every key with its default).
    mutating func applyConvoy(_ value: (any TOMLValueConvertible)?, file: String) throws {
        guard let value else { return }
        guard let table = value.table else { throw Problem("\(file): [convoy] must be a table") }
        let known: Set<String> = [
            "enabled", "max_gap_s", "min_cameras", "window_s", "gap_tolerance_s", "excluded_vehicle_types", "exclude_commuters",
            "commuter_days", "commuter_lookback_days", "commuter_memory_pairs", "min_score", "min_pair_score", "score_high", "score_medium",
            "route_persistence", "follow_on_persistence", "steady_gap_ratio", "steady_share", "gap_drift", "gap_jitter_s", "chance_scale", "gap_floor_s", "quiet_period_s", "max_candidates", "max_group_size",
            "lead_up_divergence", "lead_up_s", "lead_up_reads",
        ]
        for key in table.keys where !known.contains(key) {
            throw Problem("\(file): unknown key '\(key)' in [convoy] (known: \(known.sorted().joined(separator: ", ")))")
        }
        func number(_ key: String) throws -> Double? {
            guard let value = table[key] else { return nil }
            if let integer = value.int { return Double(integer) }
            guard let double = value.double, double.isFinite else { throw Problem("\(file): [convoy] '\(key)' must be a number") }
            return double
        }
        func milliseconds(_ key: String) throws -> Int64? { try number(key).map { Int64(($0 * 1000).rounded()) } }
        func integer(_ key: String) throws -> Int? {
            guard let value = table[key] else { return nil }
            guard let integer = value.int else { throw Problem("\(file): [convoy] '\(key)' must be an integer") }
            return integer
        }
        func flag(_ key: String) throws -> Bool? {
            guard let value = table[key] else { return nil }
            guard let flag = value.bool else { throw Problem("\(file): [convoy] '\(key)' must be true or false") }
            return flag
        }
        if try flag("enabled") == false {
            convoy = nil
            return
        }
        var definition = convoy ?? ConvoyDefinition()
        if let value = try milliseconds("max_gap_s") { definition.maxGapMilliseconds = value }
        if let value = try integer("min_cameras") { definition.minCameras = value }
        if let value = try milliseconds("window_s") { definition.windowMilliseconds = value }
        if let value = try milliseconds("gap_tolerance_s") { definition.gapToleranceMilliseconds = value }
        if let value = table["excluded_vehicle_types"] {
            guard let array = value.array else { throw Problem("\(file): [convoy] 'excluded_vehicle_types' must be an array of strings") }
            definition.excludedVehicleTypes = Set(try array.map { element in
                guard let text = element.string else { throw Problem("\(file): [convoy] 'excluded_vehicle_types' must hold strings only") }
                return text.lowercased()
            })
        }
        if let value = try flag("exclude_commuters") { definition.excludeCommuters = value }
        if let value = try integer("commuter_days") { definition.commuterMinimumDays = value }
        if let value = try integer("commuter_lookback_days") { definition.commuterLookbackDays = value }
        if let value = try integer("commuter_memory_pairs") { definition.commuterMemoryPairs = value }
        if let value = try number("min_score") { definition.minimumScore = value }
        if let value = try number("min_pair_score") { definition.minimumPairScore = value }
        if let value = try number("score_high") { definition.highScore = value }
        if let value = try number("score_medium") { definition.mediumScore = value }
        if let value = try number("route_persistence") { definition.routePersistence = value }
        if let value = try number("follow_on_persistence") { definition.followOnPersistence = value }
        if let value = try number("steady_gap_ratio") { definition.steadyGapRatio = value }
        if let value = try number("steady_share") { definition.steadyShare = value }
        if let value = try number("gap_drift") { definition.gapDrift = value }
        if let value = try milliseconds("gap_jitter_s") { definition.gapJitterMilliseconds = value }
        if let value = try number("chance_scale") { definition.chanceScale = value }
        if let value = try milliseconds("gap_floor_s") { definition.gapFloorMilliseconds = value }
        if let value = try milliseconds("quiet_period_s") { definition.quietPeriodMilliseconds = value }
        if let value = try integer("max_candidates") { definition.maximumCandidates = value }
        if let value = try integer("max_group_size") { definition.maximumGroupSize = value }
        if let value = try number("lead_up_divergence") { definition.leadUpDivergence = value }
        if let value = try milliseconds("lead_up_s") { definition.leadUpMilliseconds = value }
        if let value = try integer("lead_up_reads") { definition.leadUpReadsCounted = value }
        if let problem = definition.problem { throw Problem("\(file): [convoy] \(problem)") }
        convoy = definition
    }
}
