import ArgumentParser
import Foundation
import RingwatchCore
import RingwatchQuery
import RingwatchStorage

/// `ringwatch predict --plate P [--at T]`: where and when a vehicle is likely to be seen.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Where and when a vehicle is likely to be seen, with calibrated probabilities (audited; needs --reason).",
        discussion: """
            From the vehicle's history (--from/--to; default the 28 days before --at or now), the \
            chance that it is read at each camera in each hour of the week, best first. \
            OBSERVATIONS is how many such hours it was read there, OCCASIONS how many such hours \
            the history holds. With --at, only the hour of the week of that time. Weekday and \
            hour are local time (--utc-offset minutes, default 0 = UTC). \
            --evaluate holds out the last 7 days of the period, predicts them from the rest and \
            prints how often predictions of each probability came true (one vehicle with --plate, \
            else --sample vehicles seen in the period).
            """)

    @Option(name: .long, help: "The vehicle.")
    var plate: String?

    @Option(name: .long, help: "Only the hour of the week of this time (RFC 3339).")
    var at: String?

    @Option(name: .long, help: "At most this many rows.")
    var top = 20

    @Flag(name: .long, help: "Measure calibration on the last 7 days of the period instead of predicting.")
    var evaluate = false

    @Option(name: .long, help: "With --evaluate and no --plate: vehicles to evaluate (default 200).")
    var sample = 200

    @Option(name: .customLong("utc-offset"), help: "Minutes local time is ahead of UTC (default 0).")
    var utcOffset = 0

    @OptionGroup var options: QueryOptions

    func run() throws {
        _ = try options.requireReason(for: "predict")
        let wanted: String? = try plate.map { text in
            guard let plate = Plate(normalising: text) else {
                throw UsageError("--plate must hold 1 to 12 of A-Z and 0-9 (spaces, '-' and '.' are ignored)")
            }
            return plate.text
        }
        guard wanted != nil || evaluate else { throw UsageError("predict needs --plate P (or --evaluate to measure calibration)") }
        guard top > 0, sample > 0 else { throw UsageError("--top and --sample must be at least 1") }
        guard (-14 * 60...14 * 60).contains(utcOffset) else { throw UsageError("--utc-offset must be within ±840 minutes") }
        let now = Timestamp.now
        let moment = try at.map { try parseTime($0, flag: "--at") }
        let to = try options.to.map { try parseTime($0, flag: "--to") } ?? min(moment ?? now, now)
        let from = try options.from.map { try parseTime($0, flag: "--from") } ?? to.adding(seconds: -28 * 86_400)
        guard from < to else { throw UsageError("--from must be before --to") }
        if evaluate { guard to.milliseconds - from.milliseconds >= 14 * 86_400_000 else {
            throw UsageError("--evaluate needs a period of at least 14 days (7 to learn from, 7 held out)")
        } }
        let database = try options.openDatabase()
        try options.audit(database, command: evaluate ? "predict --evaluate" : "predict", parameters: [
            ("plate", .optional(wanted)), ("at", .optional(moment?.rfc3339)), ("from", .string(from.rfc3339)), ("to", .string(to.rfc3339)),
        ] + (evaluate && wanted == nil ? [("sample", .int(Int64(sample)))] : []), reaching: from)

        if evaluate {
            try runEvaluation(database, plate: wanted, from: from, to: to)
            return
        }
        let passages = try database.reads(pattern: wanted!, from: from, to: to, limit: 1_000_000).map { Passage($0.read) }
        let model = PresenceModel(passages: passages, from: from, to: to, utcOffsetMinutes: utcOffset)
        let cameras = try database.cameras()
        let predictions = model.predictions(slot: moment.map { model.slot(of: $0) })
        let rows: [JSONValue] = predictions.prefix(top).map { prediction in
            .object([
                ("camera", .string(prediction.camera)),
                ("ring", .string(cameras.ring(of: prediction.camera))),
                ("weekday", .string(Predict.weekdays[prediction.weekday])),
                ("hour", .int(Int64(prediction.hour))),
                ("probability", .double((prediction.probability * 1000).rounded() / 1000)),
                ("observations", .int(Int64(prediction.observations))),
                ("occasions", .int(Int64(prediction.occasions))),
            ])
        }
        emit(RowPrinter(format: options.format, columns: ["camera", "ring", "weekday", "hour", "probability", "observations", "occasions"])
            .render(rows))
    }

    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Fits on the period but its last 7 days, scores on those days.
    private func runEvaluation(_ database: HistoryDatabase, plate: String?, from: Timestamp, to: Timestamp) throws {
        let split = to.adding(seconds: -7 * 86_400)
        let plates: [String]
        if let plate {
            plates = [plate]
        } else {
            // Vehicles read on the last day before the held-out week, chosen by a hash of the
            // plate (not by how often they drive), so the sample is fair and repeatable.
            var seen: [String: Int] = [:]
            for partition in try database.readPartitions(from: split.adding(seconds: -86_400), to: split.adding(milliseconds: -1)) {
                for passage in try database.passages(in: partition.table, from: split.adding(seconds: -86_400), to: split.adding(milliseconds: -1)) {
                    seen[passage.plate, default: 0] += 1
                }
            }
            plates = seen.keys.sorted { StableHash.of($0) < StableHash.of($1) }.prefix(sample).map { $0 }
        }
        var byPlate: [String: [Passage]] = [:]
        for stored in try database.reads(plates: plates, from: from, to: to, limit: 50_000_000) {
            byPlate[stored.read.plate.text, default: []].append(Passage(stored.read))
        }
        var report = CalibrationReport()
        for plate in plates {
            let passages = byPlate[plate] ?? []
            let model = PresenceModel(passages: passages.filter { $0.time < split }, from: from, to: split, utcOffsetMinutes: utcOffset)
            report.score(model, passages: passages.filter { $0.time >= split }, from: split, to: to)
        }
        var rows: [JSONValue] = report.bins.filter { $0.trials > 0 }.map { bin in
            .object([
                ("bin", .string(String(format: "%.1f-%.1f", bin.low, bin.high))),
                ("predicted", .double((bin.meanPredicted * 1000).rounded() / 1000)),
                ("observed", .double((bin.observed * 1000).rounded() / 1000)),
                ("trials", .int(Int64(bin.trials))),
            ])
        }
        rows.append(.object([
            ("bin", .string("all")), ("predicted", .null), ("observed", .null), ("trials", .int(Int64(report.trials))),
            ("vehicles", .int(Int64(report.vehicles))),
            ("brier", .double((report.brier * 10_000).rounded() / 10_000)),
            ("calibration_error", .double((report.expectedCalibrationError * 10_000).rounded() / 10_000)),
        ]))
        emit(RowPrinter(format: options.format, columns: ["bin", "predicted", "observed", "trials", "vehicles", "brier", "calibration_error"])
            .render(rows))
    }
}
