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
ensure_packages "${BUILD_PACKAGES[@]}" procps util-linux iproute2
# The dashboard's browser tests drive headless Chromium; without it they are skipped, not failed.
(ensure_packages chromium fonts-dejavu-core) || echo "test.sh: chromium could not be installed; the dashboard browser tests will be skipped" >&2

echo "Building ..." >&2
build_quietly --build-tests

start_test_postgres

# Tests that launch mpirun share two cores: run them one after another.
swift test --skip-build --no-parallel "$@"

# Nothing the suite started may outlive it (other checkouts' jobs are not ours to judge).
leftover="$(pgrep -f "$REPO_ROOT/.build/" || true)"
if [ -n "$leftover" ]; then
    echo "test.sh: processes of this checkout were left running: $leftover" >&2
    kill -9 $leftover 2>/dev/null || true
    exit 1
fi
