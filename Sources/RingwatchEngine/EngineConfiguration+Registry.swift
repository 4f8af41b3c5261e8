import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import TOMLKit

/// The files a registry load reads: the registry CSV and the three spelling tables.
public struct RegistryFiles: Sendable, Hashable {
    public var registry: String?
    public var makes = ShippedFiles.path("vehicle-makes.csv")
    public var models = ShippedFiles.path("vehicle-models.csv")
    public var colors = ShippedFiles.path("vehicle-colors.csv")

    public init(registry: String? = nil) { self.registry = registry }
}

extension EngineConfiguration {
    /// The registry and spelling-table paths of this configuration.
    public var registryFiles: RegistryFiles {
        var files = RegistryFiles(registry: registryPath)
        files.makes = vehicleMakesPath
        files.models = vehicleModelsPath
        files.colors = vehicleColorsPath
        return files
    }

    /// `[registry]`: `path`, the spelling tables, and the mismatch rules (docs/operations.md).
    mutating func applyRegistry(_ table: TOMLTable, file: String) throws {
        let reader = TableReader(table: table, name: "registry", file: file)
        try reader.rejectUnknown([
            "path", "makes", "models", "colors", "mismatch_min_confidence", "night_min_confidence", "judge_color_at_night",
            "dark_below_sun_elevation", "single_read_min_confidence", "min_consistent_mismatches", "min_prior_matches",
            "history_hours", "history_length", "rate_limit_s", "report_unregistered", "unregistered_min_ocr_confidence",
            "unregistered_min_cameras", "unregistered_rate_limit_s",
        ])
        if let value = try reader.string("path") { registryPath = value.isEmpty ? nil : value }
        if let value = try reader.string("makes") { vehicleMakesPath = value }
        if let value = try reader.string("models") { vehicleModelsPath = value }
        if let value = try reader.string("colors") { vehicleColorsPath = value }
        if let value = try reader.double("mismatch_min_confidence", 0...1) { observationPolicy.minimumConfidence = value }
        if let value = try reader.double("night_min_confidence", 0...1) { observationPolicy.minimumNightConfidence = value }
        if let value = try reader.bool("judge_color_at_night") { observationPolicy.judgeColorAtNight = value }
        if let value = try reader.double("dark_below_sun_elevation", -90...90) { observationPolicy.darkBelowSunElevation = value }
        if let value = try reader.double("single_read_min_confidence", 0...2) { mismatch.singleReadConfidence = value }
        if let value = try reader.int("min_consistent_mismatches", 1...100) { mismatch.minimumMismatches = Int(value) }
        if let value = try reader.int("min_prior_matches", 1...100) { mismatch.minimumPriorMatches = Int(value) }
        if let value = try reader.int("history_hours", 1...24 * 366) { mismatch.historyHours = value }
        if let value = try reader.int("history_length", 2...64) { mismatch.historyLength = Int(value) }
        if let value = try reader.int("rate_limit_s", 0...31_536_000) { mismatch.rateLimitSeconds = value }
        if let value = try reader.bool("report_unregistered") { mismatch.reportUnregistered = value }
        if let value = try reader.double("unregistered_min_ocr_confidence", 0...1) { mismatch.unregisteredMinimumOCRConfidence = value }
        if let value = try reader.int("unregistered_min_cameras", 1...100) { mismatch.unregisteredMinimumCameras = Int(value) }
        if let value = try reader.int("unregistered_rate_limit_s", 0...31_536_000) { mismatch.unregisteredRateLimitSeconds = value }
    }

    /// `[clone]`: the cloned-plate rules (docs/operations.md).
    mutating func applyClone(_ table: TOMLTable, file: String) throws {
        let reader = TableReader(table: table, name: "clone", file: file)
        try reader.rejectUnknown([
            "enabled", "max_speed_kmh", "skew_margin_s", "min_distance_km", "weak_char_confidence", "weak_ocr_confidence", "rate_limit_s",
        ])
        if let value = try reader.bool("enabled") { cloneEnabled = value }
        if let value = try reader.double("max_speed_kmh", 1...10_000) { clone.maximumSpeedKilometresPerHour = value }
        if let value = try reader.double("skew_margin_s", 0...3600) { clone.skewMarginSeconds = value }
        if let value = try reader.double("min_distance_km", 0...10_000) { clone.minimumDistanceKilometres = value }
        if let value = try reader.double("weak_char_confidence", 0...1) { clone.weakCharacterConfidence = value }
        if let value = try reader.double("weak_ocr_confidence", 0...1) { clone.weakOCRConfidence = value }
        if let value = try reader.int("rate_limit_s", 0...31_536_000) { clone.rateLimitSeconds = value }
    }
}

/// Typed reads of one TOML table, each failure one line naming the file, table and key.
private struct TableReader {
    let table: TOMLTable
    let name: String
    let file: String

    func rejectUnknown(_ known: [String]) throws {
        for key in table.keys where !known.contains(key) {
            throw EngineConfiguration.Problem("\(file): unknown key '\(key)' in [\(name)] (known: \(known.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw EngineConfiguration.Problem("\(file): [\(name)] '\(key)' must be a string") }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw EngineConfiguration.Problem("\(file): [\(name)] '\(key)' must be true or false") }
        return flag
    }

    func int(_ key: String, _ range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = table[key] else { return nil }
        guard let number = value.int, range.contains(Int64(number)) else {
            throw EngineConfiguration.Problem("\(file): [\(name)] '\(key)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int64(number)
    }

    /// A number; TOML integers are accepted too (`max_speed_kmh = 200`).
    func double(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init), range.contains(number) else {
            throw EngineConfiguration.Problem("\(file): [\(name)] '\(key)' must be a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
