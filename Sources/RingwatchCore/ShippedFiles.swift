import Foundation

/// The reference files that ship with Ringwatch in `Fixtures/`: the cameras of the three
/// Antwerp rings and the vehicle vocabularies (makes, models, colours). Their defaults name
/// them relative to the working directory, as in the repository; run from anywhere else, the
/// same names are looked up in `RINGWATCH_SHARE`, beside the binary (a build tree), and in
/// `/usr/local/share/ringwatch` and `/usr/share/ringwatch` (an installation).
public enum ShippedFiles {
    /// The path of the shipped file `name` (e.g. `cameras.csv`): the first place that has it,
    /// else `Fixtures/<name>`, so that the error names the conventional place.
    public static func path(_ name: String) -> String {
        let relative = "Fixtures/" + name
        if FileManager.default.fileExists(atPath: relative) { return relative }
        return candidates(name).first { FileManager.default.fileExists(atPath: $0) } ?? relative
    }

    private static func candidates(_ name: String) -> [String] {
        var places: [String] = []
        if let share = ProcessInfo.processInfo.environment["RINGWATCH_SHARE"], !share.isEmpty {
            places.append((share as NSString).appendingPathComponent(name))
        }
        // A build tree: .build/<triple>/release/ringwatch, four levels below the repository.
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            places.append(directory.appendingPathComponent("Fixtures").appendingPathComponent(name).path)
            directory.deleteLastPathComponent()
        }
        places += ["/usr/local/share/ringwatch/" + name, "/usr/share/ringwatch/" + name]
        return places
    }
}
