import Foundation
import RingwatchCore
import RingwatchTesting
import Testing

/// Findings of the conformance audit against CONTRACT.md, checked through the real binary: what
/// an integrator, analyst, dispatch room or data protection officer sees.
@Suite("Contract conformance end to end", .serialized)
struct ContractConformanceTests {
    /// `serve` with one configured input file replaced by `text`.
    static func serve(_ directory: TemporaryDirectory, flag: String, text: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let file = try directory.write("input.csv", text)
        return try RingwatchProcess.run([
            "serve", "--db", directory.file("ringwatch.sqlite"), "--cameras", "Fixtures/cameras.csv", flag, file,
            "--ingest", FreePort.endpoint(), "--triggers", FreePort.endpoint(), "--control", FreePort.endpoint(),
        ], timeout: 20)
    }

    @Test("serve refuses a configured CSV whose header makes the whole file unusable", arguments: [
        ("--hotlist", "plate,category,reason\n1ABC123,stolen_vehicle,Stolen\n", "header lacks column 'severity'"),
        ("--cameras", "id,ring,lat,lon\nR1-01,R1,51.2,4.4\n", "header lacks column 'camera'"),
        ("--registry", "plate,make\n1ABC123,BMW\n", "header lacks column 'model'"),
    ])
    func serveRefusesAnUnusableFile(flag: String, text: String, message: String) throws {
        let directory = TemporaryDirectory()
        let result = try Self.serve(directory, flag: flag, text: text)
        // Before the fix the engine logged a warning, loaded nothing and ran until killed.
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("input.csv line 1: \(message)"), "\(result.stderr)")
    }

    @Test func serveStillStartsOnAFileWithABadLineAndSaysWhichLine() throws {
        let directory = TemporaryDirectory()
        let file = try directory.write("hotlist.csv", "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,urgent,Stolen,\n")
        let process = RingwatchProcess([
            "serve", "--db", directory.file("ringwatch.sqlite"), "--cameras", "Fixtures/cameras.csv", "--hotlist", file,
            "--ingest", FreePort.endpoint(), "--triggers", FreePort.endpoint(), "--control", FreePort.endpoint(),
        ])
        try process.start()
        usleep(3_000_000)
        #expect(process.isRunning)
        process.signal(SIGTERM)
        let exit = process.wait(timeout: 30)
        #expect(exit.status == 0, "\(exit.stderr)")
        #expect(exit.stderr.contains("hotlist.csv: loaded 0 lines, skipped 1"), "\(exit.stderr)")
        #expect(exit.stderr.contains("hotlist.csv line 2: severity 'urgent'"), "\(exit.stderr)")
    }
}
