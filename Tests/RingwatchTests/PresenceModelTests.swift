import RingwatchCore
import RingwatchQuery
import RingwatchTesting
import Testing

/// `ringwatch predict`'s model: probabilities by camera and hour of the week, measured for
/// calibration on a held-out week of vehicles whose true habits are known.
@Suite("Presence prediction")
struct PresenceModelTests {
    static let monday = Timestamp(rfc3339: "2026-11-02T00:00:00Z")!

    /// One habit: read at `camera` in `hour` on `weekdays`, each time with chance `chance`.
    struct Habit {
        let camera: String
        let weekdays: [Int]
        let hour: Int
        let chance: Double
    }

    /// Five weeks of a vehicle's reads drawn from its habits, plus a few random sightings.
    static func history(_ habits: [Habit], random: inout SeededRandom, plate: String) -> [Passage] {
        var out: [Passage] = []
        func uniform() -> Double { Double(random.next() % 1_000_000) / 1_000_000 }
        for day in 0..<35 {
            let weekday = day % 7
            for habit in habits where habit.weekdays.contains(weekday) && uniform() < habit.chance {
                let time = monday.adding(seconds: Int64(day) * 86_400 + Int64(habit.hour) * 3600 + Int64(random.next() % 3600))
                out.append(Passage(readID: ReadID(rawValue: random.next()), plate: plate, camera: habit.camera, time: time, direction: nil))
            }
            if uniform() < 0.3 {
                let time = monday.adding(seconds: Int64(day) * 86_400 + Int64(random.next() % 86_400))
                out.append(Passage(readID: ReadID(rawValue: random.next()), plate: plate, camera: "R3-\(10 + random.next() % 8)", time: time, direction: nil))
            }
        }
        return out
    }

    @Test func aWeekdayHabitIsLikelyAndASingleSightingIsNot() {
        var commute: [Passage] = []
        for day in 0..<20 {
            let dayNumber = Int64(day / 5 * 7 + day % 5)
            let time = Self.monday.adding(seconds: dayNumber * 86_400 + 8 * 3600 + 600)
            commute.append(Passage(readID: ReadID(rawValue: UInt64(day)), plate: "1ABC123", camera: "R2-04", time: time, direction: nil))
        }
        let once = Passage(readID: ReadID(rawValue: 99), plate: "1ABC123", camera: "R1-01",
                           time: Self.monday.adding(seconds: 5 * 86_400 + 14 * 3600), direction: nil)
        let model = PresenceModel(passages: commute + [once], from: Self.monday, to: Self.monday.adding(seconds: 28 * 86_400))
        let best = model.predictions()
        #expect(best.first?.camera == "R2-04" && best.first?.hour == 8)
        #expect(best.first!.probability > 0.9 && best.first!.probability < 1)
        #expect(best.first?.observations == 4 && best.first?.occasions == 4)
        let saturday = best.first { $0.camera == "R1-01" }!
        #expect(saturday.weekday == 5 && saturday.observations == 1)
        #expect(saturday.probability < 0.4)
        let mondayMorning = model.predictions(slot: model.slot(of: Self.monday.adding(seconds: 8 * 3600 + 1800)))
        #expect(mondayMorning.map { $0.camera } == ["R2-04"])
    }

    @Test func predictionsAreCalibratedOnAHeldOutWeek() {
        var random = SeededRandom(seed: 2026)
        var report = CalibrationReport()
        let split = Self.monday.adding(seconds: 28 * 86_400), end = Self.monday.adding(seconds: 35 * 86_400)
        for vehicle in 0..<400 {
            func pick(_ values: [Double]) -> Double { values[Int(random.next() % UInt64(values.count))] }
            var habits: [Habit] = [
                Habit(camera: "R2-0\(1 + vehicle % 9)", weekdays: [0, 1, 2, 3, 4], hour: 6 + vehicle % 4, chance: pick([0.2, 0.5, 0.8, 0.95])),
                Habit(camera: "R1-0\(1 + vehicle % 7)", weekdays: [0, 1, 2, 3, 4], hour: 16 + vehicle % 3, chance: pick([0.3, 0.6, 0.9])),
            ]
            if vehicle % 3 == 0 { habits.append(Habit(camera: "R3-01", weekdays: [5], hour: 10, chance: pick([0.25, 0.5, 0.75]))) }
            if vehicle % 4 == 0 { habits.append(Habit(camera: "R3-02", weekdays: [2], hour: 19, chance: pick([0.5, 0.9]))) }
            let passages = Self.history(habits, random: &random, plate: "V\(vehicle)")
            let model = PresenceModel(passages: passages.filter { $0.time < split }, from: Self.monday, to: split)
            report.score(model, passages: passages.filter { $0.time >= split }, from: split, to: end)
        }
        for bin in report.bins where bin.trials >= 300 {
            #expect(abs(bin.meanPredicted - bin.observed) < 0.12,
                    "bin \(bin.low)-\(bin.high): predicted \(bin.meanPredicted), observed \(bin.observed) over \(bin.trials)")
        }
        #expect(report.expectedCalibrationError < 0.04, "ECE \(report.expectedCalibrationError)")
        #expect(report.trials > 10_000)
        print("calibration: \(report.trials) trials, Brier \(report.brier), ECE \(report.expectedCalibrationError); "
              + report.bins.map { "\($0.low): \($0.meanPredicted)/\($0.observed) n=\($0.trials)" }.joined(separator: "; "))
    }
}
