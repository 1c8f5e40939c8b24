#!/bin/sh
# Interleaved A/B of engine-quick builds: runs each binary in turn, ROUNDS times, and prints the median (and
# range) of its evaluations per CPU-second. Interleaving spreads the shared machine's noise over all builds;
# compare medians, and trust a difference only when it repeats.
# Usage (from the repo root): Benchmarks/engine-quick/ab.sh [get|api|varied|post] ROUNDS BIN...
#   cp .build/release/engine-quick /tmp/eq-old; ...change, build, run.sh...; cp .build/release/engine-quick /tmp/eq-new
#   Benchmarks/engine-quick/ab.sh api 5 /tmp/eq-old /tmp/eq-new
# CRS_PATH (default ../shared/crs) and SECONDS_PER_RUN (CPU seconds per measurement, default 2) from the environment.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 get|api|varied|post ROUNDS BIN..." >&2; exit 2; }
mix=$1
rounds=$2
shift 2
case "$mix" in get | api | varied | post) ;; *) echo "mix must be get, api, varied or post" >&2; exit 2 ;; esac
case "$rounds" in '' | *[!0-9]*) echo "ROUNDS must be a number (1-20)" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || { echo "ROUNDS must be 1-20" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
crs=${CRS_PATH:-$root/../shared/crs}
seconds=${SECONDS_PER_RUN:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
    n=0
    for bin in "$@"; do
        "$bin" "$crs" "$seconds" "$mix" | awk -F: '/evaluations/ {split($2, a, " "); print a[1]}' >>"$out/$n"
        n=$((n + 1))
    done
    i=$((i + 1))
done
n=0
for bin in "$@"; do
    sort -n "$out/$n" | awk -v b="$bin" '{a[NR] = $1} END {printf "%s: median %d (%d-%d) over %d rounds\n", b, a[int((NR + 1) / 2)], a[1], a[NR], NR}'
    n=$((n + 1))
done
