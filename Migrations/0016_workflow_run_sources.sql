-- trustaudit schema, part 16: which workflows start a `workflow_run` workflow.
--
-- `workflows_json` holds the `workflows:` names under `on: workflow_run`, so reachability can tell
-- a run chained from a workflow outsiders start (a pull request from a fork, an issue comment)
-- from one chained from a push, which only writers can cause. Documents stored before this column
-- existed are parsed again (the parser's version changed with it).

ALTER TABLE wf_triggers ADD COLUMN workflows_json TEXT;
