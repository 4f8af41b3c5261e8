import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchTesting
import Testing

/// Parses `text` with Foundation, an independent JSON parser, so "valid JSON" is not our own opinion.
private func foundationParse(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

@Suite("JSONValue serialization")
struct JSONValueTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"back\slash"#, #""back\\slash""#),
        ("a/b", #""a/b""#),  // no need to escape '/'
        ("line\nfeed\rreturn\ttab", #""line\nfeed\rreturn\ttab""#),
        ("\u{0}\u{1}\u{8}\u{C}\u{1B}\u{1F}", #""\u0000\u0001\u0008\u000c\u001b\u001f""#),
        ("\u{7F} ", "\"\u{7F} \""),  // DEL and space are not control characters in JSON
        ("Citroën 🚗 Ø", "\"Citroën 🚗 Ø\""),  // non-ASCII passes through as UTF-8
        ("\u{2028}\u{2029}", "\"\u{2028}\u{2029}\""),
        ("", #""""#),
    ])
    func stringsAreEscapedExactlyAsRFC8259Requires(text: String, json: String) throws {
        let serialized = JSONValue.string(text).serialized
        #expect(serialized == json)
        #expect(try foundationParse(serialized) as? String == text)
    }

    @Test func objectsKeepTheirKeyOrder() throws {
        let value = JSONValue.object([("zeta", .int(1)), ("alpha", .int(2)), ("mid", .int(3)), ("a\"key", .null)])
        #expect(value.serialized == #"{"zeta":1,"alpha":2,"mid":3,"a\"key":null}"#)
        let parsed = try #require(try foundationParse(value.serialized) as? [String: Any])
        #expect(Set(parsed.keys) == ["zeta", "alpha", "mid", "a\"key"])
        // Order is part of equality too.
        #expect(value != JSONValue.object([("alpha", .int(2)), ("zeta", .int(1)), ("mid", .int(3)), ("a\"key", .null)]))
    }

    @Test func rawTextIsEmbeddedVerbatim() throws {
        let stored = #"{"kind":"hotlist","plate":"1ABC123","n":[1,2.5,null]}"#
        let value = JSONValue.object([("trigger", .raw(stored)), ("count", .int(1))])
        #expect(value.serialized == #"{"trigger":"# + stored + #","count":1}"#)
        let parsed = try #require(try foundationParse(value.serialized) as? [String: Any])
        let trigger = try #require(parsed["trigger"] as? [String: Any])
        #expect(trigger["plate"] as? String == "1ABC123")
        // Raw text is not escaped again, even inside an array.
        #expect(JSONValue.array([.raw("true"), .raw(#""x""#)]).serialized == #"[true,"x"]"#)
    }

    @Test(arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(-42), "-42"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (.double(1), "1"),
        (.double(-3), "-3"),
        (.double(-0.0), "0"),
        (.double(0.5), "0.5"),
        (.double(0.1), "0.1"),
        (.double(-2.25), "-2.25"),
        (.double(.nan), "null"),
        (.double(.infinity), "null"),
        (.double(-.infinity), "null"),
        (.array([]), "[]"),
        (.object([]), "{}"),
        (.array([.int(1), .array([.null, .object([("k", .bool(true))])])]), #"[1,[null,{"k":true}]]"#),
    ])
    func scalarsAndContainersSerializeCompactly(value: JSONValue, json: String) throws {
        #expect(value.serialized == json)
        _ = try foundationParse(value.serialized)
    }

    @Test(arguments: [1e15, 1e20, -1e300, 1.5e-7, 123_456.789, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude])
    func largeSmallAndFractionalDoublesStayValidAndExact(number: Double) throws {
        let serialized = JSONValue.double(number).serialized
        let parsed = try #require(try foundationParse(serialized) as? NSNumber, "\(serialized)")
        #expect(parsed.doubleValue == number, "\(serialized)")
    }

    @Test func seededStringsRoundTripThroughFoundationAndTheIngestDecoder() throws {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}",
                                     "\u{7F}", "é", "ß", "€", "🚗", "\u{2028}", "\u{FEFF}", "{", "}", "[", ":", ","]
        var generator = SeededGenerator(seed: 2_026)
        let decoder = ReadDecoder()
        for _ in 0..<300 {
            let length = Int.random(in: 0...20, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let value = JSONValue.object([
                ("camera", .string("R1-01")), ("ts", .string("2026-11-22T08:15:30Z")), ("plate", .string("1ABC123")),
                ("make", .string(text)), ("extra", .array([.string(text), .object([(text, .string(text))])])),
            ])
            let serialized = value.serialized
            let parsed = try #require(try foundationParse(serialized) as? [String: Any], "\(serialized)")
            // swift-corelibs-foundation drops U+FEFF inside strings when it parses, so it cannot judge those.
            if !text.unicodeScalars.contains("\u{FEFF}") { #expect(parsed["make"] as? String == text) }
            // What Ringwatch writes, Ringwatch's own ingest reads back unchanged.
            switch decoder.decode(serialized) {
            case .success(let decoded): #expect(decoded.read.make == text, "\(serialized)")
            case .failure(let rejection): Issue.record("\(rejection) for \(serialized)")
            }
        }
    }

    @Test func accessorsReadValuesBack() {
        let value = JSONValue.object([("n", .int(3)), ("d", .double(2.0)), ("s", .string("x")), ("n", .int(4)),
                                      ("b", .bool(true)), ("a", .array([.null]))])
        #expect(value["n"] == .int(4))  // the last of a repeated key
        #expect(value["missing"] == nil)
        #expect(JSONValue.int(1)["n"] == nil)
        #expect(value["d"]?.intValue == 2)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.doubleValue == 4)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [.null])
        #expect(JSONValue.double(2.5).intValue == nil)
        #expect(JSONValue.string("x").cellText == "x")
        #expect(JSONValue.null.cellText == "")
        #expect(JSONValue.array([.string("a\"b")]).cellText == #"["a\"b"]"#)
        #expect(JSONValue.optional(nil as String?) == .null)
        #expect(JSONValue.optional(0.5 as Double?) == .double(0.5))
        #expect(JSONValue.int(1) != JSONValue.double(1))
    }
}

@Suite("JSONValue numbers")
struct JSONValueNumberTests {
    /// The fast decimal writer must print exactly what Swift's shortest form prints.
    @Test func shortDecimalsPrintAsSwiftsShortestForm() {
        var generator = SeededRandom(seed: 0x5EED)
        var values: [Double] = [0.1, 0.2, 0.3, 0.5, 0.837, 0.0001, 0.00015, 999_999.5, 123.456789, 0.29, 1.005, 2.675, -0.75, -12.125]
        for decimals in 1...6 {
            let scale = Int((0..<decimals).reduce(1) { value, _ in value * 10 })
            for _ in 0..<3_000 {
                let whole = Double(Int.random(in: 0..<1_000, using: &generator))
                let fraction = Double(Int.random(in: 0..<scale, using: &generator)) / Double(scale)
                values.append(whole + fraction)
                values.append(-(Double(Int.random(in: 0..<(scale * 1_000), using: &generator)) / Double(scale)))
            }
        }
        // Doubles with no short decimal form at all go the slow way, also unchanged.
        for _ in 0..<5_000 { values.append(Double.random(in: 1e-4..<1e6, using: &generator)) }
        for value in values where value != value.rounded() {
            #expect(JSONValue.double(value).serialized == String(value), "\(value)")
        }
    }
}
