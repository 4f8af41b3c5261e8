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
        #expect(queue.producerWaits == 1)
    }

    @Test func takingWhatIsAvailableNeverWaitsAndMakesRoomForTheProducer() {
        let queue = Handoff<Int>(capacity: 2)
        #expect(queue.takeAvailable() == [])
        queue.put([1, 2])
        let putDone = DispatchSemaphore(value: 0)
        Thread {
            queue.put([3])
            putDone.signal()
        }.start()
        #expect(putDone.wait(timeout: .now() + 0.1) == .timedOut)
        #expect(queue.takeAvailable() == [1, 2])
        #expect(putDone.wait(timeout: .now() + 5) == .success)
        queue.finish()
        // After `finish` what was put is still there; then nothing, without waiting.
        #expect(queue.takeAvailable() == [3])
        #expect(queue.takeAvailable() == [])
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
