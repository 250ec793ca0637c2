import GRDB

/// A TEMP table of text values (`name TEXT PRIMARY KEY`) on one connection, filled from a list in
/// one statement: how a query is narrowed to a set of repositories or findings chosen in Swift,
/// without one bound parameter per value. Tables are named `temp.NAME`; each row's rowid is its
/// place in the list.
enum TemporaryNameTable {
    /// Creates `table` if needed and makes its rows exactly `names`.
    static func fill(_ db: Database, _ table: String, with names: [String]) throws {
        let unqualified = table.hasPrefix("temp.") ? String(table.dropFirst("temp.".count)) : table
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS \(unqualified) (name TEXT PRIMARY KEY)")
        try db.execute(sql: "DELETE FROM \(table)")
        // In list order, so a row's rowid is its place in `names` for queries that keep that order.
        try db.execute(sql: "INSERT OR IGNORE INTO \(table) (name) SELECT value FROM json_each(?) ORDER BY key",
                       arguments: [JSONValue.array(names.map(JSONValue.string)).jsonText])
    }

    static func drop(_ db: Database, _ table: String) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
    }
}
