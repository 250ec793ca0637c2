-- trustaudit schema, part 6: workflow facts keyed by a document number instead of its hash.
--
-- Why: every wf_* row was keyed by its document's SHA-256 in hex. Hashes are random, so each new
-- document's rows landed at a random place in every fact table and its index: a cold scan of
-- 10,000 repositories spent most of its store phase moving B-tree pages, and every row carried 64
-- bytes of key. Content is still identified by its hash (`blobs.hash`, `scan_workflow_files.blob_hash`,
-- the views' `blob_hash`), but each distinct document now also gets the next integer (`blobs.id`),
-- and the facts are keyed by that: a new document's rows are appended at the end.
--
-- The fact tables are rebuilt; the views over them are dropped first and recreated at the end
-- (their columns are unchanged; `job_tokens` now reads the tables directly instead of `jobs`).
-- GRDB runs a migration with foreign keys off and checks them before committing, so
-- `scan_inputs.blob_hash REFERENCES blobs(hash)` holds again once the new `blobs` is in place.

DROP VIEW oidc_jobs;
DROP VIEW job_tokens;
DROP VIEW steps;
DROP VIEW effective_permissions;
DROP VIEW declared_permissions;
DROP VIEW jobs;
DROP VIEW triggers;
DROP VIEW workflows;

-- Every distinct document seen, numbered in the order first seen and identified by the SHA-256
-- of its bytes. `content` is kept (NULL when the file was too large) so evidence and reports can
-- be produced again without the original checkout.
CREATE TABLE blobs_new (
    id      INTEGER PRIMARY KEY,
    hash    TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL,
    size    INTEGER NOT NULL,
    content BLOB
);
INSERT INTO blobs_new (hash, kind, size, content) SELECT hash, kind, size, content FROM blobs ORDER BY hash;

-- One row per parsed workflow content. `parse_error` set means no other wf_* rows exist for it.
-- The fact tables name their document by `doc` (= blobs.id); the writer keeps them consistent,
-- so they carry no foreign keys, whose checks cost a lookup for every row of a cold scan.
CREATE TABLE wf_documents_new (
    doc                 INTEGER PRIMARY KEY,
    parser_version      INTEGER NOT NULL,
    name                TEXT,
    parse_error         TEXT,
    error_line          INTEGER,
    permissions_kind    TEXT CHECK (permissions_kind IN ('map', 'read-all', 'write-all', 'none', 'expression')),
    permissions_line    INTEGER,
    env_json            TEXT
);
INSERT INTO wf_documents_new (doc, parser_version, name, parse_error, error_line, permissions_kind, permissions_line, env_json)
SELECT b.id, d.parser_version, d.name, d.parse_error, d.error_line, d.permissions_kind, d.permissions_line, d.env_json
FROM wf_documents d JOIN blobs_new b ON b.hash = d.blob_hash ORDER BY b.id;

CREATE TABLE wf_triggers_new (
    doc             INTEGER NOT NULL,
    event           TEXT NOT NULL,
    line            INTEGER,
    types_json      TEXT,
    branches_json   TEXT,
    branches_ignore_json TEXT,
    tags_json       TEXT,
    tags_ignore_json TEXT,
    paths_json      TEXT,
    PRIMARY KEY (doc, event)
) WITHOUT ROWID;
INSERT INTO wf_triggers_new
SELECT b.id, t.event, t.line, t.types_json, t.branches_json, t.branches_ignore_json, t.tags_json, t.tags_ignore_json, t.paths_json
FROM wf_triggers t JOIN blobs_new b ON b.hash = t.blob_hash ORDER BY b.id, t.event;

-- Jobs and steps hold scripts and JSON maps: wide rows, so they stay rowid tables (a WITHOUT ROWID
-- table stores whole rows in its key order) with a unique index for lookups.
CREATE TABLE wf_jobs_new (
    doc                       INTEGER NOT NULL,
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
    UNIQUE (doc, job_key)
);
INSERT INTO wf_jobs_new
SELECT b.id, j.job_key, j.ordinal, j.name, j.line, j.runs_on, j.if_condition, j.environment, j.environment_url,
       j.environment_is_expression, j.environment_line, j.needs_json, j.uses, j.uses_ref_kind, j.uses_line,
       j.secrets_inherit, j.secrets_json, j.with_json, j.env_json, j.permissions_kind, j.permissions_line
FROM wf_jobs j JOIN blobs_new b ON b.hash = j.blob_hash ORDER BY b.id, j.ordinal;

-- Declared permission entries. job_key '' is the workflow level. `read-all`/`write-all` are
-- stored as scope '*'; `{}` stores no entry (permissions_kind 'none' says it was declared).
CREATE TABLE wf_permissions_new (
    doc       INTEGER NOT NULL,
    job_key   TEXT NOT NULL,
    scope     TEXT NOT NULL,
    access    TEXT NOT NULL,
    line      INTEGER,
    PRIMARY KEY (doc, job_key, scope)
) WITHOUT ROWID;
INSERT INTO wf_permissions_new
SELECT b.id, p.job_key, p.scope, p.access, p.line
FROM wf_permissions p JOIN blobs_new b ON b.hash = p.blob_hash ORDER BY b.id;

CREATE TABLE wf_steps_new (
    doc        INTEGER NOT NULL,
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
    UNIQUE (doc, job_key, step_index)
);
INSERT INTO wf_steps_new
SELECT b.id, s.job_key, s.step_index, s.step_id, s.name, s.line, s.uses, s.uses_owner, s.uses_repo, s.uses_path,
       s.uses_ref, s.ref_kind, s.run, s.with_json, s.env_json
FROM wf_steps s JOIN blobs_new b ON b.hash = s.blob_hash ORDER BY b.id, s.job_key, s.step_index;

-- `# trustaudit: ignore[policy-id] reason` comments; they apply to their own line and the next.
CREATE TABLE wf_suppressions_new (
    doc       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    policy    TEXT NOT NULL,
    reason    TEXT,
    PRIMARY KEY (doc, line, policy)
) WITHOUT ROWID;
INSERT INTO wf_suppressions_new
SELECT b.id, s.line, s.policy, s.reason
FROM wf_suppressions s JOIN blobs_new b ON b.hash = s.blob_hash ORDER BY b.id;

-- Each scan's files name their content both ways: `blob_hash` for people and evidence, `doc` for
-- joining the facts.
CREATE TABLE scan_workflow_files_new (
    id            INTEGER PRIMARY KEY,
    scan_id       INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository_id INTEGER NOT NULL REFERENCES scan_repositories(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    blob_hash     TEXT,
    doc           INTEGER,
    read_error    TEXT,
    UNIQUE (repository_id, path)
);
INSERT INTO scan_workflow_files_new (id, scan_id, repository_id, path, blob_hash, doc, read_error)
SELECT f.id, f.scan_id, f.repository_id, f.path, f.blob_hash, b.id, f.read_error
FROM scan_workflow_files f LEFT JOIN blobs_new b ON b.hash = f.blob_hash ORDER BY f.id;

DROP TABLE wf_suppressions;
DROP TABLE wf_steps;
DROP TABLE wf_permissions;
DROP TABLE wf_jobs;
DROP TABLE wf_triggers;
DROP TABLE wf_documents;
DROP TABLE scan_workflow_files;
DROP TABLE blobs;
ALTER TABLE blobs_new RENAME TO blobs;
ALTER TABLE wf_documents_new RENAME TO wf_documents;
ALTER TABLE wf_triggers_new RENAME TO wf_triggers;
ALTER TABLE wf_jobs_new RENAME TO wf_jobs;
ALTER TABLE wf_permissions_new RENAME TO wf_permissions;
ALTER TABLE wf_steps_new RENAME TO wf_steps;
ALTER TABLE wf_suppressions_new RENAME TO wf_suppressions;
ALTER TABLE scan_workflow_files_new RENAME TO scan_workflow_files;

CREATE INDEX scan_workflow_files_scan ON scan_workflow_files(scan_id, doc);

CREATE VIEW workflows AS
SELECT r.full_name AS repository, f.path AS file, f.blob_hash,
       d.name, COALESCE(f.read_error, d.parse_error) AS parse_error, d.error_line,
       d.permissions_kind, d.permissions_line, d.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
LEFT JOIN wf_documents d ON d.doc = f.doc
WHERE f.scan_id = current_scan();

CREATE VIEW triggers AS
SELECT r.full_name AS repository, f.path AS file, t.event, t.line, t.types_json,
       t.branches_json, t.branches_ignore_json, t.tags_json, t.tags_ignore_json, t.paths_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_triggers t ON t.doc = f.doc
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
JOIN wf_documents d ON d.doc = f.doc
JOIN wf_jobs j ON j.doc = f.doc
WHERE f.scan_id = current_scan();

CREATE VIEW declared_permissions AS
SELECT r.full_name AS repository, f.path AS file, NULLIF(p.job_key, '') AS job,
       p.scope, p.access, p.line
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_permissions p ON p.doc = f.doc
WHERE f.scan_id = current_scan();

-- The permissions each job's token really has, as declared: the job's own block when it has one,
-- else the workflow's. `source` says which; jobs with neither have no rows here (their token gets
-- the repository's default, see repositories / permissions-undeclared).
CREATE VIEW effective_permissions AS
SELECT r.full_name AS repository, f.path AS file, j.job_key AS job, p.scope, p.access, p.line,
       CASE WHEN p.job_key = '' THEN 'workflow' ELSE 'job' END AS source
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_jobs j ON j.doc = f.doc
JOIN wf_permissions p ON p.doc = f.doc
     AND p.job_key = CASE WHEN j.permissions_kind IS NOT NULL THEN j.job_key ELSE '' END
WHERE f.scan_id = current_scan();

-- What each job's token can do with OIDC. `id_token` is:
--   'write'     the job's effective permissions grant `id-token: write` (or `write-all`);
--   'none'      they do not (GitHub's defaults never include id-token);
--   'unknown'   permissions are an expression, decided at run time;
--   'inherited' a reusable workflow's job with no permissions of its own: it gets the caller's.
CREATE VIEW job_tokens AS
SELECT r.full_name AS repository, f.path AS file, j.job_key AS job, j.line,
       CASE WHEN j.permissions_kind IS NOT NULL THEN 'job'
            WHEN d.permissions_kind IS NOT NULL THEN 'workflow'
            ELSE 'default' END AS source,
       COALESCE(j.permissions_kind, d.permissions_kind) AS permissions_kind,
       COALESCE(j.permissions_line, d.permissions_line) AS permissions_line,
       CASE COALESCE(j.permissions_kind, d.permissions_kind)
            WHEN 'write-all' THEN 'write'
            WHEN 'read-all' THEN 'none'
            WHEN 'none' THEN 'none'
            WHEN 'expression' THEN 'unknown'
            WHEN 'map' THEN CASE WHEN EXISTS (
                     SELECT 1 FROM wf_permissions p
                     WHERE p.doc = f.doc
                       AND p.job_key = CASE WHEN j.permissions_kind IS NOT NULL THEN j.job_key ELSE '' END
                       AND p.scope = 'id-token' AND p.access = 'write') THEN 'write' ELSE 'none' END
            ELSE CASE WHEN EXISTS (SELECT 1 FROM wf_triggers t WHERE t.doc = f.doc AND t.event = 'workflow_call')
                      THEN 'inherited' ELSE 'none' END
       END AS id_token
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_documents d ON d.doc = f.doc
JOIN wf_jobs j ON j.doc = f.doc
WHERE f.scan_id = current_scan();

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
JOIN wf_steps s ON s.doc = f.doc
WHERE f.scan_id = current_scan();
