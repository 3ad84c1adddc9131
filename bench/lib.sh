# shellcheck shell=bash
# bench/lib.sh — what the benchmark scripts share: a throwaway PostgreSQL cluster made with
# scripts/lib.sh's helpers (the same as scripts/test uses) unless DATABASE_URL names a database,
# the clean-up of it and of a server, and the setup of the service benchmarks (the build checked,
# the database migrated, the demo org loaded, a key, the server started). Source it after
# `set -euo pipefail`.

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

# The setup of the service benchmarks (bench/forecast, bench/indicators): they set ROOT (the
# repository), BENCH_DIR, PORT (the server's; 127.0.0.1) and AS_OF (the demo's), then call these;
# bench_setup sets the EXIT trap to bench_cleanup, bench_demo writes BENCH_DIR/truth.json.

# shellcheck disable=SC2153 # PORT is the calling script's
# bench_setup: sets BIN (exit 1 unless built), makes BENCH_DIR and the database on PORT+1, migrates.
bench_setup() {
    BUILD_DIR=${BUILD_DIR:-$ROOT/build}
    BIN=$BUILD_DIR/gapforge
    mkdir -p "$BENCH_DIR"
    [ -x "$BIN" ] || { echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2; exit 1; }
    trap bench_cleanup EXIT
    bench_db bench $((PORT + 1))
    export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_LISTEN=127.0.0.1:$PORT
    "$BIN" migrate >/dev/null
}

# bench_query SQL: prints SQL's rows from DATABASE_URL, unaligned and without headers (psql -qtA).
bench_query() { psql -qtA "$DATABASE_URL" -c "$1"; }

# bench_vacuum [TABLE...]: VACUUM ANALYZE of each TABLE in turn, or of the whole database.
bench_vacuum() {
    local sql=() t
    for t in "$@"; do sql+=(-c "VACUUM ANALYZE $t"); done
    ((${#sql[@]} > 0)) || sql=(-c "VACUUM ANALYZE")
    psql -q "$DATABASE_URL" "${sql[@]}"
}

# bench_org_id SLUG: prints the id of the org SLUG, nothing when there is none.
bench_org_id() { bench_query "SELECT id FROM orgs WHERE slug = '$1'"; }

# bench_demo SLUG SEED DPQ: loads `gapforge demo` as SLUG (12 quarters x DPQ); prints its 1st line.
bench_demo() {
    "$BIN" demo --org "$1" --seed "$2" --quarters 12 --deals-per-quarter "$3" --as-of "$AS_OF" \
        --truth "$BENCH_DIR/truth.json" | head -1
}

# bench_org SLUG SEED DPQ [CMD...]: sets ORG_ID to org SLUG's id, first bench_demo + CMD if missing.
bench_org() {
    local slug=$1 seed=$2 dpq=$3
    shift 3
    ORG_ID=$(bench_org_id "$slug")
    [[ -z $ORG_ID ]] || return 0
    bench_demo "$slug" "$seed" "$dpq"
    ORG_ID=$(bench_org_id "$slug")
    (($# == 0)) || "$@"
}

# bench_key SLUG SCOPES: prints a new API key of the org SLUG with SCOPES (e.g. read,write).
bench_key() { "$BIN" keys create --org "$1" --name "bench-$RANDOM" --scopes "$2" | tail -1; }

# bench_serve [-a] LOG: starts SERVER, stderr to LOG (-a: appended); waits for /healthz (<= 10 s).
bench_serve() {
    if [[ $1 == -a ]]; then
        "$BIN" serve 2>>"$2" &
    else
        "$BIN" serve 2>"$1" &
    fi
    SERVER=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
        sleep 0.1
    done
}

# bench_stop: stops the server bench_serve started and waits for it; SERVER is then empty.
bench_stop() {
    if kill "$SERVER"; then wait "$SERVER" 2>/dev/null || true; fi
    SERVER=""
}

# bench_median: prints the median of the numbers on stdin, one a line (of an even count, the lower).
bench_median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
