#!/usr/bin/env bash
# run.sh — the HTTP benchmark of issue 12: repeated GET /v1/projections and GET /v1/forecast on an
# org of about 100,000 deals, and a 304 (If-None-Match), against a constant-body libmicrohttpd
# endpoint (bench/http/const_server.c, the same daemon flags and thread count, serving the
# forecast's own bytes) in the same run, with wrk (Debian's wrk package); and the rep scorecard's
# latency without and with the history cache.
#
# Usage: bench/http/run.sh [RUNS] [SECONDS] [DEALS_PER_QUARTER]
#   RUNS     wrk runs of each endpoint, interleaved (default 5); medians are reported
#   SECONDS  duration of one wrk run (default 5)
#   DEALS_PER_QUARTER  passed to `gapforge demo --quarters 12` (default 8500: ~99,000 deals)
# Environment:
#   BUILD_DIR     meson build directory holding gapforge and bench/const_server (default ./build)
#   DATABASE_URL  a database to use (the org bench-forecast is reused when it exists; otherwise a
#                 throwaway cluster is made and removed afterwards)
#   CONNECTIONS   wrk connections (default 32); THREADS: server threads for both (default 4)
#   BENCH_DIR     where logs go (default /tmp/gapforge-bench-http)
# Target: each gapforge endpoint (forecast, projections, 304) at >= 50% of the constant
# endpoint's requests per second; the scorecard's warm median <= 300 ms.
# Example: BUILD_DIR=/tmp/build bench/http/run.sh 5 5
set -euo pipefail

RUNS=${1:-5}
SECS=${2:-5}
DPQ=${3:-8500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
CONST=$BUILD_DIR/bench/const_server
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-http}
CONN=${CONNECTIONS:-32}
THREADS=${THREADS:-4}
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18961}
CPORT=$((PORT + 2))
AS_OF=2026-11-15
SLUG=bench-forecast
mkdir -p "$BENCH_DIR"
[ -x "$BIN" ] && [ -x "$CONST" ] || {
    echo "no $BIN or $CONST: build first (meson compile -C $BUILD_DIR)" >&2
    exit 1
}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_need wrk
CONST_PID=""
cleanup() {
    [[ -n $CONST_PID ]] && kill "$CONST_PID" 2>/dev/null && wait "$CONST_PID" 2>/dev/null
    bench_cleanup
}
trap cleanup EXIT
bench_db bench $((PORT + 1))

export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_ADMIN_TOKEN=$TOKEN
export GAPFORGE_LISTEN=127.0.0.1:$PORT GAPFORGE_THREADS=$THREADS GAPFORGE_SNAPSHOT_AT=off
"$BIN" migrate >/dev/null
ORG_ID=$(bench_query "SELECT id FROM orgs WHERE slug = '$SLUG'")
if [ -z "$ORG_ID" ]; then
    "$BIN" demo --org "$SLUG" --seed 7 --quarters 12 --deals-per-quarter "$DPQ" --as-of "$AS_OF" \
        --truth "$BENCH_DIR/truth.json" | head -1
    ORG_ID=$(bench_query "SELECT id FROM orgs WHERE slug = '$SLUG'")
fi
DEALS=$(bench_query "SELECT count(*) FROM deals WHERE org_id = $ORG_ID")
REP=$(bench_query "SELECT key FROM reps WHERE org_id = $ORG_ID ORDER BY key LIMIT 1")
KEY=$("$BIN" keys create --org "$SLUG" --name "bench-$RANDOM" --scopes read | tail -1)
echo "org $SLUG: $DEALS deals; wrk $CONN connections, $SECS s a run, $RUNS runs; $THREADS threads"

start_server() {
    "$BIN" serve 2>"$BENCH_DIR/server.log" &
    SERVER=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
}
stop_server() {
    kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    SERVER=""
}
base="http://127.0.0.1:$PORT"
auth="Authorization: Bearer $KEY"
F="$base/v1/forecast?as_of=$AS_OF"
P="$base/v1/projections?as_of=$AS_OF&by=team"
S="$base/v1/reps/$REP/scorecard?as_of=$AS_OF"

# ---- the scorecard, without and with the history cache (the first request of each is cold) ----
scorecard() { # LABEL: prints the median of RUNS requests after one warm-up
    local t
    curl -sf -o /dev/null -H "$auth" "$S" || { echo "scorecard failed" >&2; exit 1; }
    t=$(for _ in $(seq "$RUNS"); do curl -sf -o /dev/null -w '%{time_total}\n' -H "$auth" "$S"; done |
        bench_median)
    printf 'scorecard %-22s median %6.0f ms\n' "$1" "$(echo "$t * 1000" | bc -l)"
}
GAPFORGE_HISTORY_CACHE_MB=0 start_server
scorecard "(no history cache)"
stop_server
start_server
scorecard "(history cache, warm)"

# ---- throughput ----
curl -sf -o "$BENCH_DIR/forecast.json" -D "$BENCH_DIR/forecast.headers" -H "$auth" "$F" ||
    { echo "forecast failed" >&2; exit 1; }
curl -sf -o "$BENCH_DIR/projections.json" -H "$auth" "$P" || { echo "projections failed" >&2; exit 1; }
ETAG=$(awk -F': ' 'tolower($1) == "etag" {print $2}' "$BENCH_DIR/forecast.headers" | tr -d '\r')
"$CONST" "$CPORT" "$THREADS" "$BENCH_DIR/forecast.json" &
CONST_PID=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$CPORT/" && break; sleep 0.1; done
echo "forecast body $(wc -c <"$BENCH_DIR/forecast.json") bytes, projections $(wc -c <"$BENCH_DIR/projections.json") bytes"

rps() { # URL [HEADER...]: requests per second of one wrk run
    local url=$1
    shift
    local args=()
    for h in "$@"; do args+=(-H "$h"); done
    wrk -t2 -c"$CONN" -d"${SECS}s" "${args[@]}" "$url" | awk '/^Requests\/sec/ {print $2}'
}
declare -A R
for run in $(seq "$RUNS"); do
    R[const]+="$(rps "http://127.0.0.1:$CPORT/") "
    R[forecast]+="$(rps "$F" "$auth") "
    R[projections]+="$(rps "$P" "$auth") "
    R[not_modified]+="$(rps "$F" "$auth" "If-None-Match: $ETAG") "
    echo "run $run of $RUNS done"
done
c=$(tr ' ' '\n' <<<"${R[const]}" | grep . | bench_median)
printf '%-13s median %8.0f req/s                                      runs: %s\n' constant "$c" \
    "${R[const]}"
# Each run's ratio to the constant endpoint's run of the same round, then their median: the
# machine's load moves both alike.
ratios() { paste -d' ' <(tr ' ' '\n' <<<"${R[$1]}" | grep .) <(tr ' ' '\n' <<<"${R[const]}" | grep .) |
    awk '{printf "%.1f\n", 100 * $1 / $2}'; }
for k in forecast projections not_modified; do
    m=$(tr ' ' '\n' <<<"${R[$k]}" | grep . | bench_median)
    printf '%-13s median %8.0f req/s, median ratio %5.1f%% of constant (target >= 50%%)   runs: %s\n' \
        "$k" "$m" "$(ratios "$k" | bench_median)" "${R[$k]}"
done
echo "server peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$SERVER/status")"
