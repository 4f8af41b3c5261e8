import RingwatchCore

extension ConvoyTracker {
    /// One assessment of a pair that met the convoy definition, as `onPairAssessed` reports it:
    /// enough to replay the grouping and the commuter rule of the period-wide history search
    /// without the reads (`ConvoySearch`'s pair log path).
    public struct AssessedPair: Sendable {
        /// What the tracker did with the assessment.
        public enum Kind: Int, Sendable {
            /// Met the definition below `minimumPairScore`: counts for the commuter rule only.
            case met = 0
            /// Met it at `minimumPairScore` or more: added to (or refreshed in) the grouping.
            case grouped = 1
            /// Re-assessed as its convoy was announced again: replaces the pair's evidence.
            case updated = 2
        }

        public let convoy: PairConvoy
        /// Event time (ms) of the read that led to the assessment; its day counts for the
        /// commuter rule.
        public let readTime: Int64
        /// Event time (ms) of the newest co-occurrence seen: how long its convoy stays open.
        public let lastEvidence: Int64
        public let kind: Kind

        public init(convoy: PairConvoy, readTime: Int64, lastEvidence: Int64, kind: Kind) {
            self.convoy = convoy
            self.readTime = readTime
            self.lastEvidence = lastEvidence
            self.kind = kind
        }
    }
}
