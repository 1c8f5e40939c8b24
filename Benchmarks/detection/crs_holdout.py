#!/usr/bin/env python3
"""Held-out check: how many of CRS's own attack regression tests does a Tollgate config block?

CRS's go-ftw tests (written by the CRS authors, not tuned for our rules) are rewritten to expect
the blocking-evaluation rule instead of the CRS rule they test, and run through
`tollgate ftw --config`. Only tests that expect a rule of an attack family (930-934, 941, 942,
944) are used, grouped by family and by the paranoia level of the CRS rule they were written for.
Needs PyYAML (unlike run.py).

  python3 Benchmarks/detection/crs_holdout.py --crs /work/shared/crs \
      --config Rulesets/config/ftw-embedded.yaml --block-id 4759920
"""

import argparse
import glob
import os
import re
import subprocess
import tempfile
from collections import defaultdict

import yaml

FAMILIES = ["930", "931", "932", "933", "934", "941", "942", "944"]


def rule_levels(crs):
    levels = {}
    for path in glob.glob(os.path.join(crs, "rules", "*.conf")):
        text = open(path, encoding="utf-8").read().replace("\\\n", " ")
        for m in re.finditer(r"id:(\d+),[^\"]*?paranoia-level/(\d)", text):
            levels[int(m.group(1))] = int(m.group(2))
    return levels


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crs", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--tollgate", default=".build/debug/tollgate")
    ap.add_argument("--block-id", type=int, default=4759920)
    ap.add_argument("--show-missed", action="store_true", help="list the ids (RULE-TEST) of the tests not blocked")
    args = ap.parse_args()
    levels = rule_levels(args.crs)
    index = {}
    with tempfile.TemporaryDirectory(prefix="tollgate-holdout-") as tmp:
        for fam in FAMILIES:
            for path in sorted(glob.glob(os.path.join(args.crs, "tests/regression/tests", f"REQUEST-{fam}-*", "*.yaml"))):
                doc = yaml.safe_load(open(path, encoding="utf-8"))
                rule = doc.get("rule_id")
                tests = []
                for t in doc.get("tests", []):
                    stages = t.get("stages", [])
                    if len(stages) != 1:
                        continue
                    log = (stages[0].get("output") or {}).get("log") or {}
                    expected = log.get("expect_ids") or ([log["expect_id"]] if "expect_id" in log else [])
                    if rule not in expected:
                        continue
                    stage = {"input": stages[0]["input"], "output": {"log": {"expect_ids": [args.block_id]}}}
                    tests.append({"test_id": t["test_id"], "stages": [stage]})
                    index[f"{rule}-{t['test_id']}"] = (fam, levels.get(rule, 0))
                if tests:
                    out = {"meta": {"author": "holdout"}, "rule_id": rule, "tests": tests}
                    with open(os.path.join(tmp, f"{rule}.yaml"), "w", encoding="utf-8") as f:
                        yaml.safe_dump(out, f, allow_unicode=True, sort_keys=False)
        proc = subprocess.run([args.tollgate, "ftw", "--config", args.config, "--verbose", tmp],
                              capture_output=True, text=True)
    cells = defaultdict(lambda: [0, 0])
    for line in proc.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL) (\d+-\d+)\b", line)
        if m and m.group(2) in index:
            if args.show_missed and m.group(1) == "FAIL":
                fam, pl = index[m.group(2)]
                print(f"MISSED {m.group(2)} (family {fam}, PL{pl})")
            fam, pl = index[m.group(2)]
            for key in [(fam, pl), (fam, "all"), ("ALL", pl), ("ALL", "all")]:
                cells[key][0] += m.group(1) == "PASS"
                cells[key][1] += 1
    print(f"CRS attack regression tests blocked by {args.config} (blocked = rule {args.block_id})")
    print(f"{'family':8s}" + "".join(f"{'PL' + str(p):>14s}" for p in (1, 2, 3, 4)) + f"{'all':>14s}")
    for fam in FAMILIES + ["ALL"]:
        row = f"{fam:8s}"
        for col in (1, 2, 3, 4, "all"):
            b, n = cells.get((fam, col), (0, 0))
            row += f"{'-':>14s}" if n == 0 else f"{f'{100.0 * b / n:.0f}% ({b}/{n})':>14s}"
        print(row)


if __name__ == "__main__":
    main()
