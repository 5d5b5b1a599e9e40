# Used by scripts/test.sh: a throwaway PostgreSQL 15 server for the PostgreSQL store's tests.
# It listens on 127.0.0.1 only, at the first free port from 55432, with its data directory
# and socket in a new temporary directory; it is stopped and the directory removed when the
# calling script exits, whether the tests passed or not. Needs scripts/lib/common.sh.

POSTGRES_BIN=/usr/lib/postgresql/15/bin
POSTGRES_TEST_DIR=""

# as_postgres CMD...: runs CMD as the `postgres` user when running as root (initdb and the
# server refuse to run as root); as anyone else, runs it as that user.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# start_test_postgres: starts the server and exports RINGMASTER_TEST_POSTGRES_URL.
start_test_postgres() {
    ensure_packages postgresql util-linux
    POSTGRES_TEST_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ringmaster-postgres.XXXXXX")"
    trap stop_test_postgres EXIT
    trap 'exit 130' INT TERM
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$POSTGRES_TEST_DIR"; fi

    if ! as_postgres "$POSTGRES_BIN/initdb" -D "$POSTGRES_TEST_DIR/data" -A trust -U postgres -E UTF8 \
        --locale=C --no-sync >"$POSTGRES_TEST_DIR/initdb.log" 2>&1; then
        cat "$POSTGRES_TEST_DIR/initdb.log" >&2
        echo "ringmaster: initdb failed" >&2
        exit 1
    fi

    # Durability is pointless for a server that is deleted afterwards; skipping it saves
    # most of the tests' time on a slow disk.
    local port
    for port in $(seq 55432 55531); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
        if as_postgres "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_TEST_DIR/data" -l "$POSTGRES_TEST_DIR/server.log" \
            -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $POSTGRES_TEST_DIR -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
            break
        fi
        if ! grep -q "could not bind" "$POSTGRES_TEST_DIR/server.log" 2>/dev/null; then
            cat "$POSTGRES_TEST_DIR/server.log" >&2 || true
            echo "ringmaster: the test PostgreSQL server did not start" >&2
            exit 1
        fi
    done
    if ! "$POSTGRES_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30; then
        cat "$POSTGRES_TEST_DIR/server.log" >&2 || true
        echo "ringmaster: the test PostgreSQL server does not accept connections" >&2
        exit 1
    fi
    export RINGMASTER_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "PostgreSQL test server on 127.0.0.1:$port" >&2
}

# stop_test_postgres: stops the server (if it runs) and removes its directory.
stop_test_postgres() {
    [ -n "$POSTGRES_TEST_DIR" ] || return 0
    if [ -f "$POSTGRES_TEST_DIR/data/postmaster.pid" ]; then
        as_postgres "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_TEST_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$POSTGRES_TEST_DIR"
    POSTGRES_TEST_DIR=""
}
