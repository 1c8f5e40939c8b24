#!/usr/bin/env python3
"""Detection benchmark: sends every corpus value in every placement through a WAF and prints
detection and false-positive rates per category and placement.

Two targets (Python 3 standard library only):

  http  A running proxy on loopback (Tollgate, or nginx + ModSecurity + CRS). A request counts as
        blocked when the answer is 403.
          run.py http --url http://127.0.0.1:8080/function/echo

  ftw   The rule engine in process, through `tollgate ftw --config CONFIG` (same HTTP parser and
        engine as the proxy, no sockets). The corpus is written out as go-ftw tests that expect the
        blocking rule (4759920 for the embedded profile, 949110 with CRS); a passing test = blocked.
          run.py ftw --config Rulesets/config/ftw-embedded.yaml              # embedded profile
          run.py ftw --crs /work/shared/crs                                  # recommended profile

Corpus format: see README.md next to this script.
"""

import argparse
import http.client
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# Placements. Every value goes to query, form, json, header, cookie and path. json-key (the value
# as an object key) applies to the categories whose attacks live in keys; json-body (the value
# itself as the request body) to values that parse as a JSON object or array; query-raw (the value
# as the raw query string) to values shaped like key=value with brackets (user[$ne]=1).
PLACEMENTS = ["query", "form", "json", "json-key", "json-body", "query-raw", "header", "cookie", "path"]
KEY_CATEGORIES = {"nosql", "prototype-pollution"}
RAW_QUERY = re.compile(r"^[\w%\[\]$.'\"-]+(?:\[[^\]]*\])*=[^\s&]*$")


def load(kind):
    """Reads corpus/<kind>/*.txt: one value per line; '## ' lines are comments; 'json:' lines hold a
    JSON string literal (for values with newlines, control characters or edge whitespace)."""
    out = {}
    folder = os.path.join(CORPUS, kind)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".txt"):
            continue
        values = []
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("## "):
                    continue
                if line.startswith("json:"):
                    line = json.loads(line[5:])
                values.append(line)
        out[name[:-4]] = values
    return out


def pct(value):
    return urllib.parse.quote(value, safe="")


def header_safe(value):
    """Header values cannot carry CR, LF, NUL or raw non-ASCII on the wire: percent-encode those bytes."""
    out = []
    for b in value.encode("utf-8"):
        out.append(chr(b) if 0x20 <= b < 0x7F or b == 0x09 else "%%%02X" % b)
    return "".join(out)


def parses_as_json_container(value):
    try:
        return isinstance(json.loads(value), (dict, list))
    except ValueError:
        return False


def requests_for(category, value, prefix, kind="attacks"):
    """Yields (placement, method, path, headers, body) for the placements that apply. Benign
    multi-line values (markdown, code) are not sent in header, cookie or path placements: no real
    client puts an encoded newline there, and doing so is exactly what CRLF rules must flag."""
    base = prefix.rstrip("/") + "/probe"
    single_line = kind == "attacks" or ("\n" not in value and "\r" not in value)
    yield "query", "GET", f"{base}?q={pct(value)}", {}, None
    yield "form", "POST", base, {"Content-Type": "application/x-www-form-urlencoded"}, f"q={pct(value)}"
    yield "json", "POST", base, {"Content-Type": "application/json"}, json.dumps({"q": value})
    if category in KEY_CATEGORIES:
        yield "json-key", "POST", base, {"Content-Type": "application/json"}, json.dumps({value: "x"})
    if parses_as_json_container(value):
        yield "json-body", "POST", base, {"Content-Type": "application/json"}, value
    if RAW_QUERY.match(value):
        raw = "".join(c if c.isascii() and c not in " #\"<>" else pct(c) for c in value)
        yield "query-raw", "GET", f"{base}?{raw}", {}, None
    if single_line:
        yield "header", "GET", base, {"X-Probe": header_safe(value)}, None
        yield "cookie", "GET", base, {"Cookie": f"probe={pct(value)}"}, None
        yield "path", "GET", f"{base}/{pct(value)}", {}, None


ONLY = ("attacks", "benign")


def all_cases(prefix):
    cases = []
    for kind in ONLY:
        for category, values in load(kind).items():
            for value in values:
                for placement, method, path, headers, body in requests_for(category, value, prefix, kind):
                    cases.append((kind, category, placement, method, path, headers, body, value))
    return cases


# ----------------------------------------------------------------------------------------- http


def check_loopback(url):
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http":
        sys.exit("only http:// URLs are supported")
    host = parsed.hostname or ""
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                sys.exit("refusing a non-loopback target: " + host)
        except ValueError:
            sys.exit("refusing a non-loopback target: " + host)
    return parsed


def run_http(args):
    parsed = check_loopback(args.url)
    cases = all_cases(parsed.path or "/")
    if len(cases) > args.max_requests:
        sys.exit(f"{len(cases)} requests exceed --max-requests {args.max_requests}")
    results = []
    deadline = time.monotonic() + args.max_seconds
    conn = None
    for case in cases:
        if time.monotonic() > deadline:
            sys.exit(f"stopped: --max-seconds {args.max_seconds} reached")
        kind, category, placement, method, path, headers, body, _ = case
        payload = body.encode("utf-8") if body is not None else None
        # A name, as real clients send; a numeric Host makes CRS add a warning score (920350).
        hdrs = {"Host": "localhost", "User-Agent": "tollgate-detection-benchmark/1.0", "Accept": "*/*"}
        hdrs.update(headers)
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=args.timeout)
                conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for k, v in hdrs.items():
                    conn.putheader(k, v)
                if payload is not None:
                    conn.putheader("Content-Length", str(len(payload)))
                conn.endheaders(payload)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                status = -1
        results.append((kind, category, placement, status == 403, status, case[7]))
    errors = sum(1 for r in results if r[4] == -1 or r[4] >= 500)
    if errors:
        print(f"note: {errors} requests failed or got 5xx (not counted as blocked)")
    return results


# ------------------------------------------------------------------------------------------ ftw


def yaml_str(value):
    """A YAML double-quoted scalar: JSON string syntax, raw UTF-8 for printable characters (YAML
    rejects JSON's surrogate-pair escapes), escapes for controls and C1 characters."""
    out = json.dumps(value, ensure_ascii=False)
    return "".join(c if not (0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF) else "\\u%04x" % ord(c) for c in out)


REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def recommended_files(crs):
    """The `recommended` profile's load order (Rulesets/README.md), as a file list."""
    crs = os.path.abspath(crs)
    setup = next((p for p in (f"{crs}/crs-setup.conf", f"{crs}/crs-setup.conf.example",
                              "/etc/modsecurity/crs/crs-setup.conf") if os.path.exists(p)), None)
    if setup is None:
        sys.exit(f"no crs-setup.conf(.example) under {crs}")
    prof = f"{REPO}/Rulesets/profiles"
    return [f"{prof}/engine-settings.conf", setup, f"{prof}/recommended-before-crs.conf",
            f"{crs}/rules/REQUEST-901-INITIALIZATION.conf", f"{REPO}/Rulesets/tollgate/*.conf",
            f"{prof}/recommended-after-tollgate.conf", f"{crs}/rules/REQUEST-90[2-9]*.conf",
            f"{crs}/rules/REQUEST-9[1-9][0-9]-*.conf", f"{crs}/rules/RESPONSE-*.conf"]


def run_ftw(args):
    if args.crs:
        handle, generated = tempfile.mkstemp(prefix="tollgate-recommended-", suffix=".yaml")
        with os.fdopen(handle, "w") as f:
            f.write('listen: "127.0.0.1:8080"\nfunctions:\n  - name: bench\n    route: /\n'
                    '    upstream: "http://127.0.0.1:18080"\nrules:\n  mode: detect\n  files:\n')
            files = recommended_files(args.crs)
            if args.tuning is not None:
                # What the loader generates for a setting (ids 4,759,000-4,759,099), before the profile.
                setting = tempfile.NamedTemporaryFile("w", prefix="tollgate-tuning-", suffix=".conf", delete=False)
                setting.write(f'SecAction "id:4759002,phase:1,pass,nolog,'
                              f"setvar:'tx.tollgate_crs_api_tuning={args.tuning}'\"\n")
                setting.close()
                files.insert(0, setting.name)
            for path in files:
                f.write(f"    - {yaml_str(path)}\n")
        args.config = generated
    cases = all_cases("/")
    index = {}
    with tempfile.TemporaryDirectory(prefix="tollgate-detection-") as tmp:
        by_file = defaultdict(list)
        for n, case in enumerate(cases):
            kind, category, placement = case[:3]
            by_file[(kind, category, placement)].append((n, case))
        for file_no, (key, items) in enumerate(sorted(by_file.items())):
            rule_id = 100000 + file_no
            lines = ["---", "meta:", '  author: "detection benchmark"', f"rule_id: {rule_id}", "tests:"]
            for test_no, (n, case) in enumerate(items, 1):
                _, _, _, method, path, headers, body, _ = case
                index[f"{rule_id}-{test_no}"] = n
                lines += [f"  - test_id: {test_no}", "    stages:", "      - input:",
                          '          dest_addr: "127.0.0.1"', "          port: 80",
                          f"          method: {yaml_str(method)}", f"          uri: {yaml_str(path)}",
                          '          version: "HTTP/1.1"', "          headers:",
                          '            Host: "localhost"', '            User-Agent: "tollgate-detection-benchmark/1.0"',
                          '            Accept: "*/*"']
                for k, v in headers.items():
                    lines.append(f"            {k}: {yaml_str(v)}")
                if body is not None:
                    lines.append(f"          data: {yaml_str(body)}")
                lines += ["        output:", "          log:", f"            expect_ids: [{args.block_id}]"]
            with open(os.path.join(tmp, f"{rule_id}.yaml"), "w") as f:
                f.write("\n".join(lines) + "\n")
        proc = subprocess.run([args.tollgate, "ftw", "--config", args.config, "--verbose", tmp],
                              capture_output=True, text=True, timeout=args.max_seconds)
    passed = set()
    seen = set()
    for line in proc.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL) (\d+-\d+)\b", line)
        if m:
            seen.add(m.group(2))
            if m.group(1) == "PASS":
                passed.add(m.group(2))
    if not seen:
        sys.exit("tollgate ftw produced no results:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
    results = []
    for name, n in index.items():
        kind, category, placement = cases[n][:3]
        results.append((kind, category, placement, name in passed, None, cases[n][7]))
    return results


def rule_ids(args):
    """Every rule id in Rulesets/ and, with --crs, in CRS's rules (what a test can report)."""
    ids = set()
    folders = [os.path.join(REPO, "Rulesets")] + ([os.path.join(os.path.abspath(args.crs), "rules")] if args.crs else [])
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                if name.endswith(".conf"):
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                        ids.update(int(m) for m in re.findall(r"\bid:(\d+)", f.read()))
    return sorted(ids)


def explain_ftw(args, results):
    """Runs the blocked benign values once more, each as a test that forbids every known rule id, and
    reads the ids the runner reports as unexpected: the rules that matched (non-scoring rules included)."""
    blocked = [r for r in results if r[0] == "benign" and r[3]]
    if not blocked:
        return {}
    wanted = {(r[1], r[2], r[5]) for r in blocked}
    ids = ", ".join(str(i) for i in rule_ids(args))
    cases = [c for c in all_cases("/") if c[0] == "benign" and (c[1], c[2], c[7]) in wanted]
    explained = {}
    with tempfile.TemporaryDirectory(prefix="tollgate-explain-") as tmp:
        lines = ["---", "meta:", '  author: "detection benchmark"', "rule_id: 1", "tests:"]
        for n, (_, _, _, method, path, headers, body, _) in enumerate(cases, 1):
            lines += [f"  - test_id: {n}", "    stages:", "      - input:",
                      '          dest_addr: "127.0.0.1"', "          port: 80",
                      f"          method: {yaml_str(method)}", f"          uri: {yaml_str(path)}",
                      '          version: "HTTP/1.1"', "          headers:",
                      '            Host: "localhost"', '            User-Agent: "tollgate-detection-benchmark/1.0"',
                      '            Accept: "*/*"']
            for k, v in headers.items():
                lines.append(f"            {k}: {yaml_str(v)}")
            if body is not None:
                lines.append(f"          data: {yaml_str(body)}")
            lines += ["        output:", "          log:", f"            no_expect_ids: [{ids}]"]
        with open(os.path.join(tmp, "1.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = subprocess.run([args.tollgate, "ftw", "--config", args.config, tmp],
                              capture_output=True, text=True, timeout=args.max_seconds)
    for line in proc.stdout.splitlines():
        m = re.match(r"^FAIL 1-(\d+): unexpected ids \[([\d, ]*)\]", line)
        if m:
            case = cases[int(m.group(1)) - 1]
            explained[(case[1], case[2], case[7])] = [int(x) for x in m.group(2).split(",") if x.strip()]
    return explained


def show_misses(results, explained=None):
    """Lists missed attacks and blocked benign values; with `explained` (from explain_ftw), the ids of
    the rules that matched each blocked benign value."""
    for kind, category, placement, blocked, _, value in results:
        if (kind == "attacks" and not blocked) or (kind == "benign" and blocked):
            tag = "MISS" if kind == "attacks" else "FP  "
            rules = ""
            if explained is not None and kind == "benign":
                rules = " rules " + ",".join(str(i) for i in explained.get((category, placement, value), []))
            print(f"{tag} {category:20s} {placement:9s} {value!r}{rules}")


# ---------------------------------------------------------------------------------------- table


def print_table(results, title):
    cells = defaultdict(lambda: [0, 0])
    for kind, category, placement, blocked, _, _ in results:
        for key in [(kind, category, placement), (kind, "ALL", placement), (kind, category, "all"), (kind, "ALL", "all")]:
            cells[key][0] += int(blocked)
            cells[key][1] += 1
    cols = [p for p in PLACEMENTS if any(k[2] == p for k in cells)] + ["all"]
    print(f"\n{title}")
    for kind, label in (("attacks", "detection rate (blocked attacks)"), ("benign", "false-positive rate (blocked benign values)")):
        cats = sorted({k[1] for k in cells if k[0] == kind and k[1] != "ALL"}) + ["ALL"]
        print(f"\n{label}")
        print(f"{'category':22s}" + "".join(f"{c:>11s}" for c in cols))
        for cat in cats:
            row = f"{cat:22s}"
            for col in cols:
                b, n = cells.get((kind, cat, col), (0, 0))
                row += f"{'-':>11s}" if n == 0 else f"{100.0 * b / n:10.1f}%"
            print(row)
    def group(kind, placements):
        b = sum(cells[(kind, "ALL", p)][0] for p in placements if (kind, "ALL", p) in cells)
        n = sum(cells[(kind, "ALL", p)][1] for p in placements if (kind, "ALL", p) in cells)
        return f"{100.0 * b / n:.1f}% ({b}/{n})" if n else "-"
    print("\nsummary")
    print("  attacks blocked, query/form/json/json-key/json-body/query-raw: "
          + group("attacks", ["query", "form", "json", "json-key", "json-body", "query-raw"]))
    print("  attacks blocked, header/cookie/path:                           "
          + group("attacks", ["header", "cookie", "path"]))
    print("  benign values blocked, all placements:                         " + group("benign", PLACEMENTS))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="target", required=True)
    h = sub.add_parser("http", help="send requests to a running proxy on loopback")
    h.add_argument("--url", required=True, help="http://127.0.0.1:PORT/route-prefix (loopback only)")
    h.add_argument("--timeout", type=float, default=5.0, help="per-request timeout in seconds (default 5)")
    h.add_argument("--max-requests", type=int, default=20000, help="refuse to send more (default 20000)")
    h.add_argument("--max-seconds", type=float, default=600.0, help="stop after this long (default 600)")
    h.add_argument("--label", default="", help="title for the table")
    h.add_argument("--only", choices=["attacks", "benign"], help="send only this half of the corpus")
    h.add_argument("--show-misses", action="store_true", help="list missed attacks and blocked benign values")
    f = sub.add_parser("ftw", help="run the corpus through `tollgate ftw --config` (engine in process)")
    f.add_argument("--tollgate", default=".build/debug/tollgate", help="path to the tollgate binary")
    f.add_argument("--config", help="Tollgate config whose rules are measured")
    f.add_argument("--crs", help="instead of --config: measure the recommended profile with CRS from this directory")
    f.add_argument("--tuning", type=int, choices=[0, 1, 2], help="with --crs: tx.tollgate_crs_api_tuning (default 1)")
    f.add_argument("--block-id", type=int, default=4759920,
                   help="id of the blocking-evaluation rule (4759920 embedded, 949110 with CRS)")
    f.add_argument("--max-seconds", type=float, default=900.0, help="timeout for the ftw run (default 900)")
    f.add_argument("--show-misses", action="store_true",
                   help="list missed attacks and blocked benign values (with the ids of the rules that matched them)")
    f.add_argument("--label", default="", help="title for the table")
    f.add_argument("--only", choices=["attacks", "benign"], help="send only this half of the corpus")
    args = parser.parse_args()
    global ONLY
    if args.only:
        ONLY = (args.only,)
    if args.target == "http":
        results = run_http(args)
        if args.show_misses:
            show_misses(results)
        print_table(results, args.label or f"target: {args.url} (blocked = HTTP 403)")
    else:
        if not args.config and not args.crs:
            parser.error("ftw needs --config or --crs")
        if args.crs and args.block_id == 4759920:
            args.block_id = 949110
        results = run_ftw(args)
        if args.show_misses:
            show_misses(results, explain_ftw(args, results))
        print_table(results, args.label or f"target: tollgate ftw --config {args.config} (blocked = rule {args.block_id} matched)")


if __name__ == "__main__":
    main()
