#!/bin/sh
# check_haproxy.sh SOURCE_ROOT: deploy/haproxy.cfg is a valid haproxy configuration, with its
# JSON error pages (deploy/haproxy-errors/, installed as /etc/haproxy/errors-json/) in place, for
# one replica and for two with the stats page.
set -eu
root=$1
for f in "$root"/deploy/haproxy-errors/*.http; do
    # Each page is a whole HTTP answer in JSON whose Content-Length is its body's length.
    body=$(sed '1,/^\r$/d' "$f")
    want=$(printf '%s\n' "$body" | wc -c)
    grep -q "^Content-Length: $want" "$f" || { echo "$f: Content-Length is not $want"; exit 1; }
    printf '%s' "$body" | python3 -c 'import json,sys; json.load(sys.stdin)' || { echo "$f: not JSON"; exit 1; }
done
GAPFORGE_PROXY_ERRORS=$root/deploy/haproxy-errors haproxy -c -q -f "$root/deploy/haproxy.cfg"
GAPFORGE_PROXY_ERRORS=$root/deploy/haproxy-errors GAPFORGE_REPLICA_B=127.0.0.1:8081 \
    GAPFORGE_PROXY_STATS=127.0.0.1:8404 haproxy -c -q -f "$root/deploy/haproxy.cfg"
echo "deploy/haproxy.cfg: valid"
