"""Compares trustaudit's and zizmor's findings on the same folder of repositories.

Called by scripts/compare-zizmor.sh with the work folder holding trustaudit.json (the scan's
findings with their structural `resource`), zizmor.json,
credential_jobs.json and oidc_jobs.json. trustaudit restricts these audits to jobs holding
deployment credentials, so zizmor's findings are compared on those jobs only (and on files with
such a job for file-level audits). Keys are the finding's place: file, job, step.
"""
import json
import re
import sys
from collections import defaultdict

work, details = sys.argv[1], sys.argv[2] == "1"
org = work.rstrip("/") + "/org/"


def load(name):
    with open(f"{work}/{name}") as handle:
        return json.load(handle)


def rows(name):
    data = load(name)
    return data if isinstance(data, list) else data.get("rows", [])


credential_jobs = {(r["repository"], r["file"], r["job"]) for r in rows("credential_jobs.json")}
oidc_jobs = {(r["repository"], r["file"], r["job"]) for r in rows("oidc_jobs.json")}
credential_files = {(r, f) for r, f, _ in credential_jobs}

trust = defaultdict(set)
for finding in rows("trustaudit.json"):
    policy, repo, file, job = finding["policy"], finding["repository"], finding["file"], finding["job"]
    match = re.search(r"\.steps\[(\d+)\]", finding.get("resource") or "")
    step = int(match.group(1)) if match else None
    if policy == "oidc-action-unpinned":
        trust[policy].add((repo, file, job, step if step is not None else "uses"))
    elif policy in ("oidc-template-injection", "oidc-artipacked", "oidc-cache-poisoning", "oidc-github-env"):
        trust[policy].add((repo, file, job, step))
    elif policy in ("oidc-dangerous-trigger", "id-token-workflow-level"):
        trust[policy].add((repo, file))
    elif policy in ("oidc-secrets-inherit", "permissions-undeclared"):
        trust[policy].add((repo, file, job))


def place(finding):
    """(repository, file, route) of zizmor's primary location."""
    for location in finding["locations"]:
        symbolic = location["symbolic"]
        if symbolic["kind"] != "Primary":
            continue
        path = symbolic["key"]["Local"].get("verbatim_path") or symbolic["key"]["Local"].get("given_path", "")
        relative = path.split(org, 1)[-1]
        parts = relative.split("/")
        route = [next(iter(part.values())) for part in symbolic["route"]["route"]]
        return "/".join(parts[:2]), "/".join(parts[2:]), route, symbolic.get("annotation", "")
    return None


zizmor = defaultdict(set)
for finding in load("zizmor.json"):
    located = place(finding)
    if not located:
        continue
    repo, file, route, annotation = located
    ident = finding["ident"]
    job = route[1] if len(route) > 1 and route[0] == "jobs" else None
    step = route[3] if len(route) > 3 and route[2] == "steps" else None
    if ident == "unpinned-uses" and (repo, file, job) in oidc_jobs:
        zizmor["oidc-action-unpinned"].add((repo, file, job, step if step is not None else "uses"))
    elif ident == "template-injection" and (repo, file, job) in credential_jobs:
        zizmor["oidc-template-injection"].add((repo, file, job, step))
    elif ident == "artipacked" and (repo, file, job) in credential_jobs:
        zizmor["oidc-artipacked"].add((repo, file, job, step))
    elif ident == "cache-poisoning" and (repo, file, job) in credential_jobs:
        zizmor["oidc-cache-poisoning"].add((repo, file, job, step))
    elif ident == "github-env" and (repo, file, job) in credential_jobs:
        zizmor["oidc-github-env"].add((repo, file, job, step))
    elif ident == "secrets-inherit" and (repo, file, job) in credential_jobs:
        zizmor["oidc-secrets-inherit"].add((repo, file, job))
    elif ident == "dangerous-triggers" and (repo, file) in credential_files:
        zizmor["oidc-dangerous-trigger"].add((repo, file))
    elif ident == "excessive-permissions" and route[:2] == ["permissions", "id-token"]:
        zizmor["id-token-workflow-level"].add((repo, file))
    elif ident == "excessive-permissions" and job and "default permissions" in annotation:
        zizmor["permissions-undeclared"].add((repo, file, job))

pairs = [
    ("oidc-action-unpinned", "unpinned-uses", "step in a job with id-token: write"),
    ("oidc-dangerous-trigger", "dangerous-triggers", "file with a credential job"),
    ("id-token-workflow-level", "excessive-permissions (id-token at workflow level)", "file"),
    ("permissions-undeclared", "excessive-permissions (default permissions)", "job"),
    ("oidc-template-injection", "template-injection", "step in a credential job"),
    ("oidc-artipacked", "artipacked", "step in a credential job"),
    ("oidc-cache-poisoning", "cache-poisoning", "step in a credential job"),
    ("oidc-secrets-inherit", "secrets-inherit", "job holding or handing on credentials"),
    ("oidc-github-env", "github-env", "step in a credential job"),
]
print(f"{'trustaudit policy':26} {'zizmor audit':52} {'unit':38} {'both':>5} {'only ta':>8} {'only zz':>8} {'agree':>6}")
for policy, audit, unit in pairs:
    ours, theirs = trust[policy], zizmor[policy]
    both, union = ours & theirs, ours | theirs
    agreement = f"{100 * len(both) / len(union):.0f}%" if union else "-"
    print(f"{policy:26} {audit:52} {unit:38} {len(both):5} {len(ours - theirs):8} {len(theirs - ours):8} {agreement:>6}")
    if details:
        for key in sorted(ours - theirs, key=str):
            print(f"    only trustaudit: {key}")
        for key in sorted(theirs - ours, key=str):
            print(f"    only zizmor:     {key}")
