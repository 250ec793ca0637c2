-- trustaudit schema, part 20: findings carried over by reference instead of copied.
--
-- Why: a rescan after a few repositories changed re-evaluates those and carries the earlier
-- scan's other findings over (migration 0011). Copied, the 56,000 findings of the
-- 10,000-repository benchmark cost a second and about 40 MB a night. A carried finding is now a
-- reference to the row an earlier scan stored (`carried_findings`); `findings.scan_id` is the
-- scan that stored the row. A scan's findings are its own rows and the rows it carries, which
-- `scan_findings` lists with `scan_id` the scan they belong to.

CREATE TABLE carried_findings (
    scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    finding_id INTEGER NOT NULL,            -- findings.id of a row another scan stored
    PRIMARY KEY (scan_id, finding_id)
) WITHOUT ROWID;

CREATE VIEW scan_findings AS
SELECT f.scan_id, f.id, f.fingerprint, f.policy, f.severity, f.category, f.title, f.message, f.resource, f.repository,
       f.file, f.line, f.job, f.service_account, f.evidence_json, f.waived, f.waiver_reason
FROM findings f
UNION ALL
SELECT c.scan_id, f.id, f.fingerprint, f.policy, f.severity, f.category, f.title, f.message, f.resource, f.repository,
       f.file, f.line, f.job, f.service_account, f.evidence_json, f.waived, f.waiver_reason
FROM carried_findings c JOIN findings f ON f.id = c.finding_id;

DROP VIEW findings_latest;
DROP VIEW drift_latest;

CREATE VIEW findings_latest AS
SELECT f.fingerprint, f.policy, f.severity, f.category, f.title, f.message, f.resource, f.repository, f.file,
       f.line, f.job, f.service_account, f.evidence_json, f.waived, f.waiver_reason
FROM scan_findings f
WHERE f.scan_id = (SELECT s.findings_scan_id FROM scans s
                   WHERE s.status = 'complete' AND s.data_scan_id = current_scan()
                   ORDER BY s.id DESC LIMIT 1);

CREATE VIEW drift_latest AS
WITH latest AS (SELECT findings_scan_id AS id FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1),
     previous AS (SELECT findings_scan_id AS id FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1 OFFSET 1)
SELECT 'introduced' AS change, f.policy, f.severity, f.repository, f.file, f.line, f.job, f.service_account, f.message, f.fingerprint
FROM scan_findings f
WHERE f.scan_id = (SELECT id FROM latest) AND (SELECT id FROM previous) IS NOT NULL
  AND f.fingerprint NOT IN (SELECT fingerprint FROM scan_findings WHERE scan_id = (SELECT id FROM previous))
UNION ALL
SELECT 'resolved', f.policy, f.severity, f.repository, f.file, f.line, f.job, f.service_account, f.message, f.fingerprint
FROM scan_findings f
WHERE f.scan_id = (SELECT id FROM previous)
  AND f.fingerprint NOT IN (SELECT fingerprint FROM scan_findings WHERE scan_id = (SELECT id FROM latest));
