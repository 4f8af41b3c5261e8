import RingwatchCore

/// Reads for hotlist benchmarks: 1 % exact hits on a listed plate, 1 % misreads of one (a
/// confusable character substituted, or a character dropped), the rest current-format plates
/// that are mostly not listed; half carry `char_confidence`. One camera, a millisecond apart.
public enum HotlistTraffic {
    public static func reads(count: Int, listed: [String], at time: Timestamp, seed: UInt64 = 5) -> [PlateRead] {
        var random = SeededRandom(seed: seed)
        let confusions = OCRConfusions.standard
        return (0..<count).map { index in
            var text: String
            switch index % 100 {
            case 0:
                text = listed[Int(random.next() % UInt64(listed.count))]
            case 1:
                var bytes = Array(listed[Int(random.next() % UInt64(listed.count))].utf8)
                if let position = bytes.indices.first(where: { confusions.isInSomeClass(bytes[$0]) }) {
                    bytes[position] = confusions.alternatives(of: bytes[position])[0]
                } else {
                    bytes.remove(at: 1 + Int(random.next() % 5))
                }
                text = String(decoding: bytes, as: UTF8.self)
            default:
                text = random.belgianPlate()
            }
            let characters = index % 2 == 0 ? Array(repeating: 0.9, count: text.utf8.count) : nil
            return PlateRead(camera: "R2-04", timestamp: time.adding(milliseconds: Int64(index)), plate: Plate(normalised: text),
                             confidence: 0.9, characterConfidence: characters)
        }
    }
}
