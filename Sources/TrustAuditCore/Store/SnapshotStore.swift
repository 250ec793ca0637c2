import GRDB

/// A snapshot's per-scan rows: which repository held which file content, and what could not be
/// read.
public enum SnapshotStore {
    /// Tables whose rows for a scan are complete once its snapshot is stored: a query that reads
    /// only these, and none of `columnsFilledByStages`, can run while the stages work.
    static let tablesCompleteBeforeStages: Set<String> = Set(WorkflowFactStore.tables + ["blobs", "scan_repositories", "scan_workflow_files"])
    /// Columns of those tables that the stages fill in later: a repository's settings
    /// (`applySettings`, `applyOrganizationDefault`) and live collection errors (`recordCollectionError`).
    static let columnsFilledByStages: [String: Set<String>] = [
        "scan_repositories": ["default_branch", "visibility", "default_workflow_permissions", "collection_error"],
    ]

    /// Writes the scan's repositories and files; `documents` numbers every hash the files have.
    static func insert(_ manifests: [RepositoryManifest], documents: [String: Int64], scanID: Int64, db: Database) throws {
        let insertFile = try BoundInsert(db, sql: """
            INSERT OR IGNORE INTO scan_workflow_files (scan_id, repository_id, path, blob_hash, doc, read_error, kind)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let insertRepository = try BoundInsert(db, sql: """
            INSERT INTO scan_repositories (scan_id, full_name, source, head_commit) VALUES (?, ?, ?, ?)
            ON CONFLICT (scan_id, full_name) DO NOTHING
            """)
        let findRepository = try db.cachedStatement(sql: "SELECT id FROM scan_repositories WHERE scan_id = ? AND full_name = ?")
        // What could not be read is coverage, like an unusable export: listed with the scan so that
        // no report presents a repository it could not read as clean.
        let insertProblem = try db.cachedStatement(sql: """
            INSERT INTO scan_input_problems (scan_id, kind, document, path, message) VALUES (?, 'workflows', ?, ?, ?)
            """)
        let scan = scanID.databaseValue
        for manifest in manifests {
            try insertRepository.execute([manifest.fullName.databaseValue, manifest.source.databaseValue, manifest.headCommit.databaseValue],
                                         leading: scan)
            // A repository listed twice keeps its first row; only then is its id looked up.
            let inserted: Int64? = db.changesCount == 1 ? db.lastInsertedRowID : nil
            guard let repositoryID = try inserted ?? Int64.fetchOne(findRepository, arguments: [scanID, manifest.fullName]) else { continue }
            let repository = repositoryID.databaseValue
            for file in manifest.files {
                try insertFile.execute([repository, file.path.databaseValue, file.hash.databaseValue,
                                        (file.hash.flatMap { documents[$0] }).databaseValue, file.readError.databaseValue,
                                        file.kind.rawValue.databaseValue], leading: scan)
            }
            for problem in manifest.problems {
                try insertProblem.execute(arguments: [scanID, manifest.fullName, problem.path, problem.message])
            }
        }
    }

    /// Each repository's row id by lower-cased name. Settings update rows by id: a lookup by
    /// lower(full_name) per repository was the slowest part of ingesting ten thousand settings files.
    static func repositoryIDs(_ db: Database, scanID: Int64) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, full_name FROM scan_repositories WHERE scan_id = ?", arguments: [scanID]) {
            ids[(row["full_name"] as String).lowercased()] = row["id"]
        }
        return ids
    }

    /// What a repository's settings say of it; nil leaves what the scan already knew.
    static func applySettings(_ db: Database, repositoryID: Int64, defaultBranch: String?, visibility: String?,
                              defaultPermissions: String?) throws {
        try db.cachedStatement(sql: """
            UPDATE scan_repositories
            SET default_branch = COALESCE(?, default_branch), visibility = COALESCE(?, visibility),
                default_workflow_permissions = COALESCE(?, default_workflow_permissions)
            WHERE id = ?
            """).execute(arguments: [defaultBranch, visibility, defaultPermissions, repositoryID])
    }

    /// An organization's default workflow permissions, for its repositories that had none of
    /// their own.
    static func applyOrganizationDefault(_ db: Database, repositoryIDs: [Int64], defaultPermissions: String) throws {
        try db.cachedStatement(sql: """
            UPDATE scan_repositories SET default_workflow_permissions = ?
            WHERE default_workflow_permissions IS NULL AND id IN (SELECT value FROM json_each(?))
            """).execute(arguments: [defaultPermissions, "[" + repositoryIDs.map(String.init).joined(separator: ",") + "]"])
    }

    /// Marks a repository whose workflows live collection could not read completely.
    static func recordCollectionError(_ db: Database, scanID: Int64, repository: String, error: String) throws {
        try db.cachedStatement(sql: """
            UPDATE scan_repositories
            SET collection_error = CASE WHEN collection_error IS NULL THEN ? ELSE collection_error || '; ' || ? END
            WHERE scan_id = ? AND lower(full_name) = lower(?)
            """).execute(arguments: [error, error, scanID, repository])
    }

    /// The snapshot's repository names in order, at most `limit`: what a user can pick from.
    public static func repositoryNames(_ db: Database, scanID: Int64, limit: Int) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT full_name FROM scan_repositories WHERE scan_id = ? ORDER BY full_name LIMIT ?",
                            arguments: [scanID, limit])
    }
}
