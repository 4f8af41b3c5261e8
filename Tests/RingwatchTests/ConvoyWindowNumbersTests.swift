import RingwatchCore
import RingwatchDetectors
import RingwatchTesting
import Testing

/// The tracker numbers plates and cameras through the window's numbers when it has them; the
/// window gives a departed plate's number to another plate, so the numbers are only a hint.
@Suite("Convoy tracker: window numbers")
struct ConvoyWindowNumbersTests {
    let route = ["R3-01", "R3-02", "R3-03", "R2-04", "R2-05", "R1-02"]

    /// Convoys in platoon-like traffic with strangers at every camera, over an hour.
    var traffic: [Passage] {
        let convoys = ConvoyFixture.convoy(["7LLL001", "5MMM002", "3NNN003"], route: route, start: 600)
            + ConvoyFixture.convoy(["8PPP004", "6QQQ005"], route: route, start: 2_400, spacing: 20)
        let flow = ConvoyFixture.flow(route: route, perHour: 300, seconds: 3_600, seed: 7, jitter: 25)
        let background = ConvoyFixture.background(cameras: route, perCameraPerHour: 200, seconds: 3_600, seed: 3)
        return (convoys + flow + background).sorted { ($0.time, $0.plate) < ($1.time, $1.plate) }
    }

    func summary(_ events: [ConvoyTracker.Event]) -> [String] {
        events.map { "\($0.change) \($0.group.plates) \($0.group.cameras) \($0.group.score) \($0.group.explanation)" }
    }

    @Test func numbersThatCollideGiveTheSameConvoysAsNoNumbers() {
        let passages = traffic
        let plain = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let numbered = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        var expected: [ConvoyTracker.Event] = [], seen: [ConvoyTracker.Event] = []
        for (index, passage) in passages.enumerated() {
            expected += plain.observe(passage)
            // Few numbers for many plates and cameras: most lookups find another plate's or
            // camera's entry, as after the window recycles a number; 0 is "not numbered".
            let plateNumber = UInt32(passage.plate.utf8.reduce(0) { ($0 &* 31 &+ UInt32($1)) % 7 })
            seen += numbered.observe(passage, windowPlate: plateNumber, windowCamera: UInt16(index % 3))
        }
        #expect(!expected.isEmpty)
        #expect(summary(seen) == summary(expected))
        #expect(numbered.vehicleCount == plain.vehicleCount)
    }

    @Test func steadyNumbersGiveTheSameConvoysAsNoNumbers() {
        let passages = traffic
        let plain = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let numbered = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        var plates: [String: UInt32] = [:], cameras: [String: UInt16] = [:]
        var expected: [ConvoyTracker.Event] = [], seen: [ConvoyTracker.Event] = []
        for passage in passages {
            expected += plain.observe(passage)
            let plate = plates[passage.plate] ?? UInt32(plates.count)
            plates[passage.plate] = plate
            let camera = cameras[passage.camera] ?? UInt16(cameras.count + 1)
            cameras[passage.camera] = camera
            seen += numbered.observe(passage, windowPlate: plate, windowCamera: camera)
        }
        #expect(expected.contains { $0.group.plates.contains("7LLL001") })
        #expect(summary(seen) == summary(expected))
    }

    /// Plates the integer table cannot number (longer than twelve characters, or with other
    /// characters) are tracked by text: the same traffic with such plates gives the same convoys.
    /// `share`: 1 renames every plate, 2 about half of them.
    @Test(arguments: [1, 2])
    func platesWithoutIntegerKeysGiveTheSameConvoys(share: Int) {
        func renamed(_ plate: String) -> Bool { plate.utf8.reduce(0) { $0 &+ Int($1) } % share == 0 }
        let label = "one in \(share) renamed"
        // "-" sorts before every plate character, so the renamed plates keep their order.
        let suffix = "-UNNUMBERED"
        func rename(_ plate: String) -> String { renamed(plate) ? plate + suffix : plate }
        let passages = traffic
        let keyed = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        let unkeyed = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        var expected: [String] = [], seen: [String] = []
        func line(_ event: ConvoyTracker.Event, strip: Bool) -> String {
            let plates = event.group.plates.map { strip && $0.hasSuffix(suffix) ? String($0.dropLast(suffix.count)) : $0 }.sorted()
            return "\(event.change) \(plates) \(event.group.cameras) \(event.group.score) \(event.group.explanation)"
        }
        var plates: [String: UInt32] = [:]
        for passage in passages {
            let plate = plates[passage.plate] ?? UInt32(plates.count)
            plates[passage.plate] = plate
            expected += keyed.observe(passage, windowPlate: plate).map { line($0, strip: false) }
            var other = passage
            other.plate = rename(passage.plate)
            seen += unkeyed.observe(other, windowPlate: plate).map { line($0, strip: true) }
            #expect(unkeyed.vehicleCount == keyed.vehicleCount, "\(label)")
        }
        #expect(expected.contains { $0.contains("7LLL001") })
        #expect(seen == expected, "\(label)")
    }

    /// Tens of thousands of vehicles at once: the integer table grows several times while
    /// vehicles come and go; the tracker counts every vehicle in its window once.
    @Test func manyVehiclesAtOnceAreEachCountedOnce() {
        let tracker = ConvoyTracker(definition: ConvoyTrackerTests.lenient)
        var random = SeededRandom(seed: 5)
        var last: [String: Int64] = [:]
        let start = ConvoyFixture.base.milliseconds
        // 60,000 reads of 30,000 plates over ten minutes at 20 cameras.
        for index in 0..<60_000 {
            let plate = "\(1 + random.next() % 9)P\(random.next() % 30_000)"
            let time = start + Int64(index) * 10
            last[plate] = time
            _ = tracker.observe(Passage(readID: ReadID(rawValue: UInt64(index + 1)), plate: plate, camera: "R1-\(index % 20)",
                                        time: Timestamp(milliseconds: time), direction: nil))
        }
        #expect(tracker.vehicleCount == last.count)
    }
}
