import Foundation
@testable import RingwatchEngine
import Testing

/// The bounded queue between the ingest thread and the pipeline thread.
@Suite struct HandoffTests {
    @Test func batchesArriveWholeAndInOrder() {
        let queue = Handoff<Int>(capacity: 100)
        queue.put([1, 2, 3])
        queue.put([4])
        #expect(queue.take(waitingAtMost: 0) == [1, 2, 3, 4])
        #expect(queue.take(waitingAtMost: 0.01) == [])
    }

    @Test func aFinishedQueueStillHandsOverWhatWasPutThenSaysItIsDone() {
        let queue = Handoff<Int>(capacity: 10)
        queue.put([7, 8])
        queue.finish()
        #expect(queue.take(waitingAtMost: 1) == [7, 8])
        #expect(queue.take(waitingAtMost: 1) == nil)
    }

    @Test func aFullQueueHoldsTheProducerUntilTheConsumerTakes() throws {
        let queue = Handoff<Int>(capacity: 4)
        queue.put([1, 2, 3, 4])
        let putDone = DispatchSemaphore(value: 0)
        Thread {
            queue.put([5])
            putDone.signal()
        }.start()
        // The producer cannot get past a full queue.
        #expect(putDone.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(queue.count == 4)
        #expect(queue.take(waitingAtMost: 1) == [1, 2, 3, 4])
        #expect(putDone.wait(timeout: .now() + 5) == .success)
        #expect(queue.take(waitingAtMost: 1) == [5])
    }

    @Test func takingWhatIsAvailableNeverWaitsAndMakesRoomForTheProducer() {
        let queue = Handoff<Int>(capacity: 2)
        #expect(queue.takeAvailableBatches().isEmpty)
        queue.put([1, 2])
        let putDone = DispatchSemaphore(value: 0)
        Thread {
            queue.put([3])
            putDone.signal()
        }.start()
        #expect(putDone.wait(timeout: .now() + 0.1) == .timedOut)
        #expect(queue.takeAvailableBatches() == [[1, 2]])
        #expect(putDone.wait(timeout: .now() + 5) == .success)
        queue.finish()
        // After `finish` what was put is still there; then nothing, without waiting.
        #expect(queue.takeAvailableBatches() == [[3]])
        #expect(queue.takeAvailableBatches().isEmpty)
        #expect(queue.take(waitingAtMost: 1) == nil)
    }

    @Test func aWaitingConsumerWakesWhenABatchArrives() {
        let queue = Handoff<Int>(capacity: 10)
        Thread {
            Thread.sleep(forTimeInterval: 0.05)
            queue.put([42])
        }.start()
        #expect(queue.take(waitingAtMost: 10) == [42])
    }

    @Test func everyElementOfAManyBatchStreamArrivesOnce() {
        let queue = Handoff<Int>(capacity: 64)
        let total = 100_000
        Thread {
            var next = 0
            while next < total {
                let size = min(37, total - next)
                queue.put(Array(next..<(next + size)))
                next += size
            }
            queue.finish()
        }.start()
        var received: [Int] = []
        while let batch = queue.take(waitingAtMost: 1) { received += batch }
        #expect(received == Array(0..<total))
    }
}

/// Batches moved through the queue without copying, and their arrays reused.
@Suite struct HandoffMovingTests {
    @Test func aMovedBatchLeavesAnEmptyArrayAndArrivesAsItWas() {
        let queue = Handoff<String>(capacity: 100)
        var pending = ["a", "b", "c"]
        queue.put(moving: &pending)
        #expect(pending.isEmpty)
        pending.append("d")
        queue.put(moving: &pending)
        #expect(queue.count == 4)
        #expect(queue.takeBatches(waitingAtMost: 0) == [["a", "b", "c"], ["d"]])
        #expect(queue.count == 0)
        #expect(queue.takeBatches(waitingAtMost: 0.01) == [])
        queue.finish()
        #expect(queue.takeBatches(waitingAtMost: 1) == nil)
    }

    @Test func recycledArraysAreFilledAgainWithTheirCapacity() {
        let queue = Handoff<Int>(capacity: 1_000)
        var pending: [Int] = []
        pending.reserveCapacity(256)
        pending.append(contentsOf: 0..<200)
        queue.put(moving: &pending)
        var taken = try! #require(queue.takeBatches(waitingAtMost: 0))
        #expect(taken.count == 1 && taken[0] == Array(0..<200))
        queue.recycle(&taken)
        #expect(taken.isEmpty)
        // The next put hands the producer the array the consumer gave back: empty, with room.
        pending.append(7)
        queue.put(moving: &pending)
        #expect(pending.isEmpty && pending.capacity >= 200)
        #expect(queue.take(waitingAtMost: 0) == [7])
    }

    @Test func aFullQueueCountsElementsNotBatches() {
        let queue = Handoff<Int>(capacity: 4)
        var pending = [1, 2, 3]
        queue.put(moving: &pending)
        pending = [4]
        queue.put(moving: &pending)  // 4 waiting: the next put must wait for the consumer
        let putDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var more = [5]
            queue.put(moving: &more)
            putDone.signal()
        }
        #expect(putDone.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(queue.take(waitingAtMost: 1) == [1, 2, 3, 4])
        #expect(putDone.wait(timeout: .now() + 5) == .success)
        #expect(queue.take(waitingAtMost: 1) == [5])
    }
}
