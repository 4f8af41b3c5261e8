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
        let n = read.count, m = pattern.count
        let width = n + 1
        var literals = 0
        for symbol in pattern where symbol != 42 && symbol != 63 { literals += 1 }
        let limit = min(maximumSubstitutions, literals / 3)
        let impossible = UInt8.max
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: (m + 1) * width) { cost in
            cost.initialize(repeating: impossible)
            cost[0] = 0
            for i in stride(from: 1, through: m, by: 1) {
                let symbol = pattern[i - 1]
                for j in 0...n {
                    var best = impossible
                    if symbol == 42 {
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
            let total = cost[m * width + n]
            return total != impossible && Int(total) <= limit
        }
    }
}
