import Foundation
import GRDB

/// Writes parsed workflow facts, keyed by document number, so each distinct file is stored once.
///
/// A document is identified by the SHA-256 of its bytes and numbered (`blobs.id`) in the order
/// first seen; facts are keyed by that number so a new document's rows are appended (see
/// migration 0006).
enum WorkflowFactStore {
    /// Every table of facts about a document, keyed by `doc`; `wf_documents` last, as the others
    /// hang off it.
    static let tables = ["wf_triggers", "wf_jobs", "wf_permissions", "wf_steps", "wf_step_inputs", "wf_actions", "wf_suppressions", "wf_documents"]

    /// Document numbers by content hash, in one pass: `current` for documents whose facts this
    /// parser version produced, `stale` for those an older one produced (replaced when seen).
    static func parsedDocuments(_ db: Database, maxExpandedBytes: Int) throws -> (current: [String: Int64], stale: [String: Int64]) {
        var current: [String: Int64] = [:]
        var stale: [String: Int64] = [:]
        // Facts read under a higher limit than today's are stale when reading them took more than
        // today's limit allows: parsed again, the file is refused as it would be if new.
        // Unparseable documents fail whatever the limit (failures over a limit are never stored).
        // Blobs first (CROSS JOIN keeps that order), so their hashes come from the hash index alone:
        // joined the other way, every blob's row, content and all, was read for its hash (tens of
        // megabytes at 10,000 repositories, the larger part of a rescan's "known content").
        try RawRows.forEach(db, sql: """
            SELECT b.hash, b.id,
                   d.parser_version = ? AND (d.parse_error IS NOT NULL OR COALESCE(d.expanded_bytes, ? + 1) <= ?)
            FROM blobs b CROSS JOIN wf_documents d ON d.doc = b.id
            """, arguments: [WorkflowParser.version, maxExpandedBytes, maxExpandedBytes]) { row in
            let hash = try row.requiredText(0), id = try row.requiredInt64(1)
            if row.int64(2) == 1 { current[hash] = id } else { stale[hash] = id }
        }
        return (current, stale)
    }

    /// Stores the bytes under their hash unless already there, and returns the document number.
    static func storeBlob(_ db: Database, hash: String, bytes: [UInt8]) throws -> Int64 {
        try db.cachedStatement(
            sql: "INSERT INTO blobs (hash, kind, size, content) VALUES (?, 'workflow', ?, ?) ON CONFLICT (hash) DO NOTHING")
            .execute(arguments: [hash, bytes.count, Data(bytes)])
        if db.changesCount > 0 { return db.lastInsertedRowID }
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM blobs WHERE hash = ?"), arguments: [hash]) else {
            throw DatabaseError(message: "blob \(hash) vanished while being stored")
        }
        return id
    }

    /// Stores a document's facts, replacing what an older parser stored when `stale`.
    static func store(_ db: Database, doc: Int64, rows: WorkflowFactRows, stale: Bool = true) throws {
        if stale {
            for table in tables {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE doc = ?").execute(arguments: [doc])
            }
        }
        let key = doc.databaseValue
        func insert(_ sql: String, _ rows: PackedRows) throws {
            guard !rows.isEmpty else { return }
            try BoundInsert(db, sql: sql).execute(rows, leading: key)
        }
        if !rows.parsed {
            try BoundInsert(db, sql: "INSERT INTO wf_documents (doc, parser_version, parse_error, error_line) VALUES (?, ?, ?, ?)")
                .execute(rows.document, leading: key)
            return
        }
        try BoundInsert(db, sql: """
            INSERT INTO wf_documents (doc, parser_version, name, permissions_kind, permissions_line, env_json, expanded_bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(rows.document, leading: key)
        try insert("""
            INSERT OR REPLACE INTO wf_triggers (doc, event, line, types_json, branches_json, branches_ignore_json,
                tags_json, tags_ignore_json, paths_json, inputs_json, workflows_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, rows.triggers)
        try insert("INSERT OR REPLACE INTO wf_permissions (doc, job_key, scope, access, line) VALUES (?, ?, ?, ?, ?)", rows.permissions)
        try insert("""
            INSERT OR REPLACE INTO wf_jobs (doc, job_key, ordinal, name, line, runs_on, if_condition, environment,
                environment_url, environment_is_expression, environment_line, needs_json, uses, uses_ref_kind, uses_line,
                secrets_inherit, secrets_json, with_json, env_json, permissions_kind, permissions_line, matrix_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, rows.jobs)
        try insert("""
            INSERT OR REPLACE INTO wf_steps (doc, job_key, step_index, step_id, name, line, uses, uses_owner,
                uses_repo, uses_path, uses_ref, ref_kind, run, with_json, env_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, rows.steps)
        try insert("""
            INSERT OR REPLACE INTO wf_step_inputs (doc, job_key, step_index, ordinal, kind, context, field, line, expression)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, rows.outsiderInputs)
        try insert("INSERT OR REPLACE INTO wf_actions (doc, \"using\") VALUES (?, ?)", rows.actions)
        try insert("INSERT OR REPLACE INTO wf_suppressions (doc, line, policy, reason) VALUES (?, ?, ?, ?)", rows.suppressions)
    }
}
