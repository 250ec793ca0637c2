#!/usr/bin/env bash
# Runs trustaudit and zizmor on the shared corpus (../shared/corpus, laid out as one repository per
# OWNER__REPO) and prints, for every audit the two tools share, how many findings both report,
# how many only one does, and the disagreements. docs/accuracy.md records and explains the output.
#
#   scripts/compare-zizmor.sh [CORPUS_DIR] [--details]
#
# zizmor comes from PyPI (`pip install zizmor`); when it is not installed the comparison is
# skipped (exit 0 with a message). trustaudit is built with `swift build` if needed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$here/../shared/corpus"
details=0
for arg in "$@"; do
    case "$arg" in
        --details) details=1 ;;
        -*) echo "usage: $0 [CORPUS_DIR] [--details]" >&2; exit 2 ;;
        *) corpus="$arg" ;;
    esac
done
if ! command -v zizmor >/dev/null 2>&1; then
    echo "compare-zizmor: skipped (zizmor is not installed; pip install zizmor)"
    exit 0
fi
if [ ! -d "$corpus/general" ] && [ ! -d "$corpus/octopus" ]; then
    echo "compare-zizmor: skipped (no corpus at $corpus)"
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for set in general octopus; do
    [ -d "$corpus/$set" ] || continue
    for f in "$corpus/$set"/*.yml "$corpus/$set"/*.yaml; do
        [ -e "$f" ] || continue
        name="$(basename "$f")"
        owner="${name%%__*}"; rest="${name#*__}"; repo="${rest%%__*}"; file="${rest#*__}"
        mkdir -p "$work/org/$owner/$repo/.github/workflows"
        cp "$f" "$work/org/$owner/$repo/.github/workflows/$file"
    done
done
(cd "$here" && swift build -c debug >/dev/null)
trustaudit="$here/.build/debug/trustaudit"
# Exit 1 only says findings exist; anything else is a failure.
"$trustaudit" scan "$work/org" --db "$work/t.db" --format json --output "$work/report.json" 2>/dev/null || [ $? -eq 1 ]
"$trustaudit" query "SELECT policy, repository, file, job, resource FROM findings_latest" --db "$work/t.db" --format json > "$work/trustaudit.json"
"$trustaudit" query "SELECT DISTINCT repository, file, job FROM credential_jobs" --db "$work/t.db" --format json > "$work/credential_jobs.json"
"$trustaudit" query "SELECT DISTINCT repository, file, job FROM oidc_jobs" --db "$work/t.db" --format json > "$work/oidc_jobs.json"
echo "zizmor $(zizmor --version | awk '{print $2}'), trustaudit $("$trustaudit" --version 2>/dev/null || echo dev), $(find "$work/org" -name '*.y*ml' | wc -l | tr -d ' ') files"
zizmor --offline --persona regular --format json "$work/org" > "$work/zizmor.json" 2>/dev/null || true
python3 "$here/scripts/compare_zizmor.py" "$work" "$details"
