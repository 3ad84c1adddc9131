#!/usr/bin/env bash
# run.sh — the calibration backtest of issue 4: does the actual land below P10 in about 10% of
# quarters and below P50 in about half of them?
#
# Usage: bench/calibration/run.sh [SEEDS] [QUARTERS] [DEALS_PER_QUARTER] [DAYS]
#   SEEDS              demo seeds, one org each (default 1 to 12)
#   QUARTERS           past quarters generated per org (default 12; at least 6)
#   DEALS_PER_QUARTER  passed to `gapforge demo` (default 300)
#   DAYS               days into each quarter at which it is forecast (default "15 45 75")
# Environment:
#   BUILD_DIR     meson build directory holding the gapforge binary (default ./build)
#   DATABASE_URL  libpq conninfo of a database to use; when unset a throwaway cluster is made
#                 with initdb (fsync=off) and removed afterwards. Orgs named calib-sN-QxD are
#                 reused when they exist (their truth files must still be in CALIB_DIR).
#   CALIB_DIR     where truth files, the per-forecast CSV and logs go (default
#                 /tmp/gapforge-calibration)
#   CALIB_PORT    port of the server started here (default 18961; the cluster uses +1)
#   TRIALS        Monte Carlo trials per forecast (default 10000)
#
# What it does: for each seed it generates a demo org (`gapforge demo --as-of 2026-11-15`), then
# for every complete quarter after the first four, and each day d of DAYS, calls
# GET /v1/forecast?period=QUARTER&as_of=START+d (a real backtest: the model reads only data
# dated before as_of) and compares P10/P50/P90 with the quarter's actual bookings from the
# truth file. It also splits the actual into booked before as_of, won from deals open at
# as_of and won from deals created after as_of (from the deals table), beside the forecast's
# components, to show where a bias comes from.
# Prints: n forecasts, share of actuals below P10, below P50, above P90, mean log error
# ln(actual / P50) (the bias; negative: the forecast runs high), the same per day of quarter
# and per seed, and the components' mean ratios actual / expected; then parameter recovery:
# the new-deal rate against the count of deals created after as_of and won in the quarter, and
# per seed the model's eventual win probability by stage against the truth's.
# Example: BUILD_DIR=/tmp/build bench/calibration/run.sh "1 2 3 4 5 6" 12 150
set -euo pipefail

SEEDS=${1:-"1 2 3 4 5 6 7 8 9 10 11 12"}
QUARTERS=${2:-12}
DPQ=${3:-300}
DAYS=${4:-"15 45 75"}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
CALIB_DIR=${CALIB_DIR:-/tmp/gapforge-calibration}
PORT=${CALIB_PORT:-18961}
TRIALS=${TRIALS:-10000}
TOKEN=calib-admin-token-0123456789
AS_OF=2026-11-15
mkdir -p "$CALIB_DIR"
[ -x "$BIN" ] || { echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2; exit 1; }
[ "$QUARTERS" -ge 6 ] || { echo "QUARTERS must be at least 6" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT
bench_db calib $((PORT + 1))

export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_ADMIN_TOKEN=$TOKEN
export GAPFORGE_LISTEN=127.0.0.1:$PORT
"$BIN" migrate >/dev/null

ORGS=()
for seed in $SEEDS; do
    slug="calib-s$seed-q${QUARTERS}x$DPQ"
    truth="$CALIB_DIR/$slug.truth.json"
    id=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM orgs WHERE slug = '$slug'")
    if [ -z "$id" ] || [ ! -s "$truth" ]; then
        [ -z "$id" ] || { echo "org $slug exists but $truth is missing" >&2; exit 1; }
        "$BIN" demo --org "$slug" --seed "$seed" --quarters "$QUARTERS" \
            --deals-per-quarter "$DPQ" --as-of "$AS_OF" --truth "$truth" >/dev/null
        id=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM orgs WHERE slug = '$slug'")
    fi
    psql -qtA -F, "$DATABASE_URL" -o "$CALIB_DIR/$slug.deals.csv" -c \
        "SELECT d.created_on, d.closed_on, d.amount, s.kind FROM deals d
         JOIN stages s ON s.id = d.stage_id WHERE d.org_id = $id AND d.deleted_at IS NULL"
    key=$("$BIN" keys create --org "$slug" --name "calib-$RANDOM$RANDOM" --scopes read 2>/dev/null |
        tail -1)
    ORGS+=("$seed $slug $key")
done

"$BIN" serve 2> "$CALIB_DIR/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

printf '%s\n' "${ORGS[@]}" > "$CALIB_DIR/orgs.txt"
python3 - "$CALIB_DIR" "$PORT" "$TRIALS" "$DAYS" <<'PY'
import csv, datetime as dt, json, math, sys, urllib.request

calib_dir, port, trials, days = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
D = dt.date.fromisoformat
rows, recovery = [], []
for line in open(f"{calib_dir}/orgs.txt"):
    if not line.strip():
        continue
    seed, slug, key = line.split()
    truth = json.load(open(f"{calib_dir}/{slug}.truth.json"))
    deals = []
    for r in csv.reader(open(f"{calib_dir}/{slug}.deals.csv")):
        if len(r) < 4:
            continue
        deals.append((D(r[0]), D(r[1]) if r[1] else None, float(r[2]), r[3]))
    complete = [q for q in truth["quarters"] if q["complete"]]
    for q in complete[4:]:
        start, end = D(q["start"]), D(q["end"])
        for d in days:
            as_of = start + dt.timedelta(days=int(d))
            if as_of > end:
                continue
            url = (f"http://127.0.0.1:{port}/v1/forecast?period={q['name']}"
                   f"&as_of={as_of}&trials={trials}")
            req = urllib.request.Request(url, headers={"Authorization": "Bearer " + key})
            f = json.load(urllib.request.urlopen(req))
            won = [x for x in deals if x[3] == "won" and start <= x[1] <= end]
            actual = q["bookings"]
            booked = sum(x[2] for x in won if x[1] < as_of)
            new = sum(x[2] for x in won if x[0] >= as_of)
            c = f["components"]
            nd = f["model"]["parameters"]["new_deals"]
            rows.append(dict(seed=seed, quarter=q["name"], day=int(d), as_of=str(as_of),
                             actual=actual, p10=f["p10"], p50=f["p50"], p90=f["p90"],
                             expected=f["expected"], booked=c["booked"],
                             expected_open=c["expected_open"], expected_new=c["expected_new"],
                             actual_booked=booked, actual_open=actual - booked - new,
                             actual_new=new, sigma=f["model"]["sigma"]["value"],
                             new_lambda=nd["lambda"],
                             new_count=sum(1 for x in won if x[0] >= as_of)))
    # Recovery at the org's as_of: the model's eventual win probability by stage against the
    # truth's, zombies included (a zombie stalls at one of the first S - 1 open stages, drawn
    # uniformly, and never wins).
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/forecast?as_of={truth['as_of']}&trials=1000",
        headers={"Authorization": "Bearer " + key})
    f = json.load(urllib.request.urlopen(req))
    z = truth["zombies"]["share"]
    opens = [t for t in truth["stages"] if t["kind"] == "open"]
    m = len(opens) - 1
    model = {x["stage"]: x["model_win_rate"] for x in f["model"]["parameters"]["stage_win_rates"]}
    parts = []
    for t in opens:
        k = t["position"] - 1
        w = t["win_probability"]
        want = w * (1 - z) / ((1 - z) + z * (m - k) / m) if k < m else w
        parts.append(f"{t['key'][:5]} {model[t['key']]:.3f}/{want:.3f}")
    recovery.append(f"seed {seed:<3} win probability model/truth: " + "  ".join(parts))

with open(f"{calib_dir}/forecasts.csv", "w", newline="") as out:
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)

def summary(label, rs):
    n = len(rs)
    below10 = sum(r["actual"] < r["p10"] for r in rs) / n
    below50 = sum(r["actual"] < r["p50"] for r in rs) / n
    above90 = sum(r["actual"] > r["p90"] for r in rs) / n
    errs = [math.log(r["actual"] / r["p50"]) for r in rs if r["actual"] > 0 and r["p50"] > 0]
    bias = sum(errs) / len(errs) if errs else float("nan")
    eo = sum(r["expected_open"] for r in rs)
    en = sum(r["expected_new"] for r in rs)
    ao = sum(r["actual_open"] for r in rs)
    an = sum(r["actual_new"] for r in rs)
    print(f"{label:<14} n {n:3d}  below P10 {below10:5.1%}  below P50 {below50:5.1%}  "
          f"above P90 {above90:5.1%}  mean ln(actual/P50) {bias:+.3f}  "
          f"open actual/expected {ao / eo if eo else float('nan'):.2f}  "
          f"new {an / en if en else float('nan'):.2f}")

mismatch = sum(abs(r["booked"] - r["actual_booked"]) > 0.5 for r in rows)
print(f"calibration over {len(rows)} quarter-forecasts "
      f"({len(set((r['seed'], r['quarter']) for r in rows))} quarters, days {' '.join(days)}):")
summary("all", rows)
for d in days:
    summary(f"day {d}", [r for r in rows if r["day"] == int(d)])
for s in sorted(set(r["seed"] for r in rows), key=int):
    summary(f"seed {s}", [r for r in rows if r["seed"] == s])
for d in days:
    rs = [r for r in rows if r["day"] == int(d)]
    lam, cnt = sum(r["new_lambda"] for r in rs), sum(r["new_count"] for r in rs)
    print(f"new deals at day {d}: model lambda total {lam:.1f}, realised {cnt}")
print("\n".join(recovery))
if mismatch:
    print(f"warning: booked differs from the deals table in {mismatch} forecasts")
print(f"per-forecast rows: {calib_dir}/forecasts.csv")
PY
