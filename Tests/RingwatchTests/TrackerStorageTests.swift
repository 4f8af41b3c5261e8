import RingwatchCore
@testable import RingwatchDetectors
import RingwatchTesting
import Testing

/// The convoy tracker's storage grows without moving what it holds: a queue and an array
/// kept in chunks. They must behave as the plain array and queue they replace.
@Suite("Convoy tracker storage: chunked queue and array")
struct TrackerStorageTests {
    /// Against an array used as a queue, with the queue's length going up and down across
    /// many chunks (and emptied completely now and then).
    @Test func chunkedQueueIsFirstInFirstOut() {
        var random = SeededRandom(seed: 8)
        var queue = RingQueue<Int>()
        var reference: [Int] = []
        var front = 0
        var next = 0
        for round in 0..<40 {
            // Phases of mostly appending and mostly taking, some of them longer than a chunk.
            let appending = round % 2 == 0
            for _ in 0..<Int(random.next() % UInt64(3 * RingQueue<Int>.chunkSize)) {
                if appending ? random.next() % 4 != 0 : random.next() % 4 == 0 {
                    queue.append(next)
                    reference.append(next)
                    next += 1
                } else if front < reference.count {
                    #expect(queue.first == reference[front])
                    #expect(queue.removeFirst() == reference[front])
                    front += 1
                }
                #expect(queue.count == reference.count - front)
            }
            if round % 7 == 6 {
                while !queue.isEmpty {
                    #expect(queue.removeFirst() == reference[front])
                    front += 1
                }
                #expect(queue.first == nil)
            }
        }
        #expect(queue.count == reference.count - front)
        while let first = queue.first {
            #expect(first == reference[front])
            queue.removeFirst()
            front += 1
        }
        #expect(front == reference.count)
    }

    @Test func chunkedArrayKeepsEveryElementWhereItWasPut() {
        var array = ChunkedArray<(Int, String)>()
        var reference: [(Int, String)] = []
        for index in 0..<50_000 {
            array.append((index, "v\(index)"))
            reference.append((index, "v\(index)"))
        }
        // Changes in place, through the subscript, in every chunk.
        for index in stride(from: 0, to: 50_000, by: 97) {
            array[index].0 += 1
            array[index].1 += "!"
            reference[index].0 += 1
            reference[index].1 += "!"
        }
        #expect(array.count == reference.count)
        for index in 0..<reference.count {
            #expect(array[index].0 == reference[index].0 && array[index].1 == reference[index].1)
        }
    }
}
