/// Merges pairs that share vehicles into convoys of two or more (A–B and B–C make A, B, C).
public enum ConvoyGrouping {
    /// The connected groups of `pairs`, each summarised, strongest first.
    public static func groups(_ pairs: [PairConvoy], maxGapMilliseconds: Int64) -> [ConvoyGroup] {
        var parent: [String: String] = [:]
        func root(_ plate: String) -> String {
            var node = plate
            while let up = parent[node], up != node { node = up }
            // Path compression keeps later look-ups short.
            var walk = plate
            while let up = parent[walk], up != node { parent[walk] = node; walk = up }
            return node
        }
        for pair in pairs {
            if parent[pair.pair.first] == nil { parent[pair.pair.first] = pair.pair.first }
            if parent[pair.pair.second] == nil { parent[pair.pair.second] = pair.pair.second }
            let a = root(pair.pair.first), b = root(pair.pair.second)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var members: [String: [PairConvoy]] = [:]
        for pair in pairs { members[root(pair.pair.first), default: []].append(pair) }
        return members.values
            .map { ConvoyGroup(pairs: $0, maxGapMilliseconds: maxGapMilliseconds) }
            .sorted { ($0.score, $0.plates.count, $1.first.milliseconds) > ($1.score, $1.plates.count, $0.first.milliseconds) }
    }
}
