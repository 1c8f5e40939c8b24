#!/bin/sh
# Instructions per request for the engine alone (deterministic, unlike CPU time on a shared machine): runs
# engine-quick under callgrind and counts only inside the measured loop.
# Usage (from the repo root, after run.sh has built engine-quick): Benchmarks/engine-quick/instructions.sh [CRS_DIR] [get|api|varied|post] [N]
# Needs valgrind (apt-get install -y valgrind). ENGINE_QUICK_PROFILE=recommended works as for run.sh.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
crs=${1:-$root/../shared/crs}
mix=${2:-get}
n=${3:-50}
cd "$root"
total=$(ENGINE_QUICK_ITERATIONS=$n valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
    "--toggle-collect=*iterateForCount*" "${ENGINE_QUICK_BIN:-$root/.build/release/engine-quick}" "$crs" 1 "$mix" 2>&1 |
    awk '/Collected/ {print $NF}')
[ -n "$total" ] || { echo "no count (is valgrind installed, is engine-quick built?)" >&2; exit 1; }
echo "$mix: $((total / n)) instructions per request ($n requests)"
