#!/usr/bin/env bash
# Side by side, in one run: `ringmaster bench store` against MLflow 3 on its SQLite backend,
# on the same workload and the same disk (a temporary folder), alternating the contenders
# in every round. Prints one JSON line with the medians and ratios.
#
#   PYTHON=/path/to/venv/bin/python benchmarks/compare_store.sh [ROUNDS]   (default 3)
#
# PYTHON must have MLflow: python3 -m venv VENV && VENV/bin/pip install mlflow
#
# Logging: 5 runs x 200 steps x 10 metrics. Ringmaster through MetricWriter, the trainer's
# background batched writer; MLflow through MlflowClient.log_batch, one call per step.
# Search: `metrics.accuracy > 0.9 and params.lr = '0.01'` ordered by metrics.accuracy DESC,
# limit 100 and unlimited, over the same 10,000 runs on each side (benchmarks/mlflow_logging.py
# says how MLflow's copy is written). Each side's count of matches is printed as a check.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
ROUNDS="${1:-3}"
PYTHON="${PYTHON:-python3}"
RUNS=5 STEPS=200 METRICS=10 SEARCH_RUNS=10000

"$PYTHON" -c "import mlflow" 2>/dev/null || {
    echo "compare_store.sh: $PYTHON has no mlflow; set PYTHON=/path/to/venv/bin/python (pip install mlflow)" >&2
    exit 1
}
build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-store.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export MLFLOW_ENABLE_ASYNC_LOGGING=false   # every log_batch returns once it is committed

last() { tail -n 1; }
field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

ours_pps=(); ours_search=(); ours_all=(); theirs_pps=(); theirs_search=(); theirs_all=()
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    out="$("$RINGMASTER" bench store --runs $RUNS --steps $STEPS --metrics $METRICS \
        --search-runs $SEARCH_RUNS --store "$WORK/ringmaster-$round" | last)"
    ours_pps+=("$(echo "$out" | field points_per_sec)")
    ours_search+=("$(echo "$out" | field search_ms)")
    ours_all+=("$(echo "$out" | field search_all_ms)")
    ours_matched="$(echo "$out" | field matched)"
    rm -rf "$WORK/ringmaster-$round"

    out="$("$PYTHON" benchmarks/mlflow_logging.py log --dir "$WORK/mlflow-log-$round" \
        --runs $RUNS --steps $STEPS --metrics $METRICS 2>/dev/null | last)"
    theirs_pps+=("$(echo "$out" | field points_per_sec)")
    rm -rf "$WORK/mlflow-log-$round"
    # The searched MLflow database is written in the first round and searched in every round.
    out="$("$PYTHON" benchmarks/mlflow_logging.py search --dir "$WORK/mlflow-search" \
        --search-runs $SEARCH_RUNS 2>/dev/null | last)"
    theirs_search+=("$(echo "$out" | field search_ms)")
    theirs_all+=("$(echo "$out" | field search_all_ms)")
    theirs_matched="$(echo "$out" | field matched)"
    version="$(echo "$out" | field mlflow_version)"
done

"$PYTHON" - "$ROUNDS" "$version" "$ours_matched" "$theirs_matched" \
    "$(median "${ours_pps[@]}")" "$(median "${theirs_pps[@]}")" \
    "$(median "${ours_search[@]}")" "$(median "${theirs_search[@]}")" \
    "$(median "${ours_all[@]}")" "$(median "${theirs_all[@]}")" <<PY
import json, sys
rounds, version, ours_matched, theirs_matched = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pps, mpps, search, msearch, search_all, msearch_all = map(float, sys.argv[5:11])
print(json.dumps({
    "rounds": rounds, "mlflow_version": version,
    "runs": $RUNS, "steps": $STEPS, "metrics": $METRICS, "search_runs": $SEARCH_RUNS,
    "ringmaster_points_per_sec": round(pps), "mlflow_points_per_sec": round(mpps, 1),
    "points_per_sec_ratio": round(pps / mpps, 1),
    "ringmaster_search_ms": round(search, 2), "mlflow_search_ms": round(msearch, 1),
    "search_speedup": round(msearch / search, 1),
    "ringmaster_search_all_ms": round(search_all, 2), "mlflow_search_all_ms": round(msearch_all, 1),
    "ringmaster_matched": ours_matched, "mlflow_matched": theirs_matched}))
PY
