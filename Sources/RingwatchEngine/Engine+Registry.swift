import Foundation
import RingwatchCore
import RingwatchRegistry

extension Engine {
    /// Loads the spelling tables and the vehicle registry: at start, and on the control thread
    /// for `registry.reload` (never on the pipeline thread: eight million lines take seconds).
    ///
    /// Throws a one-line `EngineConfiguration.Problem` when a file cannot be read; bad lines
    /// are in the reports.
    public static func loadRegistry(_ files: RegistryFiles) throws -> (VehicleRegistry, [LoadReport]) {
        guard let path = files.registry else {
            throw EngineConfiguration.Problem("no vehicle registry is configured: give its path (--registry CSV, or path in [registry])")
        }
        let (vocabulary, tableReports) = VehicleVocabulary.parse(
            makesCSV: try readFile(files.makes, what: "vehicle makes", flag: "makes in [registry]"), makesFile: files.makes,
            modelsCSV: try readFile(files.models, what: "vehicle models", flag: "models in [registry]"), modelsFile: files.models,
            colorsCSV: try readFile(files.colors, what: "vehicle colours", flag: "colors in [registry]"), colorsFile: files.colors)
        do {
            let (registry, report) = try VehicleRegistry.load(contentsOf: path, vocabulary: vocabulary)
            return (registry, tableReports + [report])
        } catch let error as RegistryFileError {
            throw EngineConfiguration.Problem(error.description)
        }
    }

    private static func readFile(_ path: String, what: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineConfiguration.Problem("cannot read the \(what) file \(path): check the path (\(flag))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
