#!/usr/bin/env bash
# tests/scripts/test_run.sh GAPFORGE: scripts/run, as a developer uses it, stops everything it
# started however its session ends (SIGTERM, Ctrl-C, SIGHUP, a terminal that goes away, a closed
# output pipe) and follows the PostgreSQL port it is given from one run to the next. It runs the
# real script with GAPFORGE_BIN (no apt, no build) and GAPFORGE_RUN_DIR (a temporary folder).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=tests/scripts/cases.sh
source "$root/tests/scripts/cases.sh"

gf=$(readlink -f -- "${1:?usage: test_run.sh GAPFORGE}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gapforge-run-test.XXXXXX")
chmod 711 "$tmp" # the cluster's owner (postgres, when root) must reach the state folder in it
state=$tmp/state
cluster=$state/cluster
http_port=$(gf_free_port $((30000 + RANDOM % 20000))) || t_fail "no free port"
pg_port=$((30000 + RANDOM % 20000)) # a Unix socket in the cluster's own folder: never taken

unset DATABASE_URL GAPFORGE_ADMIN_TOKEN GAPFORGE_MIGRATIONS
export GAPFORGE_BIN=$gf GAPFORGE_RUN_DIR=$state GAPFORGE_LISTEN=127.0.0.1:$http_port
export GAPFORGE_PGPORT=$pg_port GAPFORGE_SNAPSHOT_AT=off GAPFORGE_THREADS=2
url=http://127.0.0.1:$http_port

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local pid
    if [[ -s $state/serve.pid ]]; then
        pid=$(<"$state/serve.pid")
        t_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    gf_pg_destroy "$cluster" >/dev/null 2>&1
    rm -rf -- "$tmp"
}
trap cleanup EXIT

run_pid=""
out=$tmp/run.out
err=$tmp/run.err
started=$tmp/started # every process a case started, for t_teardown

# t_teardown: after each case, whatever it left behind (a failed case) is stopped, so that the
# next case starts from a stopped cluster and a free port.
t_teardown() {
    local pid
    if [[ -s $started ]]; then
        while read -r pid; do
            t_alive "$pid" && kill -KILL "$pid" 2>/dev/null
        done <"$started"
        : >"$started"
    fi
    if [[ -s $state/serve.pid ]]; then
        pid=$(<"$state/serve.pid")
        t_alive "$pid" && kill -KILL "$pid" 2>/dev/null
        rm -f -- "$state/serve.pid"
    fi
    gf_pg_stop "$cluster" >/dev/null 2>&1
    t_wait_for 10 port_closed
}

# start_run: starts scripts/run in a session of its own (as in its own terminal) and waits
# until it prints its banner.
start_run() {
    setsid "$root/scripts/run" >"$out" 2>"$err" </dev/null &
    run_pid=$!
    echo "$run_pid" >>"$started"
    wait_banner "$out"
}

# start_in_terminal TYPESCRIPT [SHELL]: starts scripts/run on a pseudo-terminal of its own
# through script(1), whose input is the FIFO on fd 7 (what is typed), and waits for the banner.
# script(1) runs it through SHELL (default bash, which execs it: scripts/run leads the terminal's
# session; /bin/sh, dash, forks it instead, as a login shell would). Sets term_pid (script's
# pid) and run_pid (the terminal's session leader: scripts/run, or the sh that runs it).
start_in_terminal() {
    local typescript=$1 shell=${2:-/bin/bash}
    : >"$typescript"
    rm -f -- "$tmp/typed"
    mkfifo "$tmp/typed"
    # Job control on, for this job only: without it bash starts a background job with SIGINT
    # ignored, which script(1) and then scripts/run would inherit (an ignored signal stays
    # ignored across exec), unlike under an interactive shell.
    set -m
    SHELL=$shell script -qfec "$(gf_shquote "$root/scripts/run")" "$typescript" <"$tmp/typed" \
        >/dev/null 2>&1 &
    term_pid=$!
    set +m
    exec 7>"$tmp/typed"
    echo "$term_pid" >>"$started"
    wait_banner "$typescript"
    run_pid=$(ps -o pid= --ppid "$term_pid" | head -n 1 | tr -d ' ')
    echo "$run_pid" >>"$started"
}

# wait_banner FILE: waits until FILE holds the banner, failing the case after 180 s.
wait_banner() {
    t_wait_for 180 grep -q '^gapforge is serving' "$1" || {
        tail -n 20 "$err" >&2
        t_fail "scripts/run printed no banner within 180 s"
    }
}

# serving: the server answers and its database does too (a key-authenticated read).
serving() {
    local key code
    key=$(<"$state/api_key")
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$url/v1/stages")
    t_eq "GET /v1/stages with the printed key" 200 "$code"
    t_expect "a server pid in $state/serve.pid" test -s "$state/serve.pid"
    server_pid=$(<"$state/serve.pid")
    t_expect "the server (pid $server_pid) runs" t_alive "$server_pid"
}

cluster_down() { ! gf_pg_running "$cluster"; }
port_closed() { ! t_port_open "$http_port"; }
gone() { ! t_alive "$1"; }

# all_stopped: within 40 s scripts/run, the server and the cluster are gone.
all_stopped() {
    t_expect "scripts/run (pid $run_pid) exited" t_wait_for 40 gone "$run_pid"
    t_expect "the server (pid $server_pid) exited" t_wait_for 40 gone "$server_pid"
    t_expect "nothing listens on $url any more" t_wait_for 10 port_closed
    t_expect "the cluster was stopped" t_wait_for 20 cluster_down
    t_expect "serve.pid was removed" test ! -e "$state/serve.pid"
}

first_run_serves_the_demo_org_and_sigterm_stops_all() {
    start_run
    serving
    t_expect "the banner names the URL" grep -q "serving the demo org at $url" "$out"
    t_expect "the banner opens with the dashboard's URL" \
        test "$(grep -B 1 -m 1 '^gapforge is serving' "$out" | head -n 1)" \
        = "Dashboard: $url/  (open it and sign in with the API key below)"
    t_expect "the dashboard answers" curl -fsS -o /dev/null "$url/"
    kill -TERM "$run_pid"
    all_stopped
    t_expect "the script said it stopped the cluster" grep -q 'stopping PostgreSQL' "$err"
}

# A terminal that goes away sends SIGHUP more than once: the kernel's to the foreground process
# group, then the login shell's to its jobs as it exits. The second one lands while the script
# is stopping the server, and must not cut that short.
sighup_stops_server_and_cluster() {
    start_run
    serving
    kill -HUP "$run_pid"
    sleep 0.3
    # A second hangup while it stops; it may be gone already (set -e: not a failure).
    kill -HUP "$run_pid" 2>/dev/null || true
    all_stopped
}

# Ctrl-C typed on its terminal: the terminal sends SIGINT to its foreground process group.
ctrl_c_stops_server_and_cluster() {
    start_in_terminal "$tmp/typescript"
    serving
    printf '\003' >&7
    all_stopped
    exec 7>&-
    t_expect "script(1) exited with its terminal" t_wait_for 20 gone "$term_pid"
}

# The terminal itself goes away: killing script(1) closes the master side of the pseudo-terminal,
# the kernel hangs it up (SIGHUP to scripts/run, its session leader), and every later write to
# it fails with EIO, including the cleanup's own messages.
terminal_hangup_stops_all() {
    hang_up_terminal /bin/bash
}

# The same under a shell that forks scripts/run (dash, as script(1) uses when SHELL is unset):
# the shell leads the session and dies of the hangup; the kernel then sends SIGHUP to the
# terminal's foreground group, scripts/run and its watcher at once. (A `wait` in the cleanup for
# the watcher the signal had just killed used to block, leaving the server running.)
terminal_hangup_under_sh_stops_all() {
    hang_up_terminal /bin/sh
}

# hang_up_terminal SHELL: the two cases above.
hang_up_terminal() {
    start_in_terminal "$tmp/typescript" "$1"
    serving
    local sess pids p
    sess=$(ps -o sid= -p "$run_pid" | tr -d ' ')
    pids=$(ps -o pid= -s "$sess" | tr -d ' ')
    kill -KILL "$term_pid"
    exec 7>&-
    all_stopped
    for p in $pids; do
        t_expect "process $p of the terminal's session exited" t_wait_for 40 gone "$p"
    done
}

# `scripts/run | head -3`: head exits after three lines while the server logs nothing to the
# pipe; the script notices, stops both, and the pipeline ends.
closed_output_pipe_stops_all() {
    local head_out=$tmp/head.out start=$SECONDS
    setsid bash -c "$(gf_shquote "$root/scripts/run") | head -n 3 >$(gf_shquote "$head_out")" \
        2>"$err" </dev/null &
    local pipe_pid=$!
    echo "$pipe_pid" >>"$started"
    t_expect "the server started" t_wait_for 120 test -s "$state/serve.pid"
    server_pid=$(<"$state/serve.pid")
    t_expect "the pipeline ended within 120 s" t_wait_for 120 gone "$pipe_pid"
    wait "$pipe_pid" 2>/dev/null
    t_eq "head printed three lines" 3 "$(wc -l <"$head_out" | tr -d ' ')"
    t_expect "the script said why it stopped" grep -q 'output is gone' "$err"
    t_expect "the server (pid $server_pid) exited" t_wait_for 40 gone "$server_pid"
    t_expect "the cluster was stopped" t_wait_for 20 cluster_down
    t_expect "nothing listens on $url any more" t_wait_for 10 port_closed
    t_expect "serve.pid was removed" test ! -e "$state/serve.pid"
    printf '    (the pipeline took %d s)\n' $((SECONDS - start)) >&2
}

# A second run with another GAPFORGE_PGPORT, while the cluster still runs on the old one (left
# over from a run that was killed): the cluster moves to the new port and the server uses it.
another_pgport_moves_the_cluster() {
    gf_pg_start "$cluster" >/dev/null 2>&1 || t_fail "could not start the cluster by hand"
    local new_port=$((pg_port + 1))
    GAPFORGE_PGPORT=$new_port start_run
    serving
    t_eq "postgresql.conf names the new port" "$new_port" "$(gf_pg_conf_port "$cluster")"
    t_expect "the socket for the new port exists" \
        test -S "$(gf_pg_sockdir "$cluster")/.s.PGSQL.$new_port"
    local ready
    ready=$(curl -sS -o /dev/null -w '%{http_code}' "$url/readyz")
    t_eq "GET /readyz" 200 "$ready"
    kill -TERM "$run_pid"
    all_stopped
}

t_run first_run_serves_the_demo_org_and_sigterm_stops_all
t_run sighup_stops_server_and_cluster
t_run ctrl_c_stops_server_and_cluster
t_run terminal_hangup_stops_all
t_run terminal_hangup_under_sh_stops_all
t_run closed_output_pipe_stops_all
t_run another_pgport_moves_the_cluster
t_summary
