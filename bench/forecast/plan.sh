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
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-forecast}
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18961}
AS_OF=2026-11-15
SLUG=bench-forecast

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export GAPFORGE_ADMIN_TOKEN=$TOKEN
bench_setup
bench_org "$SLUG" 7 "$DPQ" bench_vacuum deals deal_events
psql -q "$DATABASE_URL" -c "UPDATE levers SET max_units = 10 WHERE org_id = $ORG_ID"
KEY=$(bench_key "$SLUG" read,write)

bench_serve "$BENCH_DIR/server-plan.log"
H=(-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
U=http://127.0.0.1:$PORT

P50=$(curl -sf "${H[@]}" "$U/v1/forecast?period=2026-Q4&as_of=$AS_OF" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["p50"], d["open_deals"])')
read -r BASE OPEN <<<"$P50"
TARGET=$(python3 -c "print(round($BASE * 1.08, 2))")
curl -sf "${H[@]}" -X PUT "$U/v1/targets" -o /dev/null \
    -d "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", \"value\": $TARGET}"
LEVERS=$(bench_query "SELECT json_agg(key ORDER BY key) FROM levers l
    WHERE org_id = $ORG_ID AND NOT (kind = 'kpi' AND NOT EXISTS (SELECT 1 FROM kpis k
    WHERE k.id = l.kpi_id AND k.leads_to = 'bookings'))")
BODY="{\"period\": \"2026-Q4\", \"as_of\": \"$AS_OF\", \"goal\": {\"type\": \"p50\"}, \"levers\": $LEVERS}"
echo "org $SLUG: $OPEN open deals at $AS_OF; P50 $BASE, target $TARGET; levers $LEVERS"

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
echo "plan median: $(printf '%s\n' "${pl[@]}" | bench_median) ms (target <= 2000 ms); forecast median: $(printf '%s\n' "${fc[@]}" | bench_median) ms"
