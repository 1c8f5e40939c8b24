#!/usr/bin/env python3
"""Turns the raw wrk outputs and CPU/RSS samples of Benchmarks/run.sh into markdown tables.

Usage: report.py RESULTS.tsv META.env PEERS MIXES   (run.sh calls it; round 0 is the warm-up, ignored)
"""
import re
import statistics
import sys

PEER_LABELS = {
    "direct": "backend direct",
    "nginx": "nginx proxy",
    "modsec": "nginx + ModSecurity + CRS PL1",
    "tollgate": "tollgate, no rules",
    "tollgate-nometrics": "tollgate, no rules, metrics off",
    "tollgate-crs1": "tollgate, CRS PL1 (the ModSecurity peer's SecLang)",
    "tollgate-crs": "tollgate recommended (CRS PL1 + Tollgate rules)",
    "tollgate-limit": "tollgate + limiter (local)",
    "tollgate-redis": "tollgate + limiter (Redis)",
}
MIX_LABELS = {
    "get": "benign GET (query, headers, bearer, cookies), -c{c}",
    "get-varied": "benign GET, 20,000 requests with their own ids, tokens and cookies, -c{c}",
    "post1k": "benign 1 KiB JSON POST, -c{c}",
    "post8k": "benign 8 KiB JSON POST, -c{c}",
    "post64k": "benign 64 KiB JSON POST, -c{c}",
    "attack": "50/50 benign/attack mix, -c{c} (non-2xx = blocked)",
    "latency": "latency: benign GET at 1 connection",
    "latency-post": "latency: benign 1 KiB JSON POST at 1 connection",
}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {"rps": float("nan"), "p50": float("nan"), "p99": float("nan"), "requests": 0, "non2xx": 0, "errors": 0}
    if m := re.search(r"Requests/sec:\s+([0-9.]+)", text):
        out["rps"] = float(m.group(1))
    if m := re.search(r"^\s+50(?:\.000)?%\s+(\S+)", text, re.M):
        out["p50"] = to_ms(m.group(1))
    if m := re.search(r"^\s+99(?:\.000)?%\s+(\S+)", text, re.M):
        out["p99"] = to_ms(m.group(1))
    if m := re.search(r"(\d+) requests in", text):
        out["requests"] = int(m.group(1))
    if out["requests"] == 0:  # nothing completed: no latency to speak of
        out["p50"] = out["p99"] = float("nan")
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        out["non2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        out["errors"] = sum(int(g) for g in m.groups())
    return out


def fmt(value, digits=0):
    if value != value:  # NaN
        return "-"
    return f"{value:,.{digits}f}"


def ratio(a, b, digits=2):
    r = a / b if b == b and b != 0 else float("nan")
    return fmt(r, digits) + "x" if r == r else "-"


def main():
    results_path, meta_path, peers, mixes = sys.argv[1:5]
    meta = {}
    for line in open(meta_path, encoding="utf-8"):
        key, _, value = line.rstrip("\n").partition("=")
        meta[key] = value
    clk = float(meta.get("clk_tck", "100"))
    rows = {}
    lines = open(results_path, encoding="utf-8").read().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        r = dict(zip(header, line.split("\t")))
        if r["round"] == "0":
            continue
        w = parse_wrk(r["file"])
        seconds = float(r["seconds"]) or 1.0
        other_ticks = int(r["machine_busy"]) - int(r["peer_ticks"]) - int(r["backend_ticks"])
        w["other"] = max(0.0, other_ticks / clk - float(r["wrk_cpu_s"] or 0)) / seconds
        w["peer_cpu"] = int(r["peer_ticks"]) / clk / seconds
        w["rss"] = int(r["rss_kib"]) / 1024.0
        rows.setdefault((r["mix"], r["peer"]), []).append(w)

    def med(mix, peer, key):
        values = [x[key] for x in rows.get((mix, peer), []) if x[key] == x[key]]
        value = statistics.median(values) if values else float("nan")
        return value if value != 0 or key != "rps" else float("nan")  # 0 req/s: nothing to divide by

    def marks(peer):
        notes = []
        if f"verify.{peer}" in meta:
            notes.append("⚠ " + meta[f"verify.{peer}"])
        return notes

    c = meta.get("connections", "32")
    print(f"## tollgate benchmark, {meta.get('date', '')}")
    print()
    print(f"- machine: {meta.get('nproc')} cores, {meta.get('cpu')}, {meta.get('memory')}; load average at the end: {meta.get('load')}")
    print(f"- command: `{meta.get('command')}`")
    print(f"- wrk -t1, {meta.get('rounds')} interleaved rounds of {meta.get('duration')} s (after a 1 s warm-up each), medians with min-max over the rounds")
    print(f"- peers: nginx {meta.get('nginx')}, libmodsecurity {meta.get('modsecurity')}, CRS {meta.get('crs')}, tollgate {meta.get('tollgate')}; one worker each")
    print("- other CPU: cores the rest of the machine used during the round (/proc/stat busy time minus the peer's, the backend's and wrk's own CPU); high values mean the numbers are noisy")
    for key, value in sorted(meta.items()):
        if key.startswith("skipped."):
            print(f"- **skipped {key[8:]}**: {value}")
        if key.startswith("verify."):
            print(f"- **⚠ {key[7:]} failed verification**: {value}")
    print()
    peer_list = peers.split(",")
    for mix in mixes.split(","):
        present = [p for p in peer_list if (mix, p) in rows]
        if not present:
            continue
        latency = mix.startswith("latency")
        print(f"### {MIX_LABELS[mix].format(c=c)}")
        print()
        cols = ["peer", "req/s median (min-max)", "p50 ms", "p99 ms", "x nginx", "x ModSec", "p99 x nginx"]
        if latency:
            cols.append("added p50 ms vs direct")
        cols += ["non-2xx %", "errors", "peer CPU", "RSS MiB", "other CPU (cores)"]
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
        n_rps, n_p99 = med(mix, "nginx", "rps"), med(mix, "nginx", "p99")
        m_rps = med(mix, "modsec", "rps")
        d_p50 = med(mix, "direct", "p50")
        for p in present:
            rs = rows[(mix, p)]
            rps = [x["rps"] for x in rs]
            total = sum(x["requests"] for x in rs)
            non2xx = 100.0 * sum(x["non2xx"] for x in rs) / total if total else float("nan")
            others = [x["other"] for x in rs]
            label = PEER_LABELS[p] + (" ⚠" if marks(p) else "")
            cells = [
                label,
                f"{fmt(med(mix, p, 'rps'))} ({fmt(min(rps))}-{fmt(max(rps))})",
                fmt(med(mix, p, "p50"), 2),
                fmt(med(mix, p, "p99"), 2),
                ratio(med(mix, p, "rps"), n_rps),
                ratio(med(mix, p, "rps"), m_rps, 1),
                ratio(med(mix, p, "p99"), n_p99),
            ]
            if latency:
                cells.append(fmt(med(mix, p, "p50") - d_p50, 3) if d_p50 == d_p50 else "-")
            cells += [
                fmt(non2xx, 1),
                str(sum(x["errors"] for x in rs)),
                fmt(med(mix, p, "peer_cpu"), 2),
                fmt(max(x["rss"] for x in rs), 1),
                f"{fmt(statistics.median(others), 2)} ({fmt(min(others), 2)}-{fmt(max(others), 2)})",
            ]
            print("| " + " | ".join(cells) + " |")
        print()

    # Goals (issue 7, issue 2, issue 3, issue 5).
    print("### Goals")
    print()
    print("| goal | measured | result |")
    print("|---|---:|---|")

    def goal(text, value, ok, peer=None):
        if value != value:
            print(f"| {text} | not measured | - |")
            return
        result = "pass" if ok else "**miss**"
        if peer and marks(peer):
            result = f"not valid: ⚠ {peer} failed verification ({meta[f'verify.{peer}']}); would be {result}"
        print(f"| {text} | {value} | {result} |")

    for mix in ("get", "post1k"):
        r = med(mix, "tollgate", "rps") / med(mix, "nginx", "rps")
        goal(f"tollgate no rules >= 1.0x nginx proxy req/s ({mix})", fmt(r, 2) + "x" if r == r else r, r >= 1.0, "tollgate")
        r = med(mix, "tollgate", "p99") / med(mix, "nginx", "p99")
        goal(f"tollgate no rules p99 <= 1.2x nginx proxy ({mix})", fmt(r, 2) + "x" if r == r else r, r <= 1.2, "tollgate")
        # Per core: requests per CPU-second the proxy itself used (wrk and the backend share the machine, so a
        # proxy that needs less CPU per request leaves them more, and throughput alone mixes the two).
        tg_cpu, ng_cpu = med(mix, "tollgate", "peer_cpu"), med(mix, "nginx", "peer_cpu")
        r = (med(mix, "tollgate", "rps") / tg_cpu) / (med(mix, "nginx", "rps") / ng_cpu) if tg_cpu > 0 and ng_cpu > 0 else float("nan")
        goal(f"tollgate no rules >= 1.0x nginx proxy req/s per core used ({mix})", fmt(r, 2) + "x" if r == r else r, r >= 1.0, "tollgate")
    for mix in ("get", "post1k"):
        r = med(mix, "tollgate-crs1", "rps") / med(mix, "modsec", "rps")
        goal(f"tollgate CRS PL1 >= 50x nginx + ModSecurity, same SecLang ({mix})", fmt(r, 1) + "x" if r == r else r, r >= 50, "tollgate-crs1")
        r = med(mix, "tollgate-crs", "rps") / med(mix, "modsec", "rps")
        goal(f"tollgate recommended >= 50x nginx + ModSecurity ({mix})", fmt(r, 1) + "x" if r == r else r, r >= 50, "tollgate-crs")
        r = med(mix, "tollgate-crs", "rps") / med(mix, "nginx", "rps")
        goal(f"tollgate recommended >= 0.3x nginx proxy ({mix})", fmt(r, 2) + "x" if r == r else r, r >= 0.3, "tollgate-crs")
    for peer in ("tollgate", "tollgate-crs"):
        added = med("latency", peer, "p50") - med("latency", "direct", "p50")
        goal(f"{PEER_LABELS[peer]}: added p50 latency at 1 connection <= 0.3 ms (GET)",
             fmt(added, 3) + " ms" if added == added else added, added <= 0.3, peer)
    rss = max((x["rss"] for (m, p), rs in rows.items() if p == "tollgate-crs" for x in rs), default=float("nan"))
    goal("tollgate recommended resident memory after load <= 64 MiB", fmt(rss, 1) + " MiB" if rss == rss else rss, rss <= 64, "tollgate-crs")
    for peer in ("tollgate-limit", "tollgate-redis"):
        r = med("get", peer, "rps") / med("get", "tollgate", "rps")
        value = f"{fmt(r, 2)}x of tollgate no rules" if r == r else r
        if value == value:
            note = f"not valid: ⚠ {peer} failed verification; measured " if marks(peer) else ""
            noise = " (negative: faster than without, i.e. noise)" if r > 1 else ""
            print(f"| limiter cost, {PEER_LABELS[peer]} (get req/s) | {value} | {note}cost {fmt((1 - r) * 100, 1)}%{noise} |")
        else:
            print(f"| limiter cost, {PEER_LABELS[peer]} (get req/s) | not measured | - |")
    for mix in ("get", "post1k"):
        r = med(mix, "tollgate", "rps") / med(mix, "tollgate-nometrics", "rps")
        if r == r:
            note = "not valid: ⚠ a tollgate peer failed verification; measured " if marks("tollgate") or marks("tollgate-nometrics") else ""
            noise = " (negative: faster with metrics, i.e. noise)" if r > 1 else ""
            print(f"| metrics cost, tollgate no rules with metrics on vs off ({mix} req/s) | {fmt(r, 2)}x | {note}cost {fmt((1 - r) * 100, 1)}%{noise} |")
        else:
            print(f"| metrics cost, tollgate no rules with metrics on vs off ({mix} req/s) | not measured | - |")
    print()


if __name__ == "__main__":
    main()
