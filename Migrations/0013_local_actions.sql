-- trustaudit schema, part 13: local actions (`uses: ./path`) read with the workflows that use them.
--
-- A scan now stores, beside each repository's workflow files, the `action.yml` of every local
-- action those workflows (or the composite actions among them) use. They are kept in
-- `scan_workflow_files` with `kind = 'action'` so content is stored, parsed and pruned like any
-- workflow; the workflow views skip them. A composite action's steps are `wf_steps` rows with
-- job_key '' (an action has no jobs).

ALTER TABLE scan_workflow_files ADD COLUMN kind TEXT NOT NULL DEFAULT 'workflow' CHECK (kind IN ('workflow', 'action'));

CREATE TABLE wf_actions (
    doc    INTEGER PRIMARY KEY,
    "using" TEXT
);

DROP VIEW outsider_inputs;
DROP VIEW steps;
DROP VIEW workflows;

CREATE VIEW workflows AS
SELECT r.full_name AS repository, f.path AS file, f.blob_hash,
       d.name, COALESCE(f.read_error, d.parse_error) AS parse_error, d.error_line,
       d.permissions_kind, d.permissions_line, d.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
LEFT JOIN wf_documents d ON d.doc = f.doc
WHERE f.scan_id = current_scan() AND f.kind = 'workflow';

CREATE VIEW steps AS
SELECT r.full_name AS repository, f.path AS file, s.job_key AS job, s.step_index, s.step_id,
       s.name, s.line, s.uses,
       CASE WHEN s.uses_owner IS NOT NULL THEN s.uses_owner || '/' || s.uses_repo END AS action,
       s.uses_owner, s.uses_repo, s.uses_path, s.uses_ref, s.ref_kind, s.run, s.with_json, s.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_steps s ON s.doc = f.doc
WHERE f.scan_id = current_scan() AND f.kind = 'workflow';

CREATE VIEW outsider_inputs AS
SELECT r.full_name AS repository, f.path AS file, i.job_key AS job, i.step_index, i.line, i.kind, i.context, i.field,
       i.expression
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_step_inputs i ON i.doc = f.doc
WHERE f.scan_id = current_scan() AND f.kind = 'workflow';

-- `directory` is the folder as a step's `uses:` names it, without `./` and a trailing `/`.
CREATE VIEW local_actions AS
SELECT r.full_name AS repository, f.path AS file,
       substr(f.path, 1, length(f.path) - length(CASE WHEN f.path LIKE '%/action.yaml' THEN '/action.yaml' ELSE '/action.yml' END)) AS directory,
       d.name, a."using" AS "using",
       COALESCE(f.read_error, d.parse_error) AS error,
       (SELECT count(*) FROM wf_steps s WHERE s.doc = f.doc) AS step_count
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
LEFT JOIN wf_documents d ON d.doc = f.doc
LEFT JOIN wf_actions a ON a.doc = f.doc
WHERE f.scan_id = current_scan() AND f.kind = 'action';

CREATE VIEW local_action_steps AS
SELECT r.full_name AS repository, f.path AS file,
       substr(f.path, 1, length(f.path) - length(CASE WHEN f.path LIKE '%/action.yaml' THEN '/action.yaml' ELSE '/action.yml' END)) AS directory,
       s.step_index, s.step_id, s.name, s.line, s.uses,
       CASE WHEN s.uses_owner IS NOT NULL THEN s.uses_owner || '/' || s.uses_repo END AS action,
       s.uses_owner, s.uses_repo, s.uses_path, s.uses_ref, s.ref_kind, s.run, s.with_json, s.env_json
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_steps s ON s.doc = f.doc
WHERE f.scan_id = current_scan() AND f.kind = 'action';
