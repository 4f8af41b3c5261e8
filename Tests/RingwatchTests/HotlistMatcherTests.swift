import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex
import RingwatchTesting
import Testing

private let noon = Timestamp(rfc3339: "2026-11-22T12:00:00Z")!

private func entry(_ pattern: String, category: String = "stolen_vehicle", severity: Severity = .critical,
                   reason: String = "Stolen in Deurne", expires: Timestamp? = nil) -> HotlistEntry {
    HotlistEntry(pattern: pattern, category: category, severity: severity, reason: reason, expires: expires)
}

private func read(_ plate: String, at time: Timestamp = noon, camera: String = "R2-04", country: String = "BE",
                  confidence: Double? = nil, characters: [Double]? = nil, make: String? = nil, model: String? = nil) -> PlateRead {
    PlateRead(camera: camera, timestamp: time, plate: Plate(normalised: plate), country: country, confidence: confidence,
              characterConfidence: characters, make: make, model: model)
}

/// `pos:read>listed` per edit, e.g. `3:8>B`, `3:>B` (dropped), `8:4>` (added).
private func summary(_ edits: [PlateEdit]) -> [String] {
    edits.map { "\($0.listedIndex + 1):\($0.readText)>\($0.listedText)" }
}

@Suite("Hotlist matcher")
struct HotlistMatcherTests {
    /// Every ordered pair of characters within each standard confusion class.
    static let confusedPairs: [(listed: UInt8, read: UInt8)] = OCRConfusions.standard.classes.flatMap { members in
        let bytes = Array(members.utf8)
        return bytes.flatMap { listed in bytes.filter { $0 != listed }.map { (listed: listed, read: $0) } }
    }

    @Test("every confusion class, both ways", arguments: confusedPairs)
    func everyConfusionPairIsOneSubstitution(pair: (listed: UInt8, read: UInt8)) throws {
        let listed = "7K" + String(decoding: [pair.listed], as: UTF8.self) + "M45"
        let seen = "7K" + String(decoding: [pair.read], as: UTF8.self) + "M45"
        let matcher = HotlistMatcher(entries: [entry(listed)])
        let match = try #require(matcher.matches(for: read(seen)).first)
        #expect(match.kind == .ocrVariant)
        #expect(summary(match.edits) == ["3:\(seen.dropFirst(2).prefix(1))>\(listed.dropFirst(2).prefix(1))"])
        #expect(match.score < 1)
    }

    @Test("substitution limit: 1 and 2 match, 3 do not (default)", arguments: [
        ("1ABC123", "exact", [String]()),
        ("1A8C123", "ocr_variant", ["3:8>B"]),
        ("1A8C1Z3", "ocr_variant", ["3:8>B", "6:Z>2"]),
        ("IA8C1Z3", "none", []),
        ("1XBC123", "none", []),  // X is not confusable with A
    ])
    func substitutionLimit(plate: String, kind: String, edits: [String]) {
        let matcher = HotlistMatcher(entries: [entry("1ABC123")])
        let match = matcher.matches(for: read(plate)).first
        #expect(match?.kind.rawValue ?? "none" == kind)
        #expect(summary(match?.edits ?? []) == edits)
    }

    @Test func aLimitOfThreeAcceptsThreeSubstitutions() {
        let tolerant = HotlistMatcher(configuration: .init(tolerance: OCRTolerance(maximumSubstitutions: 3)), entries: [entry("1ABC123")])
        #expect(tolerant.matches(for: read("IA8C1Z3")).first?.edits.count == 3)
    }

    @Test("dropped and added characters", arguments: [
        ("1AC123", "ocr_variant", ["3:>B"]),          // B dropped
        ("1ABC12", "ocr_variant", ["7:>3"]),          // last character dropped
        ("1ABC1234", "ocr_variant", ["8:4>"]),        // 4 added at the end
        ("1ABXC123", "ocr_variant", ["4:X>"]),        // X added before position 4
        ("1A8123", "ocr_variant", ["3:8>B", "4:>C"]),  // a drop and one substitution: within 2 edits
        ("IA8123", "none", []),                       // a drop and two substitutions: 3 edits
        ("1A12", "none", []),                         // two dropped
    ])
    func dropsAndAdditions(plate: String, kind: String, edits: [String]) {
        let matcher = HotlistMatcher(entries: [entry("1ABC123")])
        let match = matcher.matches(for: read(plate)).first
        #expect(match?.kind.rawValue ?? "none" == kind)
        #expect(summary(match?.edits ?? []) == edits)
    }

    @Test("drops and additions are off for short plates and when disabled", arguments: [
        ("AB12", "AB1", OCRTolerance.standard, false),      // 4 characters: below the default minimum of 5
        ("AB12", "AB123", OCRTolerance.standard, false),
        ("ABC12", "ABC1", OCRTolerance.standard, true),     // 5 characters: forgiven
        ("ABC12", "ABC1", OCRTolerance(dropInsertMinimumLength: 6), false),
        ("1ABC123", "1AC123", OCRTolerance(allowsDropInsert: false), false),
        ("1ABC123", "1ABC1234", OCRTolerance(allowsDropInsert: false), false),
        ("1ABC123", "1AC123", OCRTolerance(maximumSubstitutions: 0, allowsDropInsert: true), true),
    ])
    func dropInsertLimits(listed: String, plate: String, tolerance: OCRTolerance, matches: Bool) {
        let matcher = HotlistMatcher(configuration: .init(tolerance: tolerance), entries: [entry(listed)])
        #expect(!matcher.matches(for: read(plate)).isEmpty == matches)
    }

    @Test("wildcards", arguments: [
        ("1AB*", "1ABC123", ["wildcard"], [String]()),
        ("1AB?12?", "1ABX129", ["wildcard"], []),
        ("1AB?12?", "1ABX1299", [], []),
        ("*123", "2XYZ123", ["wildcard"], []),
        ("*XY*", "1AXYB12", ["wildcard"], []),
        ("*XY*", "1AXB12", [], []),
        ("???????", "9ZZZ999", ["wildcard"], []),
        ("1A8*", "1ABC123", ["wildcard"], ["3:B>8"]),       // a confusion inside a pattern
        ("1A8CI2?", "1ABC123", ["wildcard"], ["3:B>8", "5:1>I"]),  // six fixed characters: two substitutions
        ("1A8?I2?", "1ABC123", [], []),                    // five fixed characters: one substitution only
        ("*C1Z3", "1ABC123", ["wildcard"], ["4:2>Z"]),
        ("*CIZ3", "1ABC123", [], []),                      // four fixed characters: one substitution only
        ("2AB*", "1ABC123", [], []),
    ])
    func wildcards(pattern: String, plate: String, kinds: [String], edits: [String]) {
        let matcher = HotlistMatcher(entries: [entry(pattern)])
        let matches = matcher.matches(for: read(plate))
        #expect(matches.map(\.kind.rawValue) == kinds)
        #expect(summary(matches.first?.edits ?? []) == edits)
    }

    @Test func exactOnlyMatchesIdenticalPlatesAndLiteralPatterns() {
        let matcher = HotlistMatcher(configuration: .exactOnly, entries: [entry("1ABC123"), entry("2KL*")])
        #expect(matcher.matches(for: read("1ABC123")).map(\.kind) == [.exact])
        #expect(matcher.matches(for: read("1A8C123")).isEmpty)
        #expect(matcher.matches(for: read("1AC123")).isEmpty)
        #expect(matcher.matches(for: read("2KLM456")).map(\.kind) == [.wildcard])
        #expect(matcher.matches(for: read("2K1M456")).isEmpty)
    }

    @Test func expiredEntriesStopMatching() {
        let expiry = noon.adding(seconds: 60)
        let matcher = HotlistMatcher(entries: [entry("1ABC123", expires: expiry), entry("2K*", expires: expiry)])
        for plate in ["1ABC123", "1A8C123", "2KLM456"] {
            #expect(matcher.matches(for: read(plate, at: expiry.adding(milliseconds: -1))).count == 1, "\(plate)")
            #expect(matcher.matches(for: read(plate, at: expiry)).isEmpty, "\(plate)")
        }
    }

    @Test func aVariantIsNeverReportedAsExact() {
        // Both plates listed: each read is exact for its own entry and a variant of the other.
        let matcher = HotlistMatcher(entries: [entry("1ABC123"), entry("1A8C123", category: "wanted_person")])
        for plate in ["1ABC123", "1A8C123"] {
            let matches = matcher.matches(for: read(plate))
            #expect(matches.count == 2)
            for match in matches {
                #expect((match.kind == .exact) == (match.entry.pattern == plate))
                #expect((match.score == 1) == (match.kind == .exact))
            }
        }
        // Across many variants of many plates, `exact` means identical text.
        var generator = SeededRandom(seed: 7)
        let listed = (0..<500).map { _ in generator.belgianPlate() }
        let many = HotlistMatcher(entries: listed.map { entry($0) })
        for plate in listed.prefix(100) {
            for variant in OCRTolerance.standard.variants(of: plate).prefix(40) {
                for match in many.matches(for: read(variant)) {
                    #expect((match.kind == .exact) == (match.entry.pattern == variant), "\(variant)")
                }
            }
        }
    }

    @Test func lowerCharacterConfidenceAtTheSubstitutionGivesAHigherScore() {
        let matcher = HotlistMatcher(entries: [entry("1ABC123")])
        let scores = [0.2, 0.5, 0.8, 0.99].map { confidence -> Double in
            var characters = [Double](repeating: 0.97, count: 7)
            characters[2] = confidence
            return matcher.matches(for: read("1A8C123", characters: characters)).first?.score ?? 0
        }
        #expect(scores == scores.sorted(by: >))
        #expect(Set(scores).count == scores.count)
        // Without char_confidence the read's confidence stands in.
        let unsure = matcher.matches(for: read("1A8C123", confidence: 0.4)).first?.score ?? 0
        let sure = matcher.matches(for: read("1A8C123", confidence: 0.95)).first?.score ?? 0
        #expect(unsure > sure)
    }

    @Test func aDigitWhereTheFormatWantsALetterRaisesTheScore() throws {
        let matcher = HotlistMatcher(entries: [entry("1ABC123"), entry("1DBC123", category: "wanted_person")])
        let characters = [Double](repeating: 0.9, count: 7)
        // 8 in a letter slot of 1ABC123: not a possible Belgian plate.
        let impossible = try #require(matcher.matches(for: read("1A8C123", characters: characters)).first)
        #expect(impossible.assessments.first?.breaksFormat == true)
        #expect(impossible.assessments.first?.requiredSlot == .letter)
        // O for D in a letter slot: a valid plate too, so no help from the format.
        let possible = try #require(matcher.matches(for: read("1OBC123", characters: characters)).first { $0.entry.pattern == "1DBC123" })
        #expect(possible.assessments.first?.breaksFormat == false)
        #expect(impossible.score > possible.score)
        // The same misread on a non-Belgian read is not judged by the Belgian format.
        let foreign = try #require(matcher.matches(for: read("1A8C123", country: "NL", characters: characters)).first)
        #expect(impossible.score > foreign.score)
    }

    @Test func dropsAndAdditionsCostMoreThanAnySubstitution() throws {
        let matcher = HotlistMatcher(entries: [entry("1ABC123")])
        let confident = [Double](repeating: 1, count: 8)
        let substitution = try #require(matcher.matches(for: read("1ABC1Z3", country: "NL", characters: Array(confident.prefix(7)))).first)
        let dropped = try #require(matcher.matches(for: read("1AC123", characters: Array(confident.prefix(6)))).first)
        let added = try #require(matcher.matches(for: read("1ABC1234", characters: confident)).first)
        #expect(substitution.score > dropped.score)
        #expect(substitution.score > added.score)
    }

    @Test func configuredClassesReplaceTheStandardOnes() throws {
        let confusions = try #require(OCRConfusions(validating: ["B8", "UV"]))
        let matcher = HotlistMatcher(configuration: .init(tolerance: OCRTolerance(confusions: confusions)), entries: [entry("1UBC123")])
        #expect(matcher.matches(for: read("1VBC123")).first?.kind == .ocrVariant)
        #expect(matcher.matches(for: read("1U8C123")).first?.kind == .ocrVariant)
        #expect(matcher.matches(for: read("IUBC123")).isEmpty)  // I/1 is not a class here
        #expect(OCRConfusions.problem(with: ["B8", "8S"])?.contains("two confusion classes") == true)
        #expect(OCRConfusions.problem(with: ["B"])?.contains("two characters") == true)
        #expect(OCRConfusions.problem(with: ["b8"])?.contains("A-Z") == true)
    }

    @Test func removingAndReplacingEntries() {
        var matcher = HotlistMatcher(entries: [entry("1ABC123"), entry("1ABC123", category: "uninsured", severity: .low), entry("2K*")])
        #expect(matcher.count == 3)
        // Same plate and category: replaced, not duplicated.
        matcher.add(entry("1ABC123", severity: .high, reason: "updated"))
        #expect(matcher.count == 3)
        #expect(matcher.matches(for: read("1ABC123")).map(\.entry.reason).sorted() == ["Stolen in Deurne", "updated"])
        #expect(matcher.remove(pattern: "1ABC123") == 2)
        #expect(matcher.matches(for: read("1ABC123")).isEmpty)
        #expect(matcher.matches(for: read("1A8C123")).isEmpty)
        #expect(matcher.remove(pattern: "2K*") == 1)
        #expect(matcher.matches(for: read("2KLM456")).isEmpty)
        #expect(matcher.count == 0)
        #expect(matcher.remove(pattern: "1ABC123") == 0)
    }

    @Test func theWildcardIndexFindsExactlyWhatAScanOfEveryPatternFinds() {
        var generator = SeededRandom(seed: 3)
        var patterns: [String] = []
        for index in 0..<1_600 {
            let plate = generator.belgianPlate()
            func part(_ range: Range<Int>) -> String { String(Array(plate)[range]) }
            let shapes: [String] = [
                part(0..<3) + "*", "*" + part(3..<7), part(0..<4) + "?" + part(5..<7), "*" + part(2..<5) + "*",
                "?" + part(1..<3) + "*", "*" + part(3..<4) + "?" + part(5..<6), "???????", part(0..<2) + "*" + part(5..<7),
            ]
            patterns.append(shapes[index % shapes.count])
        }
        let matcher = HotlistMatcher(entries: patterns.enumerated().map { entry($1, category: "c\($0)") })
        let tolerance = OCRTolerance.standard
        for _ in 0..<200 {
            var plate = generator.belgianPlate()
            if generator.next() % 2 == 0 {
                // Near a listed pattern: take a pattern's plate-like text with wildcards filled in.
                let pattern = patterns[Int(generator.next() % UInt64(patterns.count))]
                plate = String(pattern.replacingOccurrences(of: "*", with: "").map { $0 == "?" ? "7" : $0 })
                if plate.isEmpty || plate.count > 12 { continue }
            }
            let found = Set(matcher.matches(for: read(plate)).map(\.entry.category))
            let scanned = Set(patterns.enumerated().compactMap { index, pattern in
                tolerance.edits(read: Array(plate.utf8), pattern: Array(pattern.utf8)) == nil ? nil : "c\(index)"
            })
            #expect(found == scanned, "\(plate)")
        }
    }

    @Test("the allocation-free check agrees with the edits", arguments: [OCRTolerance.standard, .exactOnly,
                                                                       OCRTolerance(maximumSubstitutions: 1, dropInsertMinimumLength: 6)])
    func acceptanceAgreesWithEdits(tolerance: OCRTolerance) {
        var generator = SeededRandom(seed: 17)
        let alphabet = Array("0123456789ABCDGIOQSZ8".utf8)  // confusable characters, often
        func chance(_ percent: UInt64) -> Bool { generator.next() % 100 < percent }
        /// The read with random misreads: class substitutions, a drop or an addition, wildcards.
        func listed(from read: [UInt8]) -> [UInt8] {
            var out = read.map { byte -> UInt8 in
                let alternatives = tolerance.confusions.alternatives(of: byte)
                return chance(25) && !alternatives.isEmpty ? alternatives[Int(generator.next() % UInt64(alternatives.count))] : byte
            }
            if chance(20) { out.remove(at: Int(generator.next() % UInt64(out.count))) }
            if chance(20) { out.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: Int(generator.next() % UInt64(out.count + 1))) }
            if chance(30) { out[Int(generator.next() % UInt64(out.count))] = 63 }
            if chance(30) { let start = Int(generator.next() % UInt64(out.count)); out.replaceSubrange(start..<min(out.count, start + 2), with: [42]) }
            return out
        }
        var agreed = 0
        for _ in 0..<20_000 {
            let read = (0..<(4 + Int(generator.next() % 5))).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let listed = listed(from: read)
            let isPattern = listed.contains { $0 == 42 || $0 == 63 }
            let edits = isPattern ? tolerance.edits(read: read, pattern: listed) : tolerance.edits(read: read, listed: listed)
            let accepted = read.withUnsafeBufferPointer { r in
                listed.withUnsafeBufferPointer { l in isPattern ? tolerance.accepts(read: r, pattern: l) : tolerance.accepts(read: r, listed: l) }
            }
            #expect(accepted == (edits != nil), "\(String(decoding: read, as: UTF8.self)) vs \(String(decoding: listed, as: UTF8.self))")
            if accepted { agreed += 1 }
        }
        #expect(agreed > 1_000)  // the sample holds matches, not only rejections
    }

    @Test func aLargeListFindsEveryPlantedVariantAndSurvivesRebuilds() {
        var generator = SeededRandom(seed: 11)
        var plates = Set<String>()
        while plates.count < 50_000 { plates.insert(generator.belgianPlate()) }
        let listed = plates.sorted()
        var matcher = HotlistMatcher()
        // Added in slices so the table grows and is rebuilt several times.
        for start in stride(from: 0, to: listed.count, by: 7_000) {
            matcher.add(contentsOf: listed[start..<min(start + 7_000, listed.count)].map { entry($0) })
        }
        #expect(matcher.count == listed.count)
        for plate in listed.prefix(2_000) {
            var bytes = Array(plate.utf8)
            // One confusable substitution if the plate has a confusable character, else a drop.
            if let position = bytes.firstIndex(where: { OCRConfusions.standard.isInSomeClass($0) }) {
                bytes[position] = OCRConfusions.standard.alternatives(of: bytes[position])[0]
            } else {
                bytes.remove(at: 3)
            }
            let variant = String(decoding: bytes, as: UTF8.self)
            #expect(matcher.matches(for: read(variant)).contains { $0.entry.pattern == plate && $0.kind == .ocrVariant }, "\(variant)")
        }
        for plate in listed.prefix(1_000) { matcher.remove(pattern: plate) }
        #expect(matcher.count == listed.count - 1_000)
        #expect(matcher.matches(for: read(listed[0])).allSatisfy { $0.entry.pattern != listed[0] })
        #expect(matcher.matches(for: read(listed[1_500])).contains { $0.kind == .exact })
    }
}

