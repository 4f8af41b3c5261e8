import Foundation
import RingwatchCore

/// Where and when a vehicle is likely to be seen: one row of `ringwatch predict`.
public struct PresencePrediction: Sendable, Hashable {
    public let camera: String
    /// 0 = Monday … 6 = Sunday, in local time (`utcOffsetMinutes`).
    public let weekday: Int
    /// 0…23, local time.
    public let hour: Int
    /// Chance that the vehicle is read at the camera in a given such hour.
    public let probability: Double
    /// Such hours in the history in which it was read there.
    public let observations: Int
    /// Such hours in the history in all.
    public let occasions: Int
}

/// A vehicle's presence by camera and hour of the week, estimated from its history.
///
/// For each camera, weekday and hour, the history holds `n` such hours (occasions), in `k` of
/// which the vehicle was read at the camera; pooled over like days (the five weekdays at that
/// hour; Saturday and Sunday each alone) that is `k_p` of `n_p`. `k / n` alone is
/// overconfident with four weeks of history: most single sightings are chance, not habit.
/// So the estimate is a mixture of two explanations:
///
/// - chance: a small base rate `b` whatever the history;
/// - habit: a rate of its own (uniform prior), estimated as `(k + s·m) / (n + s)` with
///   `m = (k_p + 1) / (n_p + 2)`: the slot's own count shrunk towards the like days'.
///
/// Each is weighted by how well it explains the pooled counts (a habit a priori with chance
/// `π`; the habit's likelihood is the Beta-Binomial `B(k_p+1, n_p−k_p+1)`, chance's
/// `b^k_p (1−b)^(n_p−k_p)`). A habit of every weekday keeps a high probability after a few
/// weeks; a single sighting stays a small one. `CalibrationReport` measures how well that
/// holds on held-out history (`ringwatch predict --evaluate`).
public struct PresenceModel: Sendable {
    /// Weight of the like days' rate against the slot's own (pseudo-occasions). Default 1.
    public var strength = 1.0
    /// Prior chance that a camera and hour with sightings is a habit. Default 0.05.
    public var habitPrior = 0.05
    /// The chance rate: a sighting with no habit behind it. Default 0.005.
    public var baseRate = 0.005
    /// Minutes local time is ahead of UTC. Default 0.
    public let utcOffsetMinutes: Int

    /// Sighting hours per camera and slot (`weekday * 24 + hour`).
    private var seen: [String: [Int: Int]] = [:]
    /// Occasions per slot.
    private var occasions = [Int](repeating: 0, count: 168)

    /// Counts `passages` (one vehicle's) over the whole hours of `from..<to`.
    public init(passages: [Passage], from: Timestamp, to: Timestamp, utcOffsetMinutes: Int = 0) {
        self.utcOffsetMinutes = utcOffsetMinutes
        let offset = Int64(utcOffsetMinutes) * 60_000
        let firstHour = (from.milliseconds + 3_599_999).floorDivided(by: 3_600_000)
        let lastHour = to.milliseconds.floorDivided(by: 3_600_000)  // exclusive
        if lastHour > firstHour {
            for hour in firstHour..<lastHour { occasions[PresenceModel.slot(hour * 3_600_000 + offset)] += 1 }
        }
        var hoursSeen = Set<String>()
        for passage in passages {
            let hour = passage.time.milliseconds.floorDivided(by: 3_600_000)
            guard hour >= firstHour, hour < lastHour, hoursSeen.insert("\(passage.camera)|\(hour)").inserted else { continue }
            seen[passage.camera, default: [:]][PresenceModel.slot(passage.time.milliseconds + offset), default: 0] += 1
        }
    }

    /// `weekday * 24 + hour` of a local time in milliseconds.
    static func slot(_ localMilliseconds: Int64) -> Int {
        let time = Timestamp(milliseconds: localMilliseconds)
        return time.weekday * 24 + time.hourOfDay
    }

    /// The slots pooled with `slot`: the same hour on every weekday, or on the same weekend day.
    static func pool(_ slot: Int) -> [Int] {
        let weekday = slot / 24, hour = slot % 24
        return weekday < 5 ? (0..<5).map { $0 * 24 + hour } : [slot]
    }

    /// The probability of a sighting at `camera` in the hour of the week `slot`.
    public func probability(camera: String, slot: Int) -> Double {
        let counts = seen[camera] ?? [:]
        var pooledSeen = 0, pooledOccasions = 0
        for other in PresenceModel.pool(slot) {
            pooledSeen += counts[other] ?? 0
            pooledOccasions += occasions[other]
        }
        let k = Double(pooledSeen), n = Double(pooledOccasions)
        let logHabit = lgamma(k + 1) + lgamma(n - k + 1) - lgamma(n + 2) + log(habitPrior)
        let logChance = k * log(baseRate) + (n - k) * log1p(-baseRate) + log1p(-habitPrior)
        let habitWeight = 1 / (1 + exp(logChance - logHabit))
        let pooled = (k + 1) / (n + 2)
        let habitRate = (Double(counts[slot] ?? 0) + strength * pooled) / (Double(occasions[slot]) + strength)
        return habitWeight * habitRate + (1 - habitWeight) * baseRate
    }

    /// Every camera and hour of the week with evidence (a sighting at that camera in that hour
    /// on a like day), best first; only `slot` when given.
    public func predictions(slot only: Int? = nil) -> [PresencePrediction] {
        var out: [PresencePrediction] = []
        for (camera, counts) in seen {
            var slots = Set<Int>()
            for slot in counts.keys { slots.formUnion(PresenceModel.pool(slot)) }
            for slot in slots where only == nil || only == slot {
                out.append(PresencePrediction(
                    camera: camera, weekday: slot / 24, hour: slot % 24, probability: probability(camera: camera, slot: slot),
                    observations: counts[slot] ?? 0, occasions: occasions[slot]))
            }
        }
        return out.sorted {
            ($0.probability, $0.observations, $1.camera, $1.weekday * 24 + $1.hour) > ($1.probability, $1.observations, $0.camera, $0.weekday * 24 + $0.hour)
        }
    }

    /// The hour of the week of `time`, local time.
    public func slot(of time: Timestamp) -> Int { PresenceModel.slot(time.milliseconds + Int64(utcOffsetMinutes) * 60_000) }
}

/// How calibrated predictions were on held-out history: predictions grouped by probability
/// (tenths), with the share that came true in each group.
public struct CalibrationReport: Sendable {
    public struct Bin: Sendable {
        public let low: Double
        public let high: Double
        public var predicted = 0.0
        public var cameTrue = 0
        public var trials = 0
        /// Mean predicted probability in the bin.
        public var meanPredicted: Double { trials == 0 ? 0 : predicted / Double(trials) }
        /// Share of the bin's predictions that came true.
        public var observed: Double { trials == 0 ? 0 : Double(cameTrue) / Double(trials) }
    }

    public private(set) var bins: [Bin] = (0..<10).map { Bin(low: Double($0) / 10, high: Double($0 + 1) / 10) }
    private var squaredError = 0.0
    public private(set) var trials = 0
    public private(set) var vehicles = 0

    public init() {}

    /// Scores `model` (fitted on a vehicle's earlier history) against the vehicle's `passages`
    /// in `from..<to`: one trial per predicted camera and whole hour of that span.
    public mutating func score(_ model: PresenceModel, passages: [Passage], from: Timestamp, to: Timestamp) {
        let predictions = model.predictions()
        guard !predictions.isEmpty else { return }
        vehicles += 1
        var bySlot: [Int: [PresencePrediction]] = [:]
        for prediction in predictions { bySlot[prediction.weekday * 24 + prediction.hour, default: []].append(prediction) }
        var happened = Set<String>()
        for passage in passages { happened.insert("\(passage.camera)|\(passage.time.hourNumber)") }
        let firstHour = (from.milliseconds + 3_599_999).floorDivided(by: 3_600_000)
        let lastHour = to.milliseconds.floorDivided(by: 3_600_000)
        guard lastHour > firstHour else { return }
        for hour in firstHour..<lastHour {
            for prediction in bySlot[model.slot(of: Timestamp(milliseconds: hour * 3_600_000))] ?? [] {
                let came = happened.contains("\(prediction.camera)|\(hour)")
                let bin = min(9, Int(prediction.probability * 10))
                bins[bin].predicted += prediction.probability
                bins[bin].trials += 1
                if came { bins[bin].cameTrue += 1 }
                let error = prediction.probability - (came ? 1 : 0)
                squaredError += error * error
                trials += 1
            }
        }
    }

    /// Mean squared error of the predictions (Brier score): lower is better.
    public var brier: Double { trials == 0 ? 0 : squaredError / Double(trials) }

    /// Expected calibration error: the trials-weighted mean gap between predicted and observed.
    public var expectedCalibrationError: Double {
        guard trials > 0 else { return 0 }
        return bins.reduce(0) { $0 + Double($1.trials) * abs($1.meanPredicted - $1.observed) } / Double(trials)
    }
}
