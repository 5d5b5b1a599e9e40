#!/usr/bin/env bash
# Server-side render time of every dashboard page over a store holding 10,000 runs, as the
# dashboard reports it in its Server-Timing header (render;dur=MS), median of REQUESTS requests
# after one warm-up; the client-side total of curl over loopback is printed beside it.
#
#   benchmarks/dashboard_pages.sh [REQUESTS]        (default 7)
#   RINGMASTER=.build/debug/ringmaster benchmarks/dashboard_pages.sh   # skip the release build
#
# The store: 10,000 imported runs (`ringmaster bench store --search-runs 10000`: 10 params,
# 3 tags and 10 metrics each), two short digits trainings with full curves, a registered model
# with aliases, and a 200-trial function sweep. Prints one JSON object.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
REQUESTS="${1:-7}"

if [ -z "${RINGMASTER:-}" ]; then
    build_quietly -c release --product ringmaster
    RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dashboard-pages.XXXXXX")"
UI_PID=""
cleanup() {
    if [ -n "$UI_PID" ]; then kill -INT "$UI_PID" 2>/dev/null || true; wait "$UI_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
STORE="$WORK/store"
rm_() { "$RINGMASTER" "$@" --store "$STORE"; }

echo "filling the store ..." >&2
rm_ bench store --runs 1 --steps 10 --metrics 10 --search-runs 10000 --repeats 1 >/dev/null
first="$(rm_ train examples/digits.yaml --set training.epochs=5 --set training.checkpoint_every=0 --json | tail -n 1 | jq -r .run_id)"
second="$(rm_ train examples/digits.yaml --set training.epochs=5 --set training.checkpoint_every=0 --set optimizer.learning_rate=0.01 --json | tail -n 1 | jq -r .run_id)"
rm_ models register digits --run "$first" >/dev/null
rm_ models register digits --run "$second" >/dev/null
rm_ models promote digits --version 2 >/dev/null
cat > "$WORK/branin.yaml" <<'SPEC'
name: branin
function: branin
space:
  x0: {type: uniform, low: -5, high: 10}
  x1: {type: uniform, low: 0, high: 15}
budget: {max_trials: 200}
sampler: tpe
seed: 1
SPEC
sweep="$(rm_ sweep "$WORK/branin.yaml" --json | tail -n 1 | jq -r .sweep_id)"
search_experiment="$(rm_ experiments list --json | jq -r '.[] | select(.name | startswith("bench-search")) | .name' | head -n 1)"
runs_total="$(rm_ experiments list --json | jq '[.[].run_count] | add')"

"$RINGMASTER" ui --port 0 --store "$STORE" > "$WORK/ui.out" &
UI_PID=$!
for _ in $(seq 100); do grep -q "http://" "$WORK/ui.out" 2>/dev/null && break; sleep 0.1; done
BASE="$(grep -o 'http://[^/]*' "$WORK/ui.out" | head -n 1)"

urlencode() { jq -rn --arg v "$1" '$v|@uri'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

pages=(
    "experiments|/"
    "runs (all, page 1)|/runs"
    "runs (one experiment of 10000)|/runs?experiment=$(urlencode "$search_experiment")"
    "runs (filtered)|/runs?filter=$(urlencode "metrics.accuracy > 0.9 and params.lr = '0.01'")"
    "runs (sorted by a metric)|/runs?order=$(urlencode "metrics.accuracy DESC")"
    "runs (page 150)|/runs?page=150"
    "run (trained, with curves)|/runs/$first"
    "compare (2 trained runs)|/compare?runs=$first,$second"
    "sweeps|/sweeps"
    "sweep (200 trials)|/sweeps/$sweep"
    "models|/models"
    "model|/models/digits"
    "drift (digits.csv against the profile)|/drift?model=digits@production&data=examples/data/digits.csv"
)
echo "timing ${#pages[@]} pages, $REQUESTS requests each ..." >&2
json="{\"runs_in_store\": $runs_total, \"requests_per_page\": $REQUESTS, \"pages\": ["
separator=""
for entry in "${pages[@]}"; do
    name="${entry%%|*}"; path="${entry#*|}"
    curl -s -o /dev/null "$BASE$path"
    server=(); client=()
    for _ in $(seq "$REQUESTS"); do
        out="$(curl -s -D - -o /dev/null -w 'total=%{time_total} status=%{http_code}\n' "$BASE$path")"
        server+=("$(printf '%s' "$out" | tr -d '\r' | sed -n 's/^[Ss]erver-[Tt]iming: render;dur=\([0-9.]*\).*/\1/p')")
        client+=("$(printf '%s' "$out" | sed -n 's/^total=\([0-9.]*\).*/\1/p')")
        status="$(printf '%s' "$out" | sed -n 's/.*status=\([0-9]*\).*/\1/p')"
    done
    client_ms="$(awk -v s="$(median "${client[@]}")" 'BEGIN {printf "%.3f", s * 1000}')"
    json+="$separator{\"page\": \"$name\", \"path\": $(jq -n --arg p "$path" '$p'), \"status\": $status, \"server_ms\": $(median "${server[@]}"), \"client_ms\": $client_ms}"
    separator=", "
done
json+="]}"
echo "$json" | jq -c .
