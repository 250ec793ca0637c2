#!/usr/bin/env bash
# Renders an HTML audit report in headless Chromium and checks that it really rendered:
# the summary table is in the DOM, the hostile names of the fixture are in it as text (escaped
# in the markup), and no injected script ran. Exits 0 with "skipped: no chromium" when no
# browser is installed.
#
# Usage: scripts/check-html-report.sh [REPORT.html]
#   Without an argument, builds trustaudit, scans a small fixture whose job key and Octopus
#   identity name contain <script>alert(1)</script>, quotes and a newline, and checks its report.
#   Env: TRUSTAUDIT (the executable; default .build/debug/trustaudit after `swift build`),
#        KEEP=1 keeps the work folder (screenshot.png, dom.html) and prints its path.
set -euo pipefail

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ]; then
    echo "skipped: no chromium"
    exit 0
fi

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/trustaudit-html-check.XXXXXX")
if [ "${KEEP:-0}" = "1" ]; then echo "work folder: $work"; else trap 'rm -rf "$work"' EXIT; fi

fail() { echo "FAIL: $*" >&2; exit 1; }

if [ $# -ge 1 ]; then
    report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    hostile=0
else
    hostile=1
    exe=${TRUSTAUDIT:-}
    if [ -z "$exe" ]; then
        (cd "$root" && swift build --product trustaudit >/dev/null)
        exe="$root/.build/debug/trustaudit"
    fi
    org="$work/org/acme"
    mkdir -p "$org/app/.github/workflows" "$work/exports"
    cat > "$org/app/.github/workflows/deploy.yml" <<'YAML'
name: "<script>alert(1)</script> deploy"
on: push
permissions: write-all
jobs:
  "x<script>alert(1)</script>'\"q\"\nnext":
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: OctopusDeploy/login@v1
        with:
          server: https://acme.octopus.app
          service_account_id: 6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10
YAML
    cat > "$work/exports/octopus.json" <<'JSON'
{ "server": "https://acme.octopus.app",
  "users": { "Items": [ { "Id": "Users-42", "Username": "gh-<b>app</b>", "DisplayName": "x", "IsService": true,
                          "IsActive": true, "ServiceAccountType": "Standard" } ], "TotalResults": 1, "ItemsPerPage": 30 },
  "oidc_identities": { "Users-42": { "Count": 1, "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
    "ServerUrl": "https://acme.octopus.app",
    "OidcIdentities": [ { "Id": "ServiceAccountOidcIdentitys-5", "Name": "id <script>alert(1)</script> \"dq\" 'sq'\nline two",
      "ServiceAccountId": "Users-42", "Issuer": "https://token.actions.githubusercontent.com",
      "Subject": "repo:acme/app*", "Audience": null } ] } } }
JSON
    "$exe" scan "$org" --octopus "$work/exports/octopus.json" --db "$work/audit.db" >/dev/null 2>&1 || true
    "$exe" report --format html --db "$work/audit.db" --output "$work/report.html"
    report="$work/report.html"
fi
[ -s "$report" ] || fail "no report at $report"

flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run --disable-extensions
       --user-data-dir="$work/profile")
"$browser" "${flags[@]}" --window-size=1400,2000 --screenshot="$work/screenshot.png" "file://$report" >/dev/null 2>&1 \
    || fail "chromium could not take a screenshot"
[ -s "$work/screenshot.png" ] || fail "empty screenshot"
# --dump-dom prints the DOM after scripts ran: an executed alert() would not show there, so the
# page's own script marks the DOM; injected text must be text nodes, never elements.
"$browser" "${flags[@]}" --virtual-time-budget=3000 --dump-dom "file://$report" > "$work/dom.html" 2>/dev/null \
    || fail "chromium could not dump the DOM"

grep -q 'id="summary-table"' "$work/dom.html" || fail "the rendered DOM has no summary table"
grep -q '<svg class="chart"' "$work/dom.html" || fail "the rendered DOM has no trend chart"
grep -q 'id="filter-bar" class="filter">' "$work/dom.html" || fail "the filter script did not run (the filter bar is still hidden)"
[ "$(grep -o '<script' "$work/dom.html" | wc -l)" -eq 1 ] || fail "the DOM has a script element that is not the report's own"
if [ "$hostile" = 1 ]; then
    grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/dom.html" || fail "the injected text is not in the DOM as escaped text"
    grep -q '<script>alert' "$work/dom.html" && fail "an injected <script> became an element"
    grep -q '<b>app</b>' "$work/dom.html" && fail "an injected <b> became an element"
fi
echo "ok: $report rendered in $(basename "$browser") (screenshot $(wc -c < "$work/screenshot.png") bytes, DOM $(wc -c < "$work/dom.html") bytes)"
