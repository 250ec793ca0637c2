import GRDB

/// Removes the rows one scan owns, across every per-scan table.
///
/// Per-scan tables are found by their `scan_id` column rather than listed here, so a table added
/// by a later migration is cleaned up too.
enum ScanRows {
    static func perScanTables(_ db: Database) throws -> [String] {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('scans', 'grdb_migrations') AND name NOT LIKE 'sqlite_%'
            """)
        return try tables.filter { table in
            try db.columns(in: table).contains { $0.name == "scan_id" }
        }
    }

    static func delete(scanID: Int64, db: Database) throws {
        for table in try perScanTables(db) {
            try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier) WHERE scan_id = ?", arguments: [scanID])
        }
    }

    /// Marks scans left `running` by a process that died as failed and drops their rows. Only
    /// called while holding the scan lock, so no live scan is touched.
    static func failInterrupted(_ db: Database) throws {
        let stale = try Int64.fetchAll(db, sql: "SELECT id FROM scans WHERE status = 'running'")
        for id in stale {
            try delete(scanID: id, db: db)
            try db.execute(sql: "UPDATE scans SET status = 'failed', error = ? WHERE id = ?",
                           arguments: ["interrupted: the process ended before the scan completed", id])
        }
        // A scan commits its snapshot before its stages, so one that died may leave content only it named.
        if !stale.isEmpty { _ = try RetentionStore.deleteUnusedContent(db) }
    }
}
