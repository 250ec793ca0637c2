import GRDB

/// Derives `credential_jobs` (the jobs holding deployment credentials) into
/// `derived_credential_jobs` once per snapshot.
///
/// Four policies read these jobs, and finding them scans every step of the snapshot; as a view it
/// cost that scan on every read, and a view narrowed to a few repositories still computed all of
/// it, because SQLite does not push a filter into a compound view. Each part of the union below
/// filters its own rows instead.
enum CredentialJobsDerivation {
    /// One job holding one kind of credential.
    struct Job: Sendable {
        var repository: String
        var file: String
        var job: String
        var credential: String
    }

    /// Writes the rows of scan `scanID`: of every repository, or only of those whose stored
    /// names are in `repositoryTable` (a table with a `name` column).
    static func derive(_ db: Database, scanID: Int64, repositoryTable: String? = nil) throws {
        try store(try rows(db, repositoryTable: repositoryTable), db: db, scanID: scanID)
    }

    /// Writes rows found by `rows`.
    static func store(_ rows: [Job], db: Database, scanID: Int64) throws {
        let insert = try BoundInsert(db, sql: """
            INSERT OR IGNORE INTO derived_credential_jobs (scan_id, repository, file, job, credential) VALUES (?, ?, ?, ?, ?)
            """)
        let scan = scanID.databaseValue
        for row in rows {
            try insert.execute([row.repository.databaseValue, row.file.databaseValue, row.job.databaseValue, row.credential.databaseValue],
                               leading: scan)
        }
    }

    /// The credential jobs of the snapshot `db` shows (`AuditDatabase.showing`). They are read
    /// from workflow facts alone, so a full derivation has them read on a reader of the committed
    /// snapshot while it writes the graph (`DerivationPrefetch`): finding them
    /// scans every step, 0.3 s of the writer's time at 10,000 repositories.
    static func rows(_ db: Database, repositoryTable: String? = nil) throws -> [Job] {
        let only = repositoryTable.map { "AND repository IN (SELECT name FROM \($0))" } ?? ""
        let onlyJob = repositoryTable.map { "AND j.repository IN (SELECT name FROM \($0))" } ?? ""
        // A secret named like an Octopus API key in any of the texts. SQLite's LIKE ignores ASCII
        // case as GitHub's contexts do (and as SQLite's lower() only folds ASCII), so the texts are
        // not lower-cased; most steps name no secret at all, so each column is tested for
        // `secrets.` alone before the texts are joined (JSON objects end in `}`, so `secrets.`
        // never spans two of them).
        func namesKey(_ columns: [String]) -> String {
            let text = columns.map { "COALESCE(\($0), '')" }.joined(separator: " || ")
            return """
                ((\(columns.map { "\($0) LIKE '%secrets.%'" }.joined(separator: " OR ")))
                 AND (\(text) LIKE '%secrets.%octopus%api%key%' OR \(text) LIKE '%secrets.%octopus%apikey%'))
                """
        }
        var rows: [Job] = []
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT repository, file, job, 'id-token: write' FROM oidc_jobs WHERE 1 \(only)
            UNION
            SELECT repository, file, job,
                   CASE WHEN uses_owner LIKE 'octopusdeploy' AND uses_repo LIKE 'login' AND json_extract(with_json, '$.api_key') IS NULL
                        THEN 'Octopus login' ELSE 'Octopus API key' END
            FROM steps
            -- `action` is `uses_owner/uses_repo`; the columns are compared instead of building it.
            WHERE ((uses_owner LIKE 'octopusdeploy' AND (uses_repo LIKE 'login' OR json_extract(with_json, '$.api_key') IS NOT NULL))
                   OR \(namesKey(["with_json", "env_json", "run"]))) \(only)
            UNION
            SELECT j.repository, j.file, j.job, 'Octopus API key'
            FROM jobs j
            JOIN workflows w ON w.repository = j.repository AND w.file = j.file
            WHERE \(namesKey(["j.env_json", "j.secrets_json", "w.env_json"])) \(onlyJob)
            """)
        while let row = try cursor.next() {
            rows.append(Job(repository: row[0], file: row[1], job: row[2], credential: row[3]))
        }
        return rows
    }
}
