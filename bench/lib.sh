# shellcheck shell=bash
# bench/lib.sh — what the benchmark scripts share: a throwaway PostgreSQL cluster made with
# scripts/lib.sh's helpers (the same as scripts/test uses) unless DATABASE_URL names a database,
# and the clean-up of it and of a server. Source it after `set -euo pipefail`.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

BENCH_CLUSTER=""
SERVER=""

# bench_db DBNAME PORT: when DATABASE_URL is unset, makes a cluster in a temporary directory on
# PORT (fsync off, max_wal_size 4GB for bulk loads) with database DBNAME and exports its
# DATABASE_URL (superuser, so COPY TO a server file works).
bench_db() {
    [[ -n ${DATABASE_URL:-} ]] && return 0
    BENCH_CLUSTER=$(mktemp -d /tmp/gapforge-bench-pg.XXXXXX)
    gf_pg_init "$BENCH_CLUSTER" "$2" 2>/dev/null
    gf_pg_start "$BENCH_CLUSTER"
    gf_pg_psql "$BENCH_CLUSTER" "$2" postgres -q -c "ALTER SYSTEM SET max_wal_size = '4GB'" \
        -c "SELECT pg_reload_conf()" >/dev/null
    gf_pg_createdb "$BENCH_CLUSTER" "$2" "$1"
    DATABASE_URL=$(gf_pg_url "$BENCH_CLUSTER" "$2" "$1")
    export DATABASE_URL
}

# bench_cleanup: stops the server (SERVER, a pid) and removes the cluster bench_db made. For the
# EXIT trap.
bench_cleanup() {
    if [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null; then
        wait "$SERVER" 2>/dev/null || true
    fi
    if [[ -n $BENCH_CLUSTER ]]; then
        gf_pg_destroy "$BENCH_CLUSTER" 2>/dev/null || true
    fi
}

# bench_need PACKAGE...: the Debian packages a benchmark needs beyond the build's (wrk for
# bench/http): installed when missing (as root), otherwise the apt-get line is printed.
bench_need() {
    local missing=() p
    for p in "$@"; do gf_pkg_installed "$p" || missing+=("$p"); done
    ((${#missing[@]} == 0)) && return 0
    if ! gf_is_root; then
        printf 'Install them with:\n\n    sudo apt-get install -y %s\n\n' "${missing[*]}" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
}
