-- trustaudit schema, part 23: `repository_reach` looks an account's names up only when asked.
--
-- Why: the view joined every row (150,000 in a snapshot of the 10,000-repository benchmark) to
-- its service account, and SQLite kept the join even for queries that read neither name, such
-- as service-account-shared counting each account's repositories (0.60 s, of which the join
-- 0.19 s). As scalar subqueries, the names cost nothing unless selected. Same columns, same rows
-- (`oct_service_accounts` holds one row per scan, server and account).

DROP VIEW repository_reach;

CREATE VIEW repository_reach AS
SELECT r.repository, r.server, r.account_id,
       (SELECT a.external_id FROM oct_service_accounts a
        WHERE a.scan_id = r.scan_id AND a.server = r.server AND a.account_id = r.account_id) AS external_id,
       (SELECT a.username FROM oct_service_accounts a
        WHERE a.scan_id = r.scan_id AND a.server = r.server AND a.account_id = r.account_id) AS service_account,
       CASE r.level WHEN 0 THEN 'anyone' WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 3 THEN 'merge' ELSE 'approve' END AS reachable_by
FROM derived_repository_reach r
WHERE r.scan_id = current_scan();
