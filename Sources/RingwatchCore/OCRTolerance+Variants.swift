extension OCRTolerance {
    /// Every plate that matches the listed plate `listed` within this tolerance, `listed`
    /// included, sorted: what `reads --fuzzy` looks up through the (plate, ts) index.
    ///
    /// The count stays small: a few tens for substitutions alone; an added character can be any
    /// of 36 at any position, so with drops and additions on, a 7-character plate has a few
    /// hundred to a couple of thousand variants.
    public func variants(of listed: String) -> [String] {
        let plate = Array(listed.utf8)
        var found = Set<[UInt8]>()
        collectSubstitutions(of: plate, budget: maximumSubstitutions, from: 0, into: &found)
        if forgivesDropInsert(listedLength: plate.count) {
            let budget = max(maximumSubstitutions, 1) - 1
            for gap in 0..<plate.count where plate.count > 1 {
                var shorter = plate
                shorter.remove(at: gap)
                collectSubstitutions(of: shorter, budget: budget, from: 0, into: &found)
            }
            if plate.count < Plate.maximumLength {
                let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
                for gap in 0...plate.count {
                    for character in alphabet {
                        var longer = plate
                        longer.insert(character, at: gap)
                        collectSubstitutions(of: longer, budget: budget, from: 0, into: &found)
                    }
                }
            }
        }
        return found.filter { !$0.isEmpty && $0.count <= Plate.maximumLength }
            .map { String(decoding: $0, as: UTF8.self) }
            .sorted()
    }

    private func collectSubstitutions(of plate: [UInt8], budget: Int, from start: Int, into found: inout Set<[UInt8]>) {
        found.insert(plate)
        guard budget > 0, start < plate.count else { return }
        for index in start..<plate.count {
            for alternative in confusions.alternatives(of: plate[index]) {
                var variant = plate
                variant[index] = alternative
                collectSubstitutions(of: variant, budget: budget - 1, from: index + 1, into: &found)
            }
        }
    }
}
