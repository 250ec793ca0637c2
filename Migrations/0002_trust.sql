-- trustaudit schema, part 2: GitHub settings, Octopus identities, and the derived trust graph.
--
-- Everything here is per scan: settings and identities are small next to workflows, and keeping
-- them per snapshot is what lets drift compare two scans. What an input said is stored as read;
-- `input_documents` and `input_problems` record what could not be read, so coverage is data.

-- Every settings or Octopus document a scan was given, and whether it could be used.
CREATE TABLE scan_inputs (
    id        INTEGER PRIMARY KEY,
    scan_id   INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('github-settings', 'octopus')),
    document  TEXT NOT NULL,
    subject   TEXT,            -- repository, organization or Octopus server the document describes
    blob_hash TEXT REFERENCES blobs(hash),  -- the document's bytes, stored once, kept as evidence
    error     TEXT             -- set when the document could not be used at all
);
CREATE INDEX scan_inputs_scan ON scan_inputs(scan_id);

-- Problems inside documents that were otherwise used (a wrong shape, a duplicate id, …).
CREATE TABLE scan_input_problems (
    scan_id   INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    document  TEXT NOT NULL,
    path      TEXT NOT NULL,
    message   TEXT NOT NULL
);

CREATE TABLE gh_organizations (
    scan_id                      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    organization                 TEXT NOT NULL,
    subject_use_default          INTEGER,
    subject_claim_keys_json      TEXT,
    default_workflow_permissions TEXT,
    PRIMARY KEY (scan_id, organization)
);

-- Per repository: what the settings export said. NULL means "not collected", never "none".
CREATE TABLE gh_repositories (
    scan_id                      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository                   TEXT NOT NULL,
    owner_id                     INTEGER,
    repository_id                INTEGER,
    visibility                   TEXT,
    default_branch               TEXT,
    environments_collected       INTEGER NOT NULL DEFAULT 0,
    subject_use_default          INTEGER,
    subject_claim_keys_json      TEXT,
    subject_use_immutable        INTEGER,
    subject_prefix               TEXT,
    subject_template_json        TEXT,   -- the effective claim keys (repo, else org, else default)
    subject_template_origin      TEXT,
    default_workflow_permissions TEXT,
    can_approve_pull_requests    INTEGER,
    PRIMARY KEY (scan_id, repository)
);

CREATE INDEX gh_repositories_name ON gh_repositories(scan_id, lower(repository));

CREATE TABLE gh_environments (
    scan_id                INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository             TEXT NOT NULL,
    name                   TEXT NOT NULL,
    can_admins_bypass      INTEGER,
    reviewers_json         TEXT,          -- NULL: no required-reviewers rule
    reviewer_count         INTEGER NOT NULL DEFAULT 0,
    prevent_self_review    INTEGER,
    wait_timer             INTEGER,
    branch_policy          TEXT CHECK (branch_policy IN ('all', 'protected', 'custom', 'protected+custom')),
    other_rules_json       TEXT,          -- custom deployment protection rules (apps)
    PRIMARY KEY (scan_id, repository, name)
);

CREATE INDEX gh_environments_name ON gh_environments(scan_id, lower(repository), lower(name));

CREATE TABLE gh_environment_branch_policies (
    scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository  TEXT NOT NULL,
    environment TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL
);
CREATE INDEX gh_environment_branch_policies_env ON gh_environment_branch_policies(scan_id, repository, environment);

CREATE TABLE oct_instances (
    scan_id   INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server    TEXT NOT NULL,
    document  TEXT NOT NULL,
    PRIMARY KEY (scan_id, server)
);

CREATE TABLE oct_service_accounts (
    scan_id              INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server               TEXT NOT NULL,
    account_id           TEXT NOT NULL,   -- Users-N, used in API paths
    external_id          TEXT,            -- the GUID workflows name as service_account_id
    username             TEXT,
    display_name         TEXT,
    is_active            INTEGER,
    api_keys_exported    INTEGER NOT NULL DEFAULT 0,
    permissions_exported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scan_id, server, account_id)
);
CREATE INDEX oct_service_accounts_external ON oct_service_accounts(scan_id, lower(external_id));

CREATE TABLE oct_identities (
    scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server      TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    name        TEXT,
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    audience    TEXT,                     -- NULL: the account's ExternalId; '' is broken
    PRIMARY KEY (scan_id, server, identity_id)
);

CREATE INDEX oct_identities_account ON oct_identities(scan_id, server, account_id);

CREATE TABLE oct_api_keys (
    scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    purpose    TEXT,
    created    TEXT,
    expires    TEXT
);

CREATE TABLE oct_permissions (
    scan_id                      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server                       TEXT NOT NULL,
    account_id                   TEXT NOT NULL,
    level                        TEXT NOT NULL CHECK (level IN ('system', 'space')),
    permission                   TEXT NOT NULL,
    space_id                     TEXT,
    restricted_environments_json TEXT,
    restricted_projects_json     TEXT,
    restricted_other_json        TEXT
);

CREATE TABLE oct_teams (
    scan_id    INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    server     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    name       TEXT
);

-- Derived: the `sub` values each job can present (concrete, or a pattern with `*`/`?`).
CREATE TABLE derived_subjects (
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository   TEXT NOT NULL,
    file         TEXT NOT NULL,
    job          TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    is_pattern   INTEGER NOT NULL,
    environment  TEXT,
    id_token     TEXT NOT NULL,           -- the job's job_tokens.id_token when derived
    reason       TEXT
);
CREATE INDEX derived_subjects_job ON derived_subjects(scan_id, repository, file, job);

-- Derived: every (job, environment) that gates a token-minting job or an Octopus login. A job in
-- a reusable workflow (`on: workflow_call` only) is listed under each caller in the scan, with
-- `${{ inputs.NAME }}` resolved from the caller's `with:` where the caller passes a literal.
CREATE TABLE derived_job_environments (
    scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository  TEXT NOT NULL,
    file        TEXT NOT NULL,
    job         TEXT NOT NULL,
    line        INTEGER,
    written     TEXT NOT NULL,      -- the environment as written (or as passed by the caller)
    environment TEXT,               -- the literal name; NULL when decided at run time
    dynamic     INTEGER NOT NULL,
    via         TEXT,               -- `uses` of the reusable workflow and its job, for callers
    minting     INTEGER NOT NULL,   -- the job can mint OIDC tokens
    logs_in     INTEGER NOT NULL    -- the job (or the called job) runs OctopusDeploy/login
);
CREATE INDEX derived_job_environments_job ON derived_job_environments(scan_id, repository, file, job);

-- Derived: job → Octopus identity it can obtain a token through.
CREATE TABLE trust_edges (
    scan_id      INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    repository   TEXT NOT NULL,
    file         TEXT NOT NULL,
    job          TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    server       TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    external_id  TEXT,
    identity_id  TEXT NOT NULL,
    match_kind   TEXT NOT NULL CHECK (match_kind IN ('exact', 'pattern', 'overlap')),
    status       TEXT NOT NULL CHECK (status IN ('possible', 'in use')),
    environment  TEXT,
    gate         TEXT NOT NULL,           -- the environment's protection in words, or 'none'
    called_file  TEXT,                    -- for a reusable-workflow call: the called workflow
    called_job   TEXT,                    -- and its job that presents the subject
    reason       TEXT
);
CREATE INDEX trust_edges_account ON trust_edges(scan_id, server, account_id);
CREATE INDEX trust_edges_job ON trust_edges(scan_id, repository, file, job);
CREATE INDEX trust_edges_identity ON trust_edges(scan_id, server, identity_id);

-- ---------------------------------------------------------------------------------------------
-- Documented views (scoped to current_scan()).
-- ---------------------------------------------------------------------------------------------

CREATE VIEW github_organizations AS
SELECT organization, subject_use_default, subject_claim_keys_json, default_workflow_permissions
FROM gh_organizations WHERE scan_id = current_scan();

CREATE VIEW github_repositories AS
SELECT repository, owner_id, repository_id, visibility, default_branch, environments_collected,
       subject_use_default, subject_claim_keys_json, subject_use_immutable, subject_prefix,
       subject_template_json, subject_template_origin, default_workflow_permissions, can_approve_pull_requests
FROM gh_repositories WHERE scan_id = current_scan();

CREATE VIEW environments AS
SELECT repository, name AS environment, can_admins_bypass, reviewers_json, reviewer_count,
       prevent_self_review, wait_timer, branch_policy, other_rules_json
FROM gh_environments WHERE scan_id = current_scan();

CREATE VIEW environment_branch_policies AS
SELECT repository, environment, name, type
FROM gh_environment_branch_policies WHERE scan_id = current_scan();

CREATE VIEW service_accounts AS
SELECT server, account_id, external_id, username, display_name, is_active, api_keys_exported, permissions_exported,
       (SELECT COUNT(*) FROM oct_identities i WHERE i.scan_id = a.scan_id AND i.server = a.server AND i.account_id = a.account_id) AS identity_count
FROM oct_service_accounts a WHERE scan_id = current_scan();

CREATE VIEW oidc_identities AS
SELECT i.server, i.account_id, a.external_id, a.username, i.identity_id, i.name, i.issuer, i.subject, i.audience,
       COALESCE(i.audience, a.external_id) AS effective_audience
FROM oct_identities i
LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
WHERE i.scan_id = current_scan();

CREATE VIEW octopus_api_keys AS
SELECT k.server, k.account_id, a.external_id, a.username, k.key_id, k.purpose, k.created, k.expires
FROM oct_api_keys k
LEFT JOIN oct_service_accounts a ON a.scan_id = k.scan_id AND a.server = k.server AND a.account_id = k.account_id
WHERE k.scan_id = current_scan();

CREATE VIEW octopus_permissions AS
SELECT p.server, p.account_id, a.external_id, a.username, p.level, p.permission, p.space_id,
       p.restricted_environments_json, p.restricted_projects_json, p.restricted_other_json
FROM oct_permissions p
LEFT JOIN oct_service_accounts a ON a.scan_id = p.scan_id AND a.server = p.server AND a.account_id = p.account_id
WHERE p.scan_id = current_scan();

CREATE VIEW job_subjects AS
SELECT repository, file, job, trigger, subject, is_pattern, environment, id_token, reason
FROM derived_subjects WHERE scan_id = current_scan();

CREATE VIEW job_environments AS
SELECT repository, file, job, line, written, environment, dynamic, via, minting, logs_in
FROM derived_job_environments WHERE scan_id = current_scan();

CREATE VIEW trust_graph AS
SELECT e.repository, e.file, e.job, e.trigger, e.subject, e.server, e.account_id, e.external_id,
       a.username AS service_account, e.identity_id, i.name AS identity_name, i.subject AS identity_subject,
       i.issuer AS identity_issuer, i.audience AS identity_audience,
       e.match_kind, e.status, e.environment, e.gate, e.called_file, e.called_job, e.reason
FROM trust_edges e
LEFT JOIN oct_service_accounts a ON a.scan_id = e.scan_id AND a.server = e.server AND a.account_id = e.account_id
LEFT JOIN oct_identities i ON i.scan_id = e.scan_id AND i.server = e.server AND i.identity_id = e.identity_id
WHERE e.scan_id = current_scan();

-- What the scan could and could not read: one row per input document, plus problems inside them.
CREATE VIEW coverage AS
SELECT kind, document, subject, CASE WHEN error IS NULL THEN 'read' ELSE 'unreadable' END AS status,
       error AS detail
FROM scan_inputs WHERE scan_id = current_scan()
UNION ALL
SELECT kind, document, NULL, 'problem', path || ': ' || message
FROM scan_input_problems WHERE scan_id = current_scan();
