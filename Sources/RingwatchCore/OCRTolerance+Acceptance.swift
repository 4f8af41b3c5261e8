extension OCRTolerance {
    /// Whether `read` matches the listed plate `listed` (no wildcards) within this tolerance:
    /// `edits(read:listed:) != nil`, without allocating — the matcher's check of every candidate.
    public func accepts(read: UnsafeBufferPointer<UInt8>, listed: UnsafeBufferPointer<UInt8>) -> Bool {
        if read.count == listed.count {
            var substitutions = 0
            for index in 0..<read.count where read[index] != listed[index] {
                guard substitutions < maximumSubstitutions, confusions.sameClass(read[index], listed[index]) else { return false }
                substitutions += 1
            }
            return true
        }
        guard forgivesDropInsert(listedLength: listed.count), abs(read.count - listed.count) == 1 else { return false }
        let budget = max(maximumSubstitutions, 1) - 1
        let (longer, shorter) = read.count < listed.count ? (listed, read) : (read, listed)
        for gap in 0..<longer.count {
            if gap > 0 && longer[gap] == longer[gap - 1] { continue }
            var substitutions = 0
            var aligned = true
            for index in 0..<shorter.count {
                let other = longer[index < gap ? index : index + 1]
                guard other != shorter[index] else { continue }
                guard substitutions < budget, confusions.sameClass(other, shorter[index]) else {
                    aligned = false
                    break
                }
                substitutions += 1
            }
            if aligned { return true }
        }
        return false
    }

    /// Whether `read` matches the wildcard `pattern`: `edits(read:pattern:) != nil`, without
    /// allocating on the heap.
    public func accepts(read: UnsafeBufferPointer<UInt8>, pattern: UnsafeBufferPointer<UInt8>) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: (pattern.count + 1) * (read.count + 1)) { cost in
            let total = fillWildcardCosts(read: read, pattern: pattern, into: cost)
            return total != UInt8.max && Int(total) <= substitutionLimit(forPattern: pattern)
        }
    }

    /// Fills `cost` (`(pattern.count + 1) × (read.count + 1)`, row by pattern position) so that
    /// `cost[i * (read.count + 1) + j]` is the fewest confusion substitutions matching
    /// `pattern[..<i]` against `read[..<j]`, `UInt8.max` where they cannot match; returns the
    /// whole pattern's against the whole read.
    func fillWildcardCosts(read: UnsafeBufferPointer<UInt8>, pattern: UnsafeBufferPointer<UInt8>,
                           into cost: UnsafeMutableBufferPointer<UInt8>) -> UInt8 {
        let n = read.count, m = pattern.count
        let width = n + 1
        let impossible = UInt8.max
        cost.initialize(repeating: impossible)
        cost[0] = 0
        for i in stride(from: 1, through: m, by: 1) {
            let symbol = pattern[i - 1]
            for j in 0...n {
                var best = impossible
                if symbol == 42 {  // '*': an empty run, or one more character into the run
                    best = cost[(i - 1) * width + j]
                    if j > 0 { best = min(best, cost[i * width + j - 1]) }
                } else if j > 0, cost[(i - 1) * width + j - 1] != impossible {
                    let previous = cost[(i - 1) * width + j - 1]
                    if symbol == 63 || symbol == read[j - 1] {
                        best = previous
                    } else if confusions.sameClass(symbol, read[j - 1]) {
                        best = previous + 1
                    }
                }
                cost[i * width + j] = best
            }
        }
        return cost[m * width + n]
    }
}
