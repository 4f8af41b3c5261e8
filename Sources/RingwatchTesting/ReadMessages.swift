import RingwatchCore

/// Builds ingest message bodies the way a camera integrator would.
public enum ReadMessages {
    /// A JSON read body. `extra` fields are appended verbatim (already JSON-encoded values).
    public static func body(
        camera: String, ts: Timestamp, plate: String, id: String? = nil, seq: Int64? = nil,
        confidence: Double? = 0.93, make: String? = nil, model: String? = nil, color: String? = nil,
        direction: String? = nil, extra: [(String, String)] = []
    ) -> String {
        var fields: [(String, JSONValue)] = [("camera", .string(camera)), ("ts", .string(ts.rfc3339)), ("plate", .string(plate))]
        if let id { fields.append(("id", .string(id))) }
        if let seq { fields.append(("seq", .int(seq))) }
        if let confidence { fields.append(("confidence", .double(confidence))) }
        if let make { fields.append(("make", .string(make))) }
        if let model { fields.append(("model", .string(model))) }
        if let color { fields.append(("color", .string(color))) }
        if let direction { fields.append(("direction", .string(direction))) }
        for (key, value) in extra { fields.append((key, .raw(value))) }
        return JSONValue.object(fields).serialized
    }

    /// The topic of a read from `camera` on `ring`.
    public static func topic(ring: String, camera: String) -> String { "read.\(ring).\(camera)" }
}
