/// A forward-only JSON tokenizer over raw bytes, for the ingest hot path.
///
/// It decodes exactly what a plate read needs (strings, numbers, arrays of numbers) and skips
/// everything else without building values. Input must already be valid UTF-8.
struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0
    /// Scratch space for strings with escapes, reused between calls.
    private var scratch: [UInt8] = []

    /// Nesting deeper than this is refused rather than risking the stack.
    static let maximumDepth = 64

    enum Failure: Error { case syntax(String) }

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 32, 9, 10, 13: position += 1
            default: return
            }
        }
    }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    /// The input bytes in `range` (positions already scanned).
    func bytes(in range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }

    mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw .syntax("expected \(what) at byte \(position)") }
        position += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if position < bytes.count, bytes[position] == byte {
            position += 1
            return true
        }
        return false
    }

    /// Reads a string literal and hands its decoded bytes to `body`. The position must be at
    /// the opening quote.
    mutating func readString<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) throws(Failure) -> R {
        guard position < bytes.count, bytes[position] == 34 else { throw .syntax("expected a string at byte \(position)") }
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 34 {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return body(slice)
            }
            if byte == 92 { return try readEscapedString(from: start, body) }
            if byte < 32 { throw .syntax("control character in a string at byte \(position)") }
            position += 1
        }
        throw .syntax("unterminated string")
    }

    private mutating func readEscapedString<R>(from start: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) throws(Failure) -> R {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case 34:
                return scratch.withUnsafeBufferPointer(body)
            case 92:
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case 34, 92, 47: scratch.append(escape)
                case 98: scratch.append(8)
                case 102: scratch.append(12)
                case 110: scratch.append(10)
                case 114: scratch.append(13)
                case 116: scratch.append(9)
                case 117:
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard position + 1 < bytes.count, bytes[position] == 92, bytes[position + 1] == 117 else {
                            throw .syntax("lone surrogate in a string")
                        }
                        position += 2
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw .syntax("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw .syntax("lone surrogate in a string")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .syntax("invalid \\u escape") }
                    scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw .syntax("invalid escape in a string at byte \(position - 1)")
                }
            case 0..<32:
                throw .syntax("control character in a string at byte \(position - 1)")
            default:
                scratch.append(byte)
            }
        }
        throw .syntax("unterminated string")
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .syntax("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: throw .syntax("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// A JSON number: integral ones keep their exact value.
    enum Number {
        case integer(Int64)
        case real(Double)

        var double: Double {
            switch self {
            case .integer(let value): Double(value)
            case .real(let value): value
            }
        }
    }

    /// 10^0 … 10^22, every one exact in a double.
    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    mutating func readNumber() throws(Failure) -> Number {
        let start = position
        var negative = false
        if position < bytes.count, bytes[position] == 45 {
            negative = true
            position += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        let integerStart = position
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
            if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[position] - 48) } else { overflow = true }
            digits += 1
            position += 1
        }
        guard position > integerStart else { throw .syntax("expected a value at byte \(start)") }
        if bytes[integerStart] == 48, position - integerStart > 1 { throw .syntax("leading zero in a number") }
        var isReal = false
        var decimals = 0
        if position < bytes.count, bytes[position] == 46 {
            isReal = true
            position += 1
            let fractionStart = position
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[position] - 48) } else { overflow = true }
                digits += 1
                position += 1
            }
            decimals = position - fractionStart
            guard decimals > 0 else { throw .syntax("digits expected after '.'") }
        }
        var hasExponent = false
        if position < bytes.count, bytes[position] == 101 || bytes[position] == 69 {
            isReal = true
            hasExponent = true
            position += 1
            if position < bytes.count, bytes[position] == 43 || bytes[position] == 45 { position += 1 }
            let exponentStart = position
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 { position += 1 }
            guard position > exponentStart else { throw .syntax("digits expected in an exponent") }
        }
        if !isReal, !overflow, mantissa <= UInt64(Int64.max) {
            return .integer(negative ? -Int64(mantissa) : Int64(mantissa))
        }
        // Plain decimals of up to 15 significant digits (confidences such as 0.837): both the
        // digits and the power of ten are exact doubles, so one division is correctly rounded —
        // the same value strtod gives, without building a String.
        if isReal, !hasExponent, !overflow, digits <= 15, decimals <= 22 {
            let value = Double(mantissa) / JSONScanner.powersOfTen[decimals]
            return .real(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw .syntax("unreadable number") }
        return .real(value)
    }

    /// Skips one value of any type, checking its syntax.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < JSONScanner.maximumDepth else { throw .syntax("nesting deeper than \(JSONScanner.maximumDepth)") }
        skipWhitespace()
        guard let byte = peek() else { throw .syntax("value expected at end of input") }
        switch byte {
        case 34: try readString { _ in () }
        case 123:
            position += 1
            if consume(125) { return }
            repeat {
                skipWhitespace()
                try readString { _ in () }
                try expect(58, "':'")
                try skipValue(depth: depth + 1)
            } while consume(44)
            try expect(125, "'}'")
        case 91:
            position += 1
            if consume(93) { return }
            repeat { try skipValue(depth: depth + 1) } while consume(44)
            try expect(93, "']'")
        case 116: try literal("true")
        case 102: try literal("false")
        case 110: try literal("null")
        default: _ = try readNumber()
        }
    }

    /// Consumes `null` if it is next.
    mutating func consumeNull() -> Bool {
        skipWhitespace()
        if position + 4 <= bytes.count, bytes[position] == 110, bytes[position + 1] == 117, bytes[position + 2] == 108, bytes[position + 3] == 108 {
            position += 4
            return true
        }
        return false
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw .syntax("unexpected end of input") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw .syntax("unexpected byte at \(position + index)")
        }
        position += count
    }
}
