import Foundation
import Logging
import RingwatchCore
import RingwatchRegistry

/// Hands a value to the pipeline thread and back (the old registry, so that its arrays are
/// freed on the control thread rather than between two bursts of reads).
private final class Handover<Value>: @unchecked Sendable {
    // @unchecked: written on the pipeline thread inside `perform`, read after `perform` returns
    // (its semaphore orders the two).
    var value: Value?
}

extension ControlServer {
    /// `{"op":"registry.reload","path":optional}`: loads the registry (and the spelling tables)
    /// here on the control thread, then swaps it in between two bursts of reads, so ingest never
    /// waits for the load. A file that yields no vehicle at all is refused and the old registry
    /// stays: a truncated export must not switch the checks off.
    func registryReload(_ request: [String: Any]) -> JSONValue {
        var files = engine.registryFiles
        if let path = request["path"] as? String, !path.isEmpty { files.registry = path }
        let started = DispatchTime.now().uptimeNanoseconds
        let registry: VehicleRegistry, reports: [LoadReport]
        do {
            (registry, reports) = try Engine.loadRegistry(files)
        } catch {
            return Self.failure("registry.reload failed: \(error)")
        }
        let report = reports.last!
        guard registry.count > 0 else {
            let first = report.problems.first.map { " (\($0.description))" } ?? ""
            return Self.failure("the registry \(files.registry ?? "") has no usable vehicle\(first); the engine keeps the registry it had")
        }
        let previous = Handover<VehicleRegistry>()
        _ = engine.pipeline.perform { pipeline in
            previous.value = pipeline.registry.registry
            pipeline.replaceRegistry(registry)
            return .null
        }
        previous.value = nil
        engine.registryFiles = files
        engine.registryLoadedAt = .now
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        logger.info(
            "vehicle registry reloaded",
            metadata: [
                "file": "\(report.file)", "loaded": "\(report.loaded)", "skipped": "\(report.skipped)",
                "seconds": "\(String(format: "%.1f", seconds))",
            ])
        for problem in reports.flatMap({ $0.problems }).prefix(100) { logger.warning("\(problem.description)") }
        return .object([
            ("ok", .bool(true)),
            ("vehicles", .int(Int64(registry.count))),
            ("skipped", .int(Int64(report.skipped))),
            ("problems", .array(report.problems.prefix(20).map { .string($0.description) })),
            ("tables_skipped", .int(Int64(reports.dropLast().reduce(0) { $0 + $1.skipped }))),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ])
    }

    /// `{"op":"registry.status"}`: what is loaded and what the registry checks have done.
    func registryStatus() -> JSONValue {
        let path = engine.registryFiles.registry
        let loadedAt = engine.registryLoadedAt
        return engine.pipeline.perform { pipeline in
            .object([
                ("ok", .bool(true)),
                ("path", path.map(JSONValue.string) ?? .null),
                ("loaded_at", loadedAt.map { .string($0.rfc3339Seconds) } ?? .null),
                ("vehicles", .int(Int64(pipeline.registry.registry.count))),
                ("models", .int(Int64(pipeline.registry.registry.distinctModels))),
                ("misreads_corrected", .int(Int64(pipeline.mismatch.misreadsCorrected))),
                ("plates_tracked", .int(Int64(pipeline.mismatch.trackedPlates))),
                ("clones_suppressed", .int(Int64(pipeline.clone.suppressed))),
            ])
        }
    }
}
