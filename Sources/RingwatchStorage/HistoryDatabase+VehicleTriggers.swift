import RingwatchCore
import SQLite

extension HistoryDatabase {
    /// The triggers in `from...to` that name `plate`: fired on its read, or (convoys) listing it
    /// among the members. Oldest first, at most `limit`.
    public func triggers(involving plate: String, from: Timestamp, to: Timestamp, limit: Int = 1000) throws -> [StoredTrigger] {
        // The plate index finds the vehicle's own triggers; convoy members other than the one that
        // fired are only in the body, so convoy triggers of the period are searched there.
        let sql = """
            SELECT seq, trigger_id, kind, severity, ts, plate, camera, ring, emitted_at, body FROM triggers
            WHERE plate = ?1 AND ts BETWEEN ?2 AND ?3
            UNION
            SELECT seq, trigger_id, kind, severity, ts, plate, camera, ring, emitted_at, body FROM triggers
            WHERE kind = 'convoy' AND ts BETWEEN ?2 AND ?3
              AND EXISTS (SELECT 1 FROM json_each(triggers.body, '$.plates') WHERE json_each.value = ?1)
            ORDER BY ts, seq LIMIT ?4
            """
        let arguments: [Value] = [.text(plate), .integer(from.milliseconds), .integer(to.milliseconds), .integer(Int64(limit))]
        return try connection.rows(sql, arguments).map { row in
            StoredTrigger(sequence: row[0].int64 ?? 0, triggerID: row[1].string ?? "", kind: row[2].string ?? "",
                          severity: row[3].string ?? "", timestamp: Timestamp(milliseconds: row[4].int64 ?? 0),
                          plate: row[5].string ?? "", camera: row[6].string ?? "", ring: row[7].string ?? "",
                          emittedAt: Timestamp(milliseconds: row[8].int64 ?? 0), body: row[9].string ?? "{}")
        }
    }
}
