#!/usr/bin/env bash
# Epochs of training until a target validation accuracy is reached on the digits MLP: random
# search with full training (a trial's accuracy is known when its 30 epochs end) against the
# same random search under ASHA (every epoch's evaluation counts, poor trials stop early),
# over several seeds; trials run one after another, so epochs are counted in order.
#
#   benchmarks/sweeps/asha_vs_random.sh [SEEDS] [TARGET]     (default 5 seeds, 0.97)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$REPO_ROOT"
SEEDS="${1:-5}"
TARGET="${2:-0.97}"
build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"
STORE="$(mktemp -d)"
trap 'rm -rf "$STORE"' EXIT

for seed in $(seq 0 $((SEEDS - 1))); do
    for variant in full asha; do
        spec="$STORE/$variant-$seed.yaml"
        sed "s/^name: .*/&-$seed/" "benchmarks/sweeps/digits-random-$variant.yaml" \
            | sed "s#\.\./\.\./examples#$REPO_ROOT/examples#" > "$spec"
        echo "seed: $seed" >> "$spec"
        id="$("$RINGMASTER" sweep "$spec" --store "$STORE/db" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["sweep_id"])')"
        "$RINGMASTER" sweeps show "$id" --store "$STORE/db" --json > "$STORE/$variant-$seed.json"
    done
done

python3 - "$STORE" "$SEEDS" "$TARGET" <<'PY'
import json, statistics, sys
store, seeds, target = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def epochs_to_target(path, full_training):
    """Epochs trained, trials in order, until the target is seen: with full training a
    trial's accuracy is known when it ends; under ASHA every epoch's evaluation counts."""
    trials = sorted(json.load(open(path))["trials"], key=lambda t: t["number"])
    spent = 0
    for trial in trials:
        values = [v for _, v in sorted((int(k), v) for k, v in trial["intermediate"].items())]
        if full_training:
            spent += len(values)
            if trial.get("value") is not None and trial["value"] >= target:
                return spent
            continue
        for value in values:
            spent += 1
            if value >= target:
                return spent
    return None

rows = []
for seed in range(seeds):
    full = epochs_to_target(f"{store}/full-{seed}.json", True)
    asha = epochs_to_target(f"{store}/asha-{seed}.json", False)
    rows.append((full, asha))
    print(json.dumps({"seed": seed, "random_full_epochs": full, "random_asha_epochs": asha}))
reached = [(f, a) for f, a in rows if f is not None and a is not None]
full_median = statistics.median(f for f, _ in reached) if reached else None
asha_median = statistics.median(a for _, a in reached) if reached else None
print(json.dumps({"target": target, "seeds": seeds, "seeds_reached": len(reached),
                  "median_epochs_random_full": full_median, "median_epochs_random_asha": asha_median,
                  "ratio": round(asha_median / full_median, 3) if reached else None}))
PY
