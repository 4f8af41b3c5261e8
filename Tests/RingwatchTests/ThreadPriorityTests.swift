import Foundation
import Synchronization
import RingwatchCore
import RingwatchEngine
import RingwatchTesting
import Testing

/// The history writer runs below the read path (`writer_nice`).
@Suite struct ThreadPriorityTests {
    @Test func loweringAThreadsPriorityLeavesTheOthersAlone() throws {
        let before = try #require(currentThreadNiceness())
        let result = Mutex<(Int32?, Int32?)>((nil, nil))
        let finished = DispatchSemaphore(value: 0)
        Thread {
            let lowered = lowerCurrentThreadPriority(by: 3)
            result.withLock { $0 = (lowered, currentThreadNiceness()) }
            finished.signal()
        }.start()
        finished.wait()
        let (lowered, seen) = result.withLock { $0 }
        #expect(lowered == min(19, before + 3))
        #expect(seen == lowered)
        // The calling thread keeps its own.
        #expect(currentThreadNiceness() == before)
    }

    @Test func writerNiceIsATuningKeyWithARange() throws {
        let directory = TemporaryDirectory()
        let defaults = try EngineConfiguration.load(tomlFile: directory.write("a.toml", "[tuning]\nlateness_s = 60\n"))
        #expect(defaults.writerNiceness == 5)
        let off = try EngineConfiguration.load(tomlFile: directory.write("b.toml", "[tuning]\nwriter_nice = 0\n"))
        #expect(off.writerNiceness == 0)
        #expect(throws: (any Error).self) { try EngineConfiguration.load(tomlFile: directory.write("c.toml", "[tuning]\nwriter_nice = 20\n")) }
    }
}
