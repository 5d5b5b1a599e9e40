# Shared by scripts/quickstart.sh and scripts/test.sh: finds the repository, makes sure
# the system packages are there (installing them when running as root with apt), and
# sets what Open MPI and OpenBLAS need for several ranks on one machine.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# ensure_packages PKG...: installs missing Debian packages, or tells the user which to install.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} ..." >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "ringmaster: missing system packages. Install them with:" >&2
        echo "  sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "ringmaster: Swift 6 is required (https://www.swift.org/install/); 'swift' is not on PATH" >&2
        exit 1
    fi
}

# build_quietly ARGS...: runs `swift build ARGS`, printing only the outcome, or the errors.
build_quietly() {
    local log
    log="$(mktemp)"
    if swift build "$@" >"$log" 2>&1; then
        tail -n 1 "$log" >&2
        rm -f "$log"
    else
        grep -E "error:" "$log" | head -n 30 >&2 || true
        tail -n 15 "$log" >&2
        rm -f "$log"
        echo "ringmaster: build failed" >&2
        exit 1
    fi
}

# Build and run packages: C libraries for MPI, BLAS and SQLite, plus the MPI launcher.
BUILD_PACKAGES=(pkg-config libopenmpi-dev openmpi-bin libopenblas-dev libsqlite3-dev git)

# Open MPI refuses to run as root unless told so, and by default refuses more ranks
# than cores; ranks sharing cores should each run OpenBLAS on one thread.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
