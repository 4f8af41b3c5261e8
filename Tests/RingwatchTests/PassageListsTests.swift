@testable import RingwatchDetectors
import RingwatchTesting
import Testing

/// The convoy tracker's per-camera passage lists against plain sorted arrays.
@Suite("Passage lists")
struct PassageListsTests {
    func contents(_ lists: PassageLists, _ camera: Int) -> [(Int64, Int32)] {
        lists.withPassages(camera) { $0.map { ($0.time, $0.vehicle) } }
    }

    @Test func equalTimesKeepTheirArrivalOrderAndALateOneGoesInPlace() {
        let lists = PassageLists()
        lists.addCamera()
        #expect(lists.oldest(0) == .max)
        #expect(lists.insert(Sighting(time: 10, vehicle: 1, direction: 0), camera: 0) == 0)
        #expect(lists.insert(Sighting(time: 20, vehicle: 2, direction: 0), camera: 0) == 1)
        #expect(lists.insert(Sighting(time: 10, vehicle: 3, direction: 0), camera: 0) == 1)
        #expect(lists.insert(Sighting(time: 5, vehicle: 4, direction: 0), camera: 0) == 0)
        #expect(contents(lists, 0).map(\.1) == [4, 1, 3, 2])
        #expect(lists.oldest(0) == 5)
        lists.drop(before: 10, camera: 0)
        #expect(contents(lists, 0).map(\.1) == [1, 3, 2])
        #expect(lists.oldest(0) == 10)
        lists.drop(before: 21, camera: 0)
        #expect(contents(lists, 0).isEmpty)
        #expect(lists.oldest(0) == .max)
        #expect(lists.passageCount == 0)
    }

    /// Many cameras, mostly in-order inserts with some late ones and drops behind a moving
    /// cutoff (the buffers grow, and their live part moves to the front): every list stays
    /// what a sorted array with the same operations holds.
    @Test func randomInsertsAndDropsMatchSortedArrays() {
        var random = SeededRandom(seed: 7)
        let cameras = 5
        let lists = PassageLists()
        var reference: [[(Int64, Int32)]] = Array(repeating: [], count: cameras)
        for _ in 0..<cameras { lists.addCamera() }
        var now: Int64 = 0
        for step in 0..<20_000 {
            now += Int64(random.next() % 3)
            let camera = Int(random.next() % UInt64(cameras))
            let time = random.next() % 10 == 0 ? now - Int64(random.next() % 50) : now
            let vehicle = Int32(step)
            let position = lists.insert(Sighting(time: time, vehicle: vehicle, direction: 0), camera: camera)
            let expected = reference[camera].firstIndex { $0.0 > time } ?? reference[camera].count
            reference[camera].insert((time, vehicle), at: expected)
            #expect(position == expected)
            if random.next() % 7 == 0 {
                let cutoff = now - 200
                lists.drop(before: cutoff, camera: camera)
                reference[camera].removeAll { $0.0 < cutoff }
            }
        }
        for camera in 0..<cameras {
            let held = contents(lists, camera)
            #expect(held.map(\.0) == reference[camera].map(\.0))
            #expect(held.map(\.1) == reference[camera].map(\.1))
            #expect(lists.oldest(camera) == (reference[camera].first?.0 ?? .max))
        }
        #expect(lists.passageCount == reference.reduce(0) { $0 + $1.count })
    }
}
