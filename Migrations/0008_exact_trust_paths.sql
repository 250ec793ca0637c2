-- trustaudit schema, part 8: exact trust paths through reusable workflows and matrices.
--
-- Why: a reusable workflow's jobs run with the caller's repository, refs and triggers, and their
-- environment is often `${{ inputs.x }}` or `${{ matrix.x }}`. Deriving the exact subject needs
-- the called workflow's declared inputs (with their defaults) and the job's matrix, which the
-- facts did not keep, and every path needs its call chain. Documents parsed by an older parser
-- are parsed again (the parser version changed), so the new columns fill in on the next scan.

ALTER TABLE wf_triggers ADD COLUMN inputs_json TEXT;   -- workflow_call: name → {type, default, …} as written
ALTER TABLE wf_jobs ADD COLUMN matrix_json TEXT;       -- strategy.matrix as written (a mapping or an expression)

-- The callers on the way to the job presenting the subject, outermost first: a JSON array of
-- {"repository", "file", "job"}; NULL for a job of the entry workflow itself.
ALTER TABLE derived_subjects ADD COLUMN via_json TEXT;

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
       COALESCE(s.via_json, '[]') AS via
FROM trust_edges e
JOIN derived_subjects s ON s.id = e.subject_id
JOIN oct_identities i ON i.id = e.identity_ref
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
WHERE e.scan_id = current_scan() AND s.scan_id = current_scan() AND i.scan_id = current_scan();

CREATE VIEW deployable_by AS
SELECT COALESCE(t.service_account, t.account_id) AS service_account, t.external_id, t.server,
       t.repository, t.file AS workflow, t.job, group_concat(DISTINCT t.trigger) AS triggers,
       t.environment, t.gate, MAX(t.status = 'in use') AS in_use
FROM trust_graph t
GROUP BY t.server, t.account_id, t.repository, t.file, t.job, t.environment, t.gate;
