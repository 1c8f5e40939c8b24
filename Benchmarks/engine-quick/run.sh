#!/bin/sh
# Engine-alone throughput with CRS PL1: benign GET and benign ~1 KiB JSON POST.
# Usage (from the repo root): swift build -c release --product tollgate && Benchmarks/engine-quick/run.sh [CRS_DIR] [SECONDS] [get|post|both]
# Links main.swift against the release objects of TollgateRules, TollgateRegex and TollgateHTTP.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
rel="$root/.build/release"
out="$rel/engine-quick"
swiftc -O -module-name EngineQuick \
    -I "$rel/Modules" -I "$root/Sources/CPCRE2" \
    "$root/Benchmarks/engine-quick/main.swift" \
    "$rel"/TollgateRules.build/*.o "$rel"/TollgateRegex.build/*.o "$rel"/TollgateHTTP.build/*.o \
    -lpcre2-8 -o "$out" 2>&1 | grep -v "^$" || true
cd "$root"
exec "$out" "${1:-$root/../shared/crs}" "${2:-3}" "${3:-both}"
