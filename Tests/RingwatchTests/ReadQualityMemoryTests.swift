import RingwatchCore
@testable import RingwatchDetectors
import RingwatchIndex
import Testing

@Suite("ReadQualityMemory")
struct ReadQualityMemoryTests {
    /// Window positions come from a real window, as the clone detector gets them.
    func positions(_ count: Int, minutesApart: Int64 = 0) -> [WindowPosition] {
        let index = ReadIndex(configuration: .init(partitionMilliseconds: 60_000, horizonMilliseconds: 3_600_000))
        return (0..<count).map { n in
            let read = PlateRead(
                sourceID: "r\(n)", camera: "R1-01", timestamp: Timestamp(milliseconds: 1_795_334_400_000 + Int64(n) * minutesApart * 60_000),
                plate: Plate(normalised: "1ABC\(100 + n)"))
            index.insert(read)
            return index.inserted(read.id)!.position
        }
    }

    @Test func remembersConfidenceAndDoubtfulCharactersExactly() {
        var memory = ReadQualityMemory()
        let at = positions(5)
        let confident = CloneDetector.ReadQuality(vehicleConfidence: 0.655, weakPositions: 0, weakestConfidence: 1)
        let doubtful = CloneDetector.ReadQuality(vehicleConfidence: nil, weakPositions: 0b1010, weakestConfidence: 0.315)
        let both = CloneDetector.ReadQuality(vehicleConfidence: 0.1 + 0.2, weakPositions: 1, weakestConfidence: 0.5)
        let nothing = CloneDetector.ReadQuality(vehicleConfidence: nil, weakPositions: 0, weakestConfidence: 1)
        memory.remember(confident, at: at[0], time: 0)
        memory.remember(doubtful, at: at[1], time: 0)
        memory.remember(nothing, at: at[2], time: 0)
        memory.remember(both, at: at[4], time: 0)
        #expect(memory.quality(at: at[0]) == confident)
        #expect(memory.quality(at: at[1]) == doubtful)
        #expect(memory.quality(at: at[2]) == nil)
        #expect(memory.quality(at: at[3]) == nil)
        #expect(memory.quality(at: at[4]) == both)
        // A read seen with nothing to say is still known to have been seen; a skipped one not.
        #expect(memory.saw(at[0]) && memory.saw(at[1]) && memory.saw(at[2]) && memory.saw(at[4]))
        #expect(!memory.saw(at[3]))
    }

    @Test func doubtfulReadsOutOfOrderAreStillFound() {
        var memory = ReadQualityMemory()
        let at = positions(4)
        for (n, position) in [at[3], at[1], at[2], at[0]].enumerated() {
            memory.remember(
                CloneDetector.ReadQuality(vehicleConfidence: nil, weakPositions: UInt16(1 << n), weakestConfidence: Double(n) / 10),
                at: position, time: 0)
        }
        #expect(memory.quality(at: at[3])?.weakPositions == 1 && memory.quality(at: at[0])?.weakPositions == 8)
        #expect(memory.quality(at: at[2])?.weakestConfidence == 0.2)
    }

    @Test func forgetsWholePartitionsWhoseNewestReadIsOlderThanTheCutoff() {
        var memory = ReadQualityMemory()
        let at = positions(3, minutesApart: 2)
        let quality = CloneDetector.ReadQuality(vehicleConfidence: 0.9, weakPositions: 0, weakestConfidence: 1)
        for (n, position) in at.enumerated() { memory.remember(quality, at: position, time: Int64(n) * 120_000) }
        #expect(memory.partitionCount == 3)
        memory.forget(before: 120_000)
        #expect(memory.partitionCount == 2)
        #expect(memory.quality(at: at[0]) == nil && memory.quality(at: at[1]) == quality && memory.quality(at: at[2]) == quality)
        #expect(!memory.saw(at[0]) && memory.saw(at[1]))
    }
}
