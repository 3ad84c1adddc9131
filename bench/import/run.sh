#!/usr/bin/env bash
# run.sh — the bulk import benchmark of issue 3: POST /v1/imports/deals against psql \copy.
#
# Usage: bench/import/run.sh [ROWS] [RUNS]
#   ROWS  rows in the generated CSV (default 1000000)
#   RUNS  timed runs of each side; the median is reported (default 3)
# Environment:
#   BUILD_DIR     meson build directory holding the gapforge binary (default ./build)
#   DATABASE_URL  libpq conninfo of an empty database to use; when unset, a throwaway cluster is
#                 made with initdb (fsync=off, as in the tests) and removed afterwards
#   BENCH_DIR     where the CSV and logs go (default /tmp/gapforge-bench-import)
#   BENCH_SPELLING  keys (default): owners, stages, categories and sources as the org's keys;
#                 crm: as a CRM export spells them (names, CRM words, timestamps; see gen.py)
#
# Each import run gets a fresh org (50 reps, 7 stages made in SQL), so every run inserts ROWS
# deals (their creation carried by the rows, migration 0018). Each \copy run loads a freshly
# created deals_copy table with the file's columns, typed as deals types them, and as many
# indexes as deals has (counted from pg_indexes; the first is unique on external_id, as deals'
# (org_id, external_id) is). The runs alternate, an import then a \copy, each after an untimed
# VACUUM ANALYZE and CHECKPOINT. Prints rows/s of both (medians), their ratio, the seconds of
# re-importing the unchanged file into the last org, and the server's peak RSS (VmHWM).
# Example: BUILD_DIR=/tmp/build bench/import/run.sh 1000000 3
set -euo pipefail

ROWS=${1:-1000000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/gapforge
BENCH_DIR=${BENCH_DIR:-/tmp/gapforge-bench-import}
mkdir -p "$BENCH_DIR"
SPELLING=${BENCH_SPELLING:-keys}
CSV=$BENCH_DIR/deals-$ROWS-$SPELLING.csv
TOKEN=bench-admin-token-0123456789
PORT=${BENCH_PORT:-18931}
[ -x "$BIN" ] || { echo "no $BIN: build first (meson compile -C $BUILD_DIR)" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap bench_cleanup EXIT
bench_db bench $((PORT + 1))

[ -s "$CSV" ] || python3 "$ROOT/bench/import/gen.py" "$ROWS" 42 "$SPELLING" > "$CSV"
echo "file: $CSV ($(wc -c < "$CSV") bytes, $ROWS rows)"

export GAPFORGE_MIGRATIONS=$ROOT/migrations GAPFORGE_ADMIN_TOKEN=$TOKEN
export GAPFORGE_LISTEN=127.0.0.1:$PORT GAPFORGE_THREADS=4
# The import alone: no daily snapshot or alert evaluation of the new million-deal orgs meanwhile
# (a snapshot reads the org's whole history: the memory of a forecast, not of the import).
export GAPFORGE_SNAPSHOT_AT=off GAPFORGE_ALERTS_EVERY=off
"$BIN" migrate >/dev/null
"$BIN" serve 2> "$BENCH_DIR/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }

# A fresh org with its reps and stages; prints its admin key.
new_org() {
    local slug=bench-$1-$RANDOM$RANDOM
    local key
    key=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/orgs" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -d "{\"slug\": \"$slug\", \"name\": \"Bench\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"]["secret"])')
    psql -q "$DATABASE_URL" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO stages (org_id, key, name, position, kind, probability)
SELECT o.id, v.k, v.k, v.p, v.kind, v.prob FROM orgs o, (VALUES
  ('prospecting', 1, 'open', 0.1), ('qualification', 2, 'open', 0.2), ('discovery', 3, 'open', 0.3),
  ('proposal', 4, 'open', 0.5), ('negotiation', 5, 'open', 0.7), ('won', 6, 'won', 1),
  ('lost', 7, 'lost', 0)) v(k, p, kind, prob) WHERE o.slug = '$slug';
INSERT INTO reps (org_id, key, name)
SELECT o.id, 'rep-' || lpad(g::text, 3, '0'), 'Rep ' || g FROM orgs o, generate_series(0, 49) g
WHERE o.slug = '$slug';
SQL
    echo "$key"
}

# Before each timed run of either side, untimed: the previous run's rows vacuumed and analysed
# (else autovacuum of the last million rows runs during the next import) and a checkpoint, so
# both sides start from the same quiet database.
quiesce() { psql -q "$DATABASE_URL" -c "VACUUM ANALYZE" -c "CHECKPOINT" && sync; }

# The \copy table: the file's columns, typed as in deals, and as many indexes as deals has.
NIDX=$(bench_query "SELECT count(*) FROM pg_indexes WHERE tablename = 'deals'")
COPY_INDEXES=("UNIQUE INDEX ON deals_copy (external_id)" "INDEX ON deals_copy (created_on)"
    "INDEX ON deals_copy (close_date)" "INDEX ON deals_copy (stage)" "INDEX ON deals_copy (owner)"
    "INDEX ON deals_copy (amount)" "INDEX ON deals_copy (closed_on)" "INDEX ON deals_copy (category)")
((NIDX <= ${#COPY_INDEXES[@]})) || { echo "deals has $NIDX indexes: add more to COPY_INDEXES" >&2; exit 1; }
echo "deals has $NIDX indexes: $(bench_query "SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'deals'")"

# timed_import KEY EFFECTIVE_AT COUNT: POSTs the file as the org of KEY and checks that the
# answer's COUNT (inserted, unchanged) is ROWS; prints its seconds, or exits saying why not.
timed_import() {
    local t0 t1 out n
    quiesce
    t0=$(now)
    out=$(curl -sS -X POST "http://127.0.0.1:$PORT/v1/imports/deals?effective_at=$2" \
        -H "Authorization: Bearer $1" -H 'Content-Type: text/csv' -T "$CSV")
    t1=$(now)
    n=$(echo "$out" | python3 -c "import json,sys; print(json.load(sys.stdin).get('$3'))" \
        2>/dev/null || echo "?")
    [ "$n" = "$ROWS" ] || { echo "import failed ($3 $n): ${out:0:400}" >&2; exit 1; }
    echo "$t1 - $t0" | bc -l
}

# One timed import into a fresh org; its seconds go to import_times.
import_once() {
    local secs
    last_key=$(new_org "$1")
    secs=$(timed_import "$last_key" 2025-01-01 inserted)
    import_times+=("$secs")
    printf 'import run %d: %.2f s (%s inserted)\n' "$1" "$secs" "$ROWS"
}

# The same file again into the last import's org: every row matches a deal and none changed,
# so nothing is written (issue 13: a no-op). Prints its seconds.
reimport_once() {
    printf 're-import of the unchanged file: %.2f s (%s unchanged)\n' \
        "$(timed_import "$last_key" 2025-01-02 unchanged)" "$ROWS"
}

# One timed \copy into a freshly made deals_copy; its seconds go to copy_times.
copy_once() {
    local k t0 t1 secs
    psql -q "$DATABASE_URL" -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS deals_copy" -c "CREATE TABLE deals_copy
        (external_id text NOT NULL, name text NOT NULL, account text, owner text,
         amount numeric(18, 2) NOT NULL, stage text NOT NULL, category text, source text,
         created_on date, close_date date, closed_on date)"
    for ((k = 0; k < NIDX; k++)); do psql -q "$DATABASE_URL" -c "CREATE ${COPY_INDEXES[k]}"; done
    quiesce
    t0=$(now)
    psql -q "$DATABASE_URL" -c "\\copy deals_copy FROM '$CSV' CSV HEADER"
    t1=$(now)
    secs=$(echo "$t1 - $t0" | bc -l)
    copy_times+=("$secs")
    printf '\\copy run %d: %.2f s\n' "$1" "$secs"
}

# Rounds of one import and one \copy, so that both sides see the machine as it is then (a shared
# machine drifts by tens of percent over minutes).
import_times=()
copy_times=()
for run in $(seq "$RUNS"); do
    import_once "$run"
    copy_once "$run"
done
reimport_once
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
psql -q "$DATABASE_URL" -c "DROP TABLE IF EXISTS deals_copy"

imp=$(printf '%s\n' "${import_times[@]}" | bench_median)
cpy=$(printf '%s\n' "${copy_times[@]}" | bench_median)
awk -v n="$ROWS" -v i="$imp" -v c="$cpy" -v h="$hwm" 'BEGIN {
    printf "import  median %.2f s  %9.0f rows/s\n", i, n / i
    printf "\\copy   median %.2f s  %9.0f rows/s\n", c, n / c
    printf "ratio   %.1f%% of \\copy (target >= 50%%)\n", 100 * c / i
    printf "server  peak RSS %.1f MB (VmHWM; target < 200 MB)\n", h / 1024
}'
