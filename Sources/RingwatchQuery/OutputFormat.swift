import Foundation
import RingwatchCore

/// How query commands print rows: `table` for people, `jsonl` one object per line, `csv` with a
/// header row, `geojson` one FeatureCollection (each row a Feature, its fields the properties).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, jsonl, csv, geojson
}

/// Rows of named fields, printed in one of the output formats. Columns keep the order of the
/// first row (the contract's order).
public struct RowPrinter {
    public let format: OutputFormat
    public let columns: [String]
    /// With `geojson`: the geometry of a row (from the camera registry). Without it, or when it
    /// gives null, the Feature has a null geometry, which GeoJSON allows.
    public var geometry: ((JSONValue) -> JSONValue)?

    public init(format: OutputFormat, columns: [String], geometry: ((JSONValue) -> JSONValue)? = nil) {
        self.format = format
        self.columns = columns
        self.geometry = geometry
    }

    /// The whole output for `rows`, ending with a newline unless empty (table prints a note).
    public func render(_ rows: [JSONValue]) -> String {
        switch format {
        case .jsonl:
            return rows.map { $0.serialized + "\n" }.joined()
        case .geojson:
            let features = rows.map { GeoJSON.feature(geometry: geometry?($0) ?? .null, properties: $0) }
            return GeoJSON.featureCollection(features).serialized + "\n"
        case .csv:
            return csvHeader + rows.map(csvLine).joined()
        case .table:
            guard !rows.isEmpty else { return "(no rows)\n" }
            let cells = rows.map { row in columns.map { row[$0]?.tableText ?? "" } }
            var widths = columns.map(\.count)
            for line in cells { for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) } }
            func line(_ values: [String]) -> String {
                zip(values, widths).enumerated().map { index, pair in
                    index == values.count - 1 ? pair.0 : pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            var out = line(columns.map { $0.uppercased() }) + "\n"
            for values in cells { out += line(values) + "\n" }
            return out
        }
    }

    /// The CSV header line (for output that prints rows one at a time, as they come).
    public var csvHeader: String { columns.joined(separator: ",") + "\n" }

    /// One CSV line for `row`.
    public func csvLine(_ row: JSONValue) -> String {
        columns.map { RowPrinter.csvField(row[$0]?.cellText ?? "") }.joined(separator: ",") + "\n"
    }

    /// RFC 4180 quoting where needed.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension JSONValue {
    /// Cell text for tables: numbers rounded to three decimals for reading.
    public var tableText: String {
        if case .double(let value) = self { return JSONValue.double((value * 1000).rounded() / 1000).cellText }
        return cellText
    }
}
