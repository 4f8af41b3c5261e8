import RingwatchStorage

enum RingwatchStorageAccess {
    static func open(_ path: String) throws -> HistoryDatabase { try HistoryDatabase(path: path) }
}
