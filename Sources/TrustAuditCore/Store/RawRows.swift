import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A query whose rows are read straight from SQLite's columns, for the few reads that load tens
/// of thousands of rows on every scan (the known content, the file stamps, a scan's findings).
///
/// Through `Row`, each value is copied into a `DatabaseValue` and converted generically; in the
/// benchmark's unchanged rescan that cost more than the queries themselves. A NULL where a value
/// is required is reported as damage (`DatabaseIntegrity`), as a failed decoding is.
struct RawRows {
    /// The current row of a running query.
    struct Row {
        fileprivate let handle: SQLiteStatement
        fileprivate let sql: String

        func isNull(_ column: Int32) -> Bool {
            sqlite3_column_type(handle, column) == SQLITE_NULL
        }

        func int64(_ column: Int32) -> Int64? {
            isNull(column) ? nil : sqlite3_column_int64(handle, column)
        }

        func text(_ column: Int32) -> String? {
            guard !isNull(column) else { return nil }
            guard let pointer = sqlite3_column_text(handle, column) else { return "" }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
        }

        func bytes(_ column: Int32) -> [UInt8]? {
            guard !isNull(column) else { return nil }
            guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
            let count = Int(sqlite3_column_bytes(handle, column))
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }

        /// The column's text; throws when it is NULL.
        func requiredText(_ column: Int32) throws -> String {
            guard let value = text(column) else { throw missing(column) }
            return value
        }

        /// The column's integer; throws when it is NULL.
        func requiredInt64(_ column: Int32) throws -> Int64 {
            guard let value = int64(column) else { throw missing(column) }
            return value
        }

        private func missing(_ column: Int32) -> DatabaseError {
            let name = sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "column \(column)"
            return DatabaseError(resultCode: .SQLITE_CORRUPT, message: "a stored value cannot be read (NULL in \(name))", sql: sql)
        }
    }

    /// Runs `sql` with `arguments` and calls `body` with each row, in order.
    static func forEach(_ db: Database, sql: String, arguments: StatementArguments = [], _ body: (Row) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let row = Row(handle: handle, sql: sql)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw BoundInsert.stepFailure(code, handle, sql: sql) }
            try body(row)
        }
    }
}
