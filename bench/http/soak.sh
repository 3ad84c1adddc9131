#!/usr/bin/env bash
# soak.sh — the load soak of issue 13: wrk drives a weighted mix of reads, writes, forecasts,
# scenarios and plans (bench/http/soak.lua) at one org for SECONDS, while the server's RSS is
# sampled from /proc every second. Prints the status codes, p50/p99 latency per kind of request
# and overall, and the RSS at the end of the warm-up, its minimum and maximum after it and the
# drift. Fails (exit 1) on any 5xx or socket error, or when an RSS sample after the warm-up is
# more than 10% away from the warm-up's.
#
# Usage: bench/http/soak.sh [SECONDS] [WARMUP] [CONNECTIONS]
#   SECONDS      length of the soak (default 60)
#   WARMUP       seconds at its start that the RSS check leaves out (default 15)
#   CONNECTIONS  wrk connections, one wrk thread each (default 32)
# Environment:
#   BUILD_DIR     meson build directory holding gapforge (default ./build)
#   DATABASE_URL  a database to use (otherwise a throwaway cluster is made and removed)
#   SOAK_ORG      an existing org to soak (e.g. bench-forecast, the 100k-deal org of
#                 bench/http/run.sh, as of 2026-11-15); default: a fresh demo org of
#                 DEALS_PER_QUARTER (default 300) deals a quarter over 8 quarters
#   THREADS       server threads (default 4); BENCH_DIR: where logs go
#                 (default /tmp/gapforge-bench-soak); BENCH_PORT (default 18971)
# The mix (of 100): GET /v1/projections 25, GET /v1/forecast 10, GET /v1/deals 12,
# GET /v1/stages 8, POST /v1/commits 15, POST /v1/deals 10, POST /v1/scenarios 10 and
# POST /v1/plans 10 (2,000 trials each). Every write changes the org's data version, so most
# forecasts, projections, scenarios and plans are computed afresh.
# Example: BUILD_DIR=/tmp/build bench/http/soak.sh 60
set -euo pipefail

SECS=${1:-60}
WARMUP=${2:-15}
CONN=${3:-32}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-soak}
THREADS=${THREADS:-4}
DPQ=${DEALS_PER_QUARTER:-300}
PORT=${BENCH_PORT:-18971}
AS_OF=2026-11-15
PERIOD=2026-Q4
CLOSE_DATE=2026-12-18
mkdir -p "$BENCH_DIR"
[ -x "$BIN" ] || {
    echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2
    exit 1
}
((WARMUP < SECS)) || {
    echo "the warm-up ($WARMUP s) must be shorter than the soak ($SECS s)" >&2
    exit 1
}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_need wrk
SAMPLER=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [[ -n $SAMPLER ]]; then kill "$SAMPLER" 2>/dev/null || true; fi
    bench_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
bench_db bench $((PORT + 1))

export GAPFORGE_MIGRATIONS=$ROOT/migrations
export GAPFORGE_LISTEN=127.0.0.1:$PORT GAPFORGE_THREADS=$THREADS GAPFORGE_SNAPSHOT_AT=off
export GAPFORGE_ALERTS_EVERY=off
"$BIN" migrate >/dev/null
sql() { psql -qtA "$DATABASE_URL" -c "$1"; }
SLUG=${SOAK_ORG:-soak-$(date +%s)-$$}
if [ -z "$(sql "SELECT id FROM orgs WHERE slug = '$SLUG'")" ]; then
    [[ -z ${SOAK_ORG:-} ]] || {
        echo "no org $SOAK_ORG in the database" >&2
        exit 1
    }
    "$BIN" demo --org "$SLUG" --seed 7 --quarters 8 --deals-per-quarter "$DPQ" --as-of "$AS_OF" \
        --truth "$BENCH_DIR/truth.json" | head -1
fi
ORG_ID=$(sql "SELECT id FROM orgs WHERE slug = '$SLUG'")
DEALS=$(sql "SELECT count(*) FROM deals WHERE org_id = $ORG_ID")
REP=$(sql "SELECT key FROM reps WHERE org_id = $ORG_ID AND active ORDER BY key LIMIT 1")
STAGE=$(sql "SELECT key FROM stages WHERE org_id = $ORG_ID AND kind = 'open' ORDER BY position LIMIT 1")
TEAMS=$(sql "SELECT string_agg(key, ',' ORDER BY key) FROM teams WHERE org_id = $ORG_ID")
LEVERS=$(sql "SELECT string_agg(key, ',' ORDER BY key) FROM levers WHERE org_id = $ORG_ID
              AND kind IN ('win_rate', 'pipeline', 'slippage', 'deal_size')")
# The open deals the deal writes update (a CRM sync's usual write: an amount that changes).
OPEN_DEALS=$(sql "SELECT string_agg(id::text, ',') FROM (SELECT d.id FROM deals d
                  JOIN stages s ON s.org_id = d.org_id AND s.id = d.stage_id
                  WHERE d.org_id = $ORG_ID AND s.kind = 'open' AND d.deleted_at IS NULL
                  ORDER BY d.id LIMIT 64) o")
[[ -n $REP && -n $STAGE && -n $TEAMS && -n $LEVERS && -n $OPEN_DEALS ]] || {
    echo "org $SLUG lacks reps, open stages, open deals, teams or levers" >&2
    exit 1
}
KEY=$("$BIN" keys create --org "$SLUG" --name "soak-$RANDOM" --scopes read,write | tail -1)

"$BIN" serve 2>"$BENCH_DIR/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
kill -0 "$SERVER" 2>/dev/null || {
    echo "the server did not start (is port $PORT taken?): $BENCH_DIR/server.log" >&2
    exit 1
}
base="http://127.0.0.1:$PORT"
auth="Authorization: Bearer $KEY"
# Warm the caches the reads start from (a forecast and the projections).
curl -sf -o /dev/null -H "$auth" "$base/v1/forecast?as_of=$AS_OF&period=$PERIOD" ||
    { echo "forecast failed" >&2; exit 1; }
curl -sf -o /dev/null -H "$auth" "$base/v1/projections?as_of=$AS_OF&period=$PERIOD&by=team" ||
    { echo "projections failed" >&2; exit 1; }
# The org's size, against which the RSS is read: every write adds rows the next history holds.
size() {
    sql "SELECT (SELECT count(*) FROM deals WHERE org_id = $ORG_ID) || ' deals, ' ||
                (SELECT count(*) FROM deal_events WHERE org_id = $ORG_ID) || ' events, ' ||
                (SELECT count(*) FROM commits WHERE org_id = $ORG_ID) || ' commits'"
}
SIZE_BEFORE=$(size)
echo "org $SLUG: $DEALS deals; wrk $CONN connections for $SECS s (warm-up $WARMUP s); server" \
    "$THREADS threads; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# RSS in kB about once a second while wrk runs: "<ms since the start> <kB>" (the time is read
# at each sample: on a loaded machine a round takes more than its second of sleep).
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0; }
start_ns=$(date +%s%N)
(
    while :; do
        echo "$((($(date +%s%N) - start_ns) / 1000000)) $(rss)"
        sleep 1
    done
) >"$BENCH_DIR/rss.txt" &
SAMPLER=$!
LAT=$BENCH_DIR/lat
rm -rf "$LAT"
mkdir -p "$LAT"
wrk -t"$CONN" -c"$CONN" -d"${SECS}s" --timeout 60s -s "$ROOT/bench/http/soak.lua" "$base" -- \
    "$KEY" "$$" "$AS_OF" "$PERIOD" "$CLOSE_DATE" "$REP" "$STAGE" "$TEAMS" "$LEVERS" "$LAT" \
    "$OPEN_DEALS" \
    >"$BENCH_DIR/wrk.txt"
cat "$LAT"/lat-*.txt >"$BENCH_DIR/latencies.txt" # "<kind> <status> <ms>", one line a response
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "the org before: $SIZE_BEFORE; after: $(size)"

fail=0
echo
printf '%-12s %8s %10s %10s %10s\n' kind requests "p50 ms" "p99 ms" "max ms"
# p-th percentile: the ceil(p * n)-th smallest.
pct='function pct(p,  i) { i = int(p * n); if (i < p * n) i++; if (i < 1) i = 1; return a[i] }'
for kind in projections forecast deals stages commit deal scenario plan all; do
    awk -v k="$kind" '$1 == k || k == "all" {print $3}' "$BENCH_DIR/latencies.txt" | sort -g |
        awk -v k="$kind" "$pct"' {a[++n] = $1}
            END {printf "%-12s %8d %10.1f %10.1f %10.1f\n", k, n, pct(0.5), pct(0.99), a[n]}'
done
echo "(wrk: $(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/wrk.txt") req/s; its own latency" \
    "p50/p99: $(awk '$1 == "ALL" {print $3 " / " $4 " ms"}' "$BENCH_DIR/wrk.txt"))"
echo
echo "status codes: $(awk '{c[$2]++} END {for (k in c) printf "%s: %d  ", k, c[k]}' \
    "$BENCH_DIR/latencies.txt")"
read -r _ e_conn e_read e_write e_timeout < <(grep '^ERRORS' "$BENCH_DIR/wrk.txt")
echo "socket errors: connect $e_conn, read $e_read, write $e_write, timeout $e_timeout"
five=$(awk '$2 >= 500 {n++} END {print n + 0}' "$BENCH_DIR/latencies.txt")
four=$(awk '$2 >= 400 && $2 < 500 {n++} END {print n + 0}' "$BENCH_DIR/latencies.txt")
if ((five > 0)); then
    echo "FAIL: $five answers 5xx (target: none); see $BENCH_DIR/server.log"
    fail=1
fi
((four == 0)) || echo "note: $four answers 4xx (the mix's requests are meant to be valid)"
if ((e_conn + e_read + e_write + e_timeout > 0)); then
    echo "FAIL: socket errors"
    fail=1
fi

# RSS: the first sample at or after the end of the warm-up against every later one of the soak.
awk -v w="$((WARMUP * 1000))" -v end="$((SECS * 1000))" '
    $1 >= w && $1 <= end && !ref {ref = $2; next}
    ref && $1 <= end && $2 > 0 {n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; last = $2}
    END {
        if (!ref || !n) {print "RSS: no samples"; exit 1}
        dev = (max - ref > ref - min ? max - ref : ref - min) / ref * 100
        printf "RSS: %.1f MB at the end of the warm-up (%d s); after it min %.1f MB, max %.1f MB, " \
            "last %.1f MB: drift %+.1f%%, largest deviation %.1f%% (target within 10%%)\n",
            ref / 1024, w / 1000, min / 1024, max / 1024, last / 1024, (last - ref) / ref * 100, dev
        exit (dev > 10 ? 1 : 0)
    }' "$BENCH_DIR/rss.txt" || {
    echo "FAIL: RSS moved more than 10% after the warm-up (samples: $BENCH_DIR/rss.txt)"
    fail=1
}
echo "server peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$SERVER/status")"
exit $fail
