// `ringwatch-bench history-append`: CPU per read of decoding national read bodies and of
// appending them to the history, in this process (no sockets, no writer thread).
//
//   ringwatch-bench history-append [--dir DIR] [--reads N] [--runs N]
//
// Uses the national benchmark's inputs (made once in DIR by `ringwatch-bench national`): the
// bodies of the first N reads of the simulated day (default 200,000; duplicates dropped). Each
// run decodes them all, then appends them to a fresh SQLite file in transactions of 1,000 (as
// the writer does under load), timing each phase in thread CPU time, so other processes on the
// machine count for little. Prints the medians per read; `char_confidence` is what the two
// phases share (scanned, kept and stored).
import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchStorage
import RingwatchTesting

struct HistoryAppendBenchmark {
    let directory: String
    let reads: Int
    let runs: Int

    func run() throws {
        let national = NationalBenchmark(directory: directory, reads: reads, latencyRate: 0, runs: 1)
        let bodies = try loadBodies(national.dayPath)
        print("history-append: \(bodies.count) read bodies of \(national.dayPath); median of \(runs) runs, thread CPU time")
        var decodes: [Double] = [], appends: [Double] = []
        let decoder = ReadDecoder()
        for _ in 0..<runs {
            var decoded: [PlateRead] = []
            decoded.reserveCapacity(bodies.count)
            let began = threadCPUNanoseconds()
            for body in bodies {
                if case .success(let read) = decoder.decode(body) { decoded.append(read.read) }
            }
            let decodedAt = threadCPUNanoseconds()
            let directory = TemporaryDirectory()
            let database = try HistoryDatabase(path: directory.file("append.sqlite"))
            let appendFrom = threadCPUNanoseconds()
            var start = 0
            while start < decoded.count {
                let end = min(start + 1_000, decoded.count)
                try database.connection.transaction { try database.insert(reads: Array(decoded[start..<end]), receivedAt: .now) }
                start = end
            }
            let appendedAt = threadCPUNanoseconds()
            decodes.append(Double(decodedAt - began) / Double(bodies.count) / 1000)
            appends.append(Double(appendedAt - appendFrom) / Double(decoded.count) / 1000)
        }
        func line(_ name: String, _ values: [Double]) {
            print(String(format: "  %@ %7.3f µs per read (runs: %@)", name.padding(toLength: 10, withPad: " ", startingAt: 0) as NSString, median(values),
                         values.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        }
        line("decode", decodes)
        line("append", appends)
        line("both", zip(decodes, appends).map { $0 + $1 })
    }

    /// The JSON bodies of the first `reads` lines of the day file.
    private func loadBodies(_ path: String) throws -> [[UInt8]] {
        guard let file = fopen(path, "r") else { throw NationalInputError("cannot open \(path); run `ringwatch-bench national` once to make it") }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        let marker = Array(#""body":"#.utf8)
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(reads)
        while bodies.count < reads {
            let length = getline(&line, &capacity, file)
            guard length > 0, let line else { break }
            // A line is {"topic":"…","body":{…}}: the body is between `"body":` and the last `}`.
            let bytes = UnsafeRawBufferPointer(start: line, count: line[length - 1] == 10 ? length - 1 : length)
            guard let start = (0..<max(0, bytes.count - marker.count)).first(where: { at in marker.indices.allSatisfy { bytes[at + $0] == marker[$0] } })
            else { continue }
            bodies.append(Array(bytes[(start + marker.count)..<(bytes.count - 1)]))
        }
        return bodies
    }
}
