-- trustaudit schema, part 12: who can obtain each service account's token (`reachable_by`).
--
-- Why: a trust path says which workflow can obtain a token; an auditor also asks who can make it
-- run with code of their choosing. That depends on what protects the refs a subject names
-- (branch rules, tag rulesets, classic branch protection), which the settings exports now carry,
-- and on triggers outsiders can fire with input they control (`outsider_triggers`,
-- `outsider_inputs`). Levels, worst first: anyone, read, write, merge, approve.

-- What protects a branch or a set of tags, per repository, as the settings export said. A
-- branch absent here (while `branch_rules_collected`) is a branch nothing protects.
CREATE TABLE gh_ref_rules (
    scan_id            INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository         TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('branch', 'tag')),
    name               TEXT NOT NULL,      -- the branch, or the tag ruleset's include patterns
    source             TEXT NOT NULL,      -- rules | classic | rules+classic
    is_protected       INTEGER NOT NULL,
    required_approvals INTEGER,            -- NULL: no pull-request rule (or its details not exported)
    restricts_updates  INTEGER NOT NULL,
    restricts_creation INTEGER NOT NULL,
    rule_types_json    TEXT,
    include_json       TEXT,               -- tag rulesets: ref_name.include / exclude
    exclude_json       TEXT
);
CREATE INDEX gh_ref_rules_repository ON gh_ref_rules(scan_id, repository);

ALTER TABLE gh_repositories ADD COLUMN branch_rules_collected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gh_repositories ADD COLUMN tag_rules_collected INTEGER NOT NULL DEFAULT 0;

ALTER TABLE derived_subjects ADD COLUMN reachable_by TEXT
    CHECK (reachable_by IN ('anyone', 'read', 'write', 'merge', 'approve'));
ALTER TABLE derived_subjects ADD COLUMN reachable_reason TEXT;

-- Per service account: the lowest level over its trust paths and over what its GitHub
-- identities' subjects accept (a writer can add a workflow of their own on a new branch).
CREATE TABLE derived_account_reach (
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server       TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    reachable_by TEXT NOT NULL CHECK (reachable_by IN ('anyone', 'read', 'write', 'merge', 'approve')),
    reason       TEXT NOT NULL,
    PRIMARY KEY (scan_id, server, account_id)
);

DROP VIEW deployable_by;
DROP VIEW trust_graph;

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
FROM trust_edges e
JOIN derived_subjects s ON s.id = e.subject_id
JOIN oct_identities i ON i.id = e.identity_ref
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
WHERE e.scan_id = current_scan() AND s.scan_id = current_scan() AND i.scan_id = current_scan();

CREATE VIEW deployable_by AS
SELECT COALESCE(t.service_account, t.account_id) AS service_account, t.external_id, t.server,
       t.repository, t.file AS workflow, t.job, group_concat(DISTINCT t.trigger) AS triggers,
       t.environment, t.gate, MAX(t.status = 'in use') AS in_use,
       CASE MIN(CASE t.reachable_by WHEN 'anyone' THEN 0 WHEN 'read' THEN 1 WHEN 'write' THEN 2 WHEN 'merge' THEN 3 ELSE 4 END)
            WHEN 0 THEN 'anyone' WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 3 THEN 'merge' ELSE 'approve' END AS reachable_by
FROM trust_graph t
GROUP BY t.server, t.account_id, t.repository, t.file, t.job, t.environment, t.gate;

CREATE VIEW service_account_reach AS
SELECT r.server, r.account_id, a.external_id, a.username AS service_account, r.reachable_by, r.reason
FROM derived_account_reach r
LEFT JOIN oct_service_accounts a ON a.scan_id = r.scan_id AND a.server = r.server AND a.account_id = r.account_id
WHERE r.scan_id = current_scan();

CREATE VIEW ref_rules AS
SELECT repository, kind, name, source, is_protected, required_approvals, restricts_updates, restricts_creation,
       rule_types_json AS rule_types, include_json AS include_patterns, exclude_json AS exclude_patterns
FROM gh_ref_rules WHERE scan_id = current_scan();
