#!/usr/bin/env bash
# Builds trustaudit-bench in release mode, generates the synthetic organization and runs every
# scenario: cold scan, unchanged rescan, 30 unchanged nightly rescans (database growth), zizmor on
# the same files, a rescan after 1% of the workflow files changed, and a live GitHub collection of
# as many repositories (cold, then nightly unchanged) against a loopback GitHub with 50 ms latency.
#
#   Benchmarks/run.sh [--repos N] [--seed S] [--work DIR] [--nightly N] [--no-zizmor] [--no-collect] [--exclude-policies id,id]
#
# Results: Markdown on stdout and in WORK/results.md, raw figures in WORK/results.json and
# WORK/collect.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
repos=10000
seed=1
work=/tmp/trustaudit-bench
nightly=30
use_zizmor=1
use_collect=1
exclude_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --repos) repos="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --nightly) nightly="$2"; shift 2 ;;
        --no-zizmor) use_zizmor=0; shift ;;
        --no-collect) use_collect=0; shift ;;
        --exclude-policies) exclude_args=(--exclude-policies "$2"); shift 2 ;;
        *) echo "usage: $0 [--repos N] [--seed S] [--work DIR] [--nightly N] [--no-zizmor] [--no-collect] [--exclude-policies id,id]" >&2; exit 2 ;;
    esac
done

cd "$root"
echo "== building trustaudit-bench (release; scratch path Benchmarks/.build)" >&2
swift build -c release --scratch-path "$here/.build" --product trustaudit-bench >&2
if [ "$use_collect" = 1 ]; then
    swift build -c release --scratch-path "$here/.build" --product trustaudit-collect-bench >&2
fi
bins="$(swift build -c release --scratch-path "$here/.build" --show-bin-path)"
bin="$bins/trustaudit-bench"

zizmor_args=()
if [ "$use_zizmor" = 1 ]; then
    if [ ! -x "$here/.venv/bin/zizmor" ]; then
        echo "== installing zizmor into Benchmarks/.venv" >&2
        if ! { python3 -m venv "$here/.venv" && "$here/.venv/bin/pip" install --quiet zizmor; } >&2; then
            echo "zizmor could not be installed; the comparison is skipped" >&2
        fi
    fi
    if [ -x "$here/.venv/bin/zizmor" ]; then
        echo "== $("$here/.venv/bin/zizmor" --version)" >&2
        zizmor_args=(--zizmor "$here/.venv/bin/zizmor")
    fi
fi

echo "== generating $repos repositories (seed $seed) in $work" >&2
mkdir -p "$work"
"$bin" generate --repos "$repos" --out "$work" --seed "$seed" >&2

echo "== running" >&2
"$bin" run --dir "$work" --seed "$seed" --nightly "$nightly" \
    --json "$work/results.json" --markdown "$work/results.md" "${zizmor_args[@]}" "${exclude_args[@]}"

if [ "$use_collect" = 1 ]; then
    echo "== live collection of $repos repositories (loopback GitHub, 50 ms latency)" >&2
    {
        echo
        echo "### Live collection ($repos repositories, 50 ms latency, 8 in flight, GraphQL batches of 25)"
        echo
        "$bins/trustaudit-collect-bench" --repos "$repos" --json "$work/collect.json"
    } | tee -a "$work/results.md"
fi
