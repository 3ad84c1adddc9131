#!/usr/bin/env bash
# tests/scripts/test_leaks.sh GAPFORGE: the real server, built with AddressSanitizer, leaks
# nothing. It serves a demo org with LeakSanitizer on, answers a request of every kind that reads
# a history, fits a forecast or runs a job (twice over, a write in between, so that caches fill,
# turn over and drop what is superseded), stops on SIGTERM, and must then exit 0 with no leak
# report. (The suites under tests/ run with leak detection off: Check's forked children report
# Check's own allocations. A leak in the server shows only under load, as memory that grows.)
# Needs GAPFORGE_TEST_DATABASE_URL (exit 77 without it), in whose cluster it creates and drops a
# database of its own. Registered in sanitizer builds only (tests/scripts/meson.build).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/scripts/cases.sh
source "$root/tests/scripts/cases.sh"

gf=$(readlink -f -- "${1:?usage: test_leaks.sh GAPFORGE}")
if [[ -z ${GAPFORGE_TEST_DATABASE_URL:-} ]]; then
    echo "GAPFORGE_TEST_DATABASE_URL is not set: skipped" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gapforge-leaks-test.XXXXXX")
psql_bin=$(gf_pg_bindir)/psql
db=gapforge_leaks_$$

admin_sql() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$GAPFORGE_TEST_DATABASE_URL" -c "$1"; }
sql() { "$psql_bin" -X -tA -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local pid
    pid=$(cat "$tmp/serve.pid" 2>/dev/null) # the case runs in a subshell: its pid is in a file
    [[ -n $pid ]] && t_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    admin_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    rm -rf -- "$tmp"
}
trap cleanup EXIT

admin_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
admin_sql "CREATE DATABASE $db" || exit 1
DATABASE_URL=$(t_with_dbname "$GAPFORGE_TEST_DATABASE_URL" "$db")
export DATABASE_URL
export GAPFORGE_MIGRATIONS=${GAPFORGE_MIGRATIONS:-$root/migrations}
unset GAPFORGE_ADMIN_TOKEN GAPFORGE_LISTEN
# The setup commands run with leak detection off: only the server is under test here.
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$gf" migrate >/dev/null || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$gf" demo --org leaks --seed 11 --quarters 6 \
    --deals-per-quarter 80 --as-of 2026-11-15 --truth "$tmp/truth.json" >/dev/null || exit 1
key=$(ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$gf" keys create --org leaks --name leaks \
    --scopes read,write | tail -n 1)
rep=$(sql "SELECT r.key FROM reps r JOIN orgs o ON o.id = r.org_id WHERE o.slug = 'leaks'
           AND r.active ORDER BY r.key LIMIT 1")
team=$(sql "SELECT t.key FROM teams t JOIN orgs o ON o.id = t.org_id WHERE o.slug = 'leaks'
            ORDER BY t.key LIMIT 1")
kpi=$(sql "SELECT k.key FROM kpis k JOIN orgs o ON o.id = k.org_id WHERE o.slug = 'leaks'
           ORDER BY k.key LIMIT 1")
deal=$(sql "SELECT d.id FROM deals d JOIN orgs o ON o.id = d.org_id
            JOIN stages s ON s.org_id = d.org_id AND s.id = d.stage_id
            WHERE o.slug = 'leaks' AND s.kind = 'open' ORDER BY d.id LIMIT 1")
[[ -n $rep && -n $team && -n $kpi && -n $deal && -n $key ]] || {
    echo "the demo org lacks a rep, a team, a KPI or an open deal" >&2
    exit 1
}
port='' base='' server_pid=''
q="period=2026-Q4&as_of=2026-11-15"

# The request mix: "METHOD PATH [BODY]" per line, each answered 2xx.
requests() {
    cat <<EOF
GET /v1/forecast?$q&explain=true
GET /v1/forecast?$q&scope=team:$team&trials=2000
GET /v1/forecast?$q&scope=rep:$rep&trials=2000
GET /v1/forecast?$q&scope=source:marketing&trials=2000
GET /v1/forecast/rollup?$q&trials=2000
GET /v1/projections?$q&by=team&trials=2000
GET /v1/projections?$q&by=rep&trials=2000
GET /v1/projections?$q&by=source&trials=2000
GET /v1/pipeline/changes?period=2026-Q4&from=2026-10-01&to=2026-11-15
GET /v1/funnel?from=2026-01-01&to=2026-11-15
GET /v1/accuracy?periods=2026-Q2,2026-Q3
GET /v1/reps/$rep/scorecard?$q
GET /v1/kpis/$kpi/forecast?period=2026-Q4
GET /v1/indicators?as_of=2026-11-15
GET /v1/alerts
GET /v1/forecast/snapshots?period=2026-Q4
GET /v1/deals?limit=20
GET /v1/levers
POST /v1/scenarios {"period": "2026-Q4", "as_of": "2026-11-15", "trials": 2000, "levers": []}
POST /v1/plans {"period": "2026-Q4", "as_of": "2026-11-15", "trials": 2000, "goal": {"type": "max_p50"}, "budget": 50000}
POST /v1/backtests {"periods": ["2026-Q2"], "offsets": [0, 28, 56], "trials": 1000}
GET /metrics
EOF
}

# call METHOD PATH [BODY]: the status of one request (the body goes to $tmp/last.json).
call() {
    local args=(-sS -o "$tmp/last.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key")
    [[ -n ${3:-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    curl "${args[@]}" "$base$2"
}

up_or_gone() { curl -sf -o /dev/null "$base/healthz" || ! t_alive "$server_pid"; }

# start_server: the server under LeakSanitizer on a free port ($port, $base, $server_pid), up
# when it returns 0. Another test may bind the port between gf_free_port and the server's bind:
# then the server exits saying it cannot listen, and the next try takes another port. Otherwise
# the log's end goes to stderr.
start_server() {
    local try
    for ((try = 0; try < 5; try++)); do
        port=$(gf_free_port $((30000 + RANDOM % 20000))) || return 1
        base=http://127.0.0.1:$port
        # exitcode: a leak report fails the exit.
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=1:leak_check_at_exit=1 \
            LSAN_OPTIONS=exitcode=23 GAPFORGE_LISTEN=127.0.0.1:$port GAPFORGE_THREADS=2 \
            GAPFORGE_SNAPSHOT_AT=off GAPFORGE_ALERTS_EVERY=off "$gf" serve 2>"$tmp/serve.log" &
        server_pid=$!
        echo "$server_pid" >"$tmp/serve.pid"
        t_wait_for 90 up_or_gone && t_alive "$server_pid" && return 0
        if ! t_alive "$server_pid" && grep -q 'cannot listen' "$tmp/serve.log"; then
            continue # the port was taken: another one
        fi
        break
    done
    echo "the server's log ends:" >&2
    tail -n 20 "$tmp/serve.log" >&2
    return 1
}

the_server_leaks_nothing() {
    t_expect "the server answers /healthz" start_server
    local round method path body code
    for round in 1 2; do
        while read -r method path body; do
            code=$(call "$method" "$path" "$body")
            [[ $code == 2* ]] || t_fail "round $round: $method $path answered $code: $(head -c 300 "$tmp/last.json")"
        done < <(requests)
        # A write between the rounds: a new data version, so the second round misses the caches
        # and drops the first round's entries.
        code=$(call PATCH "/v1/deals/$deal" "{\"amount\": $((40000 + round * 1000))}")
        t_eq "PATCH /v1/deals/$deal" 200 "$code"
        code=$(call POST /v1/commits "{\"scope\": \"rep:$rep\", \"period\": \"2026-Q4\", \"commit\": $((90000 + round)), \"best_case\": 120000}")
        t_eq "POST /v1/commits" 201 "$code"
    done
    kill -TERM "$server_pid"
    local rc=0
    wait "$server_pid" || rc=$?
    rm -f -- "$tmp/serve.pid"
    if grep -q 'LeakSanitizer' "$tmp/serve.log"; then
        grep -A 30 'LeakSanitizer' "$tmp/serve.log" | head -n 80 >&2
        t_fail "LeakSanitizer reported leaks (exit status $rc)"
    fi
    t_eq "the server's exit status after SIGTERM" 0 "$rc"
}

t_run the_server_leaks_nothing
t_summary
