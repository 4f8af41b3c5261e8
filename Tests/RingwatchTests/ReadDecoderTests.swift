import RingwatchCore
@testable import RingwatchIngest
import Testing

/// The smallest body the contract accepts; tests splice fields into it.
private let minimal = #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1-abc-123"}"#
private let minimalTime = Timestamp(milliseconds: 1_795_335_330_123)

/// `minimal` with `extra` (already JSON, e.g. `"seq":4`) added as further members.
private func body(_ extra: String) -> String { #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1-abc-123","# + extra + "}" }

private func decode(_ text: String) -> Result<DecodedRead, Rejection> { ReadDecoder().decode(text) }

private func decode(_ bytes: [UInt8]) -> Result<DecodedRead, Rejection> { ReadDecoder().decode(bytes) }

private func accepted(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> DecodedRead {
    switch decode(text) {
    case .success(let decoded): return decoded
    case .failure(let rejection):
        Issue.record("rejected (\(rejection)): \(text)", sourceLocation: sourceLocation)
        throw rejection
    }
}

private func rejection(_ result: Result<DecodedRead, Rejection>) -> Rejection? {
    if case .failure(let rejection) = result { return rejection }
    return nil
}

@Suite("ReadDecoder: rejections")
struct ReadDecoderRejectionTests {
    @Test func bodyOverTheLimitIsTooLargeBeforeAnythingElseIsChecked() {
        let limit = ReadDecoder(maximumBodyBytes: 16)
        #expect(rejection(limit.decode(Array(repeating: 0xFF, count: 17)))?.reason == .tooLarge)
        #expect(rejection(limit.decode(Array(repeating: 0x20, count: 16)))?.reason == .notJSON)  // at the limit: looked at
    }

    @Test func defaultLimitIs64KiB() throws {
        // Pad an unknown field so the whole body is exactly 64 KiB, then one byte more.
        let frame = body(#""pad":""#) + #"""#
        let padding = 64 * 1024 - frame.utf8.count
        let exact = body(#""pad":""# + String(repeating: "x", count: padding) + #"""#)
        #expect(exact.utf8.count == 64 * 1024)
        _ = try accepted(exact)
        let over = body(#""pad":""# + String(repeating: "x", count: padding + 1) + #"""#)
        #expect(rejection(decode(over))?.reason == .tooLarge)
    }

    @Test(arguments: [
        [0x7B, 0xFF, 0x7D],  // 0xFF never occurs in UTF-8
        Array(body(#""make":""#).utf8) + [0xC3] + Array(#""}"#.utf8),  // truncated two-byte sequence
        Array(body(#""make":""#).utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),  // overlong '/'
        Array(body(#""make":""#).utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8),  // encoded surrogate
        Array(minimal.utf8.dropLast()) + [0x80, 0x7D],  // lone continuation byte after the fast ASCII path
    ] as [[UInt8]])
    func invalidUTF8IsRejected(bytes: [UInt8]) {
        #expect(rejection(decode(bytes))?.reason == .invalidUTF8)
    }

    @Test(arguments: [
        "",
        "   \n\t",
        "hello",
        "{",
        #"{"camera":"R1-01""#,  // unclosed object
        #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1ABC"#,  // unterminated string
        minimal + " x",  // trailing garbage
        minimal + minimal,  // two objects
        minimal + ",",
        #"{"camera":"R1-01",}"#,  // trailing comma
        #"{"camera" "R1-01"}"#,  // missing colon
        #"{camera:"R1-01"}"#,  // unquoted key
        #"{'camera':'R1-01'}"#,
        body(#""x":01"#),  // leading zero
        body(#""x":1."#),
        body(#""x":-"#),
        body(#""x":1e"#),
        body(#""x":tru"#),
        body(#""x":nul"#),
        body(#""x":[1,2"#),
        body(#""x":[1,]"#),
        body(#""x":{"a"}"#),
        body(#""x":"\q""#),  // invalid escape
        body(#""x":"\u12""#),  // short \u escape
        body(#""x":"\ud800""#),  // lone high surrogate
        body(#""x":"\udc00""#),  // lone low surrogate
        body(#""x":"\ud800\u0041""#),  // high surrogate without a low one
        body("\"x\":\"a\u{01}b\""),  // raw control character in a string
        body("\"x\":\"a\nb\""),
        #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1ABC123"}}"#,
    ])
    func syntaxErrorsAreNotJSON(text: String) {
        #expect(rejection(decode(text))?.reason == .notJSON, "\(text)")
    }

    @Test(arguments: [65, 100, 10_000])
    func nestingDeeperThan64IsNotJSON(depth: Int) {
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(rejection(decode(body(#""x":"# + nested)))?.reason == .notJSON)
        #expect(rejection(decode(nested))?.reason == .notJSON)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(rejection(decode(body(#""x":"# + objects)))?.reason == .notJSON)
    }

    @Test func moderateNestingInUnknownFieldsIsSkipped() throws {
        let nested = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        let read = try accepted(body(#""x":"# + nested)).read
        #expect(read.plate.text == "1ABC123")
    }

    @Test(arguments: ["[1,2]", "[]", #""R1-01""#, "42", "-1.5", "null", "true", "false", " [ {\"camera\":\"R1-01\"} ] "])
    func jsonThatIsNotAnObjectIsNotObject(text: String) {
        #expect(rejection(decode(text))?.reason == .notObject, "\(text)")
    }

    @Test(arguments: [
        (#"{"ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":"R1-01","plate":"1ABC123"}"#, "ts"),
        (#"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z"}"#, "plate"),
        (#"{"camera":null,"ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":"R1-01","ts":null,"plate":"1ABC123"}"#, "ts"),
        (#"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":null}"#, "plate"),
        (#"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":"1ABC123","camera":null}"#, "camera"),  // a later null removes it
        ("{}", "camera"),
        (#"{"Camera":"R1-01","TS":"2026-11-22T08:15:30Z","Plate":"1ABC123"}"#, "camera"),  // keys are case-sensitive
    ])
    func absentOrNullRequiredFieldIsMissing(text: String, field: String) throws {
        let rejected = try #require(rejection(decode(text)))
        #expect(rejected.reason == .missingField)
        #expect(rejected.detail.contains(field), "\(rejected.detail)")
    }

    @Test(arguments: [
        (#"{"camera":5,"ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":"","ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":["R1-01"],"ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":true,"ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#, "camera"),
        (#"{"camera":"R1-01","ts":1795335330,"plate":"1ABC123"}"#, "ts"),
        (#"{"camera":"R1-01","ts":{"s":1},"plate":"1ABC123"}"#, "ts"),
        (#"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":1234567}"#, "plate"),
        (#"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":["1ABC123"]}"#, "plate"),
    ])
    func requiredFieldOfTheWrongTypeIsMalformed(text: String, field: String) throws {
        let rejected = try #require(rejection(decode(text)))
        #expect(rejected.reason == .malformedField)
        #expect(rejected.detail.contains(field), "\(rejected.detail)")
    }

    @Test func cameraIDLongerThan128BytesIsMalformed() throws {
        let long = String(repeating: "C", count: 129)
        let text = #"{"camera":""# + long + #"","ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#
        #expect(rejection(decode(text))?.reason == .malformedField)
        let fits = #"{"camera":""# + String(long.dropLast()) + #"","ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#
        #expect(try accepted(fits).read.camera.utf8.count == 128)
    }

    @Test(arguments: ["", " - ", "ABCDEFGHIJKLM", "MÖLLER1", "1_ABC_123", "1ABC/123", "\\u00d6ABC"])
    func plateThatDoesNotNormaliseIsInvalidPlate(plate: String) {
        let text = #"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":""# + plate + #""}"#
        #expect(rejection(decode(text))?.reason == .invalidPlate, "\(plate)")
    }

    @Test(arguments: ["yesterday", "", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z",
                      "2026-11-22T08:15:30", "2026-11-22", "1795335330"])
    func unparseableTimeIsInvalidTimestamp(ts: String) {
        let text = #"{"camera":"R1-01","ts":""# + ts + #"","plate":"1ABC123"}"#
        #expect(rejection(decode(text))?.reason == .invalidTimestamp, "\(ts)")
    }

    @Test func rejectionDetailsNameFieldsButNeverPlateText() throws {
        // A plate is personal data: the detail ends up in logs and must not repeat it.
        let text = #"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":"SECRET_PLATE"}"#
        let rejected = try #require(rejection(decode(text)))
        #expect(rejected.reason == .invalidPlate)
        #expect(!rejected.detail.contains("SECRET"))
        #expect(rejected.description.hasPrefix("invalid_plate: "))
    }

    @Test func everyReasonTheDecoderCanGiveHasAStableCode() {
        let codes = RejectionReason.allCases.map(\.rawValue)
        for code in ["too_large", "invalid_utf8", "not_json", "not_object", "missing_field", "malformed_field",
                     "invalid_plate", "invalid_timestamp"] {
            #expect(codes.contains(code))
        }
        #expect(Set(codes).count == codes.count)
    }
}

@Suite("ReadDecoder: accepted reads")
struct ReadDecoderAcceptanceTests {
    @Test func minimalReadGetsDefaults() throws {
        let decoded = try accepted(minimal)
        let read = decoded.read
        #expect(decoded.ignored.isEmpty)
        #expect(read.camera == "R1-01")
        #expect(read.timestamp == minimalTime)
        #expect(read.plate.text == "1ABC123")
        #expect(read.country == "BE")
        #expect(read.sourceID == nil)
        #expect(read.sequence == nil)
        #expect(read.confidence == nil)
        #expect(read.characterConfidence == nil)
        #expect(read.make == nil && read.model == nil && read.color == nil)
        #expect(read.vehicleConfidence == nil)
        #expect(read.direction == nil)
    }

    /// Decimals take a fast path (no String, no strtod); it must give the very double strtod
    /// gives, for short and long fractions, leading zeros, and exponents (which still go to strtod).
    @Test func numbersDecodeToTheSameDoubleAsSwiftsParser() throws {
        var texts = ["0.93", "0.1", "0.000837", "1.0", "0.9999999999999999", "0.123456789012345", "0.1234567890123456789",
                     "5e-1", "0.5E0", "1", "0", "0.0", "0.30000000000000004"]
        var state: UInt64 = 0x1234_5678
        for _ in 0..<4_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let decimals = Int(state >> 60) + 1  // 1...16
            var digits = String(state % 10_000_000_000_000_000)
            while digits.count < 16 { digits = "0" + digits }
            texts.append("0." + digits.prefix(decimals))
        }
        for text in texts {
            // One per character of the normalised plate (1ABC123).
            let list = Array(repeating: text, count: 7).joined(separator: ",")
            let read = try accepted(body(#""confidence":\#(text),"char_confidence":[\#(list)]"#)).read
            #expect(read.confidence == Double(text), "\(text)")
            #expect(read.characterConfidence == Array(repeating: Double(text)!, count: 7), "\(text)")
        }
    }

    @Test func everyOptionalFieldIsDecoded() throws {
        let text = """
            {"id":"cam-7781","camera":"R2-07","ts":"2026-11-22T09:15:30.250+01:00","plate":"1-abc-123",
             "seq":42,"country":"nl","confidence":0.93,"char_confidence":[0.9,0.8,0.95,1,0.7,0.85,0],
             "make":"Volkswagen","model":"Golf","color":"blue","vehicle_confidence":0.8,"direction":"out"}
            """
        let decoded = try accepted(text)
        let read = decoded.read
        #expect(decoded.ignored.isEmpty)
        #expect(read.sourceID == "cam-7781")
        #expect(read.id == ReadID.from(sourceID: "cam-7781"))
        #expect(read.camera == "R2-07")
        #expect(read.timestamp.milliseconds == 1_795_335_330_250)
        #expect(read.plate.text == "1ABC123")
        #expect(read.sequence == 42)
        #expect(read.country == "NL")
        #expect(read.confidence == 0.93)
        #expect(read.characterConfidence == [0.9, 0.8, 0.95, 1, 0.7, 0.85, 0])
        #expect(read.make == "Volkswagen")
        #expect(read.model == "Golf")
        #expect(read.color == "blue")
        #expect(read.vehicleConfidence == 0.8)
        #expect(read.direction == .outbound)
    }

    @Test func whitespaceAroundEverythingIsAllowed() throws {
        let text = " \r\n\t{ \"camera\" : \"R1-01\" ,\n \"ts\"\t:\"2026-11-22T08:15:30.123Z\" , \"plate\" : \"1ABC123\" , \"seq\" : 7 } \n"
        let read = try accepted(text).read
        #expect(read.camera == "R1-01" && read.timestamp == minimalTime && read.sequence == 7)
    }

    @Test(arguments: [
        (#""id":"A-1""#, "A-1"),
        (#""id":123456"#, "123456"),
        (#""id":-5"#, "-5"),
        (#""id":0"#, "0"),
        (#""id":9223372036854775807"#, "9223372036854775807"),
    ])
    func sourceIDMayBeAStringOrAnInteger(field: String, sourceID: String) throws {
        let read = try accepted(body(field)).read
        #expect(read.sourceID == sourceID)
        #expect(read.id == ReadID.from(sourceID: sourceID))
    }

    @Test(arguments: [("in", Direction.inbound), ("IN", .inbound), ("In", .inbound), ("out", .outbound),
                      ("OUT", .outbound), ("oUt", .outbound)])
    func directionIsCaseInsensitive(text: String, direction: Direction) throws {
        let decoded = try accepted(body(#""direction":""# + text + #"""#))
        #expect(decoded.read.direction == direction)
        #expect(decoded.ignored.isEmpty)
    }

    @Test(arguments: [("be", "BE"), ("nl", "NL"), ("De", "DE"), ("FR", "FR")])
    func countryIsUpperCased(text: String, country: String) throws {
        #expect(try accepted(body(#""country":""# + text + #"""#)).read.country == country)
    }

    @Test(arguments: [#""seq":0"#, #""seq":1"#, #""seq":9223372036854775807"#])
    func sequenceKeepsItsExactValue(field: String) throws {
        let expected = Int64(field.split(separator: ":")[1])!
        #expect(try accepted(body(field)).read.sequence == expected)
    }

    @Test func confidenceBoundsAreInclusive() throws {
        let low = try accepted(body(#""confidence":0,"vehicle_confidence":0.0"#))
        #expect(low.read.confidence == 0 && low.read.vehicleConfidence == 0 && low.ignored.isEmpty)
        let high = try accepted(body(#""confidence":1,"vehicle_confidence":1.0e0"#))
        #expect(high.read.confidence == 1 && high.read.vehicleConfidence == 1 && high.ignored.isEmpty)
        let exponent = try accepted(body(#""confidence":5E-1"#))
        #expect(exponent.read.confidence == 0.5)
    }

    @Test func unknownFieldsOfEveryShapeAreSkipped() throws {
        let text = body(#"""
            "extra":{"a":[1,{"b":null,"camera":"FAKE"}],"c":"}\"]"},"list":[[],{},[{}]],"t":true,"f":false,"n":null,
            "num":-1.5e3,"big":123456789012345678901234567890,"s":"plate","":"empty key","é":"x"
            """#)
        let decoded = try accepted(text)
        let plain = try accepted(minimal).read
        #expect(decoded.ignored.isEmpty)
        #expect(decoded.read == plain)
    }

    @Test func nullOptionalFieldsAreAbsentNotIgnored() throws {
        let decoded = try accepted(body(#""id":null,"seq":null,"country":null,"confidence":null,"direction":null,"make":null"#))
        #expect(decoded.ignored.isEmpty)
        #expect(decoded.read.sourceID == nil && decoded.read.sequence == nil && decoded.read.direction == nil)
        #expect(decoded.read.country == "BE")
    }

    @Test func escapesInStringsAreDecoded() throws {
        let text = #"""
            {"c\u0061mera":"R1\"01\\x\/y","ts":"2026-11-22T08:15:30.123\u005a","plate":"1\u002dabc 123",
             "make":"Citro\u00ebn","model":"\ud83d\ude97 car","color":"tab\there\nline","id":"\u00e9\u00E9"}
            """#
        let read = try accepted(text).read
        #expect(read.camera == #"R1"01\x/y"#)
        #expect(read.timestamp == minimalTime)
        #expect(read.plate.text == "1ABC123")
        #expect(read.make == "Citroën")
        #expect(read.model == "🚗 car")
        #expect(read.color == "tab\there\nline")
        #expect(read.sourceID == "éé")
    }

    @Test func rawUTF8InStringsIsKept() throws {
        let read = try accepted(body(#""make":"Škoda","model":"Ørsted 🚙""#)).read
        #expect(read.make == "Škoda")
        #expect(read.model == "Ørsted 🚙")
    }

    @Test(arguments: [
        (#""confidence":1.5"#, IgnoredFields.confidence),
        (#""confidence":-0.1"#, .confidence),
        (#""confidence":"high""#, .confidence),
        (#""confidence":1e400"#, .confidence),
        (#""vehicle_confidence":2"#, .vehicleConfidence),
        (#""vehicle_confidence":[0.5]"#, .vehicleConfidence),
        (#""direction":"up""#, .direction),
        (#""direction":"inbound""#, .direction),
        (#""direction":1"#, .direction),
        (#""char_confidence":[0.9,0.9]"#, .charConfidence),  // plate has 7 characters
        (#""char_confidence":[]"#, .charConfidence),
        (#""char_confidence":[0.9,0.9,0.9,0.9,0.9,0.9,0.9,0.9]"#, .charConfidence),
        (#""char_confidence":[0.9,0.9,0.9,1.2,0.9,0.9,0.9]"#, .charConfidence),
        (#""char_confidence":[0.9,0.9,0.9,"x",0.9,0.9,0.9]"#, .charConfidence),
        (#""char_confidence":0.9"#, .charConfidence),
        (#""seq":-1"#, .seq),
        (#""seq":1.5"#, .seq),
        (#""seq":"5""#, .seq),
        (#""seq":99999999999999999999"#, .seq),
        (#""country":"BEL""#, .country),
        (#""country":"B1""#, .country),
        (#""country":"é""#, .country),
        (#""country":32"#, .country),
        (#""id":"""#, .id),
        (#""id":true"#, .id),
        (#""id":1.5"#, .id),
        (#""id":{"v":1}"#, .id),
        (#""make":5"#, .make),
        (#""make":""# + String(repeating: "m", count: 129) + #"""#, .make),
        (#""model":[]"#, .model),
        (#""color":{}"#, .color),
    ])
    func badOptionalFieldIsLeftOutAndReportedButTheReadIsKept(field: String, ignored: IgnoredFields) throws {
        let decoded = try accepted(body(field))
        #expect(decoded.ignored == ignored, "\(field)")
        let read = decoded.read
        #expect(read.plate.text == "1ABC123" && read.camera == "R1-01" && read.timestamp == minimalTime)
        #expect(read.confidence == nil)
        #expect(read.vehicleConfidence == nil)
        #expect(read.direction == nil)
        #expect(read.characterConfidence == nil)
        #expect(read.sequence == nil)
        #expect(read.country == "BE")
        #expect(read.sourceID == nil)
        #expect(read.id == ReadID.from(camera: "R1-01", timestamp: minimalTime, plate: Plate(normalised: "1ABC123")))
        #expect(read.make == nil && read.model == nil && read.color == nil)
    }

    @Test func severalBadOptionalFieldsAreAllReportedByName() throws {
        let decoded = try accepted(body(#""confidence":7,"direction":"up","color":1,"make":"Opel""#))
        #expect(decoded.ignored == [.confidence, .direction, .color])
        #expect(decoded.ignored.names == ["confidence", "color", "direction"])
        #expect(decoded.read.make == "Opel")
    }

    @Test func charConfidenceLengthIsCheckedAgainstTheNormalisedPlate() throws {
        // "1-AB" normalises to three characters.
        let text = #"{"camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":"1-AB","char_confidence":[0.5,0.6,0.7]}"#
        let decoded = try accepted(text)
        #expect(decoded.read.characterConfidence == [0.5, 0.6, 0.7])
        #expect(decoded.ignored.isEmpty)
    }
}

@Suite("ReadID derivation")
struct ReadIDTests {
    @Test func sameSourceIDGivesTheSameReadIDWhateverElseDiffers() throws {
        let first = try accepted(#"{"id":"X-1","camera":"R1-01","ts":"2026-11-22T08:15:30Z","plate":"1ABC123"}"#).read
        let second = try accepted(#"{"id":"X-1","camera":"R3-09","ts":"2027-01-01T00:00:00Z","plate":"9ZZZ999"}"#).read
        #expect(first.id == second.id)
    }

    @Test func differentSourceIDsGiveDifferentReadIDs() throws {
        let ids = try ["X-1", "X-2", "x-1", "X-10", "1", "01"].map {
            try accepted(body(#""id":""# + $0 + #"""#)).read.id
        }
        #expect(Set(ids).count == ids.count)
    }

    @Test func integerAndStringSourceIDsWithTheSameDigitsAgree() throws {
        let integer = try accepted(body(#""id":77"#)).read
        let text = try accepted(body(#""id":"77""#)).read
        #expect(integer.id == text.id)
    }

    @Test func readWithoutSourceIDIsIdentifiedByCameraTimeAndNormalisedPlate() throws {
        let read = try accepted(minimal).read
        #expect(read.id == ReadID.from(camera: "R1-01", timestamp: minimalTime, plate: Plate(normalised: "1ABC123")))
        // The same read written differently (offset, plate spelling) is the same read.
        let same = try accepted(#"{"plate":"1 ABC.123","ts":"2026-11-22T09:15:30.123+01:00","camera":"R1-01"}"#).read
        #expect(same.id == read.id)
        // Any of the three differing makes another read.
        let others = try [
            #"{"camera":"R1-02","ts":"2026-11-22T08:15:30.123Z","plate":"1ABC123"}"#,
            #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.124Z","plate":"1ABC123"}"#,
            #"{"camera":"R1-01","ts":"2026-11-22T08:15:30.123Z","plate":"1ABC124"}"#,
        ].map { try accepted($0).read.id }
        #expect(Set(others + [read.id]).count == 4)
        // A source id of the same text does not collide with the derived id.
        #expect(ReadID.from(sourceID: "R1-01") != read.id)
    }

    @Test func readIDsAreStableAcrossProcesses() {
        // Golden values computed outside Swift (FNV-1a + splitmix64 finaliser): a change here
        // breaks de-duplication across restarts and between engines.
        #expect(ReadID.from(sourceID: "cam-7781").description == "6e9ca5427860330c")
        let derived = ReadID.from(camera: "R1-01", timestamp: minimalTime, plate: Plate(normalised: "1ABC123"))
        #expect(derived.description == "cdb5614641e23083")
        #expect(ReadID(storageValue: derived.storageValue) == derived)
        #expect(UInt64(hex16: derived.description) == derived.rawValue)
    }
}

/// Country and direction are read from the bytes without making strings first; what they
/// decode to is what the string rules (`uppercased()` of two ASCII letters, `lowercased()`
/// matched against `in`/`out`) give, for awkward spellings too.
@Suite("ReadDecoder: country and direction spellings")
struct ReadDecoderSpellingTests {
    /// JSON string literals (quotes included) and the text each decodes to.
    static let spellings: [(literal: String, text: String)] = [
        (#""in""#, "in"), (#""iN""#, "iN"), (#""OUT""#, "OUT"), (#""ouT""#, "ouT"), (#""be""#, "be"), (#""Nl""#, "Nl"),
        (#""\u0069n""#, "in"), (#""o\u0055t""#, "oUt"), (#""\u0042E""#, "BE"),
        (#""İn""#, "İn"), (#""ın""#, "ın"), (#""ｉｎ""#, "ｉｎ"), (#""i n""#, "i n"), (#""inn""#, "inn"), (#""i""#, "i"),
        (#""""#, ""), (#""@[""#, "@["), (#""`{""#, "`{"), (#""B1""#, "B1"), (#""é""#, "é"), (#""BEL""#, "BEL"),
        ("\"" + String(repeating: "i", count: 200) + "\"", String(repeating: "i", count: 200)),
    ]

    @Test(arguments: spellings)
    func directionFollowsTheLowerCasedText(literal: String, text: String) throws {
        let decoded = try accepted(body(#""direction":"# + literal))
        let expected = text.utf8.count <= ReadDecoder.maximumTextBytes ? Direction(rawValue: text.lowercased()) : nil
        #expect(decoded.read.direction == expected)
        #expect(decoded.ignored.contains(.direction) == (expected == nil))
    }

    @Test(arguments: spellings)
    func countryFollowsTheUpperCasedText(literal: String, text: String) throws {
        let decoded = try accepted(body(#""country":"# + literal))
        let letters = text.utf8.count == 2 && text.utf8.allSatisfy { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }
        #expect(decoded.read.country == (letters ? text.uppercased() : "BE"))
        #expect(decoded.ignored.contains(.country) == !letters)
    }

    @Test(arguments: [#"1"#, #"null"#, #"["in"]"#, #"{"a":"in"}"#, #"true"#])
    func nonStringsAreIgnored(value: String) throws {
        let decoded = try accepted(body(#""direction":"# + value + #","country":"# + value))
        #expect(decoded.read.direction == nil && decoded.read.country == "BE")
        if value != "null" { #expect(decoded.ignored.contains(.direction) && decoded.ignored.contains(.country)) }
    }
}
