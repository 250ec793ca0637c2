-- trustaudit schema, part 17: deriving only what changed.
--
-- `derive_base` is the hash of everything besides the repositories that the trust graph is
-- derived from (the organization settings and Octopus exports, the parser and derivation
-- versions). A scan whose base equals that of an earlier complete scan that derived its own
-- snapshot copies that scan's derived rows for unchanged repositories and derives the rest;
-- `rederived_repositories` says how many it derived (NULL: all of them).
ALTER TABLE scans ADD COLUMN derive_base TEXT;
ALTER TABLE scans ADD COLUMN rederived_repositories INTEGER;
CREATE INDEX scans_derive_base ON scans(derive_base);

-- Per repository, the lowest level among its trust paths to each service account, with the
-- first such path in derivation order (`subject_id`, whose row gives the reason). An account's
-- `derived_account_reach` is the lowest of its identities' own level and these rows (the first
-- repository by name on a tie), so a scan that re-derives some repositories recomputes it without
-- reading every edge again. `level` is 0 anyone, 1 read, 2 write, 3 merge, 4 approve; the key
-- orders each account's rows best first.
CREATE TABLE derived_repository_reach (
    scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    level      INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    repository TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    PRIMARY KEY (scan_id, server, account_id, level, repository)
) WITHOUT ROWID;

CREATE VIEW repository_reach AS
SELECT r.repository, r.server, r.account_id, a.external_id, a.username AS service_account,
       CASE r.level WHEN 0 THEN 'anyone' WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 3 THEN 'merge' ELSE 'approve' END AS reachable_by
FROM derived_repository_reach r
LEFT JOIN oct_service_accounts a ON a.scan_id = r.scan_id AND a.server = r.server AND a.account_id = r.account_id
WHERE r.scan_id = current_scan();

-- The jobs that hold deployment credentials, derived once per snapshot instead of on every read:
-- four policies read them, and computing them scans every step of the snapshot.
CREATE TABLE derived_credential_jobs (
    scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository TEXT NOT NULL,
    file       TEXT NOT NULL,
    job        TEXT NOT NULL,
    credential TEXT NOT NULL,
    PRIMARY KEY (scan_id, repository, file, job, credential)
) WITHOUT ROWID;

DROP VIEW credential_jobs;

CREATE VIEW credential_jobs AS
SELECT repository, file, job, credential FROM derived_credential_jobs WHERE scan_id = current_scan();
