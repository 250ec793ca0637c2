import GRDB

/// Narrows what a repository-scoped policy sees to some repositories, on one read-only connection.
///
/// SQLite resolves a name in a query to a TEMP object before the main schema's, so a TEMP view
/// named like each documented view that has a `repository` column, selecting from the main one
/// only the rows of the listed repositories, narrows the policy's query without changing its SQL.
/// The main schema's own views keep reading the main schema. Only the narrowed views and the
/// name list are written, and only to the connection's TEMP schema; `remove` drops them again so
/// the pooled connection serves the next reader unchanged.
enum ScopedViews {
    static let nameTable = "temp.trustaudit_scope_names"

    /// The main schema's views that have a `repository` column.
    static func repositoryViews(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT m.name FROM main.sqlite_master m
            WHERE m.type = 'view' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'repository')
            ORDER BY m.name
            """)
    }

    static func install(_ db: Database, views: [String], names: [String]) throws {
        try TemporaryNameTable.fill(db, nameTable, with: names)
        for view in views {
            let quoted = view.quotedDatabaseIdentifier
            try db.execute(sql: "DROP VIEW IF EXISTS temp.\(quoted)")
            try db.execute(sql: """
                CREATE TEMP VIEW \(quoted) AS SELECT * FROM main.\(quoted) WHERE repository IN (SELECT name FROM \(nameTable))
                """)
        }
    }

    static func remove(_ db: Database, views: [String]) throws {
        for view in views {
            try db.execute(sql: "DROP VIEW IF EXISTS temp.\(view.quotedDatabaseIdentifier)")
        }
        try TemporaryNameTable.drop(db, nameTable)
    }
}
