import RingwatchCore
import Testing

@Suite("Plate normalisation")
struct PlateTests {
    @Test(arguments: [
        ("1-ABC-123", "1ABC123"),
        ("1abc123", "1ABC123"),
        ("1 ABC 123", "1ABC123"),
        ("1.abc.123", "1ABC123"),
        (" -1 a.B-c 1.2 3- ", "1ABC123"),
        ("xqj514", "XQJ514"),
        ("A", "A"),
        ("0", "0"),
        ("ABCDEFGHIJKL", "ABCDEFGHIJKL"),  // exactly 12
        ("ABC-DEF-GHI-JKL", "ABCDEFGHIJKL"),  // 12 after removing separators
        ("azAZ09", "AZAZ09"),
    ])
    func normalisesToUpperCaseWithoutSeparators(raw: String, expected: String) throws {
        let plate = try #require(Plate(normalising: raw))
        #expect(plate.text == expected)
        #expect(plate.description == expected)
    }

    @Test(arguments: [
        "",  // empty
        " ",  // only a separator
        "-.- . -",  // only separators
        "ABCDEFGHIJKLM",  // 13 characters
        "ABC-DEF-GHI-JKL-M",  // 13 after removing separators
        "MÖLLER1",  // non-ASCII letter
        "ÖÄÜ",
        "1ABC123é",
        "1_ABC_123",  // underscore is not a separator
        "1/ABC/123",
        "1ABC,123",
        "1ABC\t123",  // tab is not a separator
        "1ABC\n123",
        "1ABC123!",
        "?ABC",
        "*",
        "１ABC",  // full-width digit
    ])
    func rejectsEmptyTooLongAndForeignCharacters(raw: String) {
        #expect(Plate(normalising: raw) == nil)
    }

    @Test func byteAndStringInitialisersAgree() {
        for raw in ["1-abc-123", "", "ABCDEFGHIJKLM", "Ö1", "a.b c"] {
            let fromBytes = Array(raw.utf8).withUnsafeBufferPointer { Plate(normalising: $0) }
            #expect(fromBytes == Plate(normalising: raw), "\(raw)")
        }
    }

    @Test func normalisedPlatesCompareByText() {
        #expect(Plate(normalising: "1-abc-123") == Plate(normalised: "1ABC123"))
        #expect(Plate(normalised: "1ABC") < Plate(normalised: "2ABC"))
    }
}

@Suite("Hotlist pattern normalisation")
struct HotlistPatternTests {
    @Test(arguments: [
        ("1-abc-123", "1ABC123"),
        ("1ab?12?", "1AB?12?"),
        ("2kx*", "2KX*"),
        ("*ABC*", "*ABC*"),
        ("1 ab.?-*", "1AB?*"),
        ("?", "?"),
        ("??", "??"),
        ("*?", "*?"),
        ("ABCDEFGHIJKLMNOPQRSTUVWX", "ABCDEFGHIJKLMNOPQRSTUVWX"),  // 24, the pattern limit
    ])
    func keepsWildcardsAndNormalisesTheRest(raw: String, expected: String) {
        #expect(HotlistEntry.normalisePattern(raw) == expected)
    }

    @Test(arguments: [
        "*",  // matches everything: refused
        "**",
        "* - *",
        "",
        " - . ",
        "ABCDEFGHIJKLMNOPQRSTUVWXY",  // 25
        "1ABÖ",
        "1AB_12",
        "1AB%",
    ])
    func rejectsBareStarsEmptyTooLongAndForeignCharacters(raw: String) {
        #expect(HotlistEntry.normalisePattern(raw) == nil)
    }

    @Test func wildcardFlagFollowsThePattern() {
        let exact = HotlistEntry(pattern: "1ABC123", category: "c", severity: .high, reason: "", expires: nil)
        let single = HotlistEntry(pattern: "1AB?123", category: "c", severity: .high, reason: "", expires: nil)
        let run = HotlistEntry(pattern: "1AB*", category: "c", severity: .high, reason: "", expires: nil)
        #expect(!exact.isWildcard)
        #expect(single.isWildcard)
        #expect(run.isWildcard)
    }
}
