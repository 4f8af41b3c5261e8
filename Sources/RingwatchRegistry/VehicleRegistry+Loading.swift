import RingwatchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A registry file that cannot be opened or mapped: one line for the operator.
public struct RegistryFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension VehicleRegistry {
    /// The columns of CONTRACT.md section 4, in the order they are read.
    static let columns = ["plate", "make", "model", "color", "vehicle_type"]

    /// Loads the registry CSV at `path` (`plate,make,model,color,vehicle_type`). Bad lines are
    /// skipped and reported by number; throws only when the file cannot be read.
    ///
    /// The file is memory-mapped and parsed byte by byte (RFC 4180 quoting included), so the
    /// loader never holds a copy of it; see docs/performance.md for the 8-million-line figures.
    public static func load(contentsOf path: String, vocabulary: VehicleVocabulary) throws -> (VehicleRegistry, LoadReport) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw RegistryFileError(
                "cannot read the vehicle registry file \(path): \(String(cString: strerror(errno))); check the path (--registry CSV)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw RegistryFileError("cannot read the vehicle registry file \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int(status.st_size)
        guard size > 0 else { return parse(bytes: UnsafeBufferPointer(start: nil, count: 0), file: path, vocabulary: vocabulary) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw RegistryFileError("cannot map the vehicle registry file \(path) into memory: \(String(cString: strerror(errno)))")
        }
        defer { munmap(mapped, size) }
        #if os(Linux)
            _ = madvise(mapped, size, MADV_SEQUENTIAL)
        #endif
        let bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
        return parse(bytes: bytes, file: path, vocabulary: vocabulary)
    }

    /// Parses registry CSV text (tests and small files).
    public static func parse(csv text: String, file: String, vocabulary: VehicleVocabulary) -> (VehicleRegistry, LoadReport) {
        var text = text
        return text.withUTF8 { parse(bytes: $0, file: file, vocabulary: vocabulary) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, file: String, vocabulary: VehicleVocabulary) -> (VehicleRegistry, LoadReport) {
        var parser = RegistryCSVParser(bytes: bytes)
        var builder = RegistryBuilder()
        guard let header = parser.header() else {
            return (VehicleRegistry(vocabulary: vocabulary), LoadReport(file: file, loaded: 0, problems: parser.problems))
        }
        var columns: [Int] = []
        for column in Self.columns {
            guard let index = header.firstIndex(of: column) else {
                let problem = CSVFile.Problem(
                    line: 1, message: "header lacks column '\(column)' (expected \(Self.columns.joined(separator: ",")))")
                return (VehicleRegistry(vocabulary: vocabulary), LoadReport(file: file, loaded: 0, problems: [problem]))
            }
            columns.append(index)
        }
        parser.forEachRecord(fieldCount: header.count) { line, fields in
            if let message = builder.add(
                line: line, plate: fields[columns[0]], make: fields[columns[1]], model: fields[columns[2]],
                color: fields[columns[3]], type: fields[columns[4]])
            {
                builder.problems.append(CSVFile.Problem(line: line, message: message))
            }
        }
        builder.problems += parser.problems
        let registry = builder.build(vocabulary: vocabulary)
        return (registry, LoadReport(file: file, loaded: registry.count, problems: builder.problems.sorted { $0.line < $1.line }))
    }
}

/// A byte-level RFC 4180 reader over a buffer: fields are handed out as slices of the buffer
/// (or of a scratch buffer for quoted fields, whose doubled quotes must be undone), trimmed of
/// spaces, tabs and carriage returns, with the 1-based line each record starts on.
struct RegistryCSVParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    private(set) var problems: [CSVFile.Problem] = []
    /// Where each field of the current record lies: in `bytes`, or (negative start) in `scratch`.
    private var ranges: [(start: Int, end: Int, quoted: Bool)] = []
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }  // byte-order mark
    }

    /// The header row, trimmed and lower-cased; nil (with a problem) when the file is empty.
    mutating func header() -> [String]? {
        var header: [String]?
        while header == nil, position < bytes.count {
            guard scanRecord() != nil else { break }
            if isBlank { continue }
            header = withFields { fields in fields.map { String(decoding: $0, as: UTF8.self).lowercased() } }
        }
        if header == nil, problems.isEmpty {
            problems.append(CSVFile.Problem(line: 1, message: "the file is empty; expected a header row"))
        }
        return header
    }

    /// Calls `body` with each non-blank record that has `fieldCount` fields; others become problems.
    mutating func forEachRecord(fieldCount: Int, _ body: (Int, [UnsafeBufferPointer<UInt8>]) -> Void) {
        var fields = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: fieldCount)
        while position < bytes.count {
            guard let startLine = scanRecord() else { break }
            if isBlank { continue }
            guard ranges.count == fieldCount else {
                problems.append(CSVFile.Problem(line: startLine, message: "expected \(fieldCount) fields, found \(ranges.count)"))
                continue
            }
            if ranges.contains(where: \.quoted) {
                scratch.withUnsafeBufferPointer { scratch in
                    for (index, range) in ranges.enumerated() {
                        fields[index] = Self.trimmed(range.quoted ? scratch : bytes, range.start, range.end)
                    }
                    body(startLine, fields)
                }
            } else {
                for (index, range) in ranges.enumerated() { fields[index] = Self.trimmed(bytes, range.start, range.end) }
                body(startLine, fields)
            }
        }
    }

    private var isBlank: Bool {
        guard ranges.count == 1, !ranges[0].quoted else { return false }
        return Self.trimmed(bytes, ranges[0].start, ranges[0].end).isEmpty
    }

    private func withFields<T>(_ body: ([UnsafeBufferPointer<UInt8>]) -> T) -> T {
        scratch.withUnsafeBufferPointer { scratch in
            body(ranges.map { Self.trimmed($0.quoted ? scratch : bytes, $0.start, $0.end) })
        }
    }

    /// Reads one record into `ranges`; returns the line it started on, or nil at an unclosed
    /// quote (reported; nothing after it can be trusted).
    private mutating func scanRecord() -> Int? {
        let startLine = line
        ranges.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        let count = bytes.count
        while true {
            if position < count, bytes[position] == 34 {  // a quoted field
                position += 1
                let start = scratch.count
                var closed = false
                while position < count {
                    let byte = bytes[position]
                    if byte == 34 {
                        if position + 1 < count, bytes[position + 1] == 34 {
                            scratch.append(34)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == 10 { line += 1 }
                    scratch.append(byte)
                    position += 1
                }
                guard closed else {
                    problems.append(CSVFile.Problem(line: startLine, message: "a quoted field is never closed"))
                    position = count
                    return nil
                }
                // Anything between the closing quote and the delimiter belongs to the field.
                while position < count, bytes[position] != 44, bytes[position] != 10 {
                    scratch.append(bytes[position])
                    position += 1
                }
                ranges.append((start, scratch.count, true))
            } else {
                let start = position
                while position < count {
                    let byte = bytes[position]
                    if byte == 44 || byte == 10 { break }
                    position += 1
                }
                ranges.append((start, position, false))
            }
            if position < count, bytes[position] == 44 {
                position += 1
                continue
            }
            if position < count {  // the newline
                position += 1
                line += 1
            }
            return startLine
        }
    }

    private static func trimmed(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        var start = start, end = end
        while start < end, buffer[start] == 32 || buffer[start] == 9 || buffer[start] == 13 { start += 1 }
        while end > start, buffer[end - 1] == 32 || buffer[end - 1] == 9 || buffer[end - 1] == 13 { end -= 1 }
        return UnsafeBufferPointer(rebasing: buffer[start..<end])
    }
}

/// Accumulates parsed lines, then sorts, removes duplicate plates and resolves families.
struct RegistryBuilder {
    var keys: [UInt64] = []
    /// `VehicleWord`s, parallel to `keys`.
    var vehicles: [UInt64] = []
    var lines: [UInt32] = []
    var problems: [CSVFile.Problem] = []
    private var makeNames = ByteInterner()
    private var modelNames = ByteInterner()
    private var colorNames = ByteInterner()
    private var typeNames = ByteInterner()
    /// (make id << 32 | model id) → kind; and each kind's pair.
    private var kindIDs: [UInt64: UInt32] = [:]
    private var kindPairs: [(make: UInt32, model: UInt32)] = []
    private var lastPair: UInt64 = .max
    private var lastKind: UInt32 = 0

    /// Adds one line; returns why it was skipped, if it was. Messages never quote the plate.
    mutating func add(
        line: Int, plate: UnsafeBufferPointer<UInt8>, make: UnsafeBufferPointer<UInt8>, model: UnsafeBufferPointer<UInt8>,
        color: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>
    ) -> String? {
        guard let key = Self.plateKey(plate) else {
            return "plate is not 1-12 of A-Z, 0-9 after removing spaces, '-' and '.'"
        }
        guard !make.isEmpty else { return "make is empty" }
        let colorID = colorNames.id(of: color), typeID = typeNames.id(of: type)
        guard colorID <= UInt16.max, typeID <= UInt16.max else { return "more than 65,536 distinct colours or vehicle types" }
        let pair = UInt64(makeNames.id(of: make)) << 32 | UInt64(modelNames.id(of: model))
        if pair != lastPair {
            // Registries are often grouped by make and model: the last pair saves a hash lookup.
            if let kind = kindIDs[pair] {
                lastKind = kind
            } else {
                lastKind = UInt32(kindPairs.count)
                kindIDs[pair] = lastKind
                kindPairs.append((UInt32(pair >> 32), UInt32(truncatingIfNeeded: pair)))
            }
            lastPair = pair
        }
        keys.append(key)
        vehicles.append(VehicleWord(kind: lastKind, color: UInt16(colorID), type: UInt16(typeID)).rawValue)
        lines.append(UInt32(truncatingIfNeeded: line))
        return nil
    }

    /// The key of a raw plate field, normalised as reads are (upper case; spaces, `-`, `.` removed).
    static func plateKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var length = 0
        for byte in bytes {
            var byte = byte
            switch byte {
            case 32, 45, 46: continue
            case 97...122: byte -= 32
            default: break
            }
            let digit = PlateKey.digit(byte)
            guard digit != 0, length < 12 else { return nil }
            value = value &* 37 &+ UInt64(digit)
            length += 1
        }
        return length > 0 ? value : nil
    }

    /// Sorts by plate, keeps the later of two lines for one plate (the earlier is reported as
    /// skipped), and resolves the families of each distinct make+model and colour.
    mutating func build(vocabulary: VehicleVocabulary) -> VehicleRegistry {
        var sortedKeys = keys, sortedVehicles = vehicles
        var ascending = true
        for index in keys.indices.dropFirst() where keys[index - 1] >= keys[index] {
            ascending = false
            break
        }
        if !ascending { RadixSort.sort(&sortedKeys, carrying: &sortedVehicles) }
        // Equal keys are now adjacent and, the sort being stable, in file order: the last wins.
        var duplicates: Set<UInt64> = []
        var write = 0
        sortedKeys.withUnsafeMutableBufferPointer { keys in
            sortedVehicles.withUnsafeMutableBufferPointer { vehicles in
                for read in 0..<keys.count {
                    if write > 0 && keys[write - 1] == keys[read] {
                        duplicates.insert(keys[read])
                        vehicles[write - 1] = vehicles[read]
                    } else {
                        keys[write] = keys[read]
                        vehicles[write] = vehicles[read]
                        write += 1
                    }
                }
            }
        }
        sortedKeys.removeLast(sortedKeys.count - write)
        sortedVehicles.removeLast(sortedVehicles.count - write)
        if !duplicates.isEmpty { reportDuplicates(duplicates) }
        keys = []
        vehicles = []
        lines = []

        let makes = makeNames.strings(), models = modelNames.strings()
        var kindMakes: [String] = [], kindModels: [String?] = [], kindNormalised: [NormalisedVehicle] = []
        for pair in kindPairs {
            let make = makes[Int(pair.make)], model = models[Int(pair.model)]
            kindMakes.append(make)
            kindModels.append(model.isEmpty ? nil : model)
            let canonical = vocabulary.make(make)
            kindNormalised.append(NormalisedVehicle(make: canonical, model: vocabulary.modelFamily(model, make: canonical), color: nil))
        }
        let colorTexts = colorNames.strings().map { $0.isEmpty ? nil : $0 }
        return VehicleRegistry(
            keys: sortedKeys, vehicles: sortedVehicles, kindMakes: kindMakes, kindModels: kindModels,
            kindNormalised: kindNormalised, colorNames: colorTexts, colorFamilies: colorTexts.map { vocabulary.colorFamily($0) },
            typeNames: typeNames.strings().map { $0.isEmpty ? nil : $0 }, vocabulary: vocabulary)
    }

    /// Reports every line of a plate listed twice except its last: one pass over the file
    /// order, needed only when there are duplicates.
    private mutating func reportDuplicates(_ duplicates: Set<UInt64>) {
        var linesOf: [UInt64: [UInt32]] = [:]
        for (index, key) in keys.enumerated() where duplicates.contains(key) { linesOf[key, default: []].append(lines[index]) }
        for (_, lines) in linesOf {
            for dropped in lines.dropLast() {
                problems.append(
                    CSVFile.Problem(
                        line: Int(dropped), message: "plate is listed again on line \(lines.last!), which replaces this line"))
            }
        }
    }
}

/// A stable least-significant-digit radix sort of 64-bit keys, 11 bits per pass: eight million
/// plates sort in a few linear passes instead of n log n comparisons.
enum RadixSort {
    /// Sorts `keys` ascending and applies the same permutation to `values`; equal keys keep
    /// their order.
    static func sort(_ keys: inout [UInt64], carrying values: inout [UInt64]) {
        let count = keys.count
        precondition(values.count == count)
        guard count > 1 else { return }
        let bits = 64 - (keys.max() ?? 0).leadingZeroBitCount
        var otherKeys = [UInt64](repeating: 0, count: count)
        var otherValues = [UInt64](repeating: 0, count: count)
        var buckets = [Int](repeating: 0, count: 2048)
        var shift: UInt64 = 0
        while shift < UInt64(bits) {
            for index in buckets.indices { buckets[index] = 0 }
            for key in keys { buckets[Int((key >> shift) & 2047)] += 1 }
            var total = 0
            for index in buckets.indices {
                let size = buckets[index]
                buckets[index] = total
                total += size
            }
            keys.withUnsafeBufferPointer { source in
                values.withUnsafeBufferPointer { sourceValues in
                    otherKeys.withUnsafeMutableBufferPointer { target in
                        otherValues.withUnsafeMutableBufferPointer { targetValues in
                            buckets.withUnsafeMutableBufferPointer { buckets in
                                for index in 0..<count {
                                    let key = source[index]
                                    let bucket = Int((key >> shift) & 2047)
                                    let slot = buckets[bucket]
                                    buckets[bucket] = slot + 1
                                    target[slot] = key
                                    targetValues[slot] = sourceValues[index]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &otherKeys)
            swap(&values, &otherValues)
            shift += 11
        }
    }
}
