import RingwatchCore

/// Writes read messages as CONTRACT.md section 2 has them, straight into bytes: numbers are
/// written from integers (thousandths, hundredths), never through floating-point formatting, so
/// the output is the same on every platform, and nothing is allocated but the body itself.
struct ReadEncoder {
    /// `{"camera":"<id>","ts":"` per camera, escaped once.
    private let prefixes: [[UInt8]]
    /// `YYYY-MM-DDT` of the day last written, and that day's number.
    private var cachedDay: Int64 = .min
    private var cachedDate: [UInt8] = []

    init(network: RoadNetwork) {
        prefixes = network.cameras.map { camera in
            var bytes = Array("{\"camera\":".utf8)
            JSONValue.writeString(camera.id, to: &bytes)
            bytes.append(contentsOf: ",\"ts\":\"".utf8)
            return bytes
        }
    }

    /// Starts a body: `{"camera":"…","ts":"…"` (the object is left open).
    mutating func begin(camera: Int, milliseconds: Int64, into out: inout [UInt8]) {
        out.append(contentsOf: prefixes[camera])
        writeTimestamp(milliseconds, into: &out)
        out.append(34)
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-23T06:00:00.123Z`.
    mutating func writeTimestamp(_ milliseconds: Int64, into out: inout [UInt8]) {
        let day = milliseconds.floorDivided(by: 86_400_000)
        if day != cachedDay {
            cachedDay = day
            cachedDate = Array(Timestamp(milliseconds: day * 86_400_000).rfc3339.utf8.prefix(11))
        }
        out.append(contentsOf: cachedDate)
        let ofDay = Int(milliseconds - day * 86_400_000)
        let seconds = ofDay / 1000
        ReadEncoder.digits(seconds / 3600, 2, into: &out)
        out.append(58)
        ReadEncoder.digits(seconds / 60 % 60, 2, into: &out)
        out.append(58)
        ReadEncoder.digits(seconds % 60, 2, into: &out)
        out.append(46)
        ReadEncoder.digits(ofDay % 1000, 3, into: &out)
        out.append(90)
    }

    /// `,"key":"value"` for a value that needs no escaping (plates, catalog names, directions).
    static func field(_ key: StaticString, plain value: [UInt8], into out: inout [UInt8]) {
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: value)
        out.append(34)
    }

    static func field(_ key: StaticString, plain value: String, into out: inout [UInt8]) {
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: value.utf8)
        out.append(34)
    }

    /// A value in thousandths as `0.934`.
    static func thousandths(_ value: Int, into out: inout [UInt8]) {
        out.append(48)
        out.append(46)
        digits(value, 3, into: &out)
    }

    /// A value in hundredths as `0.97`.
    static func hundredths(_ value: Int, into out: inout [UInt8]) {
        out.append(48)
        out.append(46)
        digits(value, 2, into: &out)
    }

    /// A non-negative integer in decimal.
    static func integer<T: BinaryInteger>(_ value: T, into out: inout [UInt8]) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var rest = UInt64(value)
        var length = 0
        withUnsafeMutableBytes(of: &buffer) { raw in
            repeat {
                raw[23 - length] = UInt8(48 + rest % 10)
                rest /= 10
                length += 1
            } while rest > 0
            out.append(contentsOf: raw[(24 - length)...])
        }
    }

    /// `value` zero-padded to `width` digits.
    static func digits(_ value: Int, _ width: Int, into out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
