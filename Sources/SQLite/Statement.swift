import CSQLite

/// A value bound to, or read from, a statement.
public enum Value: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as an integer, when it is one.
    public var int64: Int64? { if case .integer(let value) = self { value } else { nil } }
    /// The value as text, when it is text.
    public var string: String? { if case .text(let value) = self { value } else { nil } }
    /// The value as a real number, also when stored as an integer.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }
}

// SQLITE_TRANSIENT is a macro SQLite defines as ((sqlite3_destructor_type)-1); Swift cannot import it.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Bind, step, read columns, reset.
public final class Statement {
    let handle: OpaquePointer
    unowned let connection: Connection
    /// The SQL text (without arguments).
    public let sql: String

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let result = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard result == SQLITE_OK, let handle else {
            throw connection.error(result, "prepare \(sql.prefix(160))")
        }
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    /// The bytes of the texts bound with `bindText(_:at:)` since `beginRow()`; SQLite reads
    /// them in place until the row is stepped. Allocated on first use, freed after the
    /// statement is finalised (SQLite may hold pointers into it until then).
    private var rowText: UnsafeMutableRawBufferPointer?
    private var rowTextUsed = 0
    /// Room for the texts of one row; longer rows have the rest copied by SQLite.
    private static let rowTextCapacity = 16_384

    deinit {
        sqlite3_finalize(handle)
        rowText?.deallocate()
    }

    /// Resets the statement so it can run again; keeps the bindings.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Binds `values` to parameters 1…n, after a reset.
    public func bind(_ values: [Value]) throws(SQLiteError) {
        reset()
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value at a 1-based parameter index.
    public func bind(_ value: Value, at index: Int32) throws(SQLiteError) {
        let result: Int32
        switch value {
        case .null: result = sqlite3_bind_null(handle, index)
        case .integer(let number): result = sqlite3_bind_int64(handle, index, number)
        case .real(let number): result = sqlite3_bind_double(handle, index, number)
        case .text(let text): result = sqlite3_bind_text(handle, index, text, -1, transient)
        case .blob(let bytes):
            result = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
        }
        guard result == SQLITE_OK else { throw connection.error(result, "bind #\(index) of \(sql.prefix(80))") }
    }

    // Allocation-free binders for the write path.

    public func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    public func bind(_ value: Double?, at index: Int32) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ value: Int64?, at index: Int32) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    public func bind(_ value: String?, at index: Int32) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }

    /// Starts a row whose texts are bound with `bindText(_:at:)`: every parameter is unbound
    /// (NULL) and the statement's text buffer is reused. Call before each row.
    public func beginRow() {
        sqlite3_clear_bindings(handle)
        rowTextUsed = 0
    }

    /// Binds text for the row begun by `beginRow()`, without an allocation: the bytes are copied
    /// into the statement's own buffer and SQLite reads them there (`SQLITE_STATIC`) instead of
    /// making a copy of its own, which took a `malloc` and a `free` per text (a third of the
    /// history's append). A buffer entry is reused only after `beginRow()` has unbound every
    /// parameter, so no binding can point at bytes of another row.
    public func bindText(_ value: String?, at index: Int32) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            let buffer = rowText ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.rowTextCapacity, alignment: 8)
            rowText = buffer
            guard bytes.count <= buffer.count - rowTextUsed, let base = buffer.baseAddress else {
                _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
                return
            }
            let start = base + rowTextUsed
            if bytes.count > 0 { start.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            rowTextUsed += bytes.count
            // SQLITE_STATIC (a null destructor): the bytes stay put until the next beginRow().
            _ = sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        }
    }

    public func bind(bytes: UnsafeRawBufferPointer, at index: Int32) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(result, "step \(sql.prefix(160))")
        }
    }

    /// Binds, runs to completion and resets: for INSERT, UPDATE, DELETE.
    public func run(_ values: [Value] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
        reset()
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(index))) }

    public func isNull(_ index: Int) -> Bool { sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL }

    public func int64(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    public func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    public func string(_ index: Int) -> String? {
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Hands the bytes of a text column to `body` without making a `String` (they are valid
    /// only inside `body`); an empty buffer for NULL.
    public func withText<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(index)))))
    }

    public func blob(_ index: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        guard count > 0, let bytes = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column as a `Value`, by its stored type.
    public func value(_ index: Int) -> Value {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: .integer(int64(index))
        case SQLITE_FLOAT: .real(double(index))
        case SQLITE_TEXT: .text(string(index) ?? "")
        case SQLITE_BLOB: .blob(blob(index))
        default: .null
        }
    }
}
