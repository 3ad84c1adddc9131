#!/usr/bin/env bash
# tests/deploy/test_kubernetes.sh TOOLS_DIR: deploy/kubernetes/ against the Kubernetes API
# schemas and gapforge's own rules (tests/deploy/manifests/check.mjs says which), and the
# checker against broken copies, so that a rule that stopped biting would be seen.
#
# kubeconform is neither in Debian nor on npm, and nothing else may be downloaded here, so the
# schemas come from npm's kubernetes-models (generated from the Kubernetes OpenAPI spec,
# validated with Ajv), pinned with its lock file and installed with `npm ci` into TOOLS_DIR
# (npm's cache in .npm/, as for the OpenAPI lint).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/scripts/cases.sh
source "$root/tests/scripts/cases.sh"

tools=${1:?usage: test_kubernetes.sh TOOLS_DIR}
src=$root/tests/deploy/manifests
export npm_config_cache=$root/.npm npm_config_update_notifier=false npm_config_fund=false
export npm_config_audit=false

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "node and npm are needed (scripts/test installs them)" >&2
    exit 1
fi
mkdir -p "$tools"
if ! cmp -s "$src/package-lock.json" "$tools/package-lock.json" ||
    [[ ! -d $tools/node_modules/kubernetes-models ]]; then
    cp "$src/package.json" "$src/package-lock.json" "$tools/"
    (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund >&2) || {
        echo "npm ci of the pinned schema packages failed" >&2
        exit 1
    }
fi
nm=$tools/node_modules

# The real manifests: the checker's own cases (and its summary line).
node "$src/check.mjs" "$nm" "$root"
real_rc=$?

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gapforge-k8s-test.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# broken FILE SED EXPECTED: a copy of the repository's deploy/ with SED applied to FILE
# (under deploy/) fails the checker with a FAIL line matching EXPECTED.
broken() {
    local file=$1 edit=$2 expected=$3 copy=$tmp/root out
    rm -rf -- "$copy"
    mkdir -p "$copy"
    cp -r "$root/deploy" "$copy/"
    ln -s "$root/src" "$copy/src"
    cp "$root/meson.build" "$root/Dockerfile" "$copy/"
    sed -i -e "$edit" "$copy/deploy/$file"
    cmp -s "$root/deploy/$file" "$copy/deploy/$file" && t_fail "the edit '$edit' changed nothing"
    out=$(node "$src/check.mjs" "$nm" "$copy") && t_fail "the checker accepted it"
    grep -E "^FAIL .*$expected" <<<"$out" >/dev/null ||
        t_fail "no FAIL line matching '$expected' in: $(grep '^FAIL' <<<"$out")"
}

a_misspelt_probe_is_caught() {
    broken kubernetes/deployment.yaml 's/readinessProbe:/readinesProbe:/' \
        'readinessProbe is not GET /readyz'
}
a_wrong_type_is_caught_by_the_schema() {
    broken kubernetes/deployment.yaml 's/replicas: 2/replicas: two/' \
        'matches the apps/v1 schema.*integer'
}
a_misspelt_variable_is_caught() {
    broken kubernetes/deployment.yaml 's/GAPFORGE_THREADS/GAPFORGE_THREAD/' \
        'GAPFORGE_THREAD is read nowhere'
}
a_drain_longer_than_the_grace_period_is_caught() {
    broken kubernetes/deployment.yaml \
        's/terminationGracePeriodSeconds: 35/terminationGracePeriodSeconds: 20/' 'grace 20 s'
}
a_root_pod_is_caught() {
    broken kubernetes/migrate-job.yaml 's/runAsNonRoot: true/runAsNonRoot: false/' \
        'Job: runAsNonRoot'
}
a_missing_secret_key_is_caught() {
    broken kubernetes/secret.yaml '/^  MIGRATE_DATABASE_URL:/d' 'no key MIGRATE_DATABASE_URL'
}
a_service_selecting_no_pod_is_caught() {
    broken kubernetes/service.yaml 's/component: api/component: web/' 'selector matches no pod'
}
a_compose_stop_shorter_than_the_drain_is_caught() {
    broken compose.yaml '/stop_grace_period/d' 'stop_grace_period'
}

t_run a_misspelt_probe_is_caught
t_run a_wrong_type_is_caught_by_the_schema
t_run a_misspelt_variable_is_caught
t_run a_drain_longer_than_the_grace_period_is_caught
t_run a_root_pod_is_caught
t_run a_missing_secret_key_is_caught
t_run a_service_selecting_no_pod_is_caught
t_run a_compose_stop_shorter_than_the_drain_is_caught
t_summary
rc=$?
((real_rc == 0 && rc == 0))
