-- trustaudit schema, part 1: scans, content-addressed workflow facts, findings.
--
-- Layout. Raw tables hold facts; policies and the query shell read the documented views at the
-- end of this file (see docs/schema.md). Parsed facts are keyed by the SHA-256 of the file's bytes
-- (`blob_hash`), so unchanged content is stored and parsed once however many scans see it.
-- Per-scan tables (`scan_*`) say which repository held which content in which snapshot.

-- One row per scan. A scan whose inputs hash to the same `state_hash` as an earlier complete
-- scan stores no facts of its own: `data_scan_id` names the scan whose per-scan rows hold its
-- snapshot. Likewise `findings_scan_id` names the scan whose findings it shares when the same
-- snapshot was evaluated with the same policies (`eval_key`). An unchanged nightly scan thus
-- adds one row, and every snapshot stays complete and immutable. A pruned scan whose rows a
-- kept scan still uses stays as a 'pruned' row, so those rows keep their owner.
CREATE TABLE scans (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    status           TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'pruned')),
    label            TEXT,
    tool_version     TEXT NOT NULL,
    policy_digest    TEXT,
    state_hash       TEXT,
    data_scan_id     INTEGER,
    eval_key         TEXT,
    findings_scan_id INTEGER,
    repository_count INTEGER,
    file_count       INTEGER,
    error            TEXT
);
CREATE INDEX scans_state ON scans(state_hash);
CREATE INDEX scans_eval ON scans(eval_key);

-- Every distinct document seen, by the SHA-256 of its bytes. `content` is kept (NULL when the file
-- was too large) so evidence and reports can be produced again without the original checkout.
CREATE TABLE blobs (
    hash    TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    size    INTEGER NOT NULL,
    content BLOB
) WITHOUT ROWID;

-- One row per parsed workflow content. `parse_error` set means no other wf_* rows exist for it.
CREATE TABLE wf_documents (
    blob_hash           TEXT PRIMARY KEY REFERENCES blobs(hash),
    parser_version      INTEGER NOT NULL,
    name                TEXT,
    parse_error         TEXT,
    error_line          INTEGER,
    permissions_kind    TEXT CHECK (permissions_kind IN ('map', 'read-all', 'write-all', 'none', 'expression')),
    permissions_line    INTEGER,
    env_json            TEXT
) WITHOUT ROWID;

CREATE TABLE wf_triggers (
    blob_hash       TEXT NOT NULL REFERENCES wf_documents(blob_hash),
    event           TEXT NOT NULL,
    line            INTEGER,
    types_json      TEXT,
    branches_json   TEXT,
    branches_ignore_json TEXT,
    tags_json       TEXT,
    tags_ignore_json TEXT,
    paths_json      TEXT,
    PRIMARY KEY (blob_hash, event)
) WITHOUT ROWID;

CREATE TABLE wf_jobs (
    blob_hash                 TEXT NOT NULL REFERENCES wf_documents(blob_hash),
    job_key                   TEXT NOT NULL,
    ordinal                   INTEGER NOT NULL,
    name                      TEXT,
    line                      INTEGER,
    runs_on                   TEXT,
    if_condition              TEXT,
    environment               TEXT,
    environment_url           TEXT,
    environment_is_expression INTEGER NOT NULL DEFAULT 0,
    environment_line          INTEGER,
    needs_json                TEXT,
    uses                      TEXT,
    uses_ref_kind             TEXT,
    uses_line                 INTEGER,
    secrets_inherit           INTEGER NOT NULL DEFAULT 0,
    secrets_json              TEXT,
    with_json                 TEXT,
    env_json                  TEXT,
    permissions_kind          TEXT CHECK (permissions_kind IN ('map', 'read-all', 'write-all', 'none', 'expression')),
    permissions_line          INTEGER,
    PRIMARY KEY (blob_hash, job_key)
) WITHOUT ROWID;

-- Declared permission entries. job_key '' is the workflow level. `read-all`/`write-all` are
-- stored as scope '*'; `{}` stores no entry (permissions_kind 'none' says it was declared).
CREATE TABLE wf_permissions (
    blob_hash TEXT NOT NULL REFERENCES wf_documents(blob_hash),
    job_key   TEXT NOT NULL,
    scope     TEXT NOT NULL,
    access    TEXT NOT NULL,
    line      INTEGER,
    PRIMARY KEY (blob_hash, job_key, scope)
) WITHOUT ROWID;

CREATE TABLE wf_steps (
    blob_hash  TEXT NOT NULL REFERENCES wf_documents(blob_hash),
    job_key    TEXT NOT NULL,
    step_index INTEGER NOT NULL,
    step_id    TEXT,
    name       TEXT,
    line       INTEGER,
    uses       TEXT,
    uses_owner TEXT,
    uses_repo  TEXT,
    uses_path  TEXT,
    uses_ref   TEXT,
    ref_kind   TEXT CHECK (ref_kind IN ('sha', 'tag', 'branch', 'local', 'docker', 'none')),
    run        TEXT,
    with_json  TEXT,
    env_json   TEXT,
    PRIMARY KEY (blob_hash, job_key, step_index)
) WITHOUT ROWID;

-- `# trustaudit: ignore[policy-id] reason` comments; they apply to their own line and the next.
CREATE TABLE wf_suppressions (
    blob_hash TEXT NOT NULL REFERENCES wf_documents(blob_hash),
    line      INTEGER NOT NULL,
    policy    TEXT NOT NULL,
    reason    TEXT,
    PRIMARY KEY (blob_hash, line, policy)
) WITHOUT ROWID;

CREATE TABLE scan_repositories (
    id                  INTEGER PRIMARY KEY,
    scan_id             INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    full_name           TEXT NOT NULL,
    source              TEXT,
    head_commit         TEXT,
    default_branch      TEXT,
    visibility          TEXT,
    -- 'read' | 'write' from the GitHub settings export; NULL when not collected.
    default_workflow_permissions TEXT,
    collection_error    TEXT,
    UNIQUE (scan_id, full_name)
);

-- GitHub names are case-insensitive; policies compare them with lower().
CREATE INDEX scan_repositories_name ON scan_repositories(scan_id, lower(full_name));

CREATE TABLE scan_workflow_files (
    id            INTEGER PRIMARY KEY,
    scan_id       INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository_id INTEGER NOT NULL REFERENCES scan_repositories(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    blob_hash     TEXT REFERENCES blobs(hash),
    read_error    TEXT,
    UNIQUE (repository_id, path)
);
CREATE INDEX scan_workflow_files_scan ON scan_workflow_files(scan_id, blob_hash);

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY,
    scan_id         INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    fingerprint     TEXT NOT NULL,
    policy          TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    message         TEXT NOT NULL,
    resource        TEXT,
    repository      TEXT,
    file            TEXT,
    line            INTEGER,
    job             TEXT,
    service_account TEXT,
    evidence_json   TEXT NOT NULL DEFAULT '{}',
    waived          INTEGER NOT NULL DEFAULT 0,
    waiver_reason   TEXT,
    UNIQUE (scan_id, fingerprint)
);
CREATE INDEX findings_policy ON findings(scan_id, policy);

-- A policy that failed to compile or run in a scan; the other policies' findings still stand.
CREATE TABLE policy_errors (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    policy  TEXT NOT NULL,
    source  TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (scan_id, policy)
);

-- ---------------------------------------------------------------------------------------------
-- Documented views. Each is scoped to `current_scan()`, a function every trustaudit connection
-- defines (the scan being evaluated; in the shell, the latest complete scan or `--scan`).
-- ---------------------------------------------------------------------------------------------

CREATE VIEW repositories AS
SELECT r.id AS repository_id, r.full_name AS repository, r.source, r.head_commit,
       r.default_branch, r.visibility, r.default_workflow_permissions, r.collection_error
FROM scan_repositories r
WHERE r.scan_id = current_scan();

CREATE VIEW workflows AS
SELECT r.full_name AS repository, f.path AS file, f.blob_hash,
       d.name, COALESCE(f.read_error, d.parse_error) AS parse_error, d.error_line,
       d.permissions_kind, d.permissions_line, d.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
LEFT JOIN wf_documents d ON d.blob_hash = f.blob_hash
WHERE f.scan_id = current_scan();

CREATE VIEW triggers AS
SELECT r.full_name AS repository, f.path AS file, t.event, t.line, t.types_json,
       t.branches_json, t.branches_ignore_json, t.tags_json, t.tags_ignore_json, t.paths_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_triggers t ON t.blob_hash = f.blob_hash
WHERE f.scan_id = current_scan();

CREATE VIEW jobs AS
SELECT r.full_name AS repository, f.path AS file, j.job_key AS job, j.ordinal, j.name, j.line,
       j.runs_on, j.if_condition, j.environment, j.environment_url, j.environment_is_expression,
       j.environment_line, j.needs_json, j.uses, j.uses_ref_kind, j.uses_line, j.secrets_inherit, j.secrets_json,
       j.with_json, j.env_json, j.permissions_kind, j.permissions_line,
       d.permissions_kind AS workflow_permissions_kind, d.permissions_line AS workflow_permissions_line,
       f.blob_hash
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_documents d ON d.blob_hash = f.blob_hash
JOIN wf_jobs j ON j.blob_hash = f.blob_hash
WHERE f.scan_id = current_scan();

CREATE VIEW declared_permissions AS
SELECT r.full_name AS repository, f.path AS file, NULLIF(p.job_key, '') AS job,
       p.scope, p.access, p.line
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_permissions p ON p.blob_hash = f.blob_hash
WHERE f.scan_id = current_scan();

-- The permissions each job's token really has, as declared: the job's own block when it has one,
-- else the workflow's. `source` says which; jobs with neither have no rows here (their token gets
-- the repository's default, see repositories / permissions-undeclared).
CREATE VIEW effective_permissions AS
SELECT r.full_name AS repository, f.path AS file, j.job_key AS job, p.scope, p.access, p.line,
       CASE WHEN p.job_key = '' THEN 'workflow' ELSE 'job' END AS source
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_jobs j ON j.blob_hash = f.blob_hash
JOIN wf_documents d ON d.blob_hash = f.blob_hash
JOIN wf_permissions p ON p.blob_hash = f.blob_hash
     AND p.job_key = CASE WHEN j.permissions_kind IS NOT NULL THEN j.job_key ELSE '' END
WHERE f.scan_id = current_scan();

-- What each job's token can do with OIDC. `id_token` is:
--   'write'     the job's effective permissions grant `id-token: write` (or `write-all`);
--   'none'      they do not (GitHub's defaults never include id-token);
--   'unknown'   permissions are an expression, decided at run time;
--   'inherited' a reusable workflow's job with no permissions of its own: it gets the caller's.
CREATE VIEW job_tokens AS
SELECT j.repository, j.file, j.job, j.line,
       CASE WHEN j.permissions_kind IS NOT NULL THEN 'job'
            WHEN j.workflow_permissions_kind IS NOT NULL THEN 'workflow'
            ELSE 'default' END AS source,
       COALESCE(j.permissions_kind, j.workflow_permissions_kind) AS permissions_kind,
       COALESCE(j.permissions_line, j.workflow_permissions_line) AS permissions_line,
       CASE COALESCE(j.permissions_kind, j.workflow_permissions_kind)
            WHEN 'write-all' THEN 'write'
            WHEN 'read-all' THEN 'none'
            WHEN 'none' THEN 'none'
            WHEN 'expression' THEN 'unknown'
            WHEN 'map' THEN CASE WHEN EXISTS (
                     SELECT 1 FROM wf_permissions p
                     WHERE p.blob_hash = j.blob_hash
                       AND p.job_key = CASE WHEN j.permissions_kind IS NOT NULL THEN j.job ELSE '' END
                       AND p.scope = 'id-token' AND p.access = 'write') THEN 'write' ELSE 'none' END
            ELSE CASE WHEN EXISTS (SELECT 1 FROM wf_triggers t WHERE t.blob_hash = j.blob_hash AND t.event = 'workflow_call')
                      THEN 'inherited' ELSE 'none' END
       END AS id_token
FROM jobs j;

-- Jobs whose token can certainly request an OIDC token.
CREATE VIEW oidc_jobs AS
SELECT repository, file, job, line, source, permissions_line
FROM job_tokens
WHERE id_token = 'write';

CREATE VIEW steps AS
SELECT r.full_name AS repository, f.path AS file, s.job_key AS job, s.step_index, s.step_id,
       s.name, s.line, s.uses,
       CASE WHEN s.uses_owner IS NOT NULL THEN s.uses_owner || '/' || s.uses_repo END AS action,
       s.uses_owner, s.uses_repo, s.uses_path, s.uses_ref, s.ref_kind, s.run, s.with_json, s.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_steps s ON s.blob_hash = f.blob_hash
WHERE f.scan_id = current_scan();
