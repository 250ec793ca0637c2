-- trustaudit schema, part 3: views that answer common questions directly (see docs/schema.md).

-- The findings of the scan the views show (the latest complete scan unless chosen otherwise).
CREATE VIEW findings_latest AS
SELECT f.fingerprint, f.policy, f.severity, f.category, f.title, f.message, f.resource, f.repository, f.file,
       f.line, f.job, f.service_account, f.evidence_json, f.waived, f.waiver_reason
FROM findings f
WHERE f.scan_id = (SELECT s.findings_scan_id FROM scans s
                   WHERE s.status = 'complete' AND s.data_scan_id = current_scan()
                   ORDER BY s.id DESC LIMIT 1);

-- Findings introduced or resolved between the two latest complete scans, by fingerprint.
CREATE VIEW drift_latest AS
WITH latest AS (SELECT findings_scan_id AS id FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1),
     previous AS (SELECT findings_scan_id AS id FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1 OFFSET 1)
SELECT 'introduced' AS change, f.policy, f.severity, f.repository, f.file, f.line, f.job, f.service_account, f.message, f.fingerprint
FROM findings f
WHERE f.scan_id = (SELECT id FROM latest) AND (SELECT id FROM previous) IS NOT NULL
  AND f.fingerprint NOT IN (SELECT fingerprint FROM findings WHERE scan_id = (SELECT id FROM previous))
UNION ALL
SELECT 'resolved', f.policy, f.severity, f.repository, f.file, f.line, f.job, f.service_account, f.message, f.fingerprint
FROM findings f
WHERE f.scan_id = (SELECT id FROM previous)
  AND f.fingerprint NOT IN (SELECT fingerprint FROM findings WHERE scan_id = (SELECT id FROM latest));

-- Who can deploy with each Octopus service account: one row per account and job, with the
-- environment gate in between and whether the job's login really names the account.
CREATE VIEW deployable_by AS
SELECT COALESCE(t.service_account, t.account_id) AS service_account, t.external_id, t.server,
       t.repository, t.file AS workflow, t.job, group_concat(DISTINCT t.trigger) AS triggers,
       t.environment, t.gate, MAX(t.status = 'in use') AS in_use
FROM trust_graph t
GROUP BY t.server, t.account_id, t.repository, t.file, t.job, t.environment, t.gate;

-- Octopus teams each service account belongs to (when permissions were exported).
CREATE VIEW octopus_teams AS
SELECT t.server, t.account_id, a.external_id, a.username, t.team_id, t.name
FROM oct_teams t
LEFT JOIN oct_service_accounts a ON a.scan_id = t.scan_id AND a.server = t.server AND a.account_id = t.account_id
WHERE t.scan_id = current_scan();
