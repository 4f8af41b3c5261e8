extension OCRTolerance {
    /// The confusion substitutions by which `read` matches the wildcard `pattern` (`?` is one
    /// character, `*` any run, possibly empty), fewest first; `[]` for a literal match; nil when
    /// it needs more than `substitutionLimit(forPattern:)`. Drops and additions do not apply:
    /// the wildcards already say where the witness was unsure.
    public func edits(read: [UInt8], pattern: [UInt8]) -> [PlateEdit]? {
        let n = read.count, m = pattern.count
        let width = n + 1
        var cost = [UInt8](repeating: 0, count: (m + 1) * width)
        let total = read.withUnsafeBufferPointer { read in
            pattern.withUnsafeBufferPointer { pattern in
                cost.withUnsafeMutableBufferPointer { fillWildcardCosts(read: read, pattern: pattern, into: $0) }
            }
        }
        guard total != UInt8.max, Int(total) <= substitutionLimit(forPattern: pattern) else { return nil }
        var edits: [PlateEdit] = []
        var i = m, j = n
        while i > 0 {
            let symbol = pattern[i - 1]
            if symbol == 42 {
                if cost[(i - 1) * width + j] == cost[i * width + j] { i -= 1 } else { j -= 1 }
                continue
            }
            if symbol != 63 && symbol != read[j - 1] {
                edits.append(PlateEdit(kind: .substituted, listedIndex: i - 1, readIndex: j - 1, read: read[j - 1], listed: symbol))
            }
            i -= 1
            j -= 1
        }
        return edits.reversed()
    }

    /// Substitutions forgiven when matching `pattern`: one per three characters it fixes, at
    /// most `maximumSubstitutions`. A pattern says little (`*C123` fixes four characters), and
    /// two substitutions on top would match a large share of all plates.
    public func substitutionLimit(forPattern pattern: some Collection<UInt8>) -> Int {
        min(maximumSubstitutions, pattern.count(where: { $0 != 42 && $0 != 63 }) / 3)
    }

    /// A SQLite `GLOB` pattern matching every plate that `pattern` (with `?`/`*`) matches with
    /// any number of confusion substitutions: each confusable literal becomes its class in
    /// brackets (`1AB*` → `[1I]A[B8]*`). The caller filters the rows with
    /// `edits(read:pattern:)` to hold the substitution limit.
    public func fuzzyGlob(for pattern: String) -> String {
        guard maximumSubstitutions > 0 else { return pattern }
        var out = ""
        for byte in pattern.utf8 {
            let alternatives = confusions.alternatives(of: byte)
            if alternatives.isEmpty {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += "[" + String(decoding: [byte] + alternatives, as: UTF8.self) + "]"
            }
        }
        return out
    }
}
