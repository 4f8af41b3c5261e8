import RingwatchCore
@testable import RingwatchIndex
import Testing

private let minute: Int64 = 60_000
private let t0 = Timestamp(milliseconds: 1_795_334_400_000)  // 2026-11-22T08:00:00Z, on a partition boundary

private func read(
    _ plate: String, at time: Timestamp, camera: String = "R1-01", id: String? = nil,
    confidence: Double? = nil, direction: Direction? = nil, make: String? = nil, model: String? = nil,
    color: String? = nil
) -> PlateRead {
    PlateRead(sourceID: id, camera: camera, timestamp: time, plate: Plate(normalised: plate), confidence: confidence,
              make: make, model: model, color: color, direction: direction)
}

/// One-minute partitions, a ten-minute horizon: eviction is easy to reach.
private func smallIndex() -> ReadIndex {
    ReadIndex(configuration: .init(partitionMilliseconds: minute, horizonMilliseconds: 10 * minute))
}

/// A range far wider than any window (it takes the index's sorted-keys path).
private func everything() -> (Timestamp, Timestamp) {
    (Timestamp(milliseconds: -1_000_000_000_000_000), Timestamp(milliseconds: 1_000_000_000_000_000))
}

@Suite("ReadIndex: lookups")
struct ReadIndexLookupTests {
    @Test func readsOfAPlateAreFoundAcrossPartitionsOldestFirst() {
        let index = ReadIndex()
        // Inserted out of order, spread over several five-minute partitions and cameras.
        let times = ([17, 3, 42, 0, 8] as [Int64]).map { t0.adding(milliseconds: $0 * minute) }
        for (n, time) in times.enumerated() { #expect(index.insert(read("1ABC123", at: time, camera: "R1-0\(n)")) == true) }
        index.insert(read("2XYZ999", at: t0.adding(milliseconds: 5 * minute)))
        let found = index.reads(plate: Plate(normalised: "1ABC123"), from: t0, to: t0.adding(seconds: 3_600))
        #expect(found.map(\.timestamp) == times.sorted())
        #expect(found.allSatisfy { $0.plate.text == "1ABC123" })
        #expect(Set(found.map(\.camera)) == ["R1-00", "R1-01", "R1-02", "R1-03", "R1-04"])
        #expect(index.count == 6)
        #expect(index.plateCount == 2)
    }

    @Test func unknownPlateOrCameraFindsNothing() {
        let index = ReadIndex()
        index.insert(read("1ABC123", at: t0))
        let (from, to) = everything()
        #expect(index.reads(plate: Plate(normalised: "1ABC124"), from: from, to: to).isEmpty)
        #expect(index.reads(camera: "R9-99", from: from, to: to).isEmpty)
        #expect(ReadIndex().reads(plate: Plate(normalised: "1ABC123"), from: from, to: to).isEmpty)
    }

    @Test func plateRangeBoundariesAreInclusive() {
        let index = ReadIndex()
        let first = t0.adding(milliseconds: 2 * minute + 1), middle = t0.adding(milliseconds: 6 * minute),
            last = t0.adding(milliseconds: 11 * minute - 1)
        for time in [first, middle, last] { index.insert(read("1ABC123", at: time)) }
        let plate = Plate(normalised: "1ABC123")
        #expect(index.reads(plate: plate, from: first, to: last).map(\.timestamp) == [first, middle, last])
        #expect(index.reads(plate: plate, from: first.adding(milliseconds: 1), to: last).map(\.timestamp) == [middle, last])
        #expect(index.reads(plate: plate, from: first, to: last.adding(milliseconds: -1)).map(\.timestamp) == [first, middle])
        #expect(index.reads(plate: plate, from: middle, to: middle).map(\.timestamp) == [middle])
        #expect(index.reads(plate: plate, from: middle.adding(milliseconds: 1), to: last.adding(milliseconds: -1)).isEmpty)
    }

    @Test func cameraRangeBoundariesAreInclusiveAndOtherCamerasAreLeftOut() {
        let index = ReadIndex()
        let times = (0..<6).map { t0.adding(milliseconds: Int64($0) * 2 * minute + 7) }
        for (n, time) in times.enumerated() {
            index.insert(read("P\(n)", at: time, camera: "R2-07"))
            index.insert(read("Q\(n)", at: time, camera: "R2-08"))
        }
        let found = index.reads(camera: "R2-07", from: times[1], to: times[4])
        #expect(found.map(\.timestamp) == Array(times[1...4]))
        #expect(found.map(\.plate.text) == ["P1", "P2", "P3", "P4"])
        #expect(found.allSatisfy { $0.camera == "R2-07" })
        #expect(index.reads(camera: "R2-07", from: times[1].adding(milliseconds: 1), to: times[4].adding(milliseconds: -1)).count == 2)
        // A range wider than the window takes the other path through the partitions.
        let (from, to) = everything()
        #expect(index.reads(camera: "R2-08", from: from, to: to).map(\.plate.text) == ["Q0", "Q1", "Q2", "Q3", "Q4", "Q5"])
    }

    @Test func readsAtTheSameTimeAreOrderedByID() {
        let index = ReadIndex()
        let reads = (0..<20).map { read("1ABC123", at: t0, camera: "R1-\($0)", id: "src-\($0)") }
        for each in reads.reversed() { index.insert(each) }
        let found = index.reads(plate: Plate(normalised: "1ABC123"), from: t0, to: t0)
        #expect(found.map(\.id) == reads.map(\.id).sorted())
        #expect(index.reads(camera: "R1-7", from: t0, to: t0).map(\.id) == [reads[7].id])
    }

    @Test func storedFieldsComeBackAsInserted() throws {
        let index = ReadIndex()
        let full = read("1ABC123", at: t0, camera: "R2-07", id: "x1", confidence: 0.5, direction: .inbound,
                        make: "Volkswagen", model: "Golf", color: "blue")
        let bare = read("1ABC123", at: t0.adding(seconds: 1), camera: "R2-07")
        let out = read("1ABC123", at: t0.adding(seconds: 2), camera: "R2-07", confidence: 0, direction: .outbound, make: "blue")
        let sure = read("1ABC123", at: t0.adding(seconds: 3), camera: "R2-07", confidence: 1)
        for each in [full, bare, out, sure] { index.insert(each) }
        let found = index.reads(plate: Plate(normalised: "1ABC123"), from: t0, to: t0.adding(seconds: 3))
        try #require(found.count == 4)
        #expect(found[0] == IndexedRead(id: full.id, plate: full.plate, camera: "R2-07", timestamp: t0, confidence: 0.5,
                                        direction: .inbound, make: "Volkswagen", model: "Golf", color: "blue"))
        #expect(found[1].id == bare.id)
        #expect(found[1].confidence == nil && found[1].direction == nil)
        #expect(found[1].make == nil && found[1].model == nil && found[1].color == nil)
        #expect(found[2].confidence == 0 && found[2].direction == .outbound)
        #expect(found[2].make == "blue" && found[2].color == nil)  // one vocabulary, separate columns
        #expect(found[3].confidence == 1)
    }

    @Test(arguments: [0.0, 0.001, 0.1, 0.25, 0.333, 0.5, 0.77, 0.93, 0.999, 1.0])
    func confidenceIsKeptToWithinHalfAStep(confidence: Double) throws {
        let index = ReadIndex()
        index.insert(read("1ABC123", at: t0, confidence: confidence))
        let stored = try #require(index.reads(plate: Plate(normalised: "1ABC123"), from: t0, to: t0).first?.confidence)
        #expect(abs(stored - confidence) <= 0.5 / 254 + 1e-12)
    }

    @Test func allReadsListsEveryReadOldestPartitionFirst() {
        let index = smallIndex()
        for offset in [5, 1, 3, 0] as [Int64] { index.insert(read("P\(offset)", at: t0.adding(milliseconds: offset * minute))) }
        let all = index.allReads()
        #expect(all.count == index.count)
        #expect(all.map(\.plate.text) == ["P0", "P1", "P3", "P5"])
        #expect(index.latestTime == t0.adding(milliseconds: 5 * minute))
        #expect(index.horizonStart == t0.adding(milliseconds: -5 * minute))
        #expect(ReadIndex().latestTime == nil && ReadIndex().horizonStart == nil)
    }
}

@Suite("ReadIndex: horizon and eviction")
struct ReadIndexEvictionTests {
    @Test func partitionsPastTheHorizonAreDroppedWhole() {
        let index = smallIndex()
        index.insert(read("OLD1", at: t0))
        index.insert(read("OLD2", at: t0.adding(seconds: 59), camera: "R1-02"))
        index.insert(read("KEEP", at: t0.adding(seconds: 30)))
        index.insert(read("KEEP", at: t0.adding(milliseconds: 5 * minute)))
        #expect(index.count == 4)
        #expect(index.plateCount == 3)
        #expect(index.partitionCount == 2)

        // 10 minutes 59 s on: the horizon start still falls inside the first partition.
        index.insert(read("NEW", at: t0.adding(milliseconds: 11 * minute - 1)))
        #expect(index.count == 5)
        #expect(index.partitionCount == 3)

        // 11 minutes on: the first partition is now entirely older than the horizon.
        index.insert(read("NEW", at: t0.adding(milliseconds: 11 * minute)))
        #expect(index.count == 3)
        #expect(index.partitionCount == 3)
        #expect(index.plateCount == 2)  // OLD1 and OLD2 released; KEEP still has a read
        let (from, to) = everything()
        #expect(index.reads(plate: Plate(normalised: "OLD1"), from: from, to: to).isEmpty)
        #expect(index.reads(camera: "R1-02", from: from, to: to).isEmpty)
        #expect(index.reads(plate: Plate(normalised: "KEEP"), from: from, to: to).map(\.timestamp) == [t0.adding(milliseconds: 5 * minute)])

        // Far ahead: everything old goes.
        index.insert(read("LATER", at: t0.adding(milliseconds: 100 * minute)))
        #expect(index.count == 1)
        #expect(index.plateCount == 1)
        #expect(index.partitionCount == 1)
        #expect(index.allReads().map(\.plate.text) == ["LATER"])
    }

    @Test func aLargePartitionsPlatesAreReleasedOverTheNextInsertsAndItsReadsGoAtOnce() {
        let index = smallIndex()
        for n in 0..<1_000 { index.insert(read("OLD\(n)", at: t0.adding(milliseconds: Int64(n) * 50))) }
        index.insert(read("OLD7", at: t0.adding(milliseconds: 5 * minute)))
        #expect(index.plateCount == 1_000)
        // Eleven minutes on, the first partition leaves the window: its reads at once, its
        // plates a few hundred per insert.
        index.insert(read("NEW0", at: t0.adding(milliseconds: 11 * minute)))
        #expect(index.count == 2)
        #expect(index.plateCount > 2)
        let (from, to) = everything()
        #expect(index.reads(plate: Plate(normalised: "OLD3"), from: from, to: to).isEmpty)
        #expect(index.reads(plate: Plate(normalised: "OLD7"), from: from, to: to).map(\.timestamp) == [t0.adding(milliseconds: 5 * minute)])
        // A plate still being released that is read again chains only to its new read.
        index.insert(read("OLD9", at: t0.adding(milliseconds: 11 * minute + 1)))
        #expect(index.reads(plate: Plate(normalised: "OLD9"), from: from, to: to).map(\.timestamp) == [t0.adding(milliseconds: 11 * minute + 1)])
        for n in 1...3 { index.insert(read("NEW\(n)", at: t0.adding(milliseconds: 11 * minute + 2 + Int64(n)))) }
        #expect(index.plateCount == 6)  // OLD7, OLD9, NEW0...NEW3
        #expect(index.count == 6)
        #expect(Set(index.allReads().map(\.plate.text)) == ["OLD7", "OLD9", "NEW0", "NEW1", "NEW2", "NEW3"])
    }

    @Test func readsOlderThanTheHorizonAreRefused() {
        let index = smallIndex()
        let latest = t0.adding(milliseconds: 30 * minute)
        #expect(index.insert(read("A", at: latest)) == true)
        #expect(index.insert(read("B", at: latest.adding(milliseconds: -10 * minute - 1))) == false)
        #expect(index.count == 1)
        #expect(index.plateCount == 1)
        let (from, to) = everything()
        #expect(index.reads(plate: Plate(normalised: "B"), from: from, to: to).isEmpty)
        // Exactly on the horizon, and anything later but out of order, is kept.
        #expect(index.insert(read("C", at: latest.adding(milliseconds: -10 * minute))) == true)
        #expect(index.insert(read("D", at: latest.adding(seconds: -1))) == true)
        #expect(index.count == 3)
        #expect(index.latestTime == latest)
    }

    @Test func freedPlateSlotsAreReusedWithoutMixingPlatesUp() {
        let index = smallIndex()
        for n in 0..<50 { index.insert(read("OLD\(n)", at: t0.adding(seconds: Int64(n)))) }
        #expect(index.plateCount == 50)
        // Move past the horizon: all fifty go, and fifty new plates take their slots.
        let later = t0.adding(milliseconds: 30 * minute)
        for n in 0..<50 { index.insert(read("NEW\(n)", at: later.adding(seconds: Int64(n)))) }
        #expect(index.plateCount == 50)
        #expect(index.count == 50)
        let (from, to) = everything()
        for n in 0..<50 {
            #expect(index.reads(plate: Plate(normalised: "OLD\(n)"), from: from, to: to).isEmpty)
            let found = index.reads(plate: Plate(normalised: "NEW\(n)"), from: from, to: to)
            #expect(found.map(\.plate.text) == ["NEW\(n)"])
            #expect(found.first?.timestamp == later.adding(seconds: Int64(n)))
        }
    }

    @Test func lateReadsJoinTheirPlatesChainInTimeOrderAndEvictionCutsOnlyItsTail() {
        let index = smallIndex()
        // In arrival order: 08:05, then two late ones (08:01, 08:03), then 08:06.
        for (id, minutes) in [("a", 5), ("b", 1), ("c", 3), ("d", 6)] {
            #expect(index.insert(read("LATE1", at: t0.adding(milliseconds: Int64(minutes) * minute), id: id)))
        }
        let (from, to) = everything()
        #expect(index.reads(plate: Plate(normalised: "LATE1"), from: from, to: to).map(\.id.rawValue)
            == ["b", "c", "a", "d"].map { ReadID.from(sourceID: $0).rawValue })
        // A range in the middle of the chain.
        let middle = index.reads(plate: Plate(normalised: "LATE1"), from: t0.adding(milliseconds: 2 * minute),
                                 to: t0.adding(milliseconds: 5 * minute))
        #expect(middle.map(\.id.rawValue) == ["c", "a"].map { ReadID.from(sourceID: $0).rawValue })
        // 08:12:30 evicts the 08:01 partition (horizon ten minutes): the chain ends at 08:03.
        index.insert(read("OTHER", at: t0.adding(milliseconds: 12 * minute + 30_000)))
        #expect(index.reads(plate: Plate(normalised: "LATE1"), from: from, to: to).map(\.id.rawValue)
            == ["c", "a", "d"].map { ReadID.from(sourceID: $0).rawValue })
    }

    @Test func agreesWithASimpleModelOverSeededTraffic() {
        // One-minute partitions, ten-minute horizon; 4 000 reads over ~40 minutes, mostly in
        // order with some arriving late, over 60 plates and 8 cameras.
        let partition = minute, horizon = 10 * minute
        let index = ReadIndex(configuration: .init(partitionMilliseconds: partition, horizonMilliseconds: horizon))
        var generator = SeededGenerator(seed: 0xA11CE)
        var latest = Int64.min
        var accepted: [PlateRead] = []
        var clock = t0.milliseconds
        for n in 0..<4_000 {
            clock += Int64.random(in: 0...1_200, using: &generator)
            let lateBy = Int64.random(in: 0...9, using: &generator) == 0 ? Int64.random(in: 0...(12 * minute), using: &generator) : 0
            let time = clock - lateBy
            let each = read("P\(Int.random(in: 0..<60, using: &generator))", at: Timestamp(milliseconds: time),
                            camera: "C\(Int.random(in: 0..<8, using: &generator))", id: "r\(n)")
            latest = max(latest, time)
            let expected = time >= latest - horizon
            #expect(index.insert(each) == expected)
            if expected { accepted.append(each) }
        }
        let cutoff = (latest - horizon).floorDivided(by: partition)
        let kept = accepted.filter { $0.timestamp.milliseconds.floorDivided(by: partition) >= cutoff }
        #expect(index.count == kept.count)
        #expect(index.plateCount == Set(kept.map(\.plate)).count)
        #expect(index.allReads().count == kept.count)

        func ordered(_ reads: [PlateRead]) -> [ReadID] {
            reads.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }.map(\.id)
        }
        let from = Timestamp(milliseconds: latest - 7 * minute - 123), to = Timestamp(milliseconds: latest - 2 * minute)
        for plate in (0..<60).map({ Plate(normalised: "P\($0)") }) {
            let expected = kept.filter { $0.plate == plate && $0.timestamp >= from && $0.timestamp <= to }
            #expect(index.reads(plate: plate, from: from, to: to).map(\.id) == ordered(expected), "\(plate)")
        }
        for camera in (0..<8).map({ "C\($0)" }) {
            let expected = kept.filter { $0.camera == camera && $0.timestamp >= from && $0.timestamp <= to }
            #expect(index.reads(camera: camera, from: from, to: to).map(\.id) == ordered(expected), "\(camera)")
        }
    }
}

@Suite("ReadIndex robustness")
struct ReadIndexRobustnessTests {
    @Test func anInvertedRangeFindsNothingInsteadOfTrapping() {
        let index = ReadIndex()
        let read = PlateRead(camera: "R1-01", timestamp: Timestamp(seconds: 1_700_000_000), plate: Plate(normalised: "1ABC123"))
        index.insert(read)
        #expect(index.reads(plate: read.plate, from: read.timestamp.adding(seconds: 1), to: read.timestamp).isEmpty)
        #expect(index.reads(camera: "R1-01", from: read.timestamp.adding(seconds: 600), to: read.timestamp).isEmpty)
    }

    @Test func outOfRangeConfidenceIsClampedAndNaNDropped() {
        let index = ReadIndex()
        let time = Timestamp(seconds: 1_700_000_000)
        index.insert(PlateRead(camera: "R1-01", timestamp: time, plate: Plate(normalised: "1AAA111"), confidence: 1.5))
        index.insert(PlateRead(camera: "R1-01", timestamp: time, plate: Plate(normalised: "1AAA222"), confidence: .nan))
        #expect(index.reads(plate: Plate(normalised: "1AAA111"), from: time, to: time).first?.confidence == 1)
        #expect(index.reads(plate: Plate(normalised: "1AAA222"), from: time, to: time).first?.confidence == nil)
    }
}
