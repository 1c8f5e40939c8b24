#!/usr/bin/env bash
# Proxy benchmark: the backend directly, nginx as a plain reverse proxy, and tollgate with no rules,
# measured in interleaved rounds (A B C A B C ...) with wrk for a benign GET mix and a 1 KiB JSON POST
# mix. Prints req/s median (min-max), p50, p99 and the ratio to nginx. Loopback only; every process it
# starts is stopped on exit.
#
# Usage: Benchmarks/proxy/run.sh [--targets backend,nginx,tollgate] [--rounds 3] [--duration 5]
#                                [--connections 32] [--mixes get,post]
# Environment: TOLLGATE_BIN=path  use this tollgate binary instead of building a release one.
#              TOLLGATE_ACCESS_LOG=off  tollgate's access log (off|stderr); off matches nginx's `access_log off`.
#              BASE_PORT=19080    backend port; nginx proxy uses +1, tollgate +2.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$PATH:/opt/swift/usr/bin"

targets="backend,nginx,tollgate"
rounds=3
duration=5
connections=32
mixes="get,post"
while (($# > 0)); do
    case "$1" in
        --targets) targets="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --mixes) mixes="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
# Bounded: at most 10 rounds of at most 30 s per run.
((rounds >= 1 && rounds <= 10)) || { echo "--rounds must be 1-10" >&2; exit 2; }
((duration >= 1 && duration <= 30)) || { echo "--duration must be 1-30 seconds" >&2; exit 2; }
((connections >= 1 && connections <= 1000)) || { echo "--connections must be 1-1000" >&2; exit 2; }

base_port="${BASE_PORT:-19080}"
backend_port=$base_port
nginx_port=$((base_port + 1))
tollgate_port=$((base_port + 2))
IFS=, read -r -a target_list <<<"$targets"
IFS=, read -r -a mix_list <<<"$mixes"
has_target() { [[ ",$targets," == *",$1,"* ]]; }

log() { printf '==> %s\n' "$*" >&2; }

# --- Tools --------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]} from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

# --- Working directory and cleanup -------------------------------------------------------------
work="$(mktemp -d /tmp/tollgate-bench.XXXXXX)"
pids=()
cleanup() {
    for pidfile in "$work"/*.pid; do
        [[ -f "$pidfile" ]] || continue
        kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_port() {
    local port=$1 name=$2
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "$name did not start listening on 127.0.0.1:$port"
    return 1
}

nginx_common() {
    local name=$1
    mkdir -p "$work/$name"
    cat <<CONF
worker_processes 1;
pid $work/$name.pid;
error_log $work/$name/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $work/$name/body;
    proxy_temp_path $work/$name/proxy;
    fastcgi_temp_path $work/$name/fastcgi;
    uwsgi_temp_path $work/$name/uwsgi;
    scgi_temp_path $work/$name/scgi;
CONF
}

start_nginx() {
    local name=$1
    "$nginx_bin" -p "$work/$name" -e "$work/$name/error.log" -c "$work/$name.conf" </dev/null
}

# --- Backend: nginx answering every request with a small JSON body ------------------------------
{
    nginx_common backend
    cat <<CONF
    server {
        listen 127.0.0.1:$backend_port reuseport;
        location / {
            default_type application/json;
            return 200 '{"ok":true,"service":"backend","items":[1,2,3]}';
        }
    }
}
CONF
} >"$work/backend.conf"
start_nginx backend
wait_for_port "$backend_port" backend
log "backend (nginx return 200) on 127.0.0.1:$backend_port"

# --- nginx as a plain reverse proxy ------------------------------------------------------------
if has_target nginx; then
    {
        nginx_common nginx
        cat <<CONF
    upstream backend {
        server 127.0.0.1:$backend_port;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$nginx_port reuseport;
        client_max_body_size 10m;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
CONF
    } >"$work/nginx.conf"
    start_nginx nginx
    wait_for_port "$nginx_port" "nginx proxy"
    log "nginx reverse proxy on 127.0.0.1:$nginx_port"
fi

# --- tollgate with no rules --------------------------------------------------------------------
if has_target tollgate; then
    tollgate_bin="${TOLLGATE_BIN:-}"
    if [[ -z "$tollgate_bin" ]]; then
        log "building tollgate (release)"
        (cd "$root" && swift build -c release --product tollgate </dev/null >&2)
        tollgate_bin="$root/.build/release/tollgate"
    fi
    cat >"$work/tollgate.yaml" <<CONF
listen: "127.0.0.1:$tollgate_port"
workers: 1
functions:
  - name: backend
    route: /
    upstream: "http://127.0.0.1:$backend_port"
    timeout_ms: 10000
    pool: {max_idle: 32, max_total: 256}
logging:
  access_log: "${TOLLGATE_ACCESS_LOG:-off}"
CONF
    "$tollgate_bin" check --quiet --config "$work/tollgate.yaml"
    "$tollgate_bin" serve --config "$work/tollgate.yaml" --log-level warning </dev/null 2>"$work/tollgate.log" &
    echo $! >"$work/tollgate.pid"
    pids+=("$!")
    wait_for_port "$tollgate_port" tollgate || { cat "$work/tollgate.log" >&2; exit 1; }
    log "tollgate (no rules, 1 worker) on 127.0.0.1:$tollgate_port"
fi

port_of() {
    case "$1" in
        backend) echo "$backend_port" ;;
        nginx) echo "$nginx_port" ;;
        tollgate) echo "$tollgate_port" ;;
    esac
}

# wrk prints latencies as 812.00us / 1.23ms / 1.02s; convert to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "nan" }
    }'
}

run_wrk() {
    local target=$1 mix=$2 seconds=$3 out
    out="$(timeout $((seconds + 20)) wrk -t1 -c"$connections" -d"${seconds}s" --timeout 5s --latency \
        -s "$here/$mix.lua" "http://127.0.0.1:$(port_of "$target")" </dev/null)"
    local rps p50 p99 non2xx errors
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50.000%" || $1 == "50%" { print $2; exit }' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99.000%" || $1 == "99%" { print $2; exit }' <<<"$out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
    errors="$(awk '/Socket errors:/ { print }' <<<"$out")"
    if [[ -n "$non2xx" || -n "$errors" ]]; then
        log "warning: $target/$mix: ${non2xx:+$non2xx non-2xx responses }$errors"
    fi
    echo "$target $mix $rps $p50 $p99"
}

# --- Warm-up, then interleaved rounds ----------------------------------------------------------
results="$work/results.txt"
: >"$results"
for target in "${target_list[@]}"; do
    for mix in "${mix_list[@]}"; do run_wrk "$target" "$mix" 1 >/dev/null; done
done
log "warm-up done; $rounds rounds x ${#target_list[@]} targets x ${#mix_list[@]} mixes x ${duration}s (-t1 -c$connections)"
for round in $(seq 1 "$rounds"); do
    for mix in "${mix_list[@]}"; do
        for target in "${target_list[@]}"; do
            line="$(run_wrk "$target" "$mix" "$duration")"
            log "round $round: $line"
            echo "$line" >>"$results"
        done
    done
done

# --- Table -------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { sort -g | head -1; }
maximum() { sort -g | tail -1; }
column_of() { awk -v t="$1" -v m="$2" -v c="$3" '$1 == t && $2 == m { print $c }' "$results"; }

echo
echo "Proxy benchmark: wrk -t1 -c$connections -d${duration}s, $rounds interleaved rounds, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-6s %-9s %28s %10s %10s %14s %14s\n' mix target "req/s median (min-max)" "p50 ms" "p99 ms" "req/s vs nginx" "p99 vs nginx"
for mix in "${mix_list[@]}"; do
    nginx_rps=""; nginx_p99=""
    if has_target nginx; then
        nginx_rps="$(column_of nginx "$mix" 3 | median)"
        nginx_p99="$(column_of nginx "$mix" 5 | median)"
    fi
    for target in "${target_list[@]}"; do
        rps_med="$(column_of "$target" "$mix" 3 | median)"
        rps_min="$(column_of "$target" "$mix" 3 | minimum)"
        rps_max="$(column_of "$target" "$mix" 3 | maximum)"
        p50="$(column_of "$target" "$mix" 4 | median)"
        p99="$(column_of "$target" "$mix" 5 | median)"
        ratio="-"; p99_ratio="-"
        if [[ -n "$nginx_rps" ]]; then
            ratio="$(awk -v a="$rps_med" -v b="$nginx_rps" 'BEGIN { printf "%.2fx", a / b }')"
            p99_ratio="$(awk -v a="$p99" -v b="$nginx_p99" 'BEGIN { printf "%.2fx", a / b }')"
        fi
        printf '%-6s %-9s %28s %10.2f %10.2f %14s %14s\n' "$mix" "$target" \
            "$(printf '%.0f (%.0f-%.0f)' "$rps_med" "$rps_min" "$rps_max")" "$p50" "$p99" "$ratio" "$p99_ratio"
    done
done
mkdir -p "$root/Benchmarks/results"
cp "$results" "$root/Benchmarks/results/proxy-$(date -u +%Y%m%dT%H%M%SZ).txt"
