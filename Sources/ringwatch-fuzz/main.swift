// Fuzz targets for the two decoders that take bytes from the network (issue 9):
//
//   scripts/fuzz.sh read     # ingest read bodies → ReadDecoder
//   scripts/fuzz.sh control  # control requests → the engine's control handler
//
// Built with `-sanitize=fuzzer -parse-as-library -DFUZZING` (scripts/fuzz.sh): the entry point
// SwiftPM links an executable with hands over to libFuzzer's driver. Without those flags this
// target is an empty program, so a plain `swift build` still builds it. The corpus
// lives in Fixtures/fuzz/{read,control}; `FuzzCorpusTests` replays it in every test run.
import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchIngest

/// The target, chosen by `RINGWATCH_FUZZ_TARGET` (`read` or `control`).
private let target = ProcessInfo.processInfo.environment["RINGWATCH_FUZZ_TARGET"] ?? "read"
private let decoder = ReadDecoder()

/// An engine on a scratch database, started on first use by the control target.
private let controlEngine: Engine = {
    let directory = NSTemporaryDirectory() + "ringwatch-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // Run from the package root, as scripts/fuzz.sh does.
    let cameras = FileManager.default.currentDirectoryPath + "/Fixtures/cameras.csv"
    var configuration = EngineConfiguration.loopback(databasePath: directory + "/fuzz.sqlite", camerasPath: cameras)
    configuration.convoy = nil
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    // A broken setup must stop the fuzzer loudly rather than fuzz nothing.
    let engine = try! Engine(configuration: configuration, logger: logger)
    engine.start()
    return engine
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch target {
    case "control":
        let reply = controlEngine.handleControlRequest(Array(bytes))
        // Every reply says whether it worked; a failed one says why.
        guard case .object(let fields) = reply, fields.first?.0 == "ok" else { fatalError("control reply without ok") }
    default:
        switch decoder.decode(bytes) {
        case .success(let read): precondition(!read.read.plate.text.isEmpty, "accepted a read without a plate")
        case .failure(let rejection): precondition(!rejection.detail.isEmpty, "rejection without a reason")
        }
    }
    return 0
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links executables with `main` defined as `<module>_main`; with -parse-as-library
/// nothing defines it, so this does, and runs libFuzzer on `fuzzOneInput`.
@_cdecl("ringwatch_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#endif
