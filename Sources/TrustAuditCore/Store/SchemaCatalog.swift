import GRDB

/// The database's own tables and views as `sqlite_master` lists them, for the query shell's
/// `.tables`, `.schema` and tab completion. SQLite's internal tables and GRDB's migration log are
/// left out: neither is something a user queries.
public enum SchemaCatalog {
    /// Tables and views as (type, name): views first, each kind by name.
    public static func tablesAndViews(_ db: Database) throws -> [(type: String, name: String)] {
        try Row.fetchAll(db, sql: """
            SELECT type, name FROM sqlite_master
            WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
            ORDER BY type DESC, name
            """).map { (type: $0["type"], name: $0["name"]) }
    }

    /// The `CREATE` statements, whole, of every table, view and index; only of `name`
    /// (case-insensitive) when given, which may then be one of SQLite's own.
    public static func createStatements(_ db: Database, named name: String?) throws -> [String] {
        if let name {
            return try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND lower(name) = lower(?)",
                                       arguments: [name])
        }
        return try String.fetchAll(db, sql: """
            SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
            ORDER BY type DESC, name
            """)
    }

    /// Every table and view name followed by every column name of each, for completing words.
    public static func names(_ db: Database) throws -> [String] {
        var names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
        for table in names {
            names += try db.columns(in: table).map(\.name)
        }
        return names
    }
}
