import GRDB

/// A snapshot's per-scan rows: which repository held which file content, and what could not be
/// read.
enum SnapshotStore {
    /// Writes the scan's repositories and files; `documents` numbers every hash the files have.
    static func insert(_ manifests: [RepositoryManifest], documents: [String: Int64], scanID: Int64, db: Database) throws {
        let insertFile = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO scan_workflow_files (scan_id, repository_id, path, blob_hash, doc, read_error, kind)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let insertRepository = try db.cachedStatement(sql: """
            INSERT INTO scan_repositories (scan_id, full_name, source, head_commit) VALUES (?, ?, ?, ?)
            ON CONFLICT (scan_id, full_name) DO NOTHING
            """)
        let findRepository = try db.cachedStatement(sql: "SELECT id FROM scan_repositories WHERE scan_id = ? AND full_name = ?")
        // What could not be read is coverage, like an unusable export: listed with the scan so that
        // no report presents a repository it could not read as clean.
        let insertProblem = try db.cachedStatement(sql: """
            INSERT INTO scan_input_problems (scan_id, kind, document, path, message) VALUES (?, 'workflows', ?, ?, ?)
            """)
        for manifest in manifests {
            try insertRepository.execute(arguments: [scanID, manifest.fullName, manifest.source, manifest.headCommit])
            guard let repositoryID = try Int64.fetchOne(findRepository, arguments: [scanID, manifest.fullName]) else { continue }
            for file in manifest.files {
                try insertFile.execute(arguments: [scanID, repositoryID, file.path, file.hash, file.hash.flatMap { documents[$0] },
                                                   file.readError, file.kind.rawValue])
            }
            for problem in manifest.problems {
                try insertProblem.execute(arguments: [scanID, manifest.fullName, problem.path, problem.message])
            }
        }
    }
}
