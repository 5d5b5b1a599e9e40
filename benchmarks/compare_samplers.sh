#!/usr/bin/env bash
# Side by side on the five test functions, same protocol (TRIALS sequential trials for each
# of the seeds 0..SEEDS-1, median over seeds): `ringmaster bench sampler` for our TPE and
# random search against Optuna's default TPESampler and RandomSampler. Prints one JSON line
# per function with both results and the ratios ours / Optuna (regret: below 1 is better;
# ms_per_trial: time per trial, suggestion plus evaluation).
#
#   PYTHON=/path/to/venv/bin/python benchmarks/compare_samplers.sh [TRIALS] [SEEDS]   (default 100 10)
#
# PYTHON must have Optuna 5 (pip install optuna); nothing else is needed.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
TRIALS="${1:-100}"
SEEDS="${2:-10}"
PYTHON="${PYTHON:-python3}"

build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for sampler in tpe random; do
    "$RINGMASTER" bench sampler --sampler "$sampler" --function all --trials "$TRIALS" --seeds "$SEEDS" >>"$results"
    "$PYTHON" benchmarks/optuna_samplers.py --sampler "$sampler" --function all --trials "$TRIALS" --seeds "$SEEDS" >>"$results"
done

"$PYTHON" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {(r["sampler"], r["function"]): r for r in rows}

def ratio(a, b):
    return round(a / b, 3) if b > 0 else None

for function in dict.fromkeys(r["function"] for r in rows):
    ours, optuna = by[("tpe", function)], by[("optuna-tpe", function)]
    ours_random, optuna_random = by[("random", function)], by[("optuna-random", function)]
    print(json.dumps({
        "function": function, "trials": ours["trials"], "seeds": ours["seeds"],
        "tpe_regret": ours["regret"], "optuna_tpe_regret": optuna["regret"],
        "regret_ratio_tpe_vs_optuna": ratio(ours["regret"], optuna["regret"]),
        "tpe_ms_per_trial": round(ours["ms_per_trial"], 4), "optuna_tpe_ms_per_trial": round(optuna["ms_per_trial"], 4),
        "ms_ratio_tpe_vs_optuna": ratio(ours["ms_per_trial"], optuna["ms_per_trial"]),
        "random_regret": ours_random["regret"], "optuna_random_regret": optuna_random["regret"],
        "regret_ratio_random_vs_optuna": ratio(ours_random["regret"], optuna_random["regret"]),
    }))
PY
