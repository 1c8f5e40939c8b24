#!/usr/bin/env bash
# Cost per proxied request of a tollgate binary (no rules, metrics on, access log off, workers 1), two ways:
#   cpu    utime+stime of the proxy per request from /proc (all its threads; user/sys split, voluntary context
#          switches per request), proxy pinned to core 0, wrk and the backend to core 1. Noisy on a shared
#          machine: repeat and compare medians, A/B interleaved.
#   instr  user-space instructions per request under callgrind (valgrind), counters zeroed after a warm-up:
#          repeatable whatever else the machine does (kernel work is not counted). Needs valgrind; the
#          binary's debug info is stripped into a temporary copy (valgrind 3.19 cannot read Swift's DWARF 5).
# Backend: nginx `return 200` (47-byte JSON body), as in run.sh. Loopback only; every run is bounded
# (wrk -d <= 10 s); everything started is stopped on exit.
#
# Usage: Benchmarks/proxy-cost.sh cpu|instr BIN [get|post1k] [seconds]
#   e.g. Benchmarks/proxy-cost.sh cpu .build/release/tollgate get 5
#        Benchmarks/proxy-cost.sh instr /tmp/tollgate-main post1k
# Environment: BASE_PORT (default 19480; uses BASE_PORT and BASE_PORT+1 on 127.0.0.1)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:-}"
bin="${2:-}"
mix="${3:-get}"
seconds="${4:-5}"
[[ "$mode" == cpu || "$mode" == instr ]] && [[ -x "$bin" ]] || { sed -n '2,16p' "$0"; exit 2; }
((seconds >= 1 && seconds <= 10)) || { echo "seconds must be 1-10" >&2; exit 2; }
case "$mix" in
    get) script="$here/mixes/get.lua"; args=() ;;
    post1k) script="$here/mixes/post.lua"; args=(-- 1024) ;;
    *) echo "mix must be get or post1k" >&2; exit 2 ;;
esac
base_port="${BASE_PORT:-19480}"
backend_port=$base_port
proxy_port=$((base_port + 1))
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

work="$(mktemp -d /tmp/tollgate-cost.XXXXXX)"
proxy_pid=""
cleanup() {
    set +e
    [[ -n "$proxy_pid" ]] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
    [[ -f "$work/backend.pid" ]] && kill "$(cat "$work/backend.pid")" 2>/dev/null
    sleep 0.2
    rm -rf "$work"
}
trap cleanup EXIT
wait_for_port() {
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

mkdir -p "$work/backend"
cat >"$work/backend.conf" <<CONF
worker_processes 1;
pid $work/backend.pid;
error_log $work/backend/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $work/backend/body;
    proxy_temp_path $work/backend/proxy;
    fastcgi_temp_path $work/backend/fastcgi;
    uwsgi_temp_path $work/backend/uwsgi;
    scgi_temp_path $work/backend/scgi;
    server {
        listen 127.0.0.1:$backend_port;
        location / {
            default_type application/json;
            return 200 '{"ok":true,"service":"backend","items":[1,2,3]}';
        }
    }
}
CONF
taskset -c 1 "$nginx_bin" -p "$work/backend" -e "$work/backend/error.log" -c "$work/backend.conf" </dev/null
wait_for_port "$backend_port"

cat >"$work/tollgate.yaml" <<CONF
listen: "127.0.0.1:$proxy_port"
workers: 1
functions:
  - name: api
    route: /
    upstream: "http://127.0.0.1:$backend_port"
    timeout_ms: 10000
    pool: {max_idle: 32, max_total: 256}
logging: {access_log: off}
CONF

load() {   # connections seconds -> wrk output
    taskset -c 1 wrk -t1 -c"$1" -d"$2s" --latency -s "$script" "http://127.0.0.1:$proxy_port/" "${args[@]}" </dev/null
}
requests_of() { awk '/requests in/ { print $1 }'; }

if [[ "$mode" == cpu ]]; then
    # Its own session (autogroup), as a daemonized nginx has: see run.sh.
    setsid taskset -c 0 "$bin" serve --config "$work/tollgate.yaml" --log-level warning </dev/null >"$work/proxy.log" 2>&1 &
    proxy_pid=$!
    wait_for_port "$proxy_port"
    load 32 1 >/dev/null
    snapshot() {   # utime stime voluntary-switches (all threads)
        local user=0 system=0 switches=0 task fields
        for task in /proc/"$proxy_pid"/task/*; do
            read -r -a fields < <(sed 's/.*) //' "$task/stat")
            user=$((user + fields[11]))
            system=$((system + fields[12]))
            switches=$((switches + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "$task/status")))
        done
        echo "$user $system $switches"
    }
    read -r user0 system0 switches0 < <(snapshot)
    output="$(load 32 "$seconds")"
    read -r user1 system1 switches1 < <(snapshot)
    requests="$(requests_of <<<"$output")"
    awk -v r="$requests" -v u=$((user1 - user0)) -v s=$((system1 - system0)) -v v=$((switches1 - switches0)) \
        -v hz="$(getconf CLK_TCK)" -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$output")" \
        -v p99="$(awk '$1 == "99%" { print $2 }' <<<"$output")" -v name="$(basename "$bin")" -v mix="$mix" \
        'BEGIN { printf "%s %s: %d requests, %s req/s, p99 %s, cpu %.2f us/request (user %.2f, sys %.2f), %.3f voluntary switches/request\n",
                 name, mix, r, rps, p99, (u + s) / hz * 1e6 / r, u / hz * 1e6 / r, s / hz * 1e6 / r, v / r }'
else
    command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || { echo "needs valgrind" >&2; exit 1; }
    cp "$bin" "$work/tollgate"
    strip --strip-debug "$work/tollgate"
    taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" --dump-instr=no \
        "$work/tollgate" serve --config "$work/tollgate.yaml" --log-level warning </dev/null >"$work/proxy.log" 2>&1 &
    proxy_pid=$!
    wait_for_port "$proxy_port"
    load 8 3 >/dev/null
    callgrind_control -z "$proxy_pid" >/dev/null 2>&1
    output="$(load 8 "$seconds")"
    callgrind_control -d "$proxy_pid" >/dev/null 2>&1
    requests="$(requests_of <<<"$output")"
    instructions="$(awk '/^(summary|totals):/ { print $2; exit }' "$work"/callgrind.*.1)"
    awk -v r="$requests" -v i="$instructions" -v name="$(basename "$bin")" -v mix="$mix" \
        'BEGIN { printf "%s %s: %d requests, %d instructions, %.0f user-space instructions/request\n", name, mix, r, i, i / r }'
fi
