import RingwatchCore
import RingwatchIngest
import RingwatchTesting
import Testing

private let hour: Int64 = 3_600_000
private let fiveMinutes: Int64 = 300_000
private let base = Timestamp(milliseconds: 1_795_335_000_000)  // 2026-11-22T08:10:00Z, on a bucket boundary

private func id(_ text: String) -> ReadID { ReadID.from(sourceID: text) }

@Suite("DuplicateFilter")
struct DuplicateFilterTests {
    @Test func secondInsertOfTheSameIDIsADuplicate() {
        var filter = DuplicateFilter(horizonMilliseconds: hour)
        #expect(filter.insert(id("a"), at: base) == true)
        #expect(filter.insert(id("a"), at: base) == false)
        // The id decides, not the time it is reported at.
        #expect(filter.insert(id("a"), at: base.adding(seconds: 10)) == false)
        #expect(filter.insert(id("a"), at: base.adding(seconds: -10)) == false)
        #expect(filter.insert(id("b"), at: base) == true)
        #expect(filter.contains(id("a")) && filter.contains(id("b")))
        #expect(!filter.contains(id("c")))
        #expect(filter.count == 2)
    }

    @Test func idsAreKeptForTheWholeHorizon() {
        var filter = DuplicateFilter(horizonMilliseconds: hour, bucketMilliseconds: fiveMinutes)
        #expect(filter.insert(id("a"), at: base) == true)
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: hour))
        #expect(filter.contains(id("a")))
        #expect(filter.insert(id("a"), at: base.adding(milliseconds: hour)) == false)
    }

    @Test func idsAreForgottenOnceTheirBucketIsPastTheHorizon() {
        var filter = DuplicateFilter(horizonMilliseconds: hour, bucketMilliseconds: fiveMinutes)
        #expect(filter.insert(id("old"), at: base) == true)
        #expect(filter.insert(id("newer"), at: base.adding(milliseconds: fiveMinutes)) == true)
        #expect(filter.insert(id("newest"), at: base.adding(milliseconds: 3 * fiveMinutes)) == true)
        // A bucket goes only when all of it is older than the horizon.
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: hour + fiveMinutes - 1))
        #expect(filter.count == 3)
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: hour + fiveMinutes))
        #expect(!filter.contains(id("old")))
        #expect(filter.contains(id("newer")) && filter.contains(id("newest")))
        #expect(filter.count == 2)
        // Forgotten means a replay of it long after is accepted again.
        #expect(filter.insert(id("old"), at: base.adding(milliseconds: 2 * hour)) == true)
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: 5 * hour))
        #expect(filter.count == 0)
        #expect(!filter.contains(id("newest")) && !filter.contains(id("old")))
    }

    @Test func evictionIsIdempotentAndNeverDropsRecentIDs() {
        var filter = DuplicateFilter(horizonMilliseconds: hour, bucketMilliseconds: fiveMinutes)
        for minute in 0..<120 {
            #expect(filter.insert(id("r\(minute)"), at: base.adding(seconds: Int64(minute) * 60)) == true)
        }
        let now = base.adding(seconds: 119 * 60)
        filter.evict(olderThanHorizonBefore: now)
        let kept = filter.count
        filter.evict(olderThanHorizonBefore: now)
        #expect(filter.count == kept)
        // Everything within the horizon is still known; everything a full bucket beyond it is not.
        for minute in 0..<120 {
            let age = Int64(119 - minute) * 60_000
            if age <= hour { #expect(filter.contains(id("r\(minute)")), "minute \(minute)") }
            if age >= hour + fiveMinutes { #expect(!filter.contains(id("r\(minute)")), "minute \(minute)") }
        }
        #expect(kept < 120)
    }

    @Test func evictingWithAnOlderTimeDoesNothing() {
        var filter = DuplicateFilter(horizonMilliseconds: hour)
        #expect(filter.insert(id("a"), at: base) == true)
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: -10 * hour))
        #expect(filter.contains(id("a")))
    }

    @Test(arguments: [1, DuplicateFilter.defaultShards])
    func manyIDsAreEachRememberedOnceAndForgottenTogether(shards: Int) {
        var filter = DuplicateFilter(horizonMilliseconds: hour, bucketMilliseconds: fiveMinutes, shards: shards)
        // Hashed ids, and ids that differ only in their high bits (the same set of the filter).
        let ids = (0..<20_000).map { id("m\($0)") } + (0..<2_000).map { ReadID(rawValue: UInt64($0) << 40 | 7) }
        for (number, read) in ids.enumerated() {
            #expect(filter.insert(read, at: base.adding(milliseconds: Int64(number % 600) * 1000)) == true)
        }
        #expect(filter.count == ids.count)
        #expect(ids.allSatisfy { filter.insert($0, at: base) == false })
        #expect(filter.count == ids.count)
        // The first five minutes' ids (half of them) go with their bucket; the rest stay.
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: hour + fiveMinutes))
        let early = ids.enumerated().filter { $0.offset % 600 < 300 }.map(\.element)
        #expect(filter.count == ids.count - early.count)
        #expect(early.allSatisfy { !filter.contains($0) })
        #expect(ids.enumerated().filter { $0.offset % 600 >= 300 }.allSatisfy { filter.contains($0.element) })
        filter.evict(olderThanHorizonBefore: base.adding(milliseconds: 2 * hour))
        #expect(filter.count == 0)
    }

    @Test func timesBeforeTheEpochAreBucketedCorrectly() {
        var filter = DuplicateFilter(horizonMilliseconds: hour, bucketMilliseconds: fiveMinutes)
        let early = Timestamp(milliseconds: -1)
        #expect(filter.insert(id("a"), at: early) == true)
        filter.evict(olderThanHorizonBefore: Timestamp(milliseconds: hour - 1))
        #expect(filter.contains(id("a")))
        filter.evict(olderThanHorizonBefore: Timestamp(milliseconds: hour + fiveMinutes))
        #expect(!filter.contains(id("a")))
    }
}

@Suite("SequenceTracker")
struct SequenceTrackerTests {
    @Test func consecutiveNumbersAreInOrder() {
        var tracker = SequenceTracker()
        #expect(tracker.observe(camera: "R1-01", sequence: 41) == .inOrder)  // first seen
        #expect(tracker.observe(camera: "R1-01", sequence: 42) == .inOrder)
        #expect(tracker.observe(camera: "R1-01", sequence: 43) == .inOrder)
        #expect(tracker.totalGaps == 0)
        #expect(tracker.gapsByCamera.isEmpty)
    }

    @Test func skippedNumbersAreCountedAsLostPerCamera() {
        var tracker = SequenceTracker()
        _ = tracker.observe(camera: "A", sequence: 5)
        #expect(tracker.observe(camera: "A", sequence: 9) == .gap(missing: 3))
        _ = tracker.observe(camera: "B", sequence: 100)
        #expect(tracker.observe(camera: "B", sequence: 102) == .gap(missing: 1))
        #expect(tracker.observe(camera: "A", sequence: 10) == .inOrder)
        #expect(tracker.observe(camera: "A", sequence: 20) == .gap(missing: 9))
        #expect(tracker.gapsByCamera == ["A": 12, "B": 1])
        #expect(tracker.totalGaps == 13)
    }

    @Test func cameraFirstSeenMidStreamCountsNoGap() {
        var tracker = SequenceTracker()
        #expect(tracker.observe(camera: "A", sequence: 1_000_000) == .inOrder)
        #expect(tracker.totalGaps == 0)
    }

    @Test func repeatedOrLateNumbersAreBehindAndDoNotMoveTheCounterBack() {
        var tracker = SequenceTracker()
        _ = tracker.observe(camera: "A", sequence: 10)
        #expect(tracker.observe(camera: "A", sequence: 10) == .behind)
        #expect(tracker.observe(camera: "A", sequence: 8) == .behind)
        // Still following 10, so 11 is in order and nothing was lost.
        #expect(tracker.observe(camera: "A", sequence: 11) == .inOrder)
        #expect(tracker.totalGaps == 0)
    }

    @Test func aCounterRestartNearZeroIsFollowed() {
        var tracker = SequenceTracker()
        _ = tracker.observe(camera: "A", sequence: 1_000)
        #expect(tracker.observe(camera: "A", sequence: 0) == .behind)
        #expect(tracker.observe(camera: "A", sequence: 1) == .inOrder)
        #expect(tracker.observe(camera: "A", sequence: 2) == .inOrder)
        #expect(tracker.totalGaps == 0)
        // Another camera is untouched by A's restart.
        _ = tracker.observe(camera: "B", sequence: 1_000)
        #expect(tracker.observe(camera: "B", sequence: 1_001) == .inOrder)
    }

    @Test func restoreResumesFromTheLastStoredNumber() {
        var tracker = SequenceTracker()
        tracker.restore(camera: "A", sequence: 50)
        #expect(tracker.observe(camera: "A", sequence: 51) == .inOrder)
        #expect(tracker.observe(camera: "A", sequence: 55) == .gap(missing: 3))
        // Restoring an older number never moves the counter back.
        tracker.restore(camera: "A", sequence: 20)
        #expect(tracker.observe(camera: "A", sequence: 56) == .inOrder)
        tracker.restore(camera: "A", sequence: 70)
        #expect(tracker.observe(camera: "A", sequence: 71) == .inOrder)
        #expect(tracker.gapsByCamera == ["A": 3])
    }
}

@Suite("EventClock")
struct EventClockTests {
    @Test func firstReadSetsTheClockAndIsNotLate() {
        var clock = EventClock(latenessMilliseconds: 60_000)
        #expect(clock.latest == nil && clock.watermark == nil)
        #expect(clock.observe(base) == false)
        #expect(clock.latest == base)
        #expect(clock.watermark == base.adding(seconds: -60))
    }

    @Test func newerReadsAdvanceTheClock() {
        var clock = EventClock(latenessMilliseconds: 60_000)
        _ = clock.observe(base)
        #expect(clock.observe(base.adding(seconds: 30)) == false)
        #expect(clock.latest == base.adding(seconds: 30))
        #expect(clock.watermark == base.adding(seconds: -30))
    }

    @Test(arguments: [
        (Int64(0), false),  // same time
        (-1, false),
        (-59_999, false),
        (-60_000, false),  // exactly on the watermark is still on time
        (-60_001, true),
        (-3_600_000, true),
    ])
    func olderReadsAreLateOnlyBeyondTheLateness(offset: Int64, late: Bool) {
        var clock = EventClock(latenessMilliseconds: 60_000)
        _ = clock.observe(base)
        #expect(clock.observe(base.adding(milliseconds: offset)) == late)
        // A late or out-of-order read never moves the clock back.
        #expect(clock.latest == base)
    }

    @Test func zeroLatenessMakesEveryOlderReadLate() {
        var clock = EventClock(latenessMilliseconds: 0)
        _ = clock.observe(base)
        #expect(clock.observe(base) == false)
        #expect(clock.observe(base.adding(milliseconds: -1)) == true)
    }
}

@Suite("Hostile sequence numbers and times")
struct HostileInputTests {
    @Test func aCameraSendingInt64MaxCannotCrashTheTracker() {
        var tracker = SequenceTracker()
        #expect(tracker.observe(camera: "C", sequence: 0) == .inOrder)
        #expect(tracker.observe(camera: "C", sequence: .max) == .gap(missing: .max - 1))
        #expect(tracker.observe(camera: "C", sequence: .max) == .behind)
        #expect(tracker.observe(camera: "C", sequence: 5) == .behind)  // counter restart followed
        #expect(tracker.observe(camera: "C", sequence: .max) == .gap(missing: .max - 6))
        #expect(tracker.totalGaps == .max)
    }

    @Test(arguments: ["0000-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
    func timesOutsideYearsOneToNineThousandNineHundredNinetyNineAreRefused(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }
}

@Suite("SequenceTracker numbers")
struct SequenceTrackerNumberTests {
    @Test func camerasAreNumberedInTheOrderFirstSeen() {
        var tracker = SequenceTracker()
        #expect(tracker.number(of: "R1-01") == 0)
        #expect(tracker.number(of: "unknown-9") == 1)
        #expect(tracker.number(of: "R1-01") == 0)
        tracker.restore(camera: "R2-07", sequence: 4)
        #expect(tracker.number(of: "R2-07") == 2)
        #expect(tracker.cameras == ["R1-01", "unknown-9", "R2-07"])
    }

    @Test func observingByNumberIsObservingByName() {
        // The same random stream of (camera, seq) through both doors gives the same answers.
        var random = SeededRandom(seed: 10)
        var byName = SequenceTracker(), byNumber = SequenceTracker()
        let names = (0..<12).map { "C\($0)" }
        for step in 0..<5_000 {
            let camera = names[Int(random.next() % 12)]
            let sequence = Int64(random.next() % 400)
            let number = byNumber.number(of: camera)
            #expect(byName.observe(camera: camera, sequence: sequence) == byNumber.observe(cameraNumber: number, sequence: sequence), "step \(step)")
        }
        #expect(byName.gapsByCamera == byNumber.gapsByCamera && byName.totalGaps == byNumber.totalGaps)
        #expect(byName.totalGaps > 0)
    }

    @Test func aCameraNumberedWithoutASequenceStartsInOrder() {
        var tracker = SequenceTracker()
        let number = tracker.number(of: "A")
        #expect(tracker.observe(cameraNumber: number, sequence: 900) == .inOrder)
        #expect(tracker.observe(camera: "A", sequence: 902) == .gap(missing: 1))
        #expect(tracker.gapsByCamera == ["A": 1])
    }
}
