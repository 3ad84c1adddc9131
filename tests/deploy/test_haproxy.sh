#!/usr/bin/env bash
# tests/deploy/test_haproxy.sh GAPFORGE: two replicas of `gapforge serve` on one database
# behind Debian's haproxy with deploy/haproxy.cfg, on loopback. Under a read load
# (wrk), one replica is killed (SIGKILL, as a crash or a lost node): no request fails (haproxy
# retries at most once, on the other replica); the daily snapshots, which both replicas'
# schedulers attempt at start, are made exactly once; the replica, restarted, rejoins without
# making them again; and the other one, stopped with SIGTERM under the same load (a rolling
# update), drains with no request failed either. Needs GAPFORGE_TEST_DATABASE_URL (exit 77
# without it), in whose cluster it creates and drops a database of its own, so that the
# schedulers see only this test's org.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/scripts/cases.sh
source "$root/tests/scripts/cases.sh"

gf=$(readlink -f -- "${1:?usage: test_haproxy.sh GAPFORGE}")
if [[ -z ${GAPFORGE_TEST_DATABASE_URL:-} ]]; then
    echo "GAPFORGE_TEST_DATABASE_URL is not set: skipped" >&2
    exit 77
fi
for tool in haproxy wrk curl python3; do
    command -v "$tool" >/dev/null || {
        echo "$tool is not installed (scripts/test installs it)" >&2
        exit 1
    }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gapforge-haproxy-test.XXXXXX")
psql_bin=$(gf_pg_bindir)/psql
db=gapforge_replicas_$$

admin_sql() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$GAPFORGE_TEST_DATABASE_URL" -c "$1"; }
sql() { "$psql_bin" -X -tA -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local p
    cat "$tmp/started" "$tmp"/*.pid 2>/dev/null | while read -r p; do
        t_alive "$p" && kill -KILL "$p" 2>/dev/null
    done
    admin_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    rm -rf -- "$tmp"
}
trap cleanup EXIT

port_a=$(gf_free_port $((30000 + RANDOM % 20000)))
port_b=$(gf_free_port $((port_a + 1)))
port_p=$(gf_free_port $((port_b + 1)))
port_s=$(gf_free_port $((port_p + 1)))
proxy=http://127.0.0.1:$port_p
stats=http://127.0.0.1:$port_s/stats\;csv

admin_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
admin_sql "CREATE DATABASE $db" || exit 1
DATABASE_URL=$(t_with_dbname "$GAPFORGE_TEST_DATABASE_URL" "$db")
export DATABASE_URL
export GAPFORGE_MIGRATIONS=${GAPFORGE_MIGRATIONS:-$root/migrations}
unset GAPFORGE_ADMIN_TOKEN GAPFORGE_LISTEN
"$gf" migrate >/dev/null || exit 1
"$gf" demo --org ha --seed 5 --quarters 4 --deals-per-quarter 60 --truth "$tmp/truth.json" \
    >/dev/null || exit 1
key=$("$gf" keys create --org ha --name replicas --scopes read,write | tail -n 1)
org_id=$(sql "SELECT id FROM orgs WHERE slug = 'ha'")
# The day the schedulers see (UTC), and the hour, so that today's snapshots are due at start.
hour=$(date -u +%H)

# start_replica NAME PORT: starts `gapforge serve` on 127.0.0.1:PORT, logging to NAME.log; its
# pid goes to NAME.pid.
start_replica() {
    # Every connection comes from haproxy: no per-address limit (issue 13's, where it exists).
    GAPFORGE_LISTEN=127.0.0.1:$2 GAPFORGE_THREADS=3 GAPFORGE_SNAPSHOT_AT=$hour \
        GAPFORGE_PER_IP_CONNECTIONS=0 GAPFORGE_ALERTS_EVERY=1s "$gf" serve >>"$tmp/$1.log" 2>&1 &
    echo $! >"$tmp/$1.pid"
    echo $! >>"$tmp/started" # every replica ever started, for the cleanup
    disown $! # killed on purpose: no "Killed" notice from bash
}

gone() { ! t_alive "$1"; }
ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz") == 200 ]]; }

# server_status NAME: haproxy's view of replica NAME (UP, DOWN, ...), from its stats CSV.
server_status() {
    curl -s "$stats" | awk -F, -v s="$1" '$1 == "gapforge" && $2 == s {print $18}'
}
is_up() { [[ $(server_status "$1") == UP* ]]; }
is_down() { [[ $(server_status "$1") == DOWN* ]]; }

# access_log [FILE]: haproxy's request lines ("client backend/server status retries state
# time request", the log-format of deploy/haproxy.cfg), without its own messages.
access_log() { awk '$1 ~ /^[0-9.]+:[0-9]+$/ && $2 ~ /^gapforge\//' "${1:-$tmp/haproxy.log}"; }

# served NAME: how many API requests replica NAME logged.
served() { grep -c '"msg":"request".*"path":"/v1/' "$tmp/$1.log"; }

# victim_busy NAME: replica NAME served 10 requests more than before_victim (the caller's).
victim_busy() { (($(served "$1") >= before_victim + 10)); }

# ---- the scheduled jobs that must run once across the replicas ----
#
# Each line: a description, then (after "|") a query that must answer 1. Both replicas' alert
# schedulers evaluate the org every second (GAPFORGE_ALERTS_EVERY=1s) against rules that fire
# at once; each rule must have fired once, not once per replica or per evaluation.
today="(now() AT TIME ZONE 'utc')::date"
runs="FROM snapshot_runs WHERE org_id = $org_id"
snaps="FROM forecast_snapshots WHERE org_id = $org_id"
once_checks=(
    "yesterday's daily snapshots|SELECT count(*) $runs AND day = $today - 1"
    "today's daily snapshots|SELECT count(*) $runs AND day = $today"
    "one snapshot per scope and day|SELECT (count(*) = 0)::int
        FROM (SELECT 1 $snaps GROUP BY scope, as_of HAVING count(*) > 1) AS twice"
    "no snapshot beyond those the runs recorded|SELECT (count(*) =
        (SELECT sum(snapshots) $runs))::int $snaps"
    "each firing rule's alert once|SELECT (count(*) > 0 AND count(*) = count(DISTINCT rule_id))::int
        FROM alerts WHERE org_id = $org_id"
)

# alerts_fired: the schedulers have fired an alert.
alerts_fired() { [[ $(sql "SELECT count(*) FROM alerts WHERE org_id = $org_id") -ge 1 ]]; }

# jobs_ran_once: every line of once_checks answers 1.
jobs_ran_once() {
    local line what q got
    for line in "${once_checks[@]}"; do
        what=${line%%|*}
        q=${line#*|}
        got=$(sql "$q") || t_fail "$what: the query failed"
        t_eq "$what (1 = once)" 1 "$got"
    done
}

# schedulers_done: both days recorded (the schedulers run at start, under the load).
schedulers_done() {
    [[ $(sql "SELECT count(*) FROM snapshot_runs WHERE org_id = $org_id") -ge 2 ]]
}

# ---- the cases ----

replicas_ready_behind_haproxy() {
    t_expect "replica a ready" t_wait_for 60 ready "$port_a"
    t_expect "replica b ready" t_wait_for 60 ready "$port_b"
    # The load comes from one address (wrk on loopback): no per-address request rate.
    GAPFORGE_PROXY_BIND=127.0.0.1:$port_p GAPFORGE_PROXY_STATS=127.0.0.1:$port_s \
        GAPFORGE_REPLICA_A=127.0.0.1:$port_a GAPFORGE_REPLICA_B=127.0.0.1:$port_b \
        GAPFORGE_PROXY_ERRORS=$root/deploy/haproxy-errors GAPFORGE_PROXY_RATE=1000000 \
        haproxy -db -f "$root/deploy/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
    echo $! >"$tmp/haproxy.pid"
    t_expect "haproxy sees a UP" t_wait_for 30 is_up a
    t_expect "haproxy sees b UP" t_wait_for 30 is_up b
    local i code
    for ((i = 0; i < 20; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
            "$proxy/v1/stages")
        t_eq "GET /v1/stages through haproxy" 200 "$code"
    done
    (($(served a) > 0)) || t_fail "replica a served none of 20 requests"
    (($(served b) > 0)) || t_fail "replica b served none of 20 requests"
    # Two rules that fire now: the current quarter's coverage is far below 100 x the gap, and
    # its chance of reaching the target below 99.99% (whichever applies; see jobs_ran_once).
    local rule body
    for rule in coverage:'{"kind": "coverage_below", "scope": "org", "period": "current",
            "params": {"ratio": 100}}' \
        chance:'{"kind": "prob_hit_below", "scope": "org", "period": "current",
            "params": {"threshold": 0.9999}}'; do
        body=${rule#*:}
        code=$(curl -s -o "$tmp/rule.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $key" \
            -H 'Content-Type: application/json' -d "$body" "$proxy/v1/alert-rules/${rule%%:*}")
        [[ $code == 200 || $code == 201 ]] ||
            t_fail "PUT /v1/alert-rules/${rule%%:*}: $code $(<"$tmp/rule.out")"
    done
}

# load_until_killed NAME SIGNAL: wrk for 20 s through haproxy (8 connections, rotating cheap
# reads and a 1,000-trial forecast); once replica NAME has served 10 of its requests it gets
# SIGNAL. Then no request may have failed, and none may have been retried more than once.
load_until_killed() {
    local victim=$1 signal=$2 other=a
    [[ $victim == a ]] && other=b
    cat >"$tmp/load.lua" <<'LUA'
local paths = {"/v1/stages", "/v1/deals?limit=20", "/v1/reps", "/v1/forecast?trials=1000",
               "/v1/teams", "/v1/deals?limit=5"}
local n = 0
request = function()
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA
    local log_from before_other
    log_from=$(($(wc -l <"$tmp/haproxy.log") + 1))
    before_victim=$(served "$victim")
    before_other=$(served "$other")
    wrk -t 2 -c 8 -d 20s --timeout 10s -H "Authorization: Bearer $key" -s "$tmp/load.lua" \
        "$proxy" >"$tmp/wrk.out" 2>&1 &
    local wrk_pid=$! start=$SECONDS
    t_expect "replica $victim served 10 requests of the load within 12 s" \
        t_wait_for 12 victim_busy "$victim"
    kill "-$signal" "$(<"$tmp/$victim.pid")"
    local killed_at=$((SECONDS - start))
    wait "$wrk_pid"
    cat "$tmp/wrk.out" >&2
    local total
    total=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
    ((total > 100)) || t_fail "only ${total:-no} requests in 20 s"
    tail -n +"$log_from" "$tmp/haproxy.log" >"$tmp/haproxy.run.log"
    access_log "$tmp/haproxy.run.log" | awk '$3 != 200' | head -n 5 >&2
    t_expect "no socket error (connect, read, write, timeout)" \
        bash -c "! grep -q 'Socket errors' $(gf_shquote "$tmp/wrk.out")"
    t_expect "no non-2xx answer" bash -c "! grep -q 'Non-2xx' $(gf_shquote "$tmp/wrk.out")"
    local lines bad retried
    lines=$(access_log "$tmp/haproxy.run.log" | wc -l)
    bad=$(access_log "$tmp/haproxy.run.log" | awk '$3 != 200 || $4 + 0 > 1' | wc -l)
    retried=$(access_log "$tmp/haproxy.run.log" | awk '$4 + 0 == 1' | wc -l)
    printf '    %d requests through haproxy, %d retried once (SIG%s to %s after %d s of 20)\n' \
        "$lines" "$retried" "$signal" "$victim" "$killed_at" >&2
    t_eq "requests not answered 200 or retried more than once" 0 "$bad"
    (($(served "$other") > before_other)) || t_fail "replica $other served nothing"
}

killing_a_replica_under_load_fails_no_request() {
    load_until_killed a KILL
    t_expect "haproxy marked a DOWN" is_down a
}

scheduled_jobs_ran_once_across_replicas() {
    t_expect "both days' snapshots finished within 120 s" t_wait_for 120 schedulers_done
    t_expect "an alert fired within 60 s" t_wait_for 60 alerts_fired
    sleep 3 # a few more evaluations by both schedulers
    jobs_ran_once
    local logged
    logged=$(cat "$tmp/a.log" "$tmp/b.log" | grep -c '"msg":"daily snapshots"')
    t_eq "replicas that logged a day's snapshots (one line per day in all)" 2 "$logged"
}

# Replica a comes back: haproxy takes it in again after its checks pass, and its scheduler,
# which runs at start, finds both days done.
restarted_replica_rejoins_without_rerunning_jobs() {
    start_replica a "$port_a"
    t_expect "replica a ready again" t_wait_for 60 ready "$port_a"
    t_expect "haproxy sees a UP again" t_wait_for 30 is_up a
    local before i code
    before=$(served a)
    for ((i = 0; i < 20; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
            "$proxy/v1/reps")
        t_eq "GET /v1/reps through haproxy" 200 "$code"
    done
    (($(served a) > before)) || t_fail "the restarted replica a served none of 20 requests"
    sleep 2 # its scheduler's first tick, at start, has had time to run
    jobs_ran_once
}

# A rolling update or a scale-down: SIGTERM, and the replica drains and exits by itself.
stopping_a_replica_under_load_fails_no_request() {
    local b_pid
    b_pid=$(<"$tmp/b.pid")
    load_until_killed b TERM
    t_expect "replica b exited after SIGTERM" t_wait_for 30 gone "$b_pid"
    t_expect "replica b logged its stop" grep -q '"msg":"stopped"' "$tmp/b.log"
    jobs_ran_once
}

# start_listening NAME PORTVAR: start_replica NAME on the port named by PORTVAR and waits until
# it is ready. Another test may bind that port between gf_free_port and the replica's bind: the
# replica then exits saying it cannot listen, and the next try takes another free port (into
# PORTVAR; haproxy starts later, with the ports as they end up). Up to 5 tries.
start_listening() {
    local name=$1 try
    local -n port_ref=$2
    for ((try = 0; try < 5; try++)); do
        start_replica "$name" "$port_ref"
        t_wait_for 60 ready_or_gone "$port_ref" "$(<"$tmp/$name.pid")"
        ready "$port_ref" && return 0
        t_alive "$(<"$tmp/$name.pid")" && return 1
        grep -q 'cannot listen' "$tmp/$name.log" || return 1
        port_ref=$(gf_free_port $((30000 + RANDOM % 20000)))
    done
    return 1
}
ready_or_gone() { ready "$1" || gone "$2"; }

start_listening a port_a || echo "replica a did not come up; its log ends: $(tail -n 5 "$tmp/a.log")" >&2
start_listening b port_b || echo "replica b did not come up; its log ends: $(tail -n 5 "$tmp/b.log")" >&2
t_run replicas_ready_behind_haproxy
t_run killing_a_replica_under_load_fails_no_request
t_run scheduled_jobs_ran_once_across_replicas
t_run restarted_replica_rejoins_without_rerunning_jobs
t_run stopping_a_replica_under_load_fails_no_request
t_summary
