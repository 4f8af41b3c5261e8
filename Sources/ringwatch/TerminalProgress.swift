import Foundation

/// A one-line progress report on standard error, shown only when it is a terminal and the work
/// has taken more than a second (a quick answer should not flicker).
final class TerminalProgress {
    private let label: String
    private let unit: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0
    private var drawn = false

    init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - started > 1_000_000_000, now - lastDrawn > 100_000_000 || done == total else { return }
        lastDrawn = now
        drawn = true
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("\rringwatch \(label): \(done)/\(total) \(unit) (\(percent)%)\u{1B}[K".utf8))
    }

    /// Clears the line, if one was drawn.
    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
