import GRDB

/// Copies an earlier snapshot's derived rows of unchanged repositories into the scan being
/// derived, in a few statements instead of deriving them again.
///
/// Only valid when both snapshots have the same derivation base (organization settings, Octopus
/// exports, parser and derivation versions): then a repository's rows depend only on its own
/// workflows and settings and on those of the repositories its reusable-workflow calls reach,
/// which the caller excludes through `IncrementalScope.dirty`.
enum TrustGraphCarryOver {
    private static let skippedSubjects = "temp.trustaudit_carry_skipped"
    private static let identityMap = "temp.trustaudit_carry_identities"

    /// Copies the rows of `previous` whose repository (lower-cased) is not in `excludedTable`
    /// (a table with a `name` column) into `scanID`.
    static func copy(_ db: Database, from previous: Int64, to scanID: Int64, excludedTable: String) throws {
        let kept = "lower(repository) NOT IN (SELECT name FROM \(excludedTable))"
        // Subjects keep their order and get new ids by a fixed offset, so the edges that point at
        // them are re-pointed by arithmetic instead of a lookup per edge.
        let bounds = try Row.fetchOne(db, sql: """
            SELECT (SELECT COALESCE(max(id), 0) FROM derived_subjects) AS top,
                   (SELECT min(id) FROM derived_subjects WHERE scan_id = ?) AS first
            """, arguments: [previous])
        if let bounds, let first: Int64 = bounds["first"] {
            let top: Int64 = bounds["top"]
            let offset = top + 1 - first
            try db.execute(sql: """
                INSERT INTO derived_subjects (id, scan_id, repository, file, job, trigger, subject, is_pattern, environment, id_token,
                    reason, note, gate, called_file, called_job, via_json, reachable_by, reachable_reason)
                SELECT id + ?, ?, repository, file, job, trigger, subject, is_pattern, environment, id_token,
                    reason, note, gate, called_file, called_job, via_json, reachable_by, reachable_reason
                FROM derived_subjects WHERE scan_id = ? AND \(kept)
                ORDER BY id
                """, arguments: [offset, scanID, previous])
            // Edges are most of the graph: they are copied in key order, without reading their
            // subjects, by leaving out the few subjects of changed repositories by id and mapping
            // identities (the same documents in both snapshots) by key through a small table.
            try db.execute(sql: "CREATE TEMP TABLE \(skippedSubjects.dropFirst(5)) (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "CREATE TEMP TABLE \(identityMap.dropFirst(5)) (before INTEGER PRIMARY KEY, now INTEGER NOT NULL)")
            defer {
                try? db.execute(sql: "DROP TABLE IF EXISTS \(skippedSubjects)")
                try? db.execute(sql: "DROP TABLE IF EXISTS \(identityMap)")
            }
            try db.execute(sql: """
                INSERT INTO \(skippedSubjects) (id)
                SELECT id FROM derived_subjects WHERE scan_id = ? AND lower(repository) IN (SELECT name FROM \(excludedTable))
                """, arguments: [previous])
            try db.execute(sql: """
                INSERT INTO \(identityMap) (before, now)
                SELECT before.id, now.id FROM oct_identities before
                JOIN oct_identities now ON now.scan_id = ? AND now.server = before.server AND now.identity_id = before.identity_id
                WHERE before.scan_id = ?
                """, arguments: [scanID, previous])
            try db.execute(sql: """
                INSERT INTO trust_edges (scan_id, subject_id, identity_ref, match_kind, in_use)
                SELECT ?, e.subject_id + ?, m.now, e.match_kind, e.in_use
                FROM trust_edges e JOIN \(identityMap) m ON m.before = e.identity_ref
                WHERE e.scan_id = ? AND e.subject_id NOT IN (SELECT id FROM \(skippedSubjects))
                ORDER BY e.subject_id, e.identity_ref
                """, arguments: [scanID, offset, previous])
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
