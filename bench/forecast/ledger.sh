#!/usr/bin/env bash
# ledger.sh — the accuracy ledger and the rep scorecard on an org of about 100,000 deals (issue
# 10's figures: GET /v1/accuracy over 8 quarters <= 500 ms, a scorecard <= 300 ms, medians).
#
# Usage: bench/forecast/ledger.sh [RUNS] [DEALS_PER_QUARTER]
#   RUNS               timed requests of each kind after two warm-ups (default 9)
#   DEALS_PER_QUARTER  passed to `gapforge demo --quarters 12` (default 8500: ~99,000 deals), the
#                      same org as bench/forecast/run.sh (reused when it exists)
# Environment: BUILD_DIR, DATABASE_URL, BENCH_DIR as for bench/forecast/run.sh.
#
# The ledger reads snapshots where a week has one: a server that ran for the last two years has
# 13 weekly org snapshots per closed quarter, which this script writes straight into
# forecast_snapshots for the last 8 closed quarters (figures taken from the quarter's actual,
# so the answer is a real one; the model is not run for them). Measured, warm:
#   * accuracy:  GET /v1/accuracy?last=8 (org scope): 8 periods x 13 weeks of model, commit and
#                manager calls against the actuals.
#   * scorecard: GET /v1/reps/grace/scorecard?period=2026-Q4 (the history read, the figures, the
#                bias over four closed quarters and the next quarter's forecast).
#   * forecast:  GET /v1/forecast (org scope) beside them, for reference on the same machine.
set -euo pipefail

RUNS=${1:-9}
DPQ=${2:-8500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-ledger}
PORT=${BENCH_PORT:-18961}
AS_OF=2026-11-15
SLUG=bench-forecast

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export GAPFORGE_SNAPSHOT_AT=off
bench_setup
bench_org "$SLUG" 7 "$DPQ" bench_vacuum
DEALS=$(bench_query "SELECT count(*) FROM deals WHERE org_id = $ORG_ID")
KEY=$(bench_key "$SLUG" read)

# 13 weekly org snapshots in each of the 8 fiscal quarters before 2026-Q4 (calendar quarters in
# the demo), unless they are there already: P50 at the actual times a drift that fades over the
# quarter, P10/P90 around it.
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
INSERT INTO forecast_snapshots (org_id, scope, period, period_start, period_end, as_of, p10, p50,
                                p90, expected, model_version, forecast)
SELECT $ORG_ID, 'org', to_char(q, 'YYYY') || '-Q' || extract(quarter FROM q), q,
       (q + interval '3 months - 1 day')::date, (q + w * interval '7 days')::date,
       0.8 * f, f, 1.2 * f, f, 'bench', '{}'::jsonb
FROM generate_series(date '2024-10-01', date '2026-07-01', interval '3 months') AS q,
     generate_series(0, 12) AS w,
     LATERAL (SELECT coalesce(sum(amount), 0) * (1 + 0.2 * (12 - w) / 12.0) AS f
              FROM deals d JOIN stages s ON s.id = d.stage_id
              WHERE d.org_id = $ORG_ID AND s.kind = 'won' AND d.closed_on >= q
                AND d.closed_on < q + interval '3 months') AS a
WHERE NOT EXISTS (SELECT 1 FROM forecast_snapshots x WHERE x.org_id = $ORG_ID AND x.scope = 'org'
                  AND x.model_version = 'bench');
SQL
echo "org $SLUG: $DEALS deals, $(bench_query \
    "SELECT count(*) FROM forecast_snapshots WHERE org_id = $ORG_ID") snapshots"

bench_serve "$BENCH_DIR/server.log"

time_of() { # $1: path; prints the median of RUNS warm requests in ms
    local url="http://127.0.0.1:$PORT$1" ms=()
    for _ in 1 2; do
        curl -sf -o "$BENCH_DIR/last.json" -H "Authorization: Bearer $KEY" "$url" ||
            { echo "request failed: $1" >&2; exit 1; }
    done
    for _ in $(seq "$RUNS"); do
        ms+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $KEY" "$url" |
            awk '{printf "%.1f", $1 * 1000}')")
    done
    echo "$1: ${ms[*]}" >&2
    printf '%s\n' "${ms[@]}" | bench_median
}
acc=$(time_of "/v1/accuracy?last=8")
python3 -c "import json; d=json.load(open('$BENCH_DIR/last.json')); print('accuracy:', len(d['periods']), 'periods,', d['summary']['model']['n'], 'model weeks')" >&2
card=$(time_of "/v1/reps/grace/scorecard?period=2026-Q4&as_of=$AS_OF")
fc=$(time_of "/v1/forecast?as_of=$AS_OF")
echo "accuracy over 8 quarters: median $acc ms (target <= 500)"
echo "scorecard:                median $card ms (target <= 300)"
echo "forecast (reference):     median $fc ms"
