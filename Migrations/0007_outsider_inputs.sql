-- trustaudit schema, part 7: what outsiders can start and where their input runs.
--
-- `outsider_triggers` lists the events someone without write access can cause; `outsider_inputs`
-- lists, per step, where input such a person chooses is run (an attacker-controlled context
-- expanded into a script, or a checkout of the pull request's code). Both are shared by the
-- template-injection and untrusted-checkout policies and by the trust graph's reachability.

-- Found by the parser (WorkflowParser version 2), one row per occurrence, keyed like wf_steps.
CREATE TABLE wf_step_inputs (
    doc        INTEGER NOT NULL,
    job_key    TEXT NOT NULL,
    step_index INTEGER NOT NULL,
    ordinal    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('template-injection', 'untrusted-checkout')),
    context    TEXT NOT NULL,
    field      TEXT NOT NULL,
    line       INTEGER,
    expression TEXT,
    PRIMARY KEY (doc, job_key, step_index, ordinal)
) WITHOUT ROWID;

-- Documents parsed by version 1 have no rows here: they are parsed again when next seen, and
-- until then their jobs simply show no outsider input.

CREATE VIEW outsider_triggers (name, reason, direct) AS
VALUES
  ('pull_request_target', 'runs for pull requests from forks, with the base repository''s token, secrets and OIDC permission', 1),
  ('issue_comment', 'anyone who can comment on an issue or pull request starts it (any GitHub user on a public repository)', 1),
  ('issues', 'anyone who can open or edit an issue starts it (any GitHub user on a public repository)', 1),
  ('discussion', 'anyone who can start or edit a discussion starts it', 1),
  ('discussion_comment', 'anyone who can comment on a discussion starts it', 1),
  ('pull_request_review', 'anyone who can review a pull request starts it, including on pull requests from forks', 1),
  ('pull_request_review_comment', 'anyone who can comment on a pull request''s diff starts it', 1),
  ('fork', 'anyone who can read the repository can fork it', 1),
  ('watch', 'anyone who can read the repository can star it', 1),
  ('gollum', 'anyone allowed to edit the wiki starts it (on public repositories, by default any GitHub user)', 1),
  ('workflow_run', 'runs with the base repository''s token and secrets after another workflow completes; dangerous when that workflow runs for pull requests (including from forks) or for one of the events above, which the triggering run''s artifacts, branch name and commit message carry over', 0);

CREATE VIEW outsider_inputs AS
SELECT r.full_name AS repository, f.path AS file, i.job_key AS job, i.step_index, i.line, i.kind, i.context, i.field,
       i.expression
FROM scan_workflow_files f
JOIN scan_repositories r ON r.id = f.repository_id
JOIN wf_step_inputs i ON i.doc = f.doc
WHERE f.scan_id = current_scan();
