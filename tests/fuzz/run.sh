#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [HARNESS...]: builds the libFuzzer harnesses of tests/fuzz with
# clang (-Dfuzz=true: libFuzzer coverage, AddressSanitizer, UndefinedBehaviorSanitizer, leak
# detection) and runs each for SECONDS (default 60), one after the other, starting from the seed
# corpus tests/fuzz/corpus/HARNESS. With no HARNESS, all of them (tests/fuzz/run.sh --list).
#
# Installs clang (and its libFuzzer runtime) from Debian when missing and running as root;
# otherwise prints the apt-get line. A harness passes when it ran its time without a crash, a
# broken invariant, a leak, a timeout (60 s for one input: generous, since a loaded shared
# machine can stall a process for seconds) or running out of memory (2 GiB).
# Prints one line per harness ("fuzz: NAME: passed: N executions in S s, E/s"), and last
# "fuzz: N passed, N failed"; exits non-zero when any failed.
#
# Environment: GF_FUZZ_BUILD, the build folder (default build-fuzz/); GF_FUZZ_WORK, where each
# harness keeps the inputs it found (WORK/NAME/), its log (WORK/NAME.log) and what made it fail
# (WORK/NAME-crash-*, -leak-*, -timeout-*, -oom-*; default build-fuzz/work/). The work corpus
# is kept between runs, so a long run goes on from the last one:
#
#     nice -n 10 tests/fuzz/run.sh 900 csv      # 15 minutes of the CSV splitter
#
# GF_FUZZ_RUNS=N ends each harness after N executions instead, SECONDS being then at most its
# time (a long run that must reach a count, whatever the machine's load):
#
#     GF_FUZZ_RUNS=10000000 nice -n 10 tests/fuzz/run.sh 7200 csv
#
# A failing input replays with BUILD/tests/fuzz/fuzz_NAME FILE; once fixed, add it to
# tests/fuzz/corpus/NAME/ (with a regression test in the unit suites).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$GF_ROOT"

harnesses=(csv import csv_table router validate period query norm)

if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${harnesses[@]}"
    exit 0
fi
seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || gf_die "SECONDS must be a positive integer"
shift || true
if (($# > 0)); then
    for h in "$@"; do
        [[ " ${harnesses[*]} " == *" $h "* ]] || gf_die "no harness $h (tests/fuzz/run.sh --list)"
    done
    harnesses=("$@")
fi
build=${GF_FUZZ_BUILD:-$GF_ROOT/build-fuzz}
work=${GF_FUZZ_WORK:-$build/work}

# fuzzer_links: true when clang can link a libFuzzer program.
fuzzer_links() {
    local tmp rc=0
    tmp=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
        >"$tmp/t.c"
    clang -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 || rc=1
    rm -rf -- "$tmp"
    return "$rc"
}

# install_clang: clang and its libFuzzer runtime from Debian (as root), or the apt-get line.
install_clang() {
    command -v clang >/dev/null 2>&1 && fuzzer_links && return 0
    local pkgs=(clang)
    if command -v clang >/dev/null 2>&1; then
        local major
        major=$(clang -dumpversion | cut -d. -f1)
        pkgs+=("libclang-rt-$major-dev")
    fi
    if ! gf_is_root; then
        gf_log "fuzzing needs clang with libFuzzer"
        printf 'Install it with:\n\n    sudo apt-get install -y %s\n\n' "${pkgs[*]}" >&2
        exit 1
    fi
    gf_log "installing ${pkgs[*]} for the fuzzers"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${pkgs[@]}" || { apt-get update && apt-get install -y "${pkgs[@]}"; } \
        || gf_die "apt-get install ${pkgs[*]} failed"
    if ! fuzzer_links; then
        major=$(clang -dumpversion | cut -d. -f1)
        apt-get install -y "libclang-rt-$major-dev" || true
        fuzzer_links || gf_die "clang cannot link -fsanitize=fuzzer programs"
    fi
}

install_clang
gf_log "building the fuzzers in $build"
CC=clang gf_build "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtests=false -Dbench=false -Dwerror=true -Dbuildtype=debugoptimized >/dev/null \
    || gf_die "the fuzzing build failed (meson compile -C $build shows why)"

# A small quarantine: recycling the default 256 MiB one stalls a loaded machine for seconds.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1:quarantine_size_mb=64
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0
failed=0
for h in "${harnesses[@]}"; do
    mkdir -p "$work/$h"
    log=$work/$h.log
    rc=0
    "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -runs="${GF_FUZZ_RUNS:--1}" \
        -timeout=60 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$h-" "$work/$h" "tests/fuzz/corpus/$h" \
        >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if ((rc == 0)) && [[ -n $execs ]]; then
        secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
        printf 'fuzz: %s: passed: %s executions in %s s, %s/s\n' "$h" "$execs" "${secs:-$seconds}" \
            "$rate"
        passed=$((passed + 1))
    else
        printf 'fuzz: %s: FAILED (exit %d) after %s executions; the end of %s:\n' "$h" "$rc" \
            "${execs:-?}" "$log"
        grep -E 'invariant broken|ERROR|SUMMARY|runtime error|Test unit written' "$log" \
            | head -n 20 || tail -n 30 "$log"
        failed=$((failed + 1))
    fi
done
printf 'fuzz: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
