#!/bin/sh
# Runs the model benchmark in C and the numpy reference on the same inputs and prints both
# medians and their ratio. Usage: bench/model/run.sh BUILD_DIR [runs]
set -eu
build=${1:?usage: run.sh BUILD_DIR [runs]}
runs=${2:-15}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}   # Debian's python3 carries python3-numpy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/bench/model/bench_model" "$tmp/inputs.csv" "$runs" | tee "$tmp/c.txt"
"$python" "$here/reference_sim.py" "$tmp/inputs.csv" "$runs" | tee "$tmp/py.txt"

c_ms=$(sed -n 's/^C median_ms=\([0-9.]*\).*/\1/p' "$tmp/c.txt")
py_ms=$(sed -n 's/^numpy median_ms=\([0-9.]*\).*/\1/p' "$tmp/py.txt")
echo "----"
echo "C median ms:     $c_ms"
echo "numpy median ms: $py_ms"
awk -v c="$c_ms" -v p="$py_ms" 'BEGIN { printf "ratio (numpy / C): %.1fx\n", p / c }'
