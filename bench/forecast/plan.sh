#!/usr/bin/env bash
# plan.sh — the end-to-end plan benchmark of issue 5: POST /v1/plans over the demo's 8 levers
# that can move bookings (every kind; the operational kpi lever left out) with up to 10 units
# each, on the demo org of bench/forecast/run.sh (~99,000 deals), 10,000 trials.
#
# Usage: bench/forecast/plan.sh [RUNS] [DEALS_PER_QUARTER]
#   RUNS               timed requests after two warm-ups (default 7); the median is reported
#   DEALS_PER_QUARTER  passed to `gapforge demo --quarters 12` (default 8500: ~99,000 deals)
# Environment: BUILD_DIR, DATABASE_URL, BENCH_DIR as for bench/forecast/run.sh (an org named
# bench-forecast is reused when it exists; its levers get max_units 10 and its 2026-Q4 org
# target is set 8% above the status-quo P50).
#
# What it measures: wall time of the plan request seen by curl (history load, forecast, lever
# context, search, final runs, summary), warm (the spread's self-backtest is cached by the first
# request), and the forecast request alone for comparison. Target: plan median <= 2 s.
set -euo pipefail

RUNS=${1:-7}
DPQ=${2:-8500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-forecast}
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18961}
AS_OF=2026-11-15
SLUG=bench-forecast
mkdir -p "$BENCH_DIR"
[ -x "$BIN" ] || { echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT
bench_db bench $((PORT + 1))

export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_ADMIN_TOKEN=$TOKEN
export GAPFORGE_LISTEN=127.0.0.1:$PORT
"$BIN" migrate >/dev/null
ORG_ID=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM orgs WHERE slug = '$SLUG'")
if [ -z "$ORG_ID" ]; then
    "$BIN" demo --org "$SLUG" --seed 7 --quarters 12 --deals-per-quarter "$DPQ" --as-of "$AS_OF" \
        --truth "$BENCH_DIR/truth.json" | head -1
    ORG_ID=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM orgs WHERE slug = '$SLUG'")
    psql -q "$DATABASE_URL" -c "VACUUM ANALYZE deals" -c "VACUUM ANALYZE deal_events"
fi
psql -q "$DATABASE_URL" -c "UPDATE levers SET max_units = 10 WHERE org_id = $ORG_ID"
KEY=$("$BIN" keys create --org "$SLUG" --name "bench-$RANDOM" --scopes read,write | tail -1)

"$BIN" serve 2> "$BENCH_DIR/server-plan.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
H=(-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
U=http://127.0.0.1:$PORT

P50=$(curl -sf "${H[@]}" "$U/v1/forecast?period=2026-Q4&as_of=$AS_OF" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["p50"], d["open_deals"])')
read -r BASE OPEN <<<"$P50"
TARGET=$(python3 -c "print(round($BASE * 1.08, 2))")
curl -sf "${H[@]}" -X PUT "$U/v1/targets" -o /dev/null \
    -d "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", \"value\": $TARGET}"
LEVERS=$(psql -qtA "$DATABASE_URL" -c "SELECT json_agg(key ORDER BY key) FROM levers l
    WHERE org_id = $ORG_ID AND NOT (kind = 'kpi' AND NOT EXISTS (SELECT 1 FROM kpis k
    WHERE k.id = l.kpi_id AND k.leads_to = 'bookings'))")
BODY="{\"period\": \"2026-Q4\", \"as_of\": \"$AS_OF\", \"goal\": {\"type\": \"p50\"}, \"levers\": $LEVERS}"
echo "org $SLUG: $OPEN open deals at $AS_OF; P50 $BASE, target $TARGET; levers $LEVERS"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for _ in 1 2; do
    curl -sf "${H[@]}" -X POST "$U/v1/plans" -d "$BODY" -o "$BENCH_DIR/plan.json" ||
        { echo "warm-up plan failed" >&2; exit 1; }
done
pl=()
fc=()
for _ in $(seq "$RUNS"); do
    pl+=("$(curl -sf -o /dev/null -w '%{time_total}' "${H[@]}" -X POST "$U/v1/plans" -d "$BODY" |
        awk '{printf "%.1f", $1 * 1000}')")
    fc+=("$(curl -sf -o /dev/null -w '%{time_total}' "${H[@]}" \
        "$U/v1/forecast?period=2026-Q4&as_of=$AS_OF" | awk '{printf "%.1f", $1 * 1000}')")
done
python3 - "$BENCH_DIR/plan.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
acts = ", ".join(f"{a['lever']} x{a['units']}" for a in d["actions"])
print(f"plan: achieves={d['achieves']} search={d['search']} cost={d['total_cost']} actions: {acts}")
PY
echo "plan runs (ms): ${pl[*]}"
echo "forecast runs (ms): ${fc[*]}"
echo "plan median: $(printf '%s\n' "${pl[@]}" | median) ms (target <= 2000 ms); forecast median: $(printf '%s\n' "${fc[@]}" | median) ms"
