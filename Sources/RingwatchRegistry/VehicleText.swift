import Foundation

/// How vehicle words are compared: case, diacritics, spacing and punctuation do not count.
///
/// `Škoda`, `SKODA` and `skoda` fold to `skoda`; `Mercedes-Benz` and `mercedes  benz` to
/// `mercedes benz`; `ID.4` to `id 4`. Words stay apart (one space) so that a model can be
/// matched on its leading words (`golf vii` → `golf`).
public enum VehicleText {
    /// The folded form: lower case, without diacritics, every run of characters other than
    /// letters and digits turned into one space, no leading or trailing space.
    public static func fold(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var ascii = true
        for byte in text.utf8 {
            switch byte {
            case 48...57, 97...122:
                if pendingSpace && !bytes.isEmpty { bytes.append(32) }
                pendingSpace = false
                bytes.append(byte)
            case 65...90:
                if pendingSpace && !bytes.isEmpty { bytes.append(32) }
                pendingSpace = false
                bytes.append(byte + 32)
            case 0..<128:
                pendingSpace = true
            default:
                ascii = false
            }
            if !ascii { break }
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        return foldUnicode(text)
    }

    /// The slow path for text with non-ASCII characters (`Citroën`, `Škoda`, `Peugeot Ë`).
    private static func foldUnicode(_ text: String) -> String {
        let plain = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        var pendingSpace = false
        for scalar in plain.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil {
                if pendingSpace && !out.isEmpty { out.unicodeScalars.append(" ") }
                pendingSpace = false
                out += properties.lowercaseMapping
            } else if properties.generalCategory != .nonspacingMark {
                pendingSpace = true
            }
        }
        return out
    }

    /// The folded words of `text`.
    static func words(_ folded: String) -> [Substring] { folded.split(separator: " ") }
}
