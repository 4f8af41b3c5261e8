/// A JSON value whose objects keep their key order, so that what Ringwatch publishes and prints
/// is stable and reads the way CONTRACT.md lists the fields.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// JSON text that is already serialized (e.g. a stored trigger), embedded verbatim.
    case raw(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.raw(let a), .raw(let b)): a == b
        default: false
        }
    }

    /// Compact JSON text.
    public var serialized: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Powers of ten that doubles hold exactly, for `writeShortDecimal`.
    private static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// Writes `value` the way Swift's shortest form does when that form has at most six
    /// decimals (confidences, scores, distances — most numbers a read or trigger carries),
    /// without going through `String`: the fewest decimals `k` whose integer `n` gives back
    /// exactly `value` as `n / 10^k` (a correctly rounded division, as a parser does). Returns
    /// false, writing nothing, for other values.
    static func writeShortDecimal(_ value: Double, to out: inout [UInt8]) -> Bool {
        let magnitude = abs(value)
        guard magnitude >= 1e-4, magnitude < 1e6 else { return false }
        for decimals in 1...6 {
            let scale = powersOfTen[decimals]
            let scaled = (magnitude * scale).rounded()
            guard scaled / scale == magnitude else { continue }
            let digits = UInt64(scaled)
            let whole = digits / UInt64(scale), fraction = digits % UInt64(scale)
            writeInteger(whole, negative: value < 0, to: &out)
            out.append(46)
            var divisor = UInt64(scale) / 10
            while divisor > 0 {
                out.append(48 + UInt8((fraction / divisor) % 10))
                divisor /= 10
            }
            return true
        }
        return false
    }

    /// Appends `value` as `.double(value)` writes it: integral doubles without exponent noise,
    /// others in Swift's shortest form; `null` when not finite.
    public static func writeNumber(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                writeInteger(UInt64(abs(value)), negative: value < 0, to: &out)
            } else if !writeShortDecimal(value, to: &out) {
                out.append(contentsOf: String(value).utf8)
            }
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    /// `.array(values.map { .double($0) }).serialized`, without building the array of values
    /// (the history stores every read's `char_confidence` this way).
    public static func serialized(numbers values: [Double]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(2 + values.count * 6)
        out.append(91)
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(44) }
            writeNumber(value, to: &out)
        }
        out.append(93)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the decimal digits of `value`, after a minus sign when `negative`, without
    /// making a `String`.
    static func writeInteger(_ value: UInt64, negative: Bool, to out: inout [UInt8]) {
        if negative { out.append(45) }
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(48 + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }

    /// Appends compact JSON text to `out`.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): JSONValue.writeNumber(value, to: &out)
        case .string(let value): JSONValue.writeString(value, to: &out)
        case .raw(let text): out.append(contentsOf: text.utf8)
        case .array(let values):
            out.append(91)
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(44) }
                value.write(to: &out)
            }
            out.append(93)
        case .object(let fields):
            out.append(123)
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out.append(44) }
                JSONValue.writeString(key, to: &out)
                out.append(58)
                value.write(to: &out)
            }
            out.append(125)
        }
    }

    /// Appends `text` as a JSON string literal, escaping what RFC 8259 requires.
    public static func writeString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(34)
        for byte in text.utf8 {
            switch byte {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<32:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(34)
    }

    /// The value of `key` in an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.last(where: { $0.0 == key })?.1
    }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }

    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded() && abs(value) < 9e18: Int64(value)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }

    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }

    /// Text for a table or CSV cell: strings bare, everything else as JSON.
    public var cellText: String {
        switch self {
        case .null: ""
        case .string(let value): value
        default: serialized
        }
    }
}

extension JSONValue {
    /// A string value, or null when `value` is nil.
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// A number value, or null when `value` is nil.
    public static func optional(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
}
