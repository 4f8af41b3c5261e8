extension ConvoyDefinition {
    /// The parameters that decide which pairs meet the definition and how they score, as one
    /// text: the convoy pair log answers a search only for hours the live tracker ran under the
    /// same text. Left out are the parameters a search applies itself over the log: the
    /// reporting score, the grouping and quiet period, the commuter rule, severities, and
    /// `minimumPairScore`, which the log keeps apart (a search may ask for more, not less).
    public var pairLogFingerprint: String {
        let parts: [String] = [
            "v1", "gap=\(maxGapMilliseconds)", "cameras=\(minCameras)", "window=\(windowMilliseconds)",
            "tolerance=\(gapToleranceMilliseconds)", "excluded=\(excludedVehicleTypes.sorted().joined(separator: "+"))",
            "route=\(routePersistence)", "follow=\(followOnPersistence)", "steady_ratio=\(steadyGapRatio)",
            "steady_share=\(steadyShare)", "drift=\(gapDrift)", "jitter=\(gapJitterMilliseconds)", "chance=\(chanceScale)",
            "lead_up=\(leadUpDivergence)/\(leadUpMilliseconds)/\(leadUpReadsCounted)", "floor=\(gapFloorMilliseconds)",
            "candidates=\(maximumCandidates)",
        ]
        return parts.joined(separator: " ")
    }
}
