import RingwatchIndex

/// What the clone detector remembers about recent reads that the window does not keep: the
/// classifier's confidence and the doubtful characters (`CloneDetector.ReadQuality`).
///
/// Kept beside the window, under each read's `WindowPosition`, in arrays per window partition:
/// eight bytes per read for the classifier confidence (which also says that the detector saw
/// the read), and an entry only for the few reads with doubtful characters. A dictionary keyed by read id spanning two hours of national traffic
/// (millions of reads) cost a hash and a cache miss to insert and to forget every read, and
/// several times the memory. Whole partitions are forgotten once their newest read is older
/// than the horizon the owner gives.
struct ReadQualityMemory {
    fileprivate struct Slice {
        /// Classifier confidence bit patterns by window index; `unknown` where nothing is known.
        var vehicleConfidences: [UInt64] = []
        /// Reads with doubtful characters, by ascending window index.
        var weak: [(index: Int, positions: UInt16, weakest: Double)] = []
        /// Event time of the newest read remembered here.
        var newest: Int64 = .min
    }

    /// NaN payloads no decoded confidence carries: a read the detector did not see (restored
    /// into the window at a restart, or padding), and a read it saw without a confidence.
    fileprivate static let unknown: UInt64 = 0x7FF4_0000_DEAD_BEEF
    fileprivate static let noConfidence: UInt64 = 0x7FF4_0000_DEAD_BEF0

    private var slices: [Int64: Slice] = [:]

    /// Partitions holding something.
    var partitionCount: Int { slices.count }

    /// Remembers the quality of the read kept at `position`, taken at `time`, and that the
    /// detector saw it.
    mutating func remember(_ quality: CloneDetector.ReadQuality, at position: WindowPosition, time: Int64) {
        slices[position.partition, default: Slice()].record(quality, at: position.index, time: time)
    }

    /// The quality remembered for the read at `position`; nil when there is nothing beyond the
    /// default (no classifier confidence, no doubtful character) or the read was not seen.
    func quality(at position: WindowPosition) -> CloneDetector.ReadQuality? {
        guard let slice = slices[position.partition] else { return nil }
        return slice.quality(at: position.index)
    }

    /// True when the read at `position` was remembered (and not forgotten since).
    func saw(_ position: WindowPosition) -> Bool {
        guard let slice = slices[position.partition], position.index < slice.vehicleConfidences.count else { return false }
        return slice.vehicleConfidences[position.index] != ReadQualityMemory.unknown
    }

    /// Forgets the partitions whose newest read is older than `cutoff`.
    mutating func forget(before cutoff: Int64) {
        guard slices.values.contains(where: { $0.newest < cutoff }) else { return }
        slices = slices.filter { $0.value.newest >= cutoff }
    }

    /// Bytes held, estimated from the arrays' capacities.
    var estimatedBytes: Int {
        slices.values.reduce(0) { $0 + $1.vehicleConfidences.capacity * 8 + $1.weak.capacity * 24 }
    }
}

extension ReadQualityMemory.Slice {
    mutating func record(_ quality: CloneDetector.ReadQuality, at index: Int, time: Int64) {
        newest = max(newest, time)
        if index >= vehicleConfidences.count {
            vehicleConfidences.append(contentsOf: repeatElement(ReadQualityMemory.unknown, count: index - vehicleConfidences.count + 1))
        }
        vehicleConfidences[index] = quality.vehicleConfidence?.bitPattern ?? ReadQualityMemory.noConfidence
        guard quality.weakPositions != 0 else { return }
        // Reads come in window order, so appending keeps the indexes ascending; a repeat replaces.
        let entry = (index: index, positions: quality.weakPositions, weakest: quality.weakestConfidence)
        if let last = weak.last, last.index >= index {
            let at = insertionPoint(of: index)
            if at < weak.count, weak[at].index == index { weak[at] = entry } else { weak.insert(entry, at: at) }
        } else {
            weak.append(entry)
        }
    }

    func quality(at index: Int) -> CloneDetector.ReadQuality? {
        let bits = index < vehicleConfidences.count ? vehicleConfidences[index] : ReadQualityMemory.unknown
        let known = bits != ReadQualityMemory.unknown && bits != ReadQualityMemory.noConfidence
        let at = insertionPoint(of: index)
        let doubtful = at < weak.count && weak[at].index == index ? weak[at] : nil
        guard known || doubtful != nil else { return nil }
        return CloneDetector.ReadQuality(
            vehicleConfidence: known ? Double(bitPattern: bits) : nil,
            weakPositions: doubtful?.positions ?? 0, weakestConfidence: doubtful?.weakest ?? 1)
    }

    /// The first place in `weak` whose index is not below `index`.
    private func insertionPoint(of index: Int) -> Int {
        var low = 0, high = weak.count
        while low < high {
            let middle = (low + high) / 2
            if weak[middle].index < index { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
