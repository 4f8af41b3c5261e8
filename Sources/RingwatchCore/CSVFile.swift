/// A CSV file with a header row (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
///
/// Parsing never stops at a bad line: each problem is kept with its 1-based line number so
/// that loaders can say exactly what they skipped.
public struct CSVFile: Sendable {
    /// One data row, with the line it started on.
    public struct Row: Sendable {
        public let line: Int
        public let fields: [String]
    }

    /// A line that could not be used, and why.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(line): \(message)" }
    }

    public let header: [String]
    public let rows: [Row]
    public let problems: [Problem]

    /// Parses `text`. A row with the wrong number of fields becomes a problem, not a row.
    public init(text: String) {
        var records: [(line: Int, fields: [String])] = []
        var problems: [Problem] = []
        var field: [UInt8] = []
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteClosed = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // byte-order mark
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoteClosed = false
        }
        func endRecord() {
            endField()
            let blank = fields.count == 1 && fields[0].isEmpty
            if !blank { records.append((recordLine, fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == 34 {
                    if index + 1 < bytes.count, bytes[index + 1] == 34 {
                        field.append(34)
                        index += 1
                    } else {
                        inQuotes = false
                        quoteClosed = true
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case 44: endField()
                case 34 where field.isEmpty && !quoteClosed: inQuotes = true
                case 13: break
                case 10:
                    endRecord()
                    line += 1
                    recordLine = line
                default: field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes {
            problems.append(Problem(line: recordLine, message: "a quoted field is never closed"))
        } else if !field.isEmpty || !fields.isEmpty {
            endRecord()
        }

        let header = records.first?.fields.map { $0.trimmingSpaces.lowercased() } ?? []
        var rows: [Row] = []
        for record in records.dropFirst() {
            if record.fields.count != header.count {
                problems.append(Problem(line: record.line, message: "expected \(header.count) fields, found \(record.fields.count)"))
            } else {
                rows.append(Row(line: record.line, fields: record.fields.map(\.trimmingSpaces)))
            }
        }
        self.header = header
        self.rows = rows
        self.problems = problems.sorted { $0.line < $1.line }
    }

    /// The positions of `columns` in the header; nil with a message when one is missing.
    public func columnIndexes(_ columns: [String]) -> Result<[Int], Problem> {
        var indexes: [Int] = []
        for column in columns {
            guard let index = header.firstIndex(of: column) else {
                return .failure(Problem(line: 1, message: "header lacks column '\(column)' (expected \(columns.joined(separator: ",")))"))
            }
            indexes.append(index)
        }
        return .success(indexes)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    public var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

/// What a CSV loader kept and skipped, for the "loaded N, skipped M" line.
public struct LoadReport: Sendable, CustomStringConvertible {
    public let file: String
    public let loaded: Int
    public let problems: [CSVFile.Problem]
    /// Lines loaded that deserve a word (a hotlist entry whose expiry has passed), by number.
    public var warnings: [CSVFile.Problem] = []

    public init(file: String, loaded: Int, problems: [CSVFile.Problem]) {
        self.file = file
        self.loaded = loaded
        self.problems = problems
    }

    public var skipped: Int { problems.count }

    /// The header problem that left nothing to load (a missing column, a header line that does
    /// not parse), or nil. Such a file is unusable as a whole, unlike a file with a bad line.
    public var headerProblem: CSVFile.Problem? {
        loaded == 0 ? problems.first { $0.line == 1 } : nil
    }

    public var description: String { "\(file): loaded \(loaded) lines, skipped \(skipped)" }
}
