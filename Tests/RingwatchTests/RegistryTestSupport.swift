import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchIndex
import RingwatchRegistry
import RingwatchTesting

/// The shipped spelling tables and cameras, loaded once for the registry, mismatch and clone tests.
enum RegistryFixtures {
    static let root = RingwatchProcess.packageRoot + "/Fixtures/"

    static func text(_ name: String) -> String {
        (try? String(contentsOfFile: root + name, encoding: .utf8)) ?? ""
    }

    static let vocabulary: VehicleVocabulary = {
        VehicleVocabulary.parse(
            makesCSV: text("vehicle-makes.csv"), makesFile: "vehicle-makes.csv",
            modelsCSV: text("vehicle-models.csv"), modelsFile: "vehicle-models.csv",
            colorsCSV: text("vehicle-colors.csv"), colorsFile: "vehicle-colors.csv"
        ).0
    }()

    static let cameras: CameraRegistry = CameraRegistry.parse(csv: text("cameras.csv"), file: "cameras.csv").0

    /// A registry from CSV lines (header added).
    static func registry(_ lines: [String]) -> VehicleRegistry {
        VehicleRegistry.parse(
            csv: "plate,make,model,color,vehicle_type\n" + lines.joined(separator: "\n"), file: "test.csv",
            vocabulary: vocabulary
        ).0
    }

    /// Midday and midnight in Antwerp in November.
    static let day = Timestamp(rfc3339: "2026-11-22T12:00:00Z")!
    static let night = Timestamp(rfc3339: "2026-11-22T23:00:00Z")!
}

/// A read as a camera with a vehicle classifier would send it.
func vehicleRead(
    _ plate: String, at time: Timestamp, camera: String = "R1-01", make: String? = nil, model: String? = nil, color: String? = nil,
    vehicleConfidence: Double? = nil, confidence: Double? = 0.95, characterConfidence: [Double]? = nil, country: String = "BE",
    id: String? = nil
) -> PlateRead {
    PlateRead(
        sourceID: id ?? "\(camera)-\(plate)-\(time.milliseconds)", camera: camera, timestamp: time, plate: Plate(normalised: plate),
        country: country, confidence: confidence, characterConfidence: characterConfidence, make: make, model: model, color: color,
        vehicleConfidence: vehicleConfidence)
}

/// A window, the fixture cameras and one detector: reads go into the window, then through the
/// detector, as on the pipeline thread.
final class DetectorRig {
    let index = ReadIndex()
    let cameras = RegistryFixtures.cameras
    let detector: any Detector

    init(_ detector: any Detector) { self.detector = detector }

    func send(_ read: PlateRead) -> [TriggerDraft] {
        index.insert(read)
        return detector.evaluate(read, context: DetectionContext(index: index, cameras: cameras, isLate: false))
    }
}

extension TriggerDraft {
    /// A kind-specific field by name.
    func detail(_ name: String) -> JSONValue? { details.first { $0.0 == name }?.1 }
}
