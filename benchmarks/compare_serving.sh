#!/usr/bin/env bash
# Side by side, in one run: `ringmaster serve` (release build) against `mlflow models serve`
# (scikit-learn MLPClassifier, same hidden sizes, StandardScaler in the pipeline), both on
# loopback, both answering MLflow's /invocations with the same one-row dataframe_split body
# from wrk (32 connections, 2 threads). MLflow gets one uvicorn worker per core, as
# ringmaster gets one event loop per core. Prints one JSON line: requests per second, p50 and
# p99 latency for each, non-2xx counts, and the throughput ratio.
#
#   PYTHON=/work/venv-mlflow/bin/python benchmarks/compare_serving.sh [SECONDS]   (default 20)
#
# PYTHON must have mlflow and scikit-learn (installed into it when missing). wrk comes from
# apt when missing. The digits model is trained here (examples/digits.yaml).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
DURATION="${1:-20}"
PYTHON="${PYTHON:-/work/venv-mlflow/bin/python}"
CONNECTIONS=32 THREADS=2
OURS_PORT=18080 THEIRS_PORT=18081

ensure_packages wrk curl
"$PYTHON" -c "import mlflow" 2>/dev/null || {
    echo "compare_serving.sh: $PYTHON has no mlflow; set PYTHON=/path/to/venv/bin/python (pip install mlflow)" >&2
    exit 1
}
"$PYTHON" -c "import sklearn" 2>/dev/null || "$PYTHON" -m pip install -q scikit-learn
build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-serving.XXXXXX")"
PIDS=()
cleanup() {
    # Each server runs in its own process group (setsid): stop it with its workers.
    for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "training the digits MLP (ringmaster and scikit-learn)" >&2
"$RINGMASTER" train examples/digits.yaml --store "$WORK/store" --set training.checkpoint_every=0 --json \
    >"$WORK/train.json" 2>/dev/null
RUN_ID="$("$PYTHON" -c "import json; print(json.loads(open('$WORK/train.json').read().splitlines()[-1])['run_id'])")"
HIDDEN="$(grep -E '^\s*hidden:' examples/digits.yaml | tr -d '[] ' | cut -d: -f2)"
mkdir -p "$WORK/mlruns"
"$PYTHON" benchmarks/serving_mlflow.py --data examples/data/digits.csv --tracking "$WORK/mlruns" \
    --hidden "$HIDDEN" 2>/dev/null | tail -n 1 >"$WORK/mlflow.json"
MODEL_URI="$("$PYTHON" -c "import json; print(json.load(open('$WORK/mlflow.json'))['model_uri'])")"

# One request body for both: the first row of the data set, columns named.
"$PYTHON" - "$WORK/body.json" <<'PY'
import csv, json, sys
with open("examples/data/digits.csv") as f:
    rows = csv.reader(f)
    header = next(rows)
    row = next(rows)
keep = [i for i, name in enumerate(header) if name != "label"]
body = {"dataframe_split": {"columns": [header[i] for i in keep], "data": [[float(row[i]) for i in keep]]}}
open(sys.argv[1], "w").write(json.dumps(body))
PY
cat >"$WORK/post.lua" <<LUA
local f = io.open("$WORK/body.json")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format('RESULT {"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"requests":%d,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# wait_for URL: until the server answers (at most 120 s).
wait_for() {
    for _ in $(seq 600); do
        curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "$1" && return 0
        sleep 0.2
    done
    echo "compare_serving.sh: no answer from $1" >&2
    exit 1
}

# measure NAME URL: a short warm-up, then the timed wrk run; prints the RESULT JSON.
measure() {
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$WORK/post.lua" "$2" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$WORK/post.lua" "$2" | grep '^RESULT' | cut -d' ' -f2
}

echo "serving with ringmaster on :$OURS_PORT" >&2
setsid "$RINGMASTER" serve "digits=$RUN_ID" --port "$OURS_PORT" --store "$WORK/store" >"$WORK/ours.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$OURS_PORT/invocations"
ours="$(measure ringmaster "http://127.0.0.1:$OURS_PORT/invocations")"
kill -- "-${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

echo "serving with mlflow models serve on :$THEIRS_PORT" >&2
# mlflow runs `uvicorn` from PATH: the venv's bin folder must be on it.
PATH="$(dirname "$PYTHON"):$PATH" MLFLOW_TRACKING_URI="sqlite:///$WORK/mlruns/mlflow.db" setsid "$(dirname "$PYTHON")/mlflow" models serve -m "$MODEL_URI" \
    --env-manager local --workers "$(nproc)" --host 127.0.0.1 --port "$THEIRS_PORT" >"$WORK/theirs.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$THEIRS_PORT/invocations"
theirs="$(measure mlflow "http://127.0.0.1:$THEIRS_PORT/invocations")"

"$PYTHON" - "$ours" "$theirs" "$WORK/mlflow.json" "$DURATION" <<'PY'
import json, sys
ours, theirs, meta = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
print(json.dumps({
    "workload": f"wrk -t2 -c32 -d{sys.argv[4]}s, one-row dataframe_split POST /invocations, digits MLP",
    "ringmaster": ours, "mlflow": theirs, "mlflow_version": meta["mlflow_version"],
    "rps_ratio": round(ours["rps"] / theirs["rps"], 1),
}))
PY
