import GRDB

/// The reads and deletions `Retention` prunes with: which scans exist and what they point at,
/// and removing scans, the per-scan rows no kept scan uses, unused content and stale cached
/// responses. Which scans go is `Retention`'s decision.
enum RetentionStore {
    /// A scan that was not pruned, and the scans whose rows it reads.
    struct ScanReference {
        var id: Int64
        var snapshot: Int64?
        var findings: Int64?
    }

    /// The complete scans, newest first, with their start times.
    static func completeScans(_ db: Database) throws -> [(id: Int64, startedAt: String)] {
        try Row.fetchAll(db, sql: "SELECT id, started_at FROM scans WHERE status = 'complete' ORDER BY id DESC")
            .map { (id: $0["id"], startedAt: $0["started_at"]) }
    }

    static func failedScans(_ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM scans WHERE status = 'failed'")
    }

    /// Scans kept only for rows other scans read.
    static func prunedScans(_ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM scans WHERE status = 'pruned'")
    }

    static func unprunedScans(_ db: Database) throws -> [ScanReference] {
        try Row.fetchAll(db, sql: "SELECT id, data_scan_id, findings_scan_id FROM scans WHERE status != 'pruned'")
            .map { ScanReference(id: $0["id"], snapshot: $0["data_scan_id"], findings: $0["findings_scan_id"]) }
    }

    /// Hides a scan from every list while its rows still serve another scan.
    static func markPruned(_ db: Database, scanID: Int64) throws {
        try db.execute(sql: "UPDATE scans SET status = 'pruned' WHERE id = ?", arguments: [scanID])
    }

    static func deleteScan(_ db: Database, scanID: Int64) throws {
        try db.execute(sql: "DELETE FROM scans WHERE id = ?", arguments: [scanID])
    }

    /// Gives the trust edges that a scan in `kept` uses but another scan derived (a carried-over
    /// subject shares the earlier scan's edges, see migration 0019) to the first kept scan using
    /// them, so that they stay when the scan that derived them goes.
    static func rehomeSharedEdges(_ db: Database, keeping kept: Set<Int64>) throws {
        let list = jsonList(kept)
        try db.execute(sql: """
            UPDATE trust_edges SET scan_id = (
                SELECT min(s.scan_id) FROM derived_subjects s
                WHERE s.scan_id IN (SELECT value FROM json_each(?1)) AND s.edges_subject = trust_edges.subject_id)
            WHERE scan_id NOT IN (SELECT value FROM json_each(?1))
              AND subject_id IN (SELECT edges_subject FROM derived_subjects WHERE scan_id IN (SELECT value FROM json_each(?1)))
            """, arguments: [list])
    }

    /// Gives the findings that a scan in `kept` carries but another scan stored (see migration
    /// 0020) to the first kept scan carrying them, as its own rows, so that they stay when the
    /// scan that stored them goes. Other kept scans carrying them keep their references.
    static func rehomeCarriedFindings(_ db: Database, keeping kept: Set<Int64>) throws {
        let list = jsonList(kept)
        let heirs = "temp.trustaudit_finding_heirs"
        try db.execute(sql: "CREATE TEMP TABLE \(heirs.dropFirst(5)) (id INTEGER PRIMARY KEY, heir INTEGER NOT NULL)")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS \(heirs)") }
        try db.execute(sql: """
            INSERT INTO \(heirs) (id, heir)
            SELECT c.finding_id, min(c.scan_id) FROM carried_findings c JOIN findings f ON f.id = c.finding_id
            WHERE c.scan_id IN (SELECT value FROM json_each(?1)) AND f.scan_id NOT IN (SELECT value FROM json_each(?1))
            GROUP BY c.finding_id
            """, arguments: [list])
        try db.execute(sql: """
            UPDATE findings SET scan_id = (SELECT heir FROM \(heirs) h WHERE h.id = findings.id)
            WHERE id IN (SELECT id FROM \(heirs))
            """)
        try db.execute(sql: """
            DELETE FROM carried_findings WHERE EXISTS (
                SELECT 1 FROM \(heirs) h WHERE h.id = carried_findings.finding_id AND h.heir = carried_findings.scan_id)
            """)
    }

    /// Scan ids as a JSON array, for `json_each(?)`: one bound parameter however many scans are kept.
    private static func jsonList(_ scans: Set<Int64>) -> String {
        JSONValue.array(scans.sorted().map { .number(Double($0)) }).jsonText
    }

    /// Deletes every per-scan row whose scan is not in `kept`.
    static func deleteRows(_ db: Database, keeping kept: Set<Int64>) throws {
        for table in try ScanRows.perScanTables(db) {
            let owners = try Int64.fetchAll(db, sql: "SELECT DISTINCT scan_id FROM \(table.quotedDatabaseIdentifier)")
            for owner in owners where !kept.contains(owner) {
                try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier) WHERE scan_id = ?", arguments: [owner])
            }
        }
    }

    /// Deletes stored content no scan's files or inputs name, with its workflow facts; returns
    /// how many documents went.
    static func deleteUnusedContent(_ db: Database) throws -> Int {
        let unused = """
            SELECT id FROM blobs WHERE id NOT IN (SELECT doc FROM scan_workflow_files WHERE doc IS NOT NULL)
              AND hash NOT IN (SELECT blob_hash FROM scan_inputs WHERE blob_hash IS NOT NULL)
            """
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(unused))") ?? 0
        for table in WorkflowFactStore.tables {
            try db.execute(sql: "DELETE FROM \(table) WHERE doc IN (\(unused))")
        }
        try db.execute(sql: "DELETE FROM blobs WHERE id IN (\(unused))")
        return count
    }

    /// Deletes the HTTP cache's responses not confirmed since the oldest complete scan started;
    /// returns how many went (none when there is no complete scan).
    static func deleteStaleResponses(_ db: Database) throws -> Int {
        guard let oldest = try String.fetchOne(db, sql: "SELECT min(started_at) FROM scans WHERE status = 'complete'") else { return 0 }
        try db.execute(sql: "DELETE FROM http_cache WHERE fetched_at < ?", arguments: [oldest])
        return db.changesCount
    }

    /// Gives the freed pages back to the file system and folds the write-ahead log in.
    static func compact(_ database: AuditDatabase) throws {
        try database.pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}
