#!/usr/bin/env bash
# Side by side, in one run: `ringmaster bench train` on 1 and 2 ranks against the same MLP
# in PyTorch (single process and DDP over gloo with 2 processes), one BLAS/torch thread per
# process. Repeats each measurement and prints medians and ratios as JSON lines.
#
#   benchmarks/compare_train.sh [REPEATS]        (default 5)
#
# Needs PyTorch in a Python environment: PYTHON=/path/to/venv/bin/python (default python3).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
REPEATS="${1:-5}"
PYTHON="${PYTHON:-python3}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -a r1 r2 t1 t2 frac2
for i in $(seq "$REPEATS"); do
    r1+=("$("$RINGMASTER" bench train | field samples_per_sec)")
    out2="$(mpirun -np 2 --bind-to none "$RINGMASTER" bench train)"
    r2+=("$(echo "$out2" | field samples_per_sec)")
    frac2+=("$(echo "$out2" | field allreduce_fraction)")
    t1+=("$("$PYTHON" benchmarks/pytorch_mlp.py --mode single | field samples_per_sec)")
    t2+=("$("$PYTHON" benchmarks/pytorch_mlp.py --mode ddp --world-size 2 | field samples_per_sec)")
done

R1=$(median "${r1[@]}"); R2=$(median "${r2[@]}"); T1=$(median "${t1[@]}"); T2=$(median "${t2[@]}")
F2=$(median "${frac2[@]}")
"$PYTHON" - "$R1" "$R2" "$T1" "$T2" "$F2" "$REPEATS" <<'PY'
import json, sys
r1, r2, t1, t2, f2 = map(float, sys.argv[1:6])
print(json.dumps({"ringmaster_1rank_samples_per_sec": round(r1), "pytorch_single_samples_per_sec": round(t1),
                  "ratio_1rank_vs_pytorch": round(r1 / t1, 3)}))
print(json.dumps({"ringmaster_2rank_samples_per_sec": round(r2), "pytorch_ddp2_samples_per_sec": round(t2),
                  "ratio_2rank_vs_pytorch_ddp": round(r2 / t2, 3), "allreduce_fraction_2rank": round(f2, 3)}))
print(json.dumps({"scaling_efficiency_1_to_2": round(r2 / (2 * r1), 3), "repeats": int(sys.argv[6])}))
PY
