import CSQLite

/// An error from SQLite, with the statement or step that failed and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The primary or extended SQLite result code.
    public let code: Int32
    /// SQLite's message (`sqlite3_errmsg`).
    public let message: String
    /// What the wrapper was doing: `open`, `prepare`, `step`, … SQL text is included, but never
    /// bound arguments, which may hold plate numbers.
    public let context: String

    public init(code: Int32, message: String, context: String) {
        self.code = code
        self.message = message
        self.context = context
    }

    /// True for `SQLITE_BUSY` and `SQLITE_LOCKED`: another connection holds the lock.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }

    public var description: String { "SQLite \(context): \(message) (code \(code))" }
}

/// One SQLite connection. Use it from one thread at a time.
public final class Connection {
    let handle: OpaquePointer
    /// The database file path.
    public let path: String
    private var statementCache: [String: Statement] = [:]

    /// How the connection opens the file.
    public enum Mode: Sendable {
        case readWriteCreate, readWrite, readOnly

        var flags: Int32 {
            switch self {
            case .readWriteCreate: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            case .readWrite: SQLITE_OPEN_READWRITE
            case .readOnly: SQLITE_OPEN_READONLY
            }
        }
    }

    /// Opens `path`; waits up to `busyTimeoutMilliseconds` for locks held by other connections.
    public init(path: String, mode: Mode = .readWriteCreate, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        _ = Connection.processSetUp
        var handle: OpaquePointer?
        let result = sqlite3_open_v2(path, &handle, mode.flags | SQLITE_OPEN_NOMUTEX, nil)
        guard result == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteError(code: result, message: message, context: "open \(path)")
        }
        self.handle = handle
        self.path = path
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)
    }

    /// Process-wide settings made once, before the first connection opens: memory statistics
    /// off, so that SQLite's allocations (several per row written) take no global mutex. Nothing
    /// in Ringwatch reads them.
    private static let processSetUp: Void = {
        _ = ringwatch_sqlite3_disable_memory_statistics()
    }()

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if result != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: result, message: message, context: "execute \(sql.prefix(120))")
        }
    }

    /// Prepares a statement for repeated use.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// A prepared statement kept for this connection's lifetime, reset before it is returned.
    public func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Finalises the cached statement of `sql`, if there is one: for statements of a table that
    /// will seldom be written again, so that the cache does not grow with every table.
    public func uncache(_ sql: String) {
        statementCache[sql] = nil
    }

    /// Runs `body` inside a transaction; commits if it returns, rolls back if it throws.
    public func transaction<Result>(immediate: Bool = true, _ body: () throws -> Result) throws -> Result {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The first column of the first row of `sql`, as an integer (nil when no row or NULL).
    public func scalarInt(_ sql: String, _ arguments: [Value] = []) throws(SQLiteError) -> Int64? {
        let statement = try cached(sql)
        // Reset at once: a statement left on a row keeps a read transaction open, and a stale
        // snapshot later makes this connection's writes fail with SQLITE_BUSY_SNAPSHOT.
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// All rows of `sql`, each as an array of values.
    public func rows(_ sql: String, _ arguments: [Value] = []) throws(SQLiteError) -> [[Value]] {
        let statement = try cached(sql)
        try statement.bind(arguments)
        var rows: [[Value]] = []
        defer { statement.reset() }
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return rows
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ code: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: code, message: lastMessage, context: context)
    }

    /// SQLite's library version, e.g. `3.40.1`.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}
