import GRDB

/// Reads the `scans` table's rows as `ScanSummary` values: a given scan, the latest complete one,
/// the one before it. Which of them a command may use, and what to say when it may not, is
/// `ScanCatalog`'s.
enum ScanLookup {
    /// A scan and the status it is in.
    struct Found {
        var summary: ScanSummary
        var status: String
    }

    /// Scan `id` in whatever state it is; nil when there is no such row.
    static func scan(_ id: Int64, db: Database) throws -> Found? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE id = ?", arguments: [id]) else { return nil }
        return Found(summary: try summary(row), status: try row.decode(forColumn: "status"))
    }

    /// The latest complete scan, if any.
    static func latestComplete(db: Database) throws -> ScanSummary? {
        try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1").map(summary)
    }

    /// The latest complete scan before `id`, if any.
    static func previousComplete(before id: Int64, db: Database) throws -> ScanSummary? {
        try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE status = 'complete' AND id < ? ORDER BY id DESC LIMIT 1",
                         arguments: [id]).map(summary)
    }

    /// The newest complete scans, at most `limit`, newest first: ids with their start times.
    static func recentComplete(limit: Int, db: Database) throws -> [(id: Int64, startedAt: String)] {
        try Row.fetchAll(db, sql: "SELECT id, started_at FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT ?",
                         arguments: [limit])
            .map { (try $0.decode(Int64.self, forColumn: "id"), try $0.decode(String.self, forColumn: "started_at")) }
    }

    private static func summary(_ row: Row) throws -> ScanSummary {
        ScanSummary(id: try row.decode(forColumn: "id"), startedAt: try row.decode(forColumn: "started_at"),
                    finishedAt: try row.decode(forColumn: "finished_at"), label: try row.decode(forColumn: "label"),
                    dataScanID: try row.decode(forColumn: "data_scan_id"), findingsScanID: try row.decode(forColumn: "findings_scan_id"))
    }
}
