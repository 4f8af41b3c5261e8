import RingwatchCore

/// What a plate reader gets wrong: substitutions between the characters of
/// `OCRConfusions.standard` (`B`↔`8`, `O`↔`0`↔`D`↔`Q`, `I`↔`1`, `S`↔`5`, `Z`↔`2`, `G`↔`6`), now
/// and then a dropped or an extra character, and per-character confidences that are lower
/// where it went wrong.
///
/// Works in place on the printed plate bytes so that the common case, a correct read, costs no
/// allocation.
struct SensorModel: Sendable {
    /// What happened to a read's plate.
    enum Misread: String, Sendable {
        case none, substitution, drop, insert
    }

    /// What to do with one read: let chance decide, or force an outcome (planted events).
    enum Directive: Sendable, Equatable {
        case natural
        case exact
        case substitutions(Int)
        case drop
        case insert
    }

    let misreadRate: Double
    let doubleSubstitutionShare: Double
    let dropInsertRate: Double
    /// The other characters of each byte's confusion class.
    private let alternatives: [[UInt8]]

    init(configuration: SimulationConfiguration) {
        misreadRate = configuration.misreadRate
        doubleSubstitutionShare = configuration.doubleSubstitutionShare
        dropInsertRate = configuration.dropInsertRate
        alternatives = (0..<256).map { OCRConfusions.standard.alternatives(of: UInt8($0)) }
    }

    /// How one character was read: 0 well, 1 substituted, 2 inserted, 3 beside a dropped one.
    private static let clean: UInt8 = 0, substituted: UInt8 = 1, inserted: UInt8 = 2, besideDrop: UInt8 = 3

    /// Applies the reader to the printed plate in `printed`, writes one confidence per
    /// normalised character (hundredths) to `characterConfidence`, and returns what happened
    /// and the overall confidence in thousandths.
    func read(
        printed: inout [UInt8], directive: Directive, dark: Bool, random: inout SplitMix64,
        marks: inout [UInt8], characterConfidence: inout [UInt8]
    ) -> (misread: Misread, substitutions: Int, confidence: Int) {
        marks.removeAll(keepingCapacity: true)
        for _ in printed.indices { marks.append(SensorModel.clean) }

        var outcome: Misread = .none
        var wanted = 0
        switch directive {
        case .exact: break
        case .substitutions(let count): outcome = .substitution; wanted = count
        case .drop: outcome = .drop
        case .insert: outcome = .insert
        case .natural:
            let draw = random.unit()
            if draw < misreadRate {
                outcome = .substitution
                wanted = random.chance(doubleSubstitutionShare) ? 2 : 1
            } else if draw < misreadRate + dropInsertRate {
                outcome = random.chance(0.5) ? .drop : .insert
            }
        }

        var substitutions = 0
        switch outcome {
        case .none: break
        case .substitution:
            var candidates = printed.indices.filter { !alternatives[Int(printed[$0])].isEmpty }
            while substitutions < wanted, !candidates.isEmpty {
                let position = candidates.remove(at: random.below(candidates.count))
                let options = alternatives[Int(printed[position])]
                printed[position] = options[random.below(options.count)]
                marks[position] = SensorModel.substituted
                substitutions += 1
            }
            if substitutions == 0 { outcome = .none }
        case .drop:
            let characters = printed.indices.filter { SensorModel.isCharacter(printed[$0]) }
            if characters.count > 2 {
                let slot = random.below(characters.count)
                printed.remove(at: characters[slot])
                marks.remove(at: characters[slot])
                if slot > 0 { marks[characters[slot - 1]] = SensorModel.besideDrop }
                if slot + 1 < characters.count { marks[characters[slot + 1] - 1] = SensorModel.besideDrop }
            } else {
                outcome = .none
            }
        case .insert:
            let characters = printed.indices.filter { SensorModel.isCharacter(printed[$0]) }
            if characters.count < Plate.maximumLength {
                let slot = random.below(characters.count + 1)
                let position = slot < characters.count ? characters[slot] : printed.count
                // Readers mostly double a character or see a stray bar as `1`/`I`.
                let neighbour = printed[characters[min(slot, characters.count - 1)]]
                let extra: UInt8 = random.chance(0.5) ? neighbour : (random.chance(0.5) ? 49 : 73)
                printed.insert(extra, at: position)
                marks.insert(SensorModel.inserted, at: position)
            } else {
                outcome = .none
            }
        }

        characterConfidence.removeAll(keepingCapacity: true)
        var sum = 0, lowest = 100
        for index in printed.indices where SensorModel.isCharacter(printed[index]) {
            let value: Int
            switch marks[index] {
            case SensorModel.substituted: value = random.int(in: 38...72)
            case SensorModel.inserted: value = random.int(in: 30...60)
            case SensorModel.besideDrop: value = random.int(in: 50...76)
            default: value = dark ? random.int(in: 78...97) : random.int(in: 88...99)
            }
            characterConfidence.append(UInt8(value))
            sum += value
            lowest = min(lowest, value)
        }
        let mean = characterConfidence.isEmpty ? 0 : sum * 10 / characterConfidence.count
        let confidence = max(100, min(999, (mean * 6 + lowest * 10 * 4) / 10 + random.int(in: -15...15)))
        return (outcome, substitutions, confidence)
    }

    static func isCharacter(_ byte: UInt8) -> Bool { (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) }
}
