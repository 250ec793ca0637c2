import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A cached write statement run once per row, with the row's values bound straight to SQLite.
///
/// A cold scan of a large organization writes millions of rows (workflow facts, the trust graph,
/// findings). Through `Statement.execute(arguments:)` each row's values were first copied into a
/// new `StatementArguments` array, converted one by one through `DatabaseValueConvertible`, and
/// bound through nested closures; in the 10,000-repository benchmark that cost more CPU than
/// SQLite's own inserts. Only for statements run inside the scan's write transaction, which has
/// no observers to notify.
struct BoundInsert {
    private let statement: Statement
    private let sql: String
    private let parameterCount: Int

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        self.sql = sql
        parameterCount = Int(sqlite3_bind_parameter_count(statement.sqliteStatement))
    }

    /// Runs the statement with `leading` (if any) and then `values` as its parameters, in order.
    func execute(_ values: [DatabaseValue], leading: DatabaseValue? = nil) throws {
        let handle = statement.sqliteStatement
        let offset: Int32 = leading == nil ? 1 : 2
        let given = values.count + Int(offset) - 1
        guard given == parameterCount else {
            throw DatabaseError(resultCode: .SQLITE_RANGE, message: "\(given) values for \(parameterCount) parameters", sql: sql)
        }
        defer { sqlite3_reset(handle) }
        if let leading { try bind(leading, at: 1, handle) }
        for (index, value) in values.enumerated() {
            try bind(value, at: offset + Int32(index), handle)
        }
        try step(handle)
    }

    /// Runs the statement once per row of `rows`, each with `leading` and then the row's values.
    /// Text is bound from the rows' own buffer, which outlives each step (`SQLITE_STATIC`).
    func execute(_ rows: PackedRows, leading: DatabaseValue) throws {
        let handle = statement.sqliteStatement
        guard rows.width + 1 == parameterCount, rows.values.count % max(rows.width, 1) == 0 else {
            throw DatabaseError(resultCode: .SQLITE_RANGE, message: "rows of \(rows.width + 1) values (\(rows.values.count) in all) for \(parameterCount) parameters",
                                sql: sql)
        }
        try rows.text.withUnsafeBufferPointer { text in
            try rows.values.withUnsafeBufferPointer { values in
                var first = 0
                while first + rows.width <= values.count {
                    defer { sqlite3_reset(handle) }
                    try bind(leading, at: 1, handle)
                    for column in 0..<rows.width {
                        let index = Int32(column + 2)
                        switch values[first + column] {
                        case .null: try check(sqlite3_bind_null(handle, index), index)
                        case .integer(let number): try check(sqlite3_bind_int64(handle, index, number), index)
                        case .real(let number): try check(sqlite3_bind_double(handle, index, number), index)
                        case .text(let start, let count):
                            guard start >= 0, count >= 0, start + count <= text.count else {
                                throw DatabaseError(resultCode: .SQLITE_RANGE, message: "text of parameter \(index) lies outside its rows' buffer", sql: sql)
                            }
                            try bindText(UnsafeBufferPointer(rebasing: text[start..<start + count]), at: index, handle, Self.unmanaged)
                        }
                    }
                    try step(handle)
                    first += rows.width
                }
            }
        }
    }

    /// SQLite copies the bytes before the bind returns.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
    /// SQLite reads the bytes where they are until the statement is reset.
    private static var unmanaged: sqlite3_destructor_type { unsafeBitCast(0, to: sqlite3_destructor_type.self) }

    /// The error of a `sqlite3_step` that returned `code`, with SQLite's message.
    static func stepFailure(_ code: Int32, _ handle: SQLiteStatement, sql: String) -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }

    private func bind(_ value: DatabaseValue, at index: Int32, _ handle: SQLiteStatement) throws {
        // SQLite copies text and blobs (SQLITE_TRANSIENT), so the Swift buffers need not outlive the call.
        let code: Int32
        switch value.storage {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .int64(let number):
            code = sqlite3_bind_int64(handle, index, number)
        case .double(let number):
            code = sqlite3_bind_double(handle, index, number)
        case .string(let text):
            var text = text
            try text.withUTF8 { bytes in try bindText(bytes, at: index, handle, Self.transient) }
            return
        case .blob(let data):
            code = data.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, bytes.count > 0 else { return sqlite3_bind_zeroblob(handle, index, 0) }
                guard bytes.count <= Int(Int32.max) else { return SQLITE_TOOBIG }
                return sqlite3_bind_blob(handle, index, base, Int32(bytes.count), Self.transient)
            }
        }
        try check(code, index)
    }

    /// Binds UTF-8 `bytes` as text; `destructor` says whether SQLite copies them.
    private func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32, _ handle: SQLiteStatement,
                          _ destructor: sqlite3_destructor_type) throws {
        // An empty buffer may have no address, which SQLite would bind as NULL; "" is copied.
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return try check(sqlite3_bind_text(handle, index, "", 0, Self.transient), index)
        }
        guard bytes.count <= Int(Int32.max) else { return try check(SQLITE_TOOBIG, index) }
        try check(base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            sqlite3_bind_text(handle, index, $0, Int32(bytes.count), destructor)
        }, index)
    }

    private func check(_ code: Int32, _ index: Int32) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind parameter \(index)", sql: sql)
        }
    }

    private func step(_ handle: SQLiteStatement) throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw Self.stepFailure(code, handle, sql: sql) }
    }
}
