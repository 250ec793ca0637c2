import GRDB

/// Derives `credential_jobs` (the jobs holding deployment credentials) into
/// `derived_credential_jobs` once per snapshot.
///
/// Four policies read these jobs, and finding them scans every step of the snapshot; as a view it
/// cost that scan on every read, and a view narrowed to a few repositories still computed all of
/// it, because SQLite does not push a filter into a compound view. Each part of the union below
/// filters its own rows instead.
enum CredentialJobsDerivation {
    /// Writes the rows of scan `scanID`: of every repository, or only of those whose stored
    /// names are in `repositoryTable` (a table with a `name` column).
    static func derive(_ db: Database, scanID: Int64, repositoryTable: String? = nil) throws {
        let only = repositoryTable.map { "AND repository IN (SELECT name FROM \($0))" } ?? ""
        let onlyJob = repositoryTable.map { "AND j.repository IN (SELECT name FROM \($0))" } ?? ""
        // A secret named like an Octopus API key in any of the texts: `instr` first, since most
        // steps name no secret; GitHub's contexts ignore case, so the text is compared lower-cased.
        func namesKey(_ text: String) -> String {
            """
            (instr(lower(\(text)), 'secrets.') > 0
             AND (lower(\(text)) LIKE '%secrets.%octopus%api%key%' OR lower(\(text)) LIKE '%secrets.%octopus%apikey%'))
            """
        }
        let stepText = "COALESCE(with_json, '') || COALESCE(env_json, '') || COALESCE(run, '')"
        let jobText = "COALESCE(j.env_json, '') || COALESCE(j.secrets_json, '') || COALESCE(w.env_json, '')"
        try db.execute(sql: """
            INSERT OR IGNORE INTO derived_credential_jobs (scan_id, repository, file, job, credential)
            SELECT ?, repository, file, job, 'id-token: write' FROM oidc_jobs WHERE 1 \(only)
            UNION
            SELECT ?, repository, file, job,
                   CASE WHEN lower(action) = 'octopusdeploy/login' AND json_extract(with_json, '$.api_key') IS NULL
                        THEN 'Octopus login' ELSE 'Octopus API key' END
            FROM steps
            WHERE (lower(action) = 'octopusdeploy/login'
                   OR (lower(action) LIKE 'octopusdeploy/%' AND json_extract(with_json, '$.api_key') IS NOT NULL)
                   OR \(namesKey(stepText))) \(only)
            UNION
            SELECT ?, j.repository, j.file, j.job, 'Octopus API key'
            FROM jobs j
            JOIN workflows w ON w.repository = j.repository AND w.file = j.file
            WHERE \(namesKey(jobText)) \(onlyJob)
            """, arguments: [scanID, scanID, scanID])
    }
}
