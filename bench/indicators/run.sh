#!/usr/bin/env bash
# run.sh — the leading-indicators benchmark of issue 11: GET /v1/indicators for a demo org with
# 10 KPIs that lead to bookings (the demo's qualified_leads and 9 copies of its weekly series,
# each scaled and each with its own lag) beside the pipeline's five weekly indicators.
#
# Usage: bench/indicators/run.sh [RUNS] [DEALS_PER_QUARTER]
#   RUNS               timed requests after two warm-ups (default 15); the median is reported
#   DEALS_PER_QUARTER  passed to `gapforge demo --quarters 12` (default 300: ~3,600 deals)
# Environment: BUILD_DIR (default ./build), DATABASE_URL (else a throwaway cluster), BENCH_DIR
# (default /tmp/gapforge-bench-indicators), BENCH_PORT (default 18971; the cluster uses +1).
# Target: median <= 200 ms.
set -euo pipefail

RUNS=${1:-15}
DPQ=${2:-300}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-indicators}
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18971}
AS_OF=2026-11-15
SLUG=bench-indicators-$DPQ

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export GAPFORGE_ADMIN_TOKEN=$TOKEN
bench_setup
# Nine more leading KPIs: the leads' series scaled by 1.1^i, lags 7 i days (for a new org).
add_kpis() {
    psql -q "$DATABASE_URL" <<SQL
INSERT INTO kpis (org_id, key, name, unit, direction, aggregation, bucket, leads_to, lag_days)
SELECT $ORG_ID, 'lead_' || i, 'Leading KPI ' || i, 'count', 'higher_is_better', 'sum', 'week',
       'bookings', 7 * i FROM generate_series(1, 9) i;
INSERT INTO kpi_observations (org_id, kpi_id, observed_on, value)
SELECT $ORG_ID, k.id, o.observed_on, o.value * power(1.1, substr(k.key, 6)::int)
FROM kpis k, kpi_observations o JOIN kpis q ON q.id = o.kpi_id AND q.key = 'qualified_leads'
WHERE k.org_id = $ORG_ID AND k.key LIKE 'lead\_%' AND q.org_id = $ORG_ID;
SQL
}
bench_org "$SLUG" 5 "$DPQ" add_kpis
NK=$(bench_query "SELECT count(*) FROM kpis WHERE org_id = $ORG_ID AND leads_to IS NOT NULL")
ND=$(bench_query "SELECT count(*) FROM deals WHERE org_id = $ORG_ID")
KEY=$(bench_key "$SLUG" read)

bench_serve "$BENCH_DIR/server.log"
H=(-H "Authorization: Bearer $KEY")
U="http://127.0.0.1:$PORT/v1/indicators?as_of=$AS_OF"
for _ in 1 2; do
    curl -sf "${H[@]}" "$U" -o "$BENCH_DIR/indicators.json" || { echo "warm-up failed" >&2; exit 1; }
done
t=()
for _ in $(seq "$RUNS"); do
    t+=("$(curl -sf -o /dev/null -w '%{time_total}' "${H[@]}" "$U" | awk '{printf "%.1f", $1 * 1000}')")
done
python3 - "$BENCH_DIR/indicators.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{len(d['items'])} indicators; " + "; ".join(i["text"] for i in d["items"][:2]))
PY
echo "org $SLUG: $NK leading KPIs, $ND deals"
echo "runs (ms): ${t[*]}"
echo "median: $(printf '%s\n' "${t[@]}" | bench_median) ms (target <= 200 ms)"
kill "$SERVER" 2>/dev/null || true
