import Synchronization

/// Latencies in nanoseconds, counted in log-linear buckets: 32 buckets per power of two, so a
/// percentile is read within about 3 % of its value whatever its size, in fixed memory.
///
/// The pipeline records the time from a read's arrival to the publication of each trigger it
/// fires; benchmarks and `/metrics` read percentiles from it.
public struct LatencyHistogram: Sendable {
    /// Sub-buckets per power of two (2^5).
    static let subBucketBits = 5
    static let subBuckets = 1 << subBucketBits
    /// Powers of two covered: up to 2^40 ns (about 18 minutes).
    static let powers = 40

    private var counts = [UInt64](repeating: 0, count: (powers + 1) * subBuckets)
    public private(set) var count: UInt64 = 0
    public private(set) var maximum: UInt64 = 0

    public init() {}

    static func bucket(_ value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let power = 63 - value.leadingZeroBitCount
        let shift = power - subBucketBits
        let sub = Int((value >> UInt64(shift)) & UInt64(subBuckets - 1))
        let index = (shift + 1) * subBuckets + sub
        return min(index, (powers + 1) * subBuckets - 1)
    }

    /// The largest value counted in `index`.
    static func upperBound(_ index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = index / subBuckets - 1
        let sub = UInt64(index % subBuckets)
        return ((UInt64(subBuckets) + sub + 1) << UInt64(shift)) - 1
    }

    public mutating func record(nanoseconds value: UInt64) {
        counts[LatencyHistogram.bucket(value)] += 1
        count += 1
        maximum = max(maximum, value)
    }

    /// The smallest bucket bound at or below which `fraction` of the values lie (nanoseconds);
    /// 0 when empty.
    public func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let target = UInt64((Double(count) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (index, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= max(target, 1) { return min(LatencyHistogram.upperBound(index), maximum) }
        }
        return maximum
    }

    public mutating func reset() { self = LatencyHistogram() }
}

/// A `LatencyHistogram` shared between the pipeline thread (writer) and readers.
public final class SharedLatencyHistogram: Sendable {
    private let histogram = Mutex(LatencyHistogram())
    public init() {}
    func record(nanoseconds: UInt64) { histogram.withLock { $0.record(nanoseconds: nanoseconds) } }
    public var snapshot: LatencyHistogram { histogram.withLock { $0 } }
    public func reset() { histogram.withLock { $0.reset() } }
}
