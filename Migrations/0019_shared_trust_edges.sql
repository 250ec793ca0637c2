-- trustaudit schema, part 19: trust edges shared between snapshots instead of copied.
--
-- Why: a rescan after a few repositories changed derives their rows and copies the others' from
-- the earlier snapshot (migration 0017). Edges are most of the graph (357,000 of them for the
-- 10,000-repository benchmark), so copying them cost seconds and about 20 MB a night. An edge now
-- belongs to the subject row that was derived, and a subject copied into a later snapshot points
-- at that row's edges (`edges_subject`) instead of getting copies of its own.
--
-- For that an edge must name its identity by something every snapshot shares: identities get a
-- key per server and identity id (`oct_identity_keys`), and an edge holds the key instead of one
-- snapshot's row id. `trust_edges.scan_id` is now the scan that derived the edge; `trust_graph`
-- joins a snapshot's subjects to their edges and its own identities, and its columns are unchanged.

CREATE TABLE oct_identity_keys (
    id          INTEGER PRIMARY KEY,
    server      TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    UNIQUE (server, identity_id)
);
INSERT OR IGNORE INTO oct_identity_keys (server, identity_id) SELECT server, identity_id FROM oct_identities ORDER BY id;

ALTER TABLE oct_identities ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
UPDATE oct_identities SET key_id = (
    SELECT k.id FROM oct_identity_keys k WHERE k.server = oct_identities.server AND k.identity_id = oct_identities.identity_id);
CREATE UNIQUE INDEX oct_identities_key ON oct_identities(scan_id, key_id);

-- The subject whose edges this subject has: itself when derived, the row it was copied from
-- (transitively) when carried over.
ALTER TABLE derived_subjects ADD COLUMN edges_subject INTEGER NOT NULL DEFAULT 0;
UPDATE derived_subjects SET edges_subject = id;
CREATE INDEX derived_subjects_edges ON derived_subjects(scan_id, edges_subject);

DROP VIEW deployable_by;
DROP VIEW trust_graph;

CREATE TABLE trust_edges_new (
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,  -- the scan that derived it
    subject_id   INTEGER NOT NULL,        -- derived_subjects.edges_subject of the subjects it serves
    identity_key INTEGER NOT NULL,        -- oct_identity_keys.id: the identity that accepts it
    match_kind   INTEGER NOT NULL CHECK (match_kind IN (0, 1, 2)),   -- 0 exact, 1 pattern, 2 overlap
    in_use       INTEGER NOT NULL,        -- the job's login (or the caller's input) names the account
    PRIMARY KEY (subject_id, identity_key)
) WITHOUT ROWID;
INSERT OR IGNORE INTO trust_edges_new (scan_id, subject_id, identity_key, match_kind, in_use)
SELECT e.scan_id, e.subject_id, i.key_id, e.match_kind, e.in_use
FROM trust_edges e JOIN oct_identities i ON i.id = e.identity_ref
ORDER BY e.subject_id, i.key_id;
DROP TABLE trust_edges;
ALTER TABLE trust_edges_new RENAME TO trust_edges;
CREATE INDEX trust_edges_identity ON trust_edges(identity_key, subject_id);

CREATE VIEW trust_graph AS
SELECT s.repository, s.file, s.job, s.trigger, s.subject, i.server, i.account_id, a.external_id,
       a.username AS service_account, i.identity_id, i.name AS identity_name, i.subject AS identity_subject,
       i.issuer AS identity_issuer, i.audience AS identity_audience,
       CASE e.match_kind WHEN 0 THEN 'exact' WHEN 1 THEN 'pattern' ELSE 'overlap' END AS match_kind,
       CASE WHEN e.in_use THEN 'in use' ELSE 'possible' END AS status,
       s.environment, s.gate, s.called_file, s.called_job,
       COALESCE(s.reason, '') || COALESCE('; ' || s.note, '') AS reason,
       COALESCE(s.via_json, '[]') AS via,
       s.reachable_by, s.reachable_reason
FROM derived_subjects s
JOIN trust_edges e ON e.subject_id = s.edges_subject
JOIN oct_identities i ON i.scan_id = s.scan_id AND i.key_id = e.identity_key
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
-- Both sides are filtered on the scan, so a query that names a job (or an identity) starts from
-- that side's index instead of walking every edge.
WHERE s.scan_id = current_scan() AND i.scan_id = current_scan();

CREATE VIEW deployable_by AS
SELECT COALESCE(t.service_account, t.account_id) AS service_account, t.external_id, t.server,
       t.repository, t.file AS workflow, t.job, group_concat(DISTINCT t.trigger) AS triggers,
       t.environment, t.gate, MAX(t.status = 'in use') AS in_use,
       CASE MIN(CASE t.reachable_by WHEN 'anyone' THEN 0 WHEN 'read' THEN 1 WHEN 'write' THEN 2 WHEN 'merge' THEN 3 ELSE 4 END)
            WHEN 0 THEN 'anyone' WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 3 THEN 'merge' ELSE 'approve' END AS reachable_by
FROM trust_graph t
GROUP BY t.server, t.account_id, t.repository, t.file, t.job, t.environment, t.gate;
