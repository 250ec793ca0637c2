-- trustaudit schema, part 22: repositories found by name across snapshots.
--
-- Why: policies join the documented views on `repository`, and a rescan narrows them to the
-- repositories that changed by name (see ScopedViews). The only index on names started with
-- `scan_id`, so a lookup by name alone probed every snapshot, and SQLite preferred walking all of
-- a snapshot's 29,000 workflow files over it. With this index the repositories' policies of a
-- 1%-changed rescan of the 10,000-repository benchmark took 0.8 s instead of 2.2 s, and a full
-- evaluation 9.8 s instead of 12.9 s (sum of the queries on one connection), with the same rows.

CREATE INDEX scan_repositories_full_name ON scan_repositories(full_name, scan_id);
