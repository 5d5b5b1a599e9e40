#!/usr/bin/env bash
# Side by side, in one run: `ringmaster bench train` on 1 and 2 ranks against the same MLP
# in PyTorch (single process, and DistributedDataParallel over gloo with 2 processes), one
# BLAS/torch thread per process, alternating the contenders in every round. Prints medians
# and ratios as JSON lines.
#
#   PYTHON=/path/to/venv/bin/python benchmarks/compare_train.sh [ROUNDS]   (default 5)
#
# If OPENBLAS_CORETYPE is set (some machines pin an older kernel), Ringmaster is measured
# both with that setting and with the kernel OpenBLAS detects for this CPU; run
# `swift test --filter TensorsTests` with the same environment to check that kernel first.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"
ROUNDS="${1:-5}"
PYTHON="${PYTHON:-python3}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
result() {  # result CMD...: CMD's output, or a message naming CMD and its error output when it fails
    local out status=0
    out="$("$@" 2>/tmp/compare_train.err)" || status=$?
    if [ "$status" -ne 0 ] || [ -z "$out" ]; then
        echo "compare_train: '$*' exited $status without a result: $(tail -3 /tmp/compare_train.err)" >&2
        exit 1
    fi
    echo "$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

settings=("configured")
[ -n "${OPENBLAS_CORETYPE:-}" ] && settings+=("detected")
blas() {  # blas SETTING CMD...: runs CMD with OpenBLAS as configured, or with its own CPU detection
    if [ "$1" = detected ]; then shift; env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; else shift; "$@"; fi
}

declare -A one two frac xfrac
t1=(); t2=()
for round in $(seq "$ROUNDS"); do
    for s in "${settings[@]}"; do
        one[$s]+="$(result blas "$s" "$RINGMASTER" bench train | field samples_per_sec) "
        out="$(result blas "$s" mpirun -np 2 --bind-to none "$RINGMASTER" bench train)"
        two[$s]+="$(echo "$out" | field samples_per_sec) "
        frac[$s]+="$(echo "$out" | field allreduce_fraction) "
        # Exchange and update together: through shared memory the averaging is fused into the update.
        xfrac[$s]+="$(echo "$out" | "$PYTHON" -c "import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); p=d['phase_seconds']; print((p['allreduce']+p['optimizer'])/d['seconds'])") "
    done
    t1+=("$(result "$PYTHON" benchmarks/pytorch_mlp.py --mode single | field samples_per_sec)")
    t2+=("$(result "$PYTHON" benchmarks/pytorch_mlp.py --mode ddp --world-size 2 | field samples_per_sec)")
done

T1=$(median "${t1[@]}"); T2=$(median "${t2[@]}")
for s in "${settings[@]}"; do
    R1=$(median ${one[$s]}); R2=$(median ${two[$s]}); F2=$(median ${frac[$s]}); X2=$(median ${xfrac[$s]})
    kernel="auto-detected"
    [ "$s" = configured ] && kernel="${OPENBLAS_CORETYPE:-auto-detected}"
    "$PYTHON" - "$R1" "$R2" "$T1" "$T2" "$F2" "$ROUNDS" "$kernel" "$X2" <<'PY'
import json, sys
r1, r2, t1, t2, f2 = map(float, sys.argv[1:6])
x2 = float(sys.argv[8])
print(json.dumps({
    "openblas_kernel": sys.argv[7], "rounds": int(sys.argv[6]),
    "ringmaster_1rank_samples_per_sec": round(r1), "pytorch_single_samples_per_sec": round(t1),
    "ratio_1rank_vs_pytorch": round(r1 / t1, 3),
    "ringmaster_2rank_samples_per_sec": round(r2), "pytorch_ddp2_samples_per_sec": round(t2),
    "ratio_2rank_vs_pytorch_ddp": round(r2 / t2, 3),
    "scaling_efficiency_1_to_2": round(r2 / (2 * r1), 3), "allreduce_fraction_2rank": round(f2, 3),
    "exchange_and_update_fraction_2rank": round(x2, 3)}))
PY
done
