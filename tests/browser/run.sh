#!/usr/bin/env bash
# tests/browser/run.sh GAPFORGE OUTDIR: the dashboard in a real browser. Loads a demo org of its
# own into the test database (GAPFORGE_TEST_DATABASE_URL), starts `gapforge serve` on a free
# loopback port with a read-only key, and runs tests/browser/dashboard.mjs (playwright-core
# driving Debian's /usr/bin/chromium), which writes its screenshots into OUTDIR.
#
# Exits 77 (meson: skipped) when there is no database, no chromium or no node_modules
# (`npm ci` in tests/browser, which scripts/test runs); under CI=true those are failures (1):
# CI installs both. The Check-style summary line lets scripts/test count the cases.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"

gf=$(readlink -f -- "${1:?usage: run.sh GAPFORGE OUTDIR}")
out=${2:?usage: run.sh GAPFORGE OUTDIR}
mkdir -p -- "$out"
chromium=${GAPFORGE_CHROMIUM:-/usr/bin/chromium}

skip() {
    if [[ ${CI:-} == true ]]; then
        printf 'browser: %s (a failure with CI=true)\n' "$*" >&2
        exit 1
    fi
    printf 'browser: %s: skipped\n' "$*" >&2
    exit 77
}
[[ -n ${GAPFORGE_TEST_DATABASE_URL:-} ]] || skip "GAPFORGE_TEST_DATABASE_URL is not set"
[[ -x $chromium ]] || skip "no $chromium (apt-get install chromium)"
[[ -d $here/node_modules/playwright-core ]] || skip "no tests/browser/node_modules (npm ci there)"

export DATABASE_URL=$GAPFORGE_TEST_DATABASE_URL
export GAPFORGE_MIGRATIONS=${GAPFORGE_MIGRATIONS:-$root/migrations}
unset GAPFORGE_ADMIN_TOKEN GAPFORGE_CORS_ORIGINS
org=web-$(date +%s)-$$

"$gf" migrate >/dev/null || {
    echo "browser: gapforge migrate failed" >&2
    exit 1
}
"$gf" demo --org "$org" --seed 42 --truth "$out/demo-truth.json" >/dev/null || {
    echo "browser: gapforge demo failed" >&2
    exit 1
}
key=$("$gf" keys create --org "$org" --name browser-test --scopes read | tail -n 1)
[[ $key == gf_* ]] || {
    echo "browser: gapforge keys create gave no key" >&2
    exit 1
}

# A rule that fires on the demo org (its chance of hitting the target is far below 99%), so the
# page has an alert to list; set up with a write key, while the page gets a read key.
writer=$("$gf" keys create --org "$org" --name browser-test-setup --scopes read,write | tail -n 1)

port=$(gf_free_port $((30000 + RANDOM % 20000))) || {
    echo "browser: no free port" >&2
    exit 1
}
GAPFORGE_LISTEN=127.0.0.1:$port GAPFORGE_SNAPSHOT_AT=off GAPFORGE_ALERTS_EVERY=off \
    GAPFORGE_THREADS=${GAPFORGE_THREADS:-4} "$gf" serve 2>"$out/serve.log" &
server=$!
# shellcheck disable=SC2317 # called by the EXIT trap
stop() {
    kill -TERM "$server" 2>/dev/null
    wait "$server" 2>/dev/null
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url=http://127.0.0.1:$port
for ((i = 0; ; i++)); do
    kill -0 "$server" 2>/dev/null || {
        echo "browser: gapforge serve exited:" >&2
        tail -n 20 "$out/serve.log" >&2
        exit 1
    }
    curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
    ((i < 300)) || {
        echo "browser: gapforge serve did not get ready within 30 s" >&2
        exit 1
    }
    sleep 0.1
done

rule='{"kind": "prob_hit_below", "scope": "org", "period": "current", "params": {"threshold": 0.99}}'
curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $writer" -H 'Content-Type: application/json' \
    -d "$rule" "$url/v1/alert-rules/browser-test" \
    && curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $writer" "$url/v1/alerts/evaluate" || {
    echo "browser: could not set up the alert rule" >&2
    exit 1
}

GF_URL=$url GF_KEY=$key GF_OUT=$out GF_CHROMIUM=$chromium node "$here/dashboard.mjs"
