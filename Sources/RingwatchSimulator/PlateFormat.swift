/// The plate formats on the road, with how each is printed (readers send the printed form; the
/// engine normalises it).
///
/// Every format numbers its plates 0..<capacity, and the normalised patterns of the formats are
/// disjoint (letters and digits in different places or different lengths), so distinct
/// (format, number) pairs are distinct plates.
enum PlateFormat: UInt8, CaseIterable, Sendable {
    /// Belgian since 2008: `1-ABC-123` and the `2-` series.
    case belgianCurrent
    /// Belgian before 2008: `ABC-123`.
    case belgianLetters
    /// Belgian before 2008: `123-ABC`.
    case belgianDigits
    /// Dutch sidecode `AB-123-C` (consonants only).
    case dutchLettersFirst
    /// Dutch sidecode `12-ABC-3`.
    case dutchDigitsFirst
    /// French SIV: `AB-123-CD` (no I, O, U).
    case french
    /// German: `B-AB 1234` (district, letters, number).
    case german

    /// ISO 3166 alpha-2 of the issuing country.
    var country: String {
        switch self {
        case .belgianCurrent, .belgianLetters, .belgianDigits: "BE"
        case .dutchLettersFirst, .dutchDigitsFirst: "NL"
        case .french: "FR"
        case .german: "DE"
        }
    }

    var isBelgian: Bool { country == "BE" }

    private static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    private static let dutchLetters = Array("BDFGHJKLNPRSTVXZ".utf8)
    private static let frenchLetters = Array("ABCDEFGHJKLMNPQRSTVWXYZ".utf8)
    private static let germanDistricts = ["B", "M", "K", "F", "D", "S", "E", "HH", "AC", "KR", "MG", "DU"].map { Array($0.utf8) }

    /// How many distinct plates the format can print.
    var capacity: UInt64 {
        switch self {
        case .belgianCurrent: 2 * 26 * 26 * 26 * 999
        case .belgianLetters, .belgianDigits: 26 * 26 * 26 * 999
        case .dutchLettersFirst: 16 * 16 * 16 * 999
        case .dutchDigitsFirst: 90 * 16 * 16 * 16 * 9
        case .french: 23 * 23 * 23 * 23 * 999
        case .german: UInt64(PlateFormat.germanDistricts.count) * 26 * 26 * 9000
        }
    }

    /// The format vehicle number `index` is given: this one, unless the format has fewer plates
    /// than the fleet has numbers below `index` — then vehicles `index` and `index − capacity`
    /// would share a plate — in which case the country's (or, abroad, the world's) largest
    /// format. Distinct vehicles below `belgianCurrent.capacity` thus always get distinct plates.
    func roomy(forVehicle index: Int) -> PlateFormat {
        guard UInt64(index) >= capacity else { return self }
        return isBelgian ? .belgianCurrent : .french
    }

    /// Appends the printed form of plate `number` (< capacity) to `out`.
    func write(number: UInt64, into out: inout [UInt8]) {
        var rest = number
        func take(_ radix: UInt64) -> Int {
            let value = rest % radix
            rest /= radix
            return Int(value)
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var remainder = value
            while divisor > 0 {
                out.append(UInt8(48 + remainder / divisor))
                remainder %= divisor
                divisor /= 10
            }
        }
        let dash: UInt8 = 45
        switch self {
        case .belgianCurrent:
            let number = take(999) + 1
            let c = take(26), b = take(26), a = take(26)
            out.append(UInt8(49 + take(2)))
            out.append(dash)
            out.append(PlateFormat.letters[a]); out.append(PlateFormat.letters[b]); out.append(PlateFormat.letters[c])
            out.append(dash)
            digits(number, 3)
        case .belgianLetters:
            let number = take(999) + 1
            let c = take(26), b = take(26), a = take(26)
            out.append(PlateFormat.letters[a]); out.append(PlateFormat.letters[b]); out.append(PlateFormat.letters[c])
            out.append(dash)
            digits(number, 3)
        case .belgianDigits:
            let number = take(999) + 1
            let c = take(26), b = take(26), a = take(26)
            digits(number, 3)
            out.append(dash)
            out.append(PlateFormat.letters[a]); out.append(PlateFormat.letters[b]); out.append(PlateFormat.letters[c])
        case .dutchLettersFirst:
            let number = take(999) + 1
            let c = take(16), b = take(16), a = take(16)
            out.append(PlateFormat.dutchLetters[a]); out.append(PlateFormat.dutchLetters[b])
            out.append(dash)
            digits(number, 3)
            out.append(dash)
            out.append(PlateFormat.dutchLetters[c])
        case .dutchDigitsFirst:
            let last = take(9) + 1
            let c = take(16), b = take(16), a = take(16)
            let first = take(90) + 10
            digits(first, 2)
            out.append(dash)
            out.append(PlateFormat.dutchLetters[a]); out.append(PlateFormat.dutchLetters[b]); out.append(PlateFormat.dutchLetters[c])
            out.append(dash)
            digits(last, 1)
        case .french:
            let number = take(999) + 1
            let d = take(23), c = take(23), b = take(23), a = take(23)
            out.append(PlateFormat.frenchLetters[a]); out.append(PlateFormat.frenchLetters[b])
            out.append(dash)
            digits(number, 3)
            out.append(dash)
            out.append(PlateFormat.frenchLetters[c]); out.append(PlateFormat.frenchLetters[d])
        case .german:
            let number = take(9000) + 1000
            let b = take(26), a = take(26)
            let district = PlateFormat.germanDistricts[take(UInt64(PlateFormat.germanDistricts.count))]
            out.append(contentsOf: district)
            out.append(dash)
            out.append(PlateFormat.letters[a]); out.append(PlateFormat.letters[b])
            out.append(32)
            digits(number, 4)
        }
    }
}

/// A bijection from vehicle numbers to plate numbers of one format, so every vehicle gets a
/// distinct plate without a table, and different seeds give different plates.
///
/// The map is a keyed pseudo-random permutation (a four-round Feistel network over
/// `rows × columns ≥ capacity`, walked until it lands below the capacity), not an affine one:
/// under `index × m + o` the plates of vehicles *i* and *i + k* differ by the same digits for
/// every *i*, so whole ranges of the fleet (and of the hotlist decoys numbered after it) would
/// be look-alikes of one another — a `D` in one plate where the other has a `Q` — far more
/// often than plates drawn at random are.
struct PlateNumbering: Sendable {
    let format: PlateFormat
    private let rows: UInt64
    private let columns: UInt64
    private let keys: [UInt64]

    init(format: PlateFormat, seed: UInt64) {
        self.format = format
        let capacity = format.capacity
        var rows = UInt64(Double(capacity).squareRoot())
        while rows * rows < capacity { rows += 1 }
        self.rows = rows
        columns = (capacity + rows - 1) / rows
        keys = (0..<4).map { SplitMix64.key(seed: seed, stream: .plateNumber, UInt64(format.rawValue), UInt64($0)) }
    }

    /// The plate number of vehicle `index`; distinct indexes below the capacity give distinct numbers.
    func number(for index: UInt64) -> UInt64 {
        // Cycle walking: the permutation of 0..<rows × columns, applied until the result is a plate.
        var value = index % format.capacity
        repeat { value = permuted(value) } while value >= format.capacity
        return value
    }

    /// One pass of the Feistel network over 0..<rows × columns (FE1: each round maps
    /// `(left, right)` to `(right, left + F(right))`, swapping the two radixes).
    private func permuted(_ value: UInt64) -> UInt64 {
        var value = value
        var (high, low) = (rows, columns)
        for key in keys {
            let left = value / low, right = value % low
            let mixed = (left + SplitMix64.mix(right ^ key) % high) % high
            value = right * high + mixed
            (high, low) = (low, high)
        }
        return value
    }
}
