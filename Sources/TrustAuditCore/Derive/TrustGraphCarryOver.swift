import GRDB

/// Copies an earlier snapshot's derived rows of unchanged repositories into the scan being
/// derived, in a few statements instead of deriving them again.
///
/// Only valid when both snapshots have the same derivation base (organization settings, Octopus
/// exports, parser and derivation versions): then a repository's rows depend only on its own
/// workflows and settings and on those of the repositories its reusable-workflow calls reach,
/// which the caller excludes through `IncrementalScope.dirty`.
enum TrustGraphCarryOver {
    /// Copies the rows of `previous` whose repository, spelled as stored, is not in
    /// `excludedTable` (a table with a `name` column) into `scanID`.
    static func copy(_ db: Database, from previous: Int64, to scanID: Int64, excludedTable: String) throws {
        let kept = "repository NOT IN (SELECT name FROM \(excludedTable))"
        // Subjects keep their order and get new ids by a fixed offset, so the reach rows that point
        // at them are re-pointed by arithmetic instead of a lookup per row. Their edges are not
        // copied: a copied subject keeps pointing at the edges of the row it was derived as
        // (`edges_subject`), which name identities by a key both snapshots share.
        let bounds = try Row.fetchOne(db, sql: """
            SELECT (SELECT COALESCE(max(id), 0) FROM derived_subjects) AS top,
                   (SELECT min(id) FROM derived_subjects WHERE scan_id = ?) AS first
            """, arguments: [previous])
        if let bounds, let first: Int64 = bounds["first"] {
            let top: Int64 = bounds["top"]
            let offset = top + 1 - first
            try db.execute(sql: """
                INSERT INTO derived_subjects (id, edges_subject, scan_id, repository, file, job, trigger, subject, is_pattern, environment,
                    id_token, reason, note, gate, called_file, called_job, via_json, reachable_by, reachable_reason)
                SELECT id + ?, edges_subject, ?, repository, file, job, trigger, subject, is_pattern, environment, id_token,
                    reason, note, gate, called_file, called_job, via_json, reachable_by, reachable_reason
                FROM derived_subjects WHERE scan_id = ? AND \(kept)
                ORDER BY id
                """, arguments: [offset, scanID, previous])
            try db.execute(sql: """
                INSERT INTO derived_repository_reach (scan_id, server, account_id, level, repository, subject_id)
                SELECT ?, server, account_id, level, repository, subject_id + ? FROM derived_repository_reach
                WHERE scan_id = ? AND \(kept)
                """, arguments: [scanID, offset, previous])
        }
        try db.execute(sql: """
            INSERT INTO derived_job_environments (scan_id, repository, file, job, line, written, environment, dynamic, via, minting, logs_in)
            SELECT ?, repository, file, job, line, written, environment, dynamic, via, minting, logs_in
            FROM derived_job_environments WHERE scan_id = ? AND \(kept)
            ORDER BY rowid
            """, arguments: [scanID, previous])
        try db.execute(sql: """
            INSERT INTO derived_credential_jobs (scan_id, repository, file, job, credential)
            SELECT ?, repository, file, job, credential FROM derived_credential_jobs WHERE scan_id = ? AND \(kept)
            """, arguments: [scanID, previous])
    }
}
