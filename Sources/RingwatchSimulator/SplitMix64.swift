#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The simulator's only source of randomness: SplitMix64 (Steele, Lea and Flood), small, fast
/// and the same on every machine.
///
/// Streams are *keyed*: `SplitMix64(seed:, stream:, _:, _:)` gives the generator of one named
/// thing (a commuter's day, the visitors of one minute), so a value can be drawn again later
/// without keeping it, and adding one kind of traffic does not shift the numbers of another.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(state: UInt64) { self.state = state }

    /// The generator of stream `stream` for keys `a`, `b`, `c` under `seed`.
    init(seed: UInt64, stream: Stream, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0) {
        state = SplitMix64.key(seed: seed, stream: stream, a, b, c)
    }

    /// A 64-bit value that depends on every input bit (used to derive attributes without a generator).
    static func key(seed: UInt64, stream: Stream, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0) -> UInt64 {
        var h = mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream.rawValue &+ 1))
        h = mix(h ^ a)
        h = mix(h &+ (b &* 0xD6E8_FEB8_6659_FD93))
        return mix(h ^ (c &* 0xA076_1D64_78BD_642F))
    }

    /// The splitmix64 finaliser: a bijection on 64 bits with full avalanche.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The independent streams the simulator draws from.
    enum Stream: UInt64 {
        case network = 1, fleet, vehicle, plateFormat, plateNumber, commuter, commuterDay, van, vanDay, bus
        case visitorCount, visitorArrival, journey, sensor, camera, plant, hotlist, decoy, calibration
        case visitorPool
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, n) for n > 0 (multiply-shift; the bias is below 2^-32 for the sizes used here).
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: (next().multipliedFullWidth(by: UInt64(n))).high)
    }

    /// Uniform in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Roughly standard normal (Irwin–Hall of four uniforms, scaled): bounded to ±`normalBound`,
    /// which keeps travel-time noise from producing absurd outliers, and needs no transcendental
    /// function.
    mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.7320508075688772
    }

    /// The largest magnitude `normal()` can return (2 × √3): what bounds the slowest trip.
    static let normalBound = 2 * 1.7320508075688772

    /// A Poisson count with the given mean (Knuth's product method when small, normal beyond).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 30 {
            let limit = exp(-mean)
            var product = unit()
            var count = 0
            while product > limit {
                product *= unit()
                count += 1
            }
            return count
        }
        return max(0, Int((mean + mean.squareRoot() * normal()).rounded()))
    }

    /// An index drawn from cumulative weights (`cumulative.last` is the total).
    mutating func pick(_ cumulative: [UInt32]) -> Int {
        let total = Int(cumulative[cumulative.count - 1])
        let target = UInt32(below(total))
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Cumulative integer weights for `SplitMix64.pick`.
func cumulativeWeights(_ weights: [Int]) -> [UInt32] {
    var total: UInt32 = 0
    return weights.map { weight in
        total += UInt32(weight)
        return total
    }
}
