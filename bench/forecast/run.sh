#!/usr/bin/env bash
# run.sh — the end-to-end forecast benchmark of issue 4: GET /v1/forecast on an org of about
# 100,000 deals and 1,000,000 events against the floor, the time PostgreSQL alone takes to
# produce the rows the history adapter reads.
#
# Usage: bench/forecast/run.sh [RUNS] [DEALS_PER_QUARTER]
#   RUNS               timed requests after four warm-ups (default 9); the median is reported
#   DEALS_PER_QUARTER  passed to `gapforge demo --quarters 12` (default 8500: ~99,000 deals,
#                      ~1,000,000 events)
# Environment:
#   BUILD_DIR     meson build directory holding the gapforge binary (default ./build)
#   DATABASE_URL  libpq conninfo of a database to use (superuser: the floor COPYs to a server
#                 file); when unset a throwaway cluster is made with initdb (fsync=off) and
#                 removed afterwards. An org named bench-forecast is reused when it exists.
#   BENCH_DIR     where logs go (default /tmp/gapforge-bench-forecast)
#
# What it measures:
#   * forecast: wall time of `GET /v1/forecast?as_of=2026-11-15` (period 2026-Q4, whole org,
#     10,000 trials) seen by curl, warm: the first warm-up request calibrates the spread (the
#     self-backtest, ~190 ms) and caches it, and each server thread opens the second connection
#     it reads the events on; every request reloads the whole history.
#   * floor: the adapter's single-query COPY statements (deals, and all events at once: the
#     adapter's fallback), taken verbatim from src/store/history.c, run one after the other in
#     psql with the same settings and written to '/dev/null' on the server (PostgreSQL reading
#     and encoding the rows, no client at all); also the same COPYs to a psql client (TO STDOUT
#     > /dev/null) for reference. Medians of RUNS. The service itself reads the events in two
#     time ranges on two extra connections in parallel with the deals, which is how it can
#     beat the client-side figure.
#   * the server's peak RSS (VmHWM) after all requests.
# Targets: forecast median <= 1.5 x floor; RSS < 100 MB + 200 bytes per deal.
# Example: BUILD_DIR=/tmp/build bench/forecast/run.sh 9
set -euo pipefail

RUNS=${1:-9}
DPQ=${2:-8500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-forecast}
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18951}
AS_OF=2026-11-15
SLUG=bench-forecast

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export GAPFORGE_ADMIN_TOKEN=$TOKEN
bench_setup
# bench_org, with the load timed.
ORG_ID=$(bench_org_id "$SLUG")
if [ -z "$ORG_ID" ]; then
    t0=$(date +%s.%N)
    bench_demo "$SLUG" 7 "$DPQ"
    echo "loaded in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5) s"
    ORG_ID=$(bench_org_id "$SLUG")
fi
bench_vacuum deals deal_events
DEALS=$(bench_query "SELECT count(*) FROM deals WHERE org_id = $ORG_ID")
EVENTS=$(bench_query "SELECT count(*) FROM deal_events WHERE org_id = $ORG_ID")
TZ_ORG=$(bench_query "SELECT time_zone FROM orgs WHERE id = $ORG_ID")
KEY=$(bench_key "$SLUG" read)
echo "org $SLUG: $DEALS deals, $EVENTS events"

bench_serve "$BENCH_DIR/server.log"

URL="http://127.0.0.1:$PORT/v1/forecast?as_of=$AS_OF"

for _ in 1 2 3 4; do # every server thread opens its second (events) connection once
    curl -sf -o "$BENCH_DIR/forecast.json" -H "Authorization: Bearer $KEY" "$URL" ||
        { echo "warm-up request failed" >&2; exit 1; }
done
fc=()
for _ in $(seq "$RUNS"); do
    ms=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $KEY" "$URL" |
        awk '{printf "%.1f", $1 * 1000}')
    fc+=("$ms")
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")

# The adapter's COPY statements, verbatim from the source.
copy_sql() {
    python3 - "$ROOT/src/store/history.c" "$1" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r'const char ' + sys.argv[2] + r'\[\] =(.*?);', src, re.S)
print(''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
PY
}
DEALS_SQL=$(copy_sql gf_store_history_deals_copy)
EVENTS_SQL=$(copy_sql gf_store_history_events_copy)
SETTINGS="SELECT set_config('gapforge.hist_org', '$ORG_ID', false), set_config('gapforge.hist_as_of', '$AS_OF', false), set_config('gapforge.hist_tz', '$TZ_ORG', false) \\g /dev/null"
floor_run() { # $1: server | client
    local file="TO '/dev/null'"
    local d="${DEALS_SQL/TO STDOUT/$file}" e="${EVENTS_SQL/TO STDOUT/$file}"
    if [ "$1" = client ]; then d="$DEALS_SQL"; e="$EVENTS_SQL"; fi
    printf '%s\n\\timing on\n%s;\n%s;\n' "$SETTINGS" "$d" "$e" |
        psql -q -v ON_ERROR_STOP=1 -o /dev/null "$DATABASE_URL" |
        awk '/^Time:/ {s += $2} END {printf "%.1f", s}'
}
server_floor=()
client_floor=()
for _ in $(seq "$RUNS"); do
    server_floor+=("$(floor_run server)")
    client_floor+=("$(floor_run client)")
done

f=$(printf '%s\n' "${fc[@]}" | bench_median)
sf=$(printf '%s\n' "${server_floor[@]}" | bench_median)
cf=$(printf '%s\n' "${client_floor[@]}" | bench_median)
echo "forecast runs (ms): ${fc[*]}"
echo "floor runs (ms):    ${server_floor[*]}"
grep '"msg":"forecast"' "$BENCH_DIR/server.log" | tail -1 |
    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print("last request: load %.0f ms, model %.0f ms, sim %.0f ms, spread cached: %s" % (d["load_ms"], d["model_ms"], d["sim_ms"], d["sigma_cached"]))'
awk -v f="$f" -v s="$sf" -v c="$cf" -v h="$hwm" -v n="$DEALS" 'BEGIN {
    printf "forecast median %.1f ms (GET /v1/forecast, warm)\n", f
    printf "floor    median %.1f ms (the adapter COPYs to a server file)\n", s
    printf "client   median %.1f ms (the same COPYs to a psql client, for reference)\n", c
    printf "ratio    %.2f x floor (target <= 1.5)\n", f / s
    printf "server   peak RSS %.1f MB (VmHWM; target < %.1f MB)\n", h / 1024, 100 + 200 * n / 1048576
}'
