import GRDB

/// Turns a stored value that cannot be decoded, or SQLite's own corruption error, into a clear
/// refusal naming the damage, instead of a crash or a report built from garbage.
///
/// A decoding failure means the file is damaged or was edited by hand; `PRAGMA quick_check` tells
/// which, and its first problems go into the message.
enum DatabaseIntegrity {
    static func reading<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RowDecodingError {
            throw damaged(db, finding: "a stored value cannot be read (\(error))")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            throw damaged(db, finding: error.message ?? "\(error)")
        }
    }

    static func damaged(_ db: Database, finding: String) -> AuditDatabaseError {
        let path = (try? String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'")) ?? nil
        let problems = (try? String.fetchAll(db, sql: "PRAGMA quick_check(5)")) ?? []
        let detail: String
        if problems == ["ok"] {
            detail = "quick_check finds the file intact, but \(finding); it was not written by trustaudit"
        } else if problems.isEmpty {
            detail = "\(finding); quick_check could not run"
        } else {
            detail = problems.joined(separator: "; ")
        }
        return .corrupt(path: path ?? "the database", detail: detail)
    }
}

extension AuditDatabase {
    /// A read whose decoding failures and SQLite corruption errors become `AuditDatabaseError.corrupt`.
    public func checkedRead<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read { db in try DatabaseIntegrity.reading(db) { try body(db) } }
    }

    /// `checkedRead` with the documented views showing scan `snapshot`.
    public func checkedRead<T>(snapshot: Int64?, _ body: (Database) throws -> T) throws -> T {
        try read(snapshot: snapshot) { db in try DatabaseIntegrity.reading(db) { try body(db) } }
    }
}
