// What the in-process suites that replay the national day share (`detector-cost`,
// `convoy-tail`): its inputs, its reads, and the CPU time of the thread that replays them.
import Foundation
import RingwatchCore
import RingwatchIngest

extension NationalBenchmark {
    /// Makes the national inputs when missing and returns their camera registry.
    func preparedCameras() throws -> CameraRegistry {
        try prepare()
        return CameraRegistry.parse(csv: try String(contentsOfFile: camerasPath, encoding: .utf8), file: camerasPath).0
    }

    /// The first `reads` reads of the simulated day, decoded, without repeated ids (as the
    /// pipeline's de-duplication would drop them).
    func loadReads() throws -> [PlateRead] {
        let path = dayPath
        let decoder = ReadDecoder()
        var seen = Set<ReadID>()
        var out: [PlateRead] = []
        out.reserveCapacity(reads)
        // The day is gigabytes: read it line by line.
        guard let file = fopen(path, "r") else { throw NationalInputError("cannot open \(path)") }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while out.count < reads {
            let length = getline(&line, &capacity, file)
            guard length > 0, let line else { break }
            // A line is {"topic":"…","body":{…}}: the body is between `"body":` and the last `}`.
            let bytes = UnsafeRawBufferPointer(start: line, count: line[length - 1] == 10 ? length - 1 : length)
            let marker = Array(#""body":"#.utf8)
            guard let start = (0..<max(0, bytes.count - marker.count)).first(where: { at in marker.indices.allSatisfy { bytes[at + $0] == marker[$0] } })
            else { continue }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(start + marker.count)..<(bytes.count - 1)])
            guard case .success(let decoded) = decoder.decode(body), seen.insert(decoded.read.id).inserted else { continue }
            out.append(decoded.read)
        }
        return out
    }
}

/// CPU time of the calling thread, so that what other processes take does not count.
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

struct NationalInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
