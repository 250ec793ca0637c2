-- trustaudit schema, part 7: what a scan's findings were evaluated against, for incremental evaluation.
--
-- `eval_base` is the hash of everything besides the repositories that decides findings: the
-- policies and their settings, the waivers, the parser and derivation versions, the organization
-- settings and the Octopus exports. A scan whose snapshot differs from the previous one only in
-- some repositories, and whose `eval_base` equals that scan's, re-runs repository-scoped policies
-- for those repositories only and carries the other findings over.
ALTER TABLE scans ADD COLUMN eval_base TEXT;
CREATE INDEX scans_eval_base ON scans(eval_base);
