import GRDB

/// The `scans` table through a scan's life: started, matched against earlier snapshots and
/// evaluations, completed or failed. Each scan's other rows belong to `ScanRows` and the stores.
enum ScanRecords {
    /// Inserts a `running` scan and returns its id.
    static func start(_ db: Database, startedAt: String, label: String?, policyDigest: String) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO scans (started_at, status, label, tool_version, policy_digest) VALUES (?, 'running', ?, ?, ?)",
            arguments: [startedAt, label, ToolVersion.current, policyDigest])
        return db.lastInsertedRowID
    }

    /// Drops what the scan wrote and leaves its row saying it failed, and why. Its snapshot is
    /// committed before its stages run, so content only it named is dropped too.
    static func fail(_ db: Database, scanID: Int64, finishedAt: String, error: String) throws {
        try ScanRows.delete(scanID: scanID, db: db)
        _ = try RetentionStore.deleteUnusedContent(db)
        try db.execute(sql: "UPDATE scans SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
                       arguments: [finishedAt, error, scanID])
    }

    /// Whether a complete scan of this tool version evaluated policies with `policyDigest`:
    /// when none did, no earlier evaluation can be carried over (see `evaluationBase`).
    static func evaluatedBefore(_ db: Database, policyDigest: String) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM scans WHERE status = 'complete' AND policy_digest = ? AND tool_version = ?)
            """, arguments: [policyDigest, ToolVersion.current]) ?? true
    }

    /// Whether a complete scan by this version of trustaudit derived a trust graph: without one,
    /// no derivation base can match and this scan's derivation is a full one.
    static func derivedBefore(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM scans WHERE status = 'complete' AND derive_base IS NOT NULL AND tool_version = ?)
            """, arguments: [ToolVersion.current]) ?? true
    }

    /// The latest complete scan by this version of trustaudit that derived its own snapshot: the
    /// one a rescan's derivation and evaluation most likely build on (each checks its own base).
    static func latestDerivation(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT id FROM scans WHERE status = 'complete' AND derive_base IS NOT NULL AND data_scan_id = id AND tool_version = ?
            ORDER BY id DESC LIMIT 1
            """, arguments: [ToolVersion.current])
    }

    static func recordState(_ db: Database, scanID: Int64, stateHash: String, repositories: Int, files: Int) throws {
        try db.execute(sql: "UPDATE scans SET state_hash = ?, repository_count = ?, file_count = ? WHERE id = ?",
                       arguments: [stateHash, repositories, files, scanID])
    }

    /// The snapshot of the latest complete scan whose inputs hashed to `stateHash`.
    static func snapshot(_ db: Database, stateHash: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT data_scan_id FROM scans WHERE status = 'complete' AND state_hash = ? AND data_scan_id IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """, arguments: [stateHash])
    }

    /// The findings of the latest complete scan evaluated with `evaluationKey`.
    static func findings(_ db: Database, evaluationKey: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT findings_scan_id FROM scans WHERE status = 'complete' AND eval_key = ? ORDER BY id DESC LIMIT 1
            """, arguments: [evaluationKey])
    }

    /// The scan holding the findings of the latest complete scan: what an unchanged rescan
    /// usually reports, and what a rescan usually carries findings over from.
    static func latestFindings(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT findings_scan_id FROM scans WHERE status = 'complete' AND findings_scan_id IS NOT NULL ORDER BY id DESC LIMIT 1
            """)
    }

    /// The latest complete scan evaluated on `evaluationBase`: its snapshot and its findings.
    static func evaluation(_ db: Database, evaluationBase: String) throws -> (snapshot: Int64, findings: Int64)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT data_scan_id, findings_scan_id FROM scans
            WHERE status = 'complete' AND eval_base = ? AND findings_scan_id IS NOT NULL AND data_scan_id IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """, arguments: [evaluationBase]) else { return nil }
        return (row["data_scan_id"], row["findings_scan_id"])
    }

    /// The latest complete scan that derived its own snapshot from `deriveBase`.
    static func derivation(_ db: Database, deriveBase: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT id FROM scans WHERE status = 'complete' AND derive_base = ? AND data_scan_id = id ORDER BY id DESC LIMIT 1
            """, arguments: [deriveBase])
    }

    /// `rederived`: how many repositories were derived; nil when all were.
    static func recordDerivation(_ db: Database, scanID: Int64, deriveBase: String, rederived: Int?) throws {
        try db.execute(sql: "UPDATE scans SET derive_base = ?, rederived_repositories = ? WHERE id = ?",
                       arguments: [deriveBase, rederived, scanID])
    }

    /// The latest complete scan that ingested its own snapshot's settings, with its ingest base.
    static func latestIngestion(_ db: Database) throws -> (scanID: Int64, ingestBase: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, ingest_base FROM scans WHERE status = 'complete' AND data_scan_id = id AND ingest_base IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """) else { return nil }
        return (row["id"], row["ingest_base"])
    }

    static func recordIngestion(_ db: Database, scanID: Int64, ingestBase: String) throws {
        try db.execute(sql: "UPDATE scans SET ingest_base = ? WHERE id = ?", arguments: [ingestBase, scanID])
    }

    static func complete(_ db: Database, scanID: Int64, finishedAt: String, snapshot: Int64, evaluationKey: String,
                         findings: Int64, evaluationBase: String) throws {
        try db.execute(
            sql: """
                UPDATE scans SET status = 'complete', finished_at = ?, data_scan_id = ?, eval_key = ?, findings_scan_id = ?,
                    eval_base = ?
                WHERE id = ?
                """,
            arguments: [finishedAt, snapshot, evaluationKey, findings, evaluationBase, scanID])
    }
}
