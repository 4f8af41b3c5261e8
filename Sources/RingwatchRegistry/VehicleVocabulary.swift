import RingwatchCore

/// A vehicle description reduced to what comparisons use: the canonical make, the model family
/// and the colour family, each folded (see `VehicleText`). `nil` means unknown.
public struct NormalisedVehicle: Sendable, Hashable {
    public var make: String?
    public var model: String?
    public var color: String?

    public init(make: String?, model: String?, color: String?) {
        self.make = make
        self.model = model
        self.color = color
    }
}

/// The spelling tables that let a classifier's `VW Golf VII, dark grey` meet the registry's
/// `Volkswagen Golf, anthracite`: make aliases, model families per make and colour families.
///
/// The tables are data (Fixtures/vehicle-makes.csv, vehicle-models.csv, vehicle-colors.csv),
/// so an operator can add the spellings a new classifier uses without a release.
///
/// - Makes: an alias folds to a canonical make; an unknown make is its own canonical form.
/// - Models (per canonical make): the whole folded model, then the longest `prefix*` pattern,
///   then ever shorter leading words (`a4 avant` → `a4`) are looked up; when nothing matches,
///   the first word is the family. Unknown spellings therefore compare loosely, which errs
///   towards "same model" rather than a false mismatch.
/// - Colours: the whole folded colour, then its trailing words (`metallic dark blue` →
///   `dark blue` → `blue`), then each word from the right; unknown colours are not judged.
///   Families listed as `near` one another (grey and white, say) are not "clearly different".
public struct VehicleVocabulary: Sendable {
    private var makes: [String: String] = [:]
    private var models: [String: ModelTable] = [:]
    private var colors: [String: String] = [:]
    private var near: [String: Set<String>] = [:]

    struct ModelTable: Sendable {
        var exact: [String: String] = [:]
        /// `prefix*` patterns, longest prefix first.
        var prefixes: [(prefix: String, family: String)] = []
    }

    /// An empty vocabulary: makes, models and colours compare by their folded text only.
    public init() {}

    /// Counts of table rows, for the load log.
    public var aliasCount: Int { makes.count + models.values.reduce(0) { $0 + $1.exact.count + $1.prefixes.count } + colors.count }

    /// The canonical (folded) make of a classifier's or the registry's make; nil when empty.
    public func make(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let folded = VehicleText.fold(raw)
        guard !folded.isEmpty else { return nil }
        if let make = makes[folded] { return make }
        // "mercedes benz ag" → "mercedes benz": try shorter leading word runs.
        var words = VehicleText.words(folded)
        while words.count > 1 {
            words.removeLast()
            if let make = makes[words.joined(separator: " ")] { return make }
        }
        return folded
    }

    /// The model family of `raw` for the canonical make `make`; nil when the model is empty.
    public func modelFamily(_ raw: String?, make: String?) -> String? {
        guard let raw else { return nil }
        let folded = VehicleText.fold(raw)
        guard !folded.isEmpty else { return nil }
        let table = make.flatMap { models[$0] }
        if let table {
            if let family = table.exact[folded] { return family }
            if let match = table.prefixes.first(where: { folded.hasPrefix($0.prefix) }) { return match.family }
            var words = VehicleText.words(folded)
            while words.count > 1 {
                words.removeLast()
                if let family = table.exact[words.joined(separator: " ")] { return family }
            }
        }
        return VehicleText.words(folded).first.map(String.init)
    }

    /// The colour family of `raw`; nil when empty or unknown.
    public func colorFamily(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let folded = VehicleText.fold(raw)
        guard !folded.isEmpty else { return nil }
        if let family = colors[folded] { return family }
        let words = VehicleText.words(folded)
        for start in words.indices.dropFirst() {
            if let family = colors[words[start...].joined(separator: " ")] { return family }
        }
        for word in words.reversed() {
            if let family = colors[String(word)] { return family }
        }
        return nil
    }

    /// True when two colour families are the same or listed as near (often confused).
    public func colorsAreNear(_ a: String, _ b: String) -> Bool {
        a == b || near[a]?.contains(b) == true || near[b]?.contains(a) == true
    }

    /// Make, model family and colour family of a description.
    public func normalise(_ description: VehicleDescription) -> NormalisedVehicle {
        let make = make(description.make)
        return NormalisedVehicle(make: make, model: modelFamily(description.model, make: make), color: colorFamily(description.color))
    }

    // MARK: Loading

    /// Builds the tables from the three CSV texts; bad lines are skipped and reported.
    ///
    /// - `makes`: `alias,make` — `VW,Volkswagen`. Every canonical make is also its own alias.
    /// - `models`: `make,model,family` — `Volkswagen,Golf VII,Golf`; a model ending in `*` is a
    ///   prefix (`BMW,3*,3 Series` catches `320d` and `3er`).
    /// - `colors`: `color,family,near` — `anthracite,grey,`; `near` lists families (separated
    ///   by `|`) the classifier confuses with this one, e.g. `white,white,grey|beige`.
    public static func parse(
        makesCSV: String, makesFile: String, modelsCSV: String, modelsFile: String, colorsCSV: String, colorsFile: String
    ) -> (VehicleVocabulary, [LoadReport]) {
        var vocabulary = VehicleVocabulary()
        var reports: [LoadReport] = []
        reports.append(vocabulary.loadMakes(CSVFile(text: makesCSV), file: makesFile))
        reports.append(vocabulary.loadModels(CSVFile(text: modelsCSV), file: modelsFile))
        reports.append(vocabulary.loadColors(CSVFile(text: colorsCSV), file: colorsFile))
        return (vocabulary, reports)
    }

    private mutating func loadMakes(_ csv: CSVFile, file: String) -> LoadReport {
        var problems = csv.problems
        var loaded = 0
        switch csv.columnIndexes(["alias", "make"]) {
        case .failure(let problem): return LoadReport(file: file, loaded: 0, problems: [problem])
        case .success(let columns):
            for row in csv.rows {
                let alias = VehicleText.fold(row.fields[columns[0]]), make = VehicleText.fold(row.fields[columns[1]])
                guard !alias.isEmpty, !make.isEmpty else {
                    problems.append(.init(line: row.line, message: "alias and make must both be given")); continue
                }
                if let earlier = makes[alias], earlier != make {
                    problems.append(.init(line: row.line, message: "alias '\(alias)' already means '\(earlier)'; this line is skipped"));
                    continue
                }
                makes[alias] = make
                if makes[make] == nil { makes[make] = make }
                loaded += 1
            }
        }
        return LoadReport(file: file, loaded: loaded, problems: problems.sorted { $0.line < $1.line })
    }

    private mutating func loadModels(_ csv: CSVFile, file: String) -> LoadReport {
        var problems = csv.problems
        var loaded = 0
        switch csv.columnIndexes(["make", "model", "family"]) {
        case .failure(let problem): return LoadReport(file: file, loaded: 0, problems: [problem])
        case .success(let columns):
            for row in csv.rows {
                let rawModel = row.fields[columns[1]]
                let isPrefix = rawModel.hasSuffix("*")
                let make = self.make(row.fields[columns[0]]) ?? ""
                let model = VehicleText.fold(isPrefix ? String(rawModel.dropLast()) : rawModel)
                let family = VehicleText.fold(row.fields[columns[2]])
                guard !make.isEmpty, !model.isEmpty, !family.isEmpty else {
                    problems.append(.init(line: row.line, message: "make, model and family must all be given")); continue
                }
                if isPrefix {
                    models[make, default: ModelTable()].prefixes.append((model, family))
                } else {
                    models[make, default: ModelTable()].exact[model] = family
                }
                // A family is always its own spelling.
                if models[make]!.exact[family] == nil { models[make]!.exact[family] = family }
                loaded += 1
            }
        }
        for make in models.keys { models[make]!.prefixes.sort { $0.prefix.count > $1.prefix.count } }
        return LoadReport(file: file, loaded: loaded, problems: problems.sorted { $0.line < $1.line })
    }

    private mutating func loadColors(_ csv: CSVFile, file: String) -> LoadReport {
        var problems = csv.problems
        var loaded = 0
        switch csv.columnIndexes(["color", "family", "near"]) {
        case .failure(let problem): return LoadReport(file: file, loaded: 0, problems: [problem])
        case .success(let columns):
            for row in csv.rows {
                let color = VehicleText.fold(row.fields[columns[0]]), family = VehicleText.fold(row.fields[columns[1]])
                guard !color.isEmpty, !family.isEmpty else {
                    problems.append(.init(line: row.line, message: "color and family must both be given")); continue
                }
                colors[color] = family
                if colors[family] == nil { colors[family] = family }
                for other in row.fields[columns[2]].split(separator: "|") {
                    let other = VehicleText.fold(String(other))
                    if !other.isEmpty, other != family { near[family, default: []].insert(other) }
                }
                loaded += 1
            }
        }
        return LoadReport(file: file, loaded: loaded, problems: problems.sorted { $0.line < $1.line })
    }
}
