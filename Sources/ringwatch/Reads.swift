import ArgumentParser
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch reads --plate P`: the history of one plate.
struct Reads: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "History of plate reads (audited; needs --reason).")

    @Option(name: .long, help: "Plate; '?' stands for one character and '*' for any run.")
    var plate: String

    @Option(name: .long, help: "Only reads from this camera.")
    var camera: String?

    @Option(name: .long, help: "At most this many rows.")
    var limit = 10_000

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "reads")
        guard let pattern = HotlistEntry.normalisePattern(plate) else {
            throw UsageError("--plate must hold A-Z, 0-9, '?' and '*' (spaces, '-' and '.' are ignored)")
        }
        let (from, to) = try options.period()
        let database = try options.openDatabase()
        try options.checkAccess(database, from: from)
        try options.audit(database, command: "reads", parameters: [
            ("plate", .string(pattern)), ("camera", .optional(camera)),
            ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
        ])
        let cameras = try database.cameras()
        let rows: [JSONValue] = try database.reads(pattern: pattern, from: from, to: to, camera: camera, limit: limit).map { stored in
            let read = stored.read
            return .object([
                ("read_id", .string(read.id.description)),
                ("ts", .string(read.timestamp.rfc3339)),
                ("camera", .string(read.camera)),
                ("ring", .string(cameras.ring(of: read.camera))),
                ("plate", .string(read.plate.text)),
                ("confidence", .optional(read.confidence)),
                ("make", .optional(read.make)),
                ("model", .optional(read.model)),
                ("color", .optional(read.color)),
            ])
        }
        let columns = ["read_id", "ts", "camera", "ring", "plate", "confidence", "make", "model", "color"]
        emit(RowPrinter(format: options.format, columns: columns).render(rows))
    }
}
