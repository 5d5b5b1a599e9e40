#!/usr/bin/env bash
# Builds Ringmaster in release mode and trains the handwritten-digits MLP on 2 MPI ranks,
# recording the run in the embedded store at ./.ringmaster, then prints the run summary.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

ensure_swift
ensure_packages "${BUILD_PACKAGES[@]}"

echo "Building (release) ..." >&2
build_quietly -c release --product ringmaster
RINGMASTER="$(swift build -c release --show-bin-path)/ringmaster"

echo "Training examples/digits.yaml on 2 ranks ..." >&2
mpirun -np 2 --bind-to none "$RINGMASTER" train examples/digits.yaml

echo >&2
echo "The binary is $RINGMASTER; try: $RINGMASTER runs list" >&2
