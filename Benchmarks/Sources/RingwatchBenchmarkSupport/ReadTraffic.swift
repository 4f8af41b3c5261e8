import Foundation
import RingwatchCore
import RingwatchTesting

/// Fixed-seed read traffic shaped like the cameras' own: JSON bodies with every contract
/// field, printed plates, and decoded reads spread over a window.
///
/// The same seed gives the same bytes on every machine, so two runs (or a baseline and a
/// branch) measure the same work.
public enum ReadTraffic {
    /// 07:00 in Antwerp on a Sunday in November (the `ringwatch-bench` start).
    public static let start = Timestamp(rfc3339: "2026-11-22T06:00:00Z")!

    /// The 48 fixture cameras on three rings.
    public static let cameraIDs: [String] =
        (1...14).map { "R1-" + twoDigits($0) } + (1...16).map { "R2-" + twoDigits($0) } + (1...18).map { "R3-" + twoDigits($0) }

    /// The fixture camera file (Fixtures/cameras.csv of the main package).
    public static let cameras: CameraRegistry = {
        let path = RingwatchProcess.packageRoot + "/Fixtures/cameras.csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("cannot read \(path): the benchmarks use the main package's fixtures")
        }
        return CameraRegistry.parse(csv: text, file: "cameras.csv").0
    }()

    static let vehicles = [
        ("Volkswagen", "Golf", "grey"), ("Skoda", "Octavia", "black"), ("BMW", "3 Series", "blue"),
        ("Peugeot", "308", "white"), ("Renault", "Clio", "red"),
    ]

    /// The printed form of vehicle `number`'s plate, as a camera reports it (`1-ABC-123`).
    public static func printedPlate(_ number: Int) -> String {
        let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ".utf8)
        let a = letters[number % 23], b = letters[(number / 23) % 23], c = letters[(number / 529) % 23]
        let digits = (number / 12_167) % 1000
        return "\(1 + number % 2)-" + String(decoding: [a, b, c], as: UTF8.self) + "-" + threeDigits(digits)
    }

    /// `count` read bodies (about 230 bytes each) of a fleet of `fleet` vehicles at the 48
    /// cameras, one millisecond apart: camera, ts, plate, id, seq, confidence, make, model,
    /// color, direction and two fields the engine ignores, as `ringwatch-bench decode` sends.
    public static func bodies(count: Int, fleet: Int, seed: UInt64 = 42) -> [[UInt8]] {
        var random = SeededRandom(seed: seed)
        var sequences: [String: Int64] = [:]
        return (0..<count).map { index in
            let camera = cameraIDs[Int(random.next() % UInt64(cameraIDs.count))]
            let vehicle = Int(random.next() % UInt64(fleet))
            let (make, model, color) = vehicles[vehicle % vehicles.count]
            sequences[camera, default: 0] += 1
            let body = ReadMessages.body(
                camera: camera, ts: start.adding(milliseconds: Int64(index)), plate: printedPlate(vehicle), id: "\(camera)-\(index)",
                seq: sequences[camera], confidence: 0.8 + Double(random.next() % 200) / 1000, make: make, model: model,
                color: color, direction: index % 2 == 0 ? "in" : "out",
                extra: [("country", "\"BE\""), ("vehicle_confidence", "0.91")])
            return Array(body.utf8)
        }
    }

    /// `count` reads of `fleet` vehicles spread evenly over `hours` of event time from `start`,
    /// with every field a camera sends (what the decoder would have produced).
    /// `characterConfidence: false` leaves out the per-character confidences (which the window
    /// does not keep), to hold millions of reads in less memory.
    public static func spreadReads(
        count: Int, fleet: Int, hours: Double, from first: Timestamp = start, seed: UInt64 = 42, characterConfidence: Bool = true
    ) -> [PlateRead] {
        var random = SeededRandom(seed: seed)
        let span = Int64(hours * 3_600_000)
        var reads: [PlateRead] = []
        reads.reserveCapacity(count)
        for index in 0..<count {
            let camera = cameraIDs[Int(random.next() % UInt64(cameraIDs.count))]
            let vehicle = Int(random.next() % UInt64(fleet))
            let (make, model, color) = vehicles[vehicle % vehicles.count]
            reads.append(
                PlateRead(
                    sourceID: "\(camera)-\(index)", camera: camera,
                    timestamp: first.adding(milliseconds: Int64(index) * span / Int64(count)),
                    plate: Plate(normalising: printedPlate(vehicle))!, sequence: Int64(index),
                    confidence: 0.8 + Double(random.next() % 200) / 1000,
                    characterConfidence: characterConfidence ? [0.99, 0.97, 0.95, 0.9, 0.98, 0.99, 0.97] : nil, make: make, model: model,
                    color: color,
                    vehicleConfidence: 0.91, direction: index % 2 == 0 ? .inbound : .outbound))
        }
        return reads
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    static func threeDigits(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
}
