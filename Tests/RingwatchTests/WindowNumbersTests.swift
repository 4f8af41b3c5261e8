import RingwatchCore
import RingwatchIndex
import Testing

private let minute: Int64 = 60_000
private let t0 = Timestamp(milliseconds: 1_795_334_400_000)  // 2026-11-22T08:00:00Z

private func read(_ plate: String, at time: Timestamp, camera: String = "R1-01", id: String, make: String? = nil) -> PlateRead {
    PlateRead(sourceID: id, camera: camera, timestamp: time, plate: Plate(normalised: plate), make: make)
}

/// The window's numbers for plates, cameras and reads, which detectors use instead of text.
@Suite("ReadIndex: numbers for detectors")
struct WindowNumbersTests {
    @Test func theLastInsertedReadIsNumberedAndOnlyIt() throws {
        let index = ReadIndex()
        let first = read("1ABC123", at: t0, id: "a"), second = read("1ABC123", at: t0.adding(seconds: 10), camera: "R1-02", id: "b")
        index.insert(first)
        let one = try #require(index.inserted(first.id))
        index.insert(second)
        #expect(index.inserted(first.id) == nil)
        let two = try #require(index.inserted(second.id))
        #expect(one.plate == two.plate)
        #expect(one.camera != two.camera)
        #expect(index.plateID(Plate(normalised: "1ABC123")) == one.plate)
        #expect(index.cameraID("R1-02") == two.camera)
        #expect(index.camera(two.camera) == "R1-02")
        #expect(index.plateID(Plate(normalised: "9ZZZ999")) == nil)
    }

    @Test func aReadBeyondTheHorizonIsNotNumbered() {
        let index = ReadIndex(configuration: .init(partitionMilliseconds: minute, horizonMilliseconds: 10 * minute))
        index.insert(read("1ABC123", at: t0, id: "a"))
        let old = read("1ABC124", at: t0.adding(milliseconds: -20 * minute), id: "old")
        #expect(index.insert(old) == false)
        #expect(index.inserted(old.id) == nil)
    }

    @Test func sightingsByNumberMatchSightingsByText() throws {
        let index = ReadIndex()
        var reads: [PlateRead] = []
        for n in 0..<6 {
            let plate = n % 2 == 0 ? "1ABC123" : "LONGFOREIGNPLATE1"  // the second has no base-37 key
            reads.append(read(plate, at: t0.adding(milliseconds: Int64(n) * 7 * minute), camera: "R1-0\(n)", id: "r\(n)"))
            index.insert(reads.last!)
        }
        for text in ["1ABC123", "LONGFOREIGNPLATE1"] {
            let plate = Plate(normalised: text)
            var byText: [ReadID] = [], byNumber: [ReadID] = []
            index.forEachSighting(plate: plate, from: t0, to: t0.adding(seconds: 3_600)) { id, _, _ in byText.append(id) }
            let number = try #require(index.plateID(plate))
            index.forEachSighting(plate: number, from: t0, to: t0.adding(seconds: 3_600)) { id, camera, time, _ in
                byNumber.append(id)
                let original = reads.first { $0.id == id }!
                #expect(index.camera(camera) == original.camera && time == original.timestamp)
            }
            #expect(byText.count == 3 && byNumber == byText)
        }
    }

    @Test func newestOtherTimeSkipsTheReadItselfWhereverItIsInTheChain() throws {
        let index = ReadIndex()
        let plate = Plate(normalised: "1ABC123")
        index.insert(read("1ABC123", at: t0.adding(seconds: 100), id: "a"))
        let a = try #require(index.inserted(ReadID.from(sourceID: "a")))
        #expect(index.newestTime(of: a.plate, other: a.position) == nil)
        // A late read goes behind the newer one in the chain.
        index.insert(read("1ABC123", at: t0.adding(seconds: 40), id: "late"))
        let late = try #require(index.inserted(ReadID.from(sourceID: "late")))
        #expect(index.newestTime(of: late.plate, other: late.position) == t0.adding(seconds: 100))
        #expect(index.newestTime(of: a.plate, other: a.position) == t0.adding(seconds: 40))
        index.insert(read("1ABC123", at: t0.adding(seconds: 160), id: "c"))
        let c = try #require(index.inserted(ReadID.from(sourceID: "c")))
        #expect(index.newestTime(of: c.plate, other: c.position) == t0.adding(seconds: 100))
        #expect(index.plateID(plate) == c.plate)
    }

    @Test func equalDescriptionsGetEqualNumbers() throws {
        let index = ReadIndex()
        index.insert(read("1ABC123", at: t0, id: "a", make: "Skoda"))
        let a = try #require(index.inserted(ReadID.from(sourceID: "a"))?.description)
        index.insert(read("1ABC124", at: t0, id: "b", make: "Skoda"))
        let b = try #require(index.inserted(ReadID.from(sourceID: "b"))?.description)
        index.insert(read("1ABC125", at: t0, id: "c", make: "BMW"))
        let c = try #require(index.inserted(ReadID.from(sourceID: "c"))?.description)
        index.insert(read("1ABC126", at: t0, id: "d"))
        let d = try #require(index.inserted(ReadID.from(sourceID: "d"))?.description)
        #expect(a == b && a != c && d == 0)
    }

    /// A plate's number is given to another plate once the first left the window: lookups by
    /// text follow the plate, not the number.
    @Test func numbersOfPlatesThatLeftTheWindowAreReusedWithoutConfusion() throws {
        let index = ReadIndex(configuration: .init(partitionMilliseconds: minute, horizonMilliseconds: 10 * minute))
        index.insert(read("1ABC123", at: t0, id: "a"))
        let gone = try #require(index.plateID(Plate(normalised: "1ABC123")))
        index.insert(read("2XYZ999", at: t0.adding(milliseconds: 30 * minute), id: "b"))
        #expect(index.plateID(Plate(normalised: "1ABC123")) == nil)
        #expect(index.plateID(Plate(normalised: "2XYZ999")) == gone)
        #expect(index.plateCount == 1)
        let (from, to) = (t0, t0.adding(seconds: 7_200))
        #expect(index.reads(plate: Plate(normalised: "2XYZ999"), from: from, to: to).map(\.plate.text) == ["2XYZ999"])
        #expect(index.reads(plate: Plate(normalised: "1ABC123"), from: from, to: to).isEmpty)
    }

    /// Texts past 16 bytes take the vocabulary's other table; both give the text back.
    @Test func longAndShortVocabularyTextsComeBackAsTheyWent() throws {
        let index = ReadIndex()
        let long = "Automobiles Ettore Bugatti", short = "Skoda"
        index.insert(read("1ABC123", at: t0, camera: "A-CAMERA-WITH-A-LONG-ID", id: "a", make: long))
        index.insert(read("1ABC124", at: t0, camera: "R1-01", id: "b", make: short))
        index.insert(read("1ABC125", at: t0, camera: "A-CAMERA-WITH-A-LONG-ID", id: "c", make: long))
        let (from, to) = (t0, t0.adding(seconds: 60))
        #expect(index.reads(camera: "A-CAMERA-WITH-A-LONG-ID", from: from, to: to).map(\.make) == [long, long])
        #expect(index.reads(plate: Plate(normalised: "1ABC124"), from: from, to: to).map(\.make) == [short])
        let a = try #require(index.inserted(ReadID.from(sourceID: "c")))
        #expect(index.cameraID("A-CAMERA-WITH-A-LONG-ID") == a.camera)
    }
}
