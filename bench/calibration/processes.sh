#!/usr/bin/env bash
# processes.sh — calibration on sales processes other than the demo's (issue 9): does the
# forecast hold on structures it was not built around, on rich CRM history and on a plain
# opportunity export, and does it beat what a team would otherwise use?
#
# Usage: bench/calibration/processes.sh
# Environment (all optional):
#   BUILD_DIR          meson build directory holding the gapforge binary (default ./build)
#   PROCESSES          gen.py processes (default "memoryless aged")
#   VARIANTS           rich (stage, amount and close-date history through
#                      POST /v1/imports/deal-events), export (deals CSV only, one open stage,
#                      list-price open amounts, backdated by the import), export-stages (the
#                      same with each open deal's current stage; at past dates it is the export's twin,
#                      as the deals still open today are few) (default "rich export")
#   SEEDS              one org per seed, process, variant and case (default "1 2 3 4 5 6")
#   QUARTERS           quarters per org in the main case (default 11: 10 complete, so 6
#                      backtested quarters with >= 4 earlier ones)
#   YOUNG_QUARTERS     quarters per org in the young-org case, backtested from the second
#                      complete quarter on (default 6; 0 skips the case)
#   DEALS_PER_QUARTER  base creation rate (default 200)
#   DAYS               days into each quarter forecast at (default "0 30 60")
#   TRIALS             Monte Carlo trials per forecast (default 2000)
#   AS_OF              the orgs' today (default 2026-11-15)
#   JOBS               forecasts in flight at once (default 2)
#   EXPORT_BACKDATE    false: import the exports with backdate=false (every creation at the
#                      import's time, as before issue 9), to see what that does to backtests
#   DATABASE_URL       a database to use (it must hold no orgs of the same slugs); when unset a
#                      throwaway cluster is made and removed afterwards (bench/lib.sh)
#   CALIB_DIR          generated files (one folder per org: stages.json, deals.csv,
#                      events.csv, targets.json, truth.json), forecasts.csv and the server log
#                      (default /tmp/gapforge-processes)
#   CALIB_PORT         port of the server started here (default 18971; the cluster uses +1)
#
# What it does: for each process x variant x seed it runs bench/calibration/gen.py, creates an
# org with POST /v1/orgs (admin token), loads it over HTTP (PUT /v1/stages, POST
# /v1/imports/deals with create_missing, POST /v1/imports/deal-events for the rich variant,
# PUT /v1/targets), then for each complete quarter after the first four (young case: after the
# first) and each day d of DAYS calls GET /v1/forecast?period=Q&as_of=START+d&trials=TRIALS
# (a real backtest: the model reads only data dated before as_of) and compares P10/P50/P90 with
# the quarter's actual bookings from the truth file.
# Prints per process / variant / case and per day: n, the share of actuals below P10, below
# P50 and above P90, the P50's WAPE (sum |P50 - actual| / sum actual), the same WAPE for two
# baselines computed from the truth of what the CRM showed at as_of — weighted pipeline
# (booked + each open deal whose close date then fell in the quarter x its stage's default
# probability) and run-rate (booked + the previous four quarters' bookings per day x the days
# left) — the skill (1 - model WAPE / the better baseline's) and mean ln(actual / P50); then
# actual / forecast per component (booked, open deals, deals not yet created).
# Example: BUILD_DIR=/tmp/build SEEDS="1 2" bench/calibration/processes.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
CALIB_DIR=${CALIB_DIR:-/tmp/gapforge-processes}
PORT=${CALIB_PORT:-18971}
TOKEN=calib-admin-token-0123456789
[ -x "$BIN" ] || { echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2; exit 1; }
rm -rf "$CALIB_DIR"
mkdir -p "$CALIB_DIR"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT
bench_db calibproc $((PORT + 1))

export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_ADMIN_TOKEN=$TOKEN
export GAPFORGE_LISTEN=127.0.0.1:$PORT GAPFORGE_MAX_BODY=$((16 << 20))
"$BIN" migrate >/dev/null
"$BIN" serve 2> "$CALIB_DIR/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

python3 "$ROOT/bench/calibration/processes.py" "http://127.0.0.1:$PORT" "$TOKEN" "$CALIB_DIR"
