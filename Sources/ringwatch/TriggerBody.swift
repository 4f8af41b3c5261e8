import Foundation

/// Reads fields back out of a stored trigger body.
enum TriggerBody {
    static func explanation(of body: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return object?["explanation"] as? String ?? ""
    }

    static func readIDs(of body: String) -> [String] {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return object?["read_ids"] as? [String] ?? []
    }
}
