import GRDB

/// The schema, as the ordered `Migrations/NNNN_name.sql` files embedded at build time.
///
/// `Migrations/` is the only place the schema is defined; this type only orders the files and
/// hands them to GRDB's migrator, which records each applied file by its name.
public enum SchemaMigrations {
    /// `(identifier, sql)` in application order; the identifier is the file name without `.sql`.
    public static var all: [(identifier: String, sql: String)] {
        embeddedMigrations
            .filter { $0.name.hasSuffix(".sql") }
            .sorted { $0.name < $1.name }
            .map { (String($0.name.dropLast(4)), $0.text) }
    }

    /// The migrator that brings any older database up to this build's schema.
    public static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            let sql = migration.sql
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }
}
