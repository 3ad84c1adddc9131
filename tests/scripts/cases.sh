# shellcheck shell=bash
# tests/scripts/cases.sh: a few lines of test harness for the bash suites under tests/, so that
# scripts/test counts their cases as it counts Check's: each case is a function run in a
# subshell, named for what it proves, and the suite ends with Check's summary line
# ("100%: Checks: N, Failures: F, Errors: 0"). Source it, then `t_run NAME` for each case and
# `t_summary` last (it exits non-zero when a case failed).

t_passed=0
t_failed=0

# t_fail MESSAGE: fails the current case (call it inside a case; it exits the case's subshell).
t_fail() {
    printf '    failed: %s\n' "$*" >&2
    exit 1
}

# t_expect DESCRIPTION COMMAND...: fails the case unless COMMAND succeeds.
t_expect() {
    local what=$1
    shift
    "$@" || t_fail "$what"
}

# t_eq DESCRIPTION EXPECTED ACTUAL: fails the case unless the two strings are equal.
t_eq() {
    [[ $2 == "$3" ]] || t_fail "$1: expected '$2', got '$3'"
}

# t_run NAME: runs the function NAME as one case, in a subshell (set -e applies inside), then
# the suite's t_teardown function, when it defines one, outside of it.
t_run() {
    local name=$1 start rc
    start=$(date +%s)
    printf -- '--- %s\n' "$name" >&2
    (
        set -euo pipefail
        "$name"
    )
    rc=$?
    if declare -F t_teardown >/dev/null; then
        t_teardown
    fi
    if ((rc == 0)); then
        t_passed=$((t_passed + 1))
        printf 'PASS %s (%d s)\n' "$name" "$(($(date +%s) - start))"
    else
        t_failed=$((t_failed + 1))
        printf 'FAIL %s (%d s, status %d)\n' "$name" "$(($(date +%s) - start))" "$rc"
    fi
}

# t_summary: prints Check's summary line and returns non-zero when a case failed.
t_summary() {
    local n=$((t_passed + t_failed)) pct=100
    ((n == 0)) || pct=$((100 * t_passed / n))
    printf '%d%%: Checks: %d, Failures: %d, Errors: 0\n' "$pct" "$n" "$t_failed"
    ((t_failed == 0 && n > 0))
}

# t_wait_for SECONDS COMMAND...: true as soon as COMMAND succeeds, false after SECONDS.
t_wait_for() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# t_port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
t_port_open() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# t_alive PID: true while process PID exists (and is not a zombie).
t_alive() {
    [[ -e /proc/$1 ]] || return 1
    local stat
    stat=$(<"/proc/$1/stat") 2>/dev/null || return 1
    stat=${stat##*) } # the name in parentheses may hold spaces; the state follows it
    [[ ${stat%% *} != Z ]]
}

# t_with_dbname CONNINFO NAME: CONNINFO (key=value or a URI) naming database NAME instead.
t_with_dbname() {
    python3 - "$1" "$2" <<'PY'
import sys, urllib.parse as u
url, name = sys.argv[1], sys.argv[2]
if "://" in url:
    p = u.urlsplit(url)
    print(u.urlunsplit(p._replace(path="/" + name)))
else:
    print(url + " dbname='" + name + "'")  # the last dbname wins in a conninfo string
PY
}
