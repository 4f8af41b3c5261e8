import RingwatchCore

/// Turns one ingest message body into a validated `PlateRead`, exactly as CONTRACT.md section 2
/// says, or into a `Rejection` that says why not.
///
/// Decoding is on the hot path: it scans the bytes once, allocates only the strings it keeps
/// and never builds a dictionary. Unknown fields are skipped (their syntax is still checked).
public struct ReadDecoder: Sendable {
    /// Bodies larger than this are rejected before they are looked at.
    public var maximumBodyBytes: Int
    /// Longest accepted camera id, source id and make/model/colour text.
    public static let maximumTextBytes = 128

    public init(maximumBodyBytes: Int = 64 * 1024) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    public func decode(_ body: UnsafeRawBufferPointer) -> Result<DecodedRead, Rejection> {
        guard body.count <= maximumBodyBytes else {
            return .failure(Rejection(.tooLarge, "body of \(body.count) bytes is over the \(maximumBodyBytes)-byte limit"))
        }
        let bytes = body.bindMemory(to: UInt8.self)
        guard ReadDecoder.isValidUTF8(bytes) else {
            return .failure(Rejection(.invalidUTF8, "body is not valid UTF-8"))
        }
        do {
            return try decodeObject(bytes)
        } catch {
            guard case .syntax(let message) = error else { return .failure(Rejection(.notJSON, "body is not JSON")) }
            return .failure(Rejection(.notJSON, "body is not JSON: \(message)"))
        }
    }

    /// Convenience for tests and tools.
    public func decode(_ body: [UInt8]) -> Result<DecodedRead, Rejection> {
        body.withUnsafeBytes { decode($0) }
    }

    public func decode(_ body: String) -> Result<DecodedRead, Rejection> { decode(Array(body.utf8)) }

    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Reads are ASCII almost always; check eight bytes at a time before the full validation.
        var index = 0
        let count = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
        }
        while index < count, bytes[index] < 0x80 { index += 1 }
        if index == count { return true }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self) != nil
    }

    private func decodeObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONScanner.Failure) -> Result<DecodedRead, Rejection> {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard let first = scanner.peek() else { throw .syntax("empty body") }
        guard first == 123 else {
            try scanner.skipValue()
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw .syntax("trailing bytes after the value") }
            return .failure(Rejection(.notObject, "body is JSON but not an object"))
        }

        var camera: String?
        var timestampResult: Result<Timestamp, Rejection>?
        var plateResult: Result<Plate, Rejection>?
        var sourceID: String?
        var sequence: Int64?
        var country = "BE"
        var confidence: Double?
        var characterConfidence: [Double]?
        var characterConfidenceText: String?
        var make: String?, model: String?, color: String?
        var vehicleConfidence: Double?
        var direction: Direction?
        var ignored: IgnoredFields = []
        var firstFailure: Rejection?

        func fail(_ rejection: Rejection) { if firstFailure == nil { firstFailure = rejection } }

        try scanner.expect(123, "'{'")
        if !scanner.consume(125) {
            repeat {
                scanner.skipWhitespace()
                let key = try scanner.readString { ReadDecoder.key(for: $0) }
                try scanner.expect(58, "':'")
                scanner.skipWhitespace()
                if scanner.consumeNull() {
                    // null is absence: required fields then count as missing below.
                    switch key {
                    case .camera: camera = nil
                    case .ts: timestampResult = nil
                    case .plate: plateResult = nil
                    default: break
                    }
                    continue
                }
                switch key {
                case .camera:
                    if let text = try readText(&scanner), !text.isEmpty {
                        camera = text
                    } else {
                        camera = nil
                        fail(Rejection(.malformedField, "camera must be a non-empty string of at most \(ReadDecoder.maximumTextBytes) bytes"))
                    }
                case .ts:
                    if scanner.peek() == 34 {
                        timestampResult = try scanner.readString { bytes in
                            Timestamp.parse(bytes).map { .success($0) }
                                ?? .failure(Rejection(.invalidTimestamp, "ts is not an RFC 3339 date-time with offset (e.g. 2026-11-22T08:15:30.123Z)"))
                        }
                    } else {
                        try scanner.skipValue()
                        timestampResult = .failure(Rejection(.malformedField, "ts must be an RFC 3339 string"))
                    }
                case .plate:
                    if scanner.peek() == 34 {
                        plateResult = try scanner.readString { bytes in
                            Plate(normalising: bytes).map { .success($0) }
                                ?? .failure(Rejection(.invalidPlate, "plate must hold 1-12 of A-Z and 0-9 after removing spaces, '-' and '.'"))
                        }
                    } else {
                        try scanner.skipValue()
                        plateResult = .failure(Rejection(.malformedField, "plate must be a string"))
                    }
                case .id:
                    if scanner.peek() == 34 {
                        if let text = try readText(&scanner), !text.isEmpty { sourceID = text } else { ignored.insert(.id) }
                    } else if case .integer(let number)? = try readNumberOrSkip(&scanner) {
                        sourceID = String(number)
                    } else {
                        ignored.insert(.id)
                    }
                case .seq:
                    if case .integer(let number)? = try readNumberOrSkip(&scanner), number >= 0 { sequence = number } else { ignored.insert(.seq) }
                case .country:
                    if let code = try readCountry(&scanner) { country = code } else { ignored.insert(.country) }
                case .confidence:
                    if let value = try readUnitInterval(&scanner) { confidence = value } else { ignored.insert(.confidence) }
                case .charConfidence:
                    if let (values, text) = try readUnitIntervalArray(&scanner) {
                        characterConfidence = values
                        characterConfidenceText = text
                    } else {
                        ignored.insert(.charConfidence)
                    }
                case .make:
                    if let text = try readText(&scanner) { make = text } else { ignored.insert(.make) }
                case .model:
                    if let text = try readText(&scanner) { model = text } else { ignored.insert(.model) }
                case .color:
                    if let text = try readText(&scanner) { color = text } else { ignored.insert(.color) }
                case .vehicleConfidence:
                    if let value = try readUnitInterval(&scanner) { vehicleConfidence = value } else { ignored.insert(.vehicleConfidence) }
                case .direction:
                    if let value = try readDirection(&scanner) { direction = value } else { ignored.insert(.direction) }
                case .unknown:
                    try scanner.skipValue()
                }
            } while scanner.consume(44)
            try scanner.expect(125, "'}' or ','")
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw .syntax("trailing bytes after the object") }

        if let firstFailure { return .failure(firstFailure) }
        guard let camera else { return .failure(Rejection(.missingField, "camera is missing")) }
        guard let timestampResult else { return .failure(Rejection(.missingField, "ts is missing")) }
        guard let plateResult else { return .failure(Rejection(.missingField, "plate is missing")) }
        let timestamp: Timestamp, plate: Plate
        switch timestampResult {
        case .success(let value): timestamp = value
        case .failure(let rejection): return .failure(rejection)
        }
        switch plateResult {
        case .success(let value): plate = value
        case .failure(let rejection): return .failure(rejection)
        }
        if let values = characterConfidence, values.count != plate.text.utf8.count {
            characterConfidence = nil
            ignored.insert(.charConfidence)
        }
        var read = PlateRead(
            sourceID: sourceID, camera: camera, timestamp: timestamp, plate: plate, sequence: sequence,
            country: country, confidence: confidence,
            make: make, model: model, color: color, vehicleConfidence: vehicleConfidence, direction: direction)
        if let values = characterConfidence, let text = characterConfidenceText { read.setCharacterConfidence(values, text: text) }
        return .success(DecodedRead(read: read, ignored: ignored))
    }

    /// A string of at most `maximumTextBytes`; nil (value consumed) for anything else.
    private func readText(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> String? {
        guard scanner.peek() == 34 else {
            try scanner.skipValue()
            return nil
        }
        return try scanner.readString { bytes in
            bytes.count <= ReadDecoder.maximumTextBytes ? String(decoding: bytes, as: UTF8.self) : nil
        }
    }

    /// Two ASCII letters, upper-cased; nil (value consumed) for anything else. Made from the
    /// bytes, without the string `readText` would make and the one `uppercased()` would.
    private func readCountry(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> String? {
        guard scanner.peek() == 34 else {
            try scanner.skipValue()
            return nil
        }
        return try scanner.readString { bytes -> String? in
            guard bytes.count == 2 else { return nil }
            let first = bytes[0] | 0x20, second = bytes[1] | 0x20
            guard first >= 97, first <= 122, second >= 97, second <= 122 else { return nil }
            // Lower-case ASCII letters less 0x20 are their capitals.
            return String(unsafeUninitializedCapacity: 2) { code in
                code[0] = first - 32
                code[1] = second - 32
                return 2
            }
        }
    }

    /// `in` or `out` in any case; nil (value consumed) for anything else, as
    /// `Direction(rawValue: text.lowercased())` of a text of at most `maximumTextBytes`.
    private func readDirection(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Direction? {
        guard scanner.peek() == 34 else {
            try scanner.skipValue()
            return nil
        }
        return try scanner.readString { bytes -> Direction? in
            // Only ASCII letters fold to the ASCII letters of `in`/`out` (lowercased() maps no
            // other character to them), so comparing each byte with 0x20 set is the same test.
            switch bytes.count {
            case 2 where bytes[0] | 0x20 == 105 && bytes[1] | 0x20 == 110: return .inbound
            case 3 where bytes[0] | 0x20 == 111 && bytes[1] | 0x20 == 117 && bytes[2] | 0x20 == 116: return .outbound
            default: return nil
            }
        }
    }

    private func readNumberOrSkip(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> JSONScanner.Number? {
        guard let byte = scanner.peek(), byte == 45 || (byte >= 48 && byte <= 57) else {
            try scanner.skipValue()
            return nil
        }
        return try scanner.readNumber()
    }

    private func readUnitInterval(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Double? {
        guard let value = try readNumberOrSkip(&scanner)?.double, value >= 0, value <= 1 else { return nil }
        return value
    }

    /// An array of numbers in 0...1 (at most `Plate.maximumLength`), with its compact JSON text;
    /// nil (value consumed) for anything else.
    private func readUnitIntervalArray(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> ([Double], String)? {
        guard scanner.peek() == 91 else {
            try scanner.skipValue()
            return nil
        }
        let open = scanner.position
        _ = scanner.consume(91)
        if scanner.consume(93) { return ([], "[]") }
        // The numbers are gathered on the stack and the array made once at its final size: one
        // allocation a read instead of one for each time a growing array doubled.
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: Plate.maximumLength) {
            staged throws(JSONScanner.Failure) -> ([Double], String)? in
            var count = 0
            var valid = true
            // Bytes in the numbers, and whether one starts with a minus sign: with the commas
            // and brackets they tell whether the array was sent without whitespace and can be
            // kept as is.
            var numberBytes = 0
            var negative = false
            repeat {
                scanner.skipWhitespace()
                let start = scanner.position
                negative = negative || scanner.peek() == 45
                if let value = try readUnitInterval(&scanner), count < Plate.maximumLength {
                    staged[count] = value
                    count += 1
                } else {
                    valid = false
                }
                numberBytes += scanner.position - start
            } while scanner.consume(44)
            try scanner.expect(93, "']'")
            guard valid else { return nil }
            let values = Array(UnsafeBufferPointer(rebasing: staged[..<count]))
            let bytes = scanner.bytes(in: open..<scanner.position)
            let verbatim = !negative && bytes.count == numberBytes + count + 1
            return (values, verbatim ? String(decoding: bytes, as: UTF8.self) : ReadDecoder.compactNumberArray(bytes))
        }
    }

    /// The text of a JSON array of numbers that are each at least 0, as stored when it was not
    /// sent compact (the bytes as received are kept when they hold no whitespace and no minus
    /// sign, nearly always): the same numbers without whitespace, each negative zero written
    /// `0` (the value a formatter gives it); every other number keeps its spelling, which
    /// `Double(_:)` reads back to the value the scanner found.
    static func compactNumberArray(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        // A number that starts with a minus sign is dropped: validated as at least 0, it is a
        // zero, and written `0`. (A minus in an exponent stays.)
        var startsNumber = false, skipping = false
        for byte in bytes {
            switch byte {
            case 32, 9, 10, 13: continue
            case 91, 44:
                startsNumber = true
                skipping = false
                out.append(byte)
            case 93:
                out.append(byte)
            case 45 where startsNumber:
                startsNumber = false
                skipping = true
                out.append(48)
            default:
                startsNumber = false
                if !skipping { out.append(byte) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum Key {
        case camera, ts, plate, id, seq, country, confidence, charConfidence, make, model, color
        case vehicleConfidence, direction, unknown
    }

    private static func key(for bytes: UnsafeBufferPointer<UInt8>) -> Key {
        func equals(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            return memcmp(bytes.baseAddress!, word.utf8Start, bytes.count) == 0
        }
        guard !bytes.isEmpty else { return .unknown }
        switch bytes.count {
        case 2: return equals("ts") ? .ts : equals("id") ? .id : .unknown
        case 3: return equals("seq") ? .seq : .unknown
        case 4: return equals("make") ? .make : .unknown
        case 5: return equals("plate") ? .plate : equals("model") ? .model : equals("color") ? .color : .unknown
        case 6: return equals("camera") ? .camera : .unknown
        case 7: return equals("country") ? .country : .unknown
        case 9: return equals("direction") ? .direction : .unknown
        case 10: return equals("confidence") ? .confidence : .unknown
        case 15: return equals("char_confidence") ? .charConfidence : .unknown
        case 18: return equals("vehicle_confidence") ? .vehicleConfidence : .unknown
        default: return .unknown
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
