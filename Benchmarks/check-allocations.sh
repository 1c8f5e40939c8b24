#!/usr/bin/env bash
# Checks allocations per operation of the microbenchmarks (Benchmarks/EngineBenchmarks and, when the rule
# engine is present, Benchmarks/RulesBenchmarks) against the committed p90 thresholds in
# Benchmarks/Thresholds. Only mallocCountTotal is committed there: allocation counts are stable on a
# noisy machine, times are not. Exit status: 0 within thresholds (or only improvements), 1 regression.
#
# Usage: Benchmarks/check-allocations.sh            check (builds the benchmarks in release mode)
#        Benchmarks/check-allocations.sh --update   re-measure and rewrite the thresholds
# .ci/run runs the check after the tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/opt/swift/usr/bin"
export TOLLGATE_BENCHMARKS=1   # adds the benchmark package and targets to Package.swift
thresholds=Benchmarks/Thresholds

if [[ "${1:-}" == --update ]]; then
    swift package --manifest-cache none --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update \
        --path "$thresholds" --no-progress </dev/null
    # Keep only the allocation counts: a check against wall-clock thresholds would fail on a shared machine.
    python3 - "$thresholds" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.p90.json")):
    data = json.loads(path.read_text())
    kept = {k: v for k, v in data.items() if k.lower().startswith("malloccounttotal") or k == "mallocCountTotal"}
    path.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
    print(f"{path.name}: {kept}")
PY
    exit 0
fi

set +e
swift package --manifest-cache none --disable-sandbox benchmark thresholds check --path "$thresholds" --no-progress \
    </dev/null 2>&1 | tee "${TMPDIR:-/tmp}/tollgate-allocations.log"
status=${PIPESTATUS[0]}
# A benchmark that could not set itself up (e.g. CRS not found) reports an error but no failing status.
if grep -q '^RulesBenchmarks: ' "${TMPDIR:-/tmp}/tollgate-allocations.log"; then
    echo "allocations: a benchmark failed to set up (see above)"
    exit 1
fi
set -e
# package-benchmark names the outcome in its error line (its exit status is 1 for both kinds of deviation).
log="${TMPDIR:-/tmp}/tollgate-allocations.log"
if grep -aq 'benchmarkThresholdRegression' "$log"; then
    echo "allocations: REGRESSION against $thresholds"
    exit 1
elif grep -aq 'benchmarkThresholdImprovement' "$log"; then
    echo "allocations: improvements only; consider Benchmarks/check-allocations.sh --update"
    exit 0
fi
case "$status" in
    0) echo "allocations: within thresholds" ;;
    *) echo "allocations: benchmark run failed (exit $status)" ;;
esac
exit "$status"
