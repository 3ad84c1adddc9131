#!/usr/bin/env bash
# tests/deploy/test_pgbouncer.sh GAPFORGE SUITE...: the integration suites through Debian's
# PgBouncer in transaction pooling. It starts pgbouncer on loopback (a config written here,
# pool_mode = transaction, trust auth for the user the suites connect as, as the cluster's own
# socket does) in front of the cluster of GAPFORGE_TEST_DATABASE_URL, then runs each SUITE (an
# integration test program) with GAPFORGE_TEST_DATABASE_URL pointing at pgbouncer and
# GAPFORGE_PGBOUNCER=1: the server, its migrations and the suites' own SQL all go through the
# pool (meson adds service-snapshots: two replicas racing for a day's snapshots). Debian 12's PgBouncer is 1.18, which cannot carry named prepared statements from one
# transaction to the next, so the suites pass only if gapforge keeps no session state outside a
# transaction. A last case checks that PgBouncer did pool them (many transactions over several
# server connections) and that every suite passed. Needs
# GAPFORGE_TEST_DATABASE_URL (exit 77 without it); GAPFORGE_TEST_PGBOUNCER_PORT picks the port
# (default: a free one).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/scripts/cases.sh
source "$root/tests/scripts/cases.sh"

gf=$(readlink -f -- "${1:?usage: test_pgbouncer.sh GAPFORGE SUITE...}")
shift
if [[ -z ${GAPFORGE_TEST_DATABASE_URL:-} ]]; then
    echo "GAPFORGE_TEST_DATABASE_URL is not set: skipped" >&2
    exit 77
fi
pgbouncer_bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[[ -x $pgbouncer_bin ]] || {
    echo "pgbouncer is not installed (scripts/test installs it)" >&2
    exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gapforge-pgbouncer-test.XXXXXX")
psql_bin=$(gf_pg_bindir)/psql
direct_url=$GAPFORGE_TEST_DATABASE_URL

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local p
    p=$(cat "$tmp/pgbouncer.pid" 2>/dev/null)
    [[ -n $p ]] && kill -TERM "$p" 2>/dev/null
    rm -rf -- "$tmp"
}
trap cleanup EXIT

# Where the cluster listens (its socket directory, or its address), as whom the suites connect.
IFS='|' read -r pg_host pg_port pg_db pg_user < <("$psql_bin" -X -tA -v ON_ERROR_STOP=1 \
    "$direct_url" -c "SELECT coalesce(host(inet_server_addr()),
        split_part(current_setting('unix_socket_directories'), ',', 1)),
        current_setting('port'), current_database(), current_user")
[[ -n ${pg_user:-} ]] || {
    echo "cannot reach the database of GAPFORGE_TEST_DATABASE_URL" >&2
    exit 1
}
port=${GAPFORGE_TEST_PGBOUNCER_PORT:-$(gf_free_port "$((20000 + RANDOM % 20000))")}

# The pool holds what the suites need at once: the server's 4 threads, each with its own
# connection and, while a history loads, two more for the parallel reads in the same moment
# (12), plus the suites' own connections.
cat >"$tmp/pgbouncer.ini" <<EOF
[databases]
* = host=$pg_host port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $tmp/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 24
server_reset_query =
ignore_startup_parameters = extra_float_digits
query_wait_timeout = 30
; After a database restart (test_core, test_resilience), retry the servers at once.
server_login_retry = 1
logfile = $tmp/pgbouncer.log
pidfile = $tmp/pgbouncer.pid
admin_users = $pg_user
stats_users = $pg_user
EOF
# The suites' own user, and the service's role the integration harness starts the server as
# (gapforge_app, migration 0017: row-level security holds for it).
printf '"%s" ""\n"gapforge_app" ""\n' "$pg_user" >"$tmp/userlist.txt"

# PgBouncer refuses to run as root: as root, it runs as the cluster's owner.
if gf_is_root; then
    chown -R postgres "$tmp"
    runuser -u postgres -- "$pgbouncer_bin" -d "$tmp/pgbouncer.ini" || exit 1
else
    "$pgbouncer_bin" -d "$tmp/pgbouncer.ini" || exit 1
fi
pooled_url="host=127.0.0.1 port=$port dbname=$pg_db user=$pg_user"
for ((i = 0; i < 50; i++)); do
    "$psql_bin" -X -tA "$pooled_url" -c 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.2
done
printf '    %s, pool_mode = transaction, on 127.0.0.1:%s in front of %s:%s\n' \
    "$("$pgbouncer_bin" --version | head -n 1)" "$port" "$pg_host" "$pg_port" >&2

export GAPFORGE_TEST_DATABASE_URL=$pooled_url GAPFORGE_PGBOUNCER=1 GAPFORGE_BIN=$gf

# The integration suites, each as meson runs it, through the pool; their Check summaries go to
# stdout, where scripts/test counts their cases.
suites_failed=0
for suite in "$@"; do
    printf -- '--- %s through pgbouncer\n' "$(basename "$suite")" >&2
    "$suite" || suites_failed=$((suites_failed + 1))
done

admin() { "$psql_bin" -X -tA -F'|' "host=127.0.0.1 port=$port dbname=pgbouncer user=$pg_user" -c "$1"; }

# pgbouncer_pooled_the_suites: many transactions over several server connections, and every
# suite passed.
pgbouncer_pooled_the_suites() {
    local xacts servers
    xacts=$(admin 'SHOW STATS' | awk -F'|' -v db="$pg_db" '$1 == db { print $2 }')
    t_expect "transactions through pgbouncer ($xacts)" test "${xacts:-0}" -gt 100
    servers=$(grep -c 'new connection to server' "$tmp/pgbouncer.log" || true)
    printf '    %s transactions, %s server connections opened\n' "$xacts" "$servers" >&2
    t_expect "several server connections ($servers)" test "$servers" -gt 1
    t_eq "suites failed through pgbouncer" 0 "$suites_failed"
}

t_run pgbouncer_pooled_the_suites
t_summary
