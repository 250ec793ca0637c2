-- trustaudit schema, part 5: the trust graph stored by reference.
--
-- Why: an organization-wide identity (`repo:acme/*`) accepts every subject of every job, so on a
-- large organization trust edges outnumber subjects ten to one. Stored as text, each edge repeated
-- its job's repository, file, job, trigger, subject, gate and reason and its identity's server and
-- ids: about 600 bytes an edge, 225 MB for the 10,000-repository benchmark. Everything an edge
-- repeated belongs to its subject or its identity, so an edge is now two row ids, its match kind
-- and whether the job's login names the account; `trust_graph` joins the text back. The view's
-- columns are unchanged.
--
-- Both ends need an INTEGER PRIMARY KEY (a plain rowid may change on VACUUM), so
-- `derived_subjects` and `oct_identities` are rebuilt; the views over them are dropped first and
-- recreated unchanged (except `trust_graph`) at the end.

DROP VIEW deployable_by;
DROP VIEW trust_graph;
DROP VIEW job_subjects;
DROP VIEW oidc_identities;
DROP VIEW service_accounts;

CREATE TABLE derived_subjects_new (
    id           INTEGER PRIMARY KEY,
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository   TEXT NOT NULL,
    file         TEXT NOT NULL,
    job          TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    is_pattern   INTEGER NOT NULL,
    environment  TEXT,
    id_token     TEXT NOT NULL,           -- the job's job_tokens.id_token when derived
    reason       TEXT,
    note         TEXT,                    -- why the job is in the graph beyond its own id-token: write
    gate         TEXT,                    -- the environment's protection in words, or 'none'
    called_file  TEXT,                    -- for a reusable-workflow call: the called workflow
    called_job   TEXT                     -- and its job that presents the subject
);
INSERT INTO derived_subjects_new (scan_id, repository, file, job, trigger, subject, is_pattern, environment, id_token, reason)
SELECT scan_id, repository, file, job, trigger, subject, is_pattern, environment, id_token, reason
FROM derived_subjects ORDER BY rowid;

CREATE TABLE oct_identities_new (
    id          INTEGER PRIMARY KEY,
    scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server      TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    name        TEXT,
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    audience    TEXT,                     -- NULL: the account's ExternalId; '' is broken
    UNIQUE (scan_id, server, identity_id)
);
INSERT INTO oct_identities_new (scan_id, server, account_id, identity_id, name, issuer, subject, audience)
SELECT scan_id, server, account_id, identity_id, name, issuer, subject, audience FROM oct_identities ORDER BY rowid;

-- Older edges carried their subject's gate, called workflow and notes: move them to the subject.
-- Subjects that differ only in the called job were stored identically before; their edges join
-- the first of them, as precise as the old rows allow.
CREATE INDEX derived_subjects_new_lookup ON derived_subjects_new(scan_id, repository, file, job, trigger, subject);
UPDATE derived_subjects_new AS s SET
    gate = e.gate, called_file = e.called_file, called_job = e.called_job,
    note = CASE WHEN length(e.reason) > length(COALESCE(s.reason, '')) + 2
                THEN substr(e.reason, length(COALESCE(s.reason, '')) + 3) END
FROM (SELECT scan_id, repository, file, job, trigger, subject, environment,
             max(gate) AS gate, max(called_file) AS called_file, max(called_job) AS called_job, max(reason) AS reason
      FROM trust_edges GROUP BY scan_id, repository, file, job, trigger, subject, environment) AS e
WHERE e.scan_id = s.scan_id AND e.repository = s.repository AND e.file = s.file AND e.job = s.job
  AND e.trigger = s.trigger AND e.subject = s.subject AND e.environment IS s.environment;

CREATE TABLE trust_edges_new (
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    subject_id   INTEGER NOT NULL,        -- derived_subjects.id: the job and the subject it presents
    identity_ref INTEGER NOT NULL,        -- oct_identities.id: the identity that accepts it
    match_kind   INTEGER NOT NULL CHECK (match_kind IN (0, 1, 2)),   -- 0 exact, 1 pattern, 2 overlap
    in_use       INTEGER NOT NULL,        -- the job's login (or the caller's input) names the account
    PRIMARY KEY (scan_id, subject_id, identity_ref)
) WITHOUT ROWID;
INSERT OR IGNORE INTO trust_edges_new (scan_id, subject_id, identity_ref, match_kind, in_use)
SELECT e.scan_id,
       (SELECT min(s.id) FROM derived_subjects_new s
        WHERE s.scan_id = e.scan_id AND s.repository = e.repository AND s.file = e.file AND s.job = e.job
          AND s.trigger = e.trigger AND s.subject = e.subject AND s.environment IS e.environment),
       i.id,
       CASE e.match_kind WHEN 'exact' THEN 0 WHEN 'pattern' THEN 1 ELSE 2 END,
       e.status = 'in use'
FROM trust_edges e
JOIN oct_identities_new i ON i.scan_id = e.scan_id AND i.server = e.server AND i.identity_id = e.identity_id
WHERE EXISTS (SELECT 1 FROM derived_subjects_new s
              WHERE s.scan_id = e.scan_id AND s.repository = e.repository AND s.file = e.file AND s.job = e.job
                AND s.trigger = e.trigger AND s.subject = e.subject AND s.environment IS e.environment);
DROP INDEX derived_subjects_new_lookup;

DROP TABLE trust_edges;
DROP TABLE derived_subjects;
DROP TABLE oct_identities;
ALTER TABLE derived_subjects_new RENAME TO derived_subjects;
ALTER TABLE oct_identities_new RENAME TO oct_identities;
ALTER TABLE trust_edges_new RENAME TO trust_edges;

CREATE INDEX derived_subjects_job ON derived_subjects(scan_id, repository, file, job);
CREATE INDEX oct_identities_account ON oct_identities(scan_id, server, account_id);
CREATE INDEX trust_edges_identity ON trust_edges(scan_id, identity_ref);

CREATE VIEW service_accounts AS
SELECT server, account_id, external_id, username, display_name, is_active, api_keys_exported, permissions_exported,
       (SELECT COUNT(*) FROM oct_identities i WHERE i.scan_id = a.scan_id AND i.server = a.server AND i.account_id = a.account_id) AS identity_count
FROM oct_service_accounts a WHERE scan_id = current_scan();

CREATE VIEW oidc_identities AS
SELECT i.server, i.account_id, a.external_id, a.username, i.identity_id, i.name, i.issuer, i.subject, i.audience,
       COALESCE(i.audience, a.external_id) AS effective_audience
FROM oct_identities i
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
WHERE i.scan_id = current_scan();

CREATE VIEW job_subjects AS
SELECT repository, file, job, trigger, subject, is_pattern, environment, id_token, reason
FROM derived_subjects WHERE scan_id = current_scan();

CREATE VIEW trust_graph AS
SELECT s.repository, s.file, s.job, s.trigger, s.subject, i.server, i.account_id, a.external_id,
       a.username AS service_account, i.identity_id, i.name AS identity_name, i.subject AS identity_subject,
       i.issuer AS identity_issuer, i.audience AS identity_audience,
       CASE e.match_kind WHEN 0 THEN 'exact' WHEN 1 THEN 'pattern' ELSE 'overlap' END AS match_kind,
       CASE WHEN e.in_use THEN 'in use' ELSE 'possible' END AS status,
       s.environment, s.gate, s.called_file, s.called_job,
       COALESCE(s.reason, '') || COALESCE('; ' || s.note, '') AS reason
FROM trust_edges e
JOIN derived_subjects s ON s.id = e.subject_id
JOIN oct_identities i ON i.id = e.identity_ref
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
-- Every side is filtered on the scan, so a query that names a job (or an identity) starts from
-- that side's index instead of walking every edge.
WHERE e.scan_id = current_scan() AND s.scan_id = current_scan() AND i.scan_id = current_scan();

CREATE VIEW deployable_by AS
SELECT COALESCE(t.service_account, t.account_id) AS service_account, t.external_id, t.server,
       t.repository, t.file AS workflow, t.job, group_concat(DISTINCT t.trigger) AS triggers,
       t.environment, t.gate, MAX(t.status = 'in use') AS in_use
FROM trust_graph t
GROUP BY t.server, t.account_id, t.repository, t.file, t.job, t.environment, t.gate;
