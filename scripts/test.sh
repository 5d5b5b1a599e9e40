#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite: unit tests, the communicator
# conformance suite under real `mpirun -np 2` and `mpirun -np 4 --oversubscribe`, and
# end-to-end training runs of the command-line tool, and the metadata store conformance suite
# against SQLite and against a throwaway PostgreSQL server.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/postgres.sh"
cd "$REPO_ROOT"

ensure_swift
ensure_packages "${BUILD_PACKAGES[@]}" procps util-linux

echo "Building ..." >&2
build_quietly --build-tests

start_test_postgres

# Tests that launch mpirun share two cores: run them one after another.
swift test --skip-build --no-parallel "$@"

# Nothing may outlive the suite.
if pgrep -x mpirun >/dev/null || pgrep -x orted >/dev/null; then
    echo "test.sh: MPI processes were left running" >&2
    pkill -9 -x mpirun || true
    pkill -9 -x orted || true
    exit 1
fi
