#!/usr/bin/env bash
# Limiter enforcement accuracy (Denial-of-Wallet issue, "Measure it"):
# one abusive client driven far above its per-client rate by wrk, and one polite client well under
# its limit at the same time, through tollgate with the local store and with a Redis store.
# Prints the admitted rate over the configured rate for the abuser and the 429s the polite client got.
# Loopback only; every run is bounded (-d seconds). Usage:
#   TOLLGATE_BIN=.build/release/tollgate Benchmarks/limiter-accuracy.sh [RATE] [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rate=${1:-200}
seconds=${2:-5}
burst=20
bin=${TOLLGATE_BIN:-.build/release/tollgate}
[[ -x "$bin" ]] || { echo "build first: swift build -c release --product tollgate (or set TOLLGATE_BIN)"; exit 1; }
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
command -v redis-server >/dev/null || { apt-get install -y -qq redis-server >/dev/null; }

work=$(mktemp -d /tmp/tollgate-limiter.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f "$work/redis.pid" ]] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

wait_port() { for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

backend=19290
"$bin" echo --port "$backend" >"$work/echo.log" 2>&1 &
pids+=("$!")
wait_port "$backend"
redis_port=19291
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log" </dev/null
wait_port "$redis_port"

cat >"$work/abuser.lua" <<'LUA'
wrk.headers["X-Api-Key"] = "abuser"
LUA

printf '| store | configured rate (burst) | abuser sent | abuser admitted | admitted / configured | polite sent | polite 429s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
port=19292
for store in local "redis://127.0.0.1:$redis_port"; do
    port=$((port + 1))
    cat >"$work/tollgate.yaml" <<CONF
listen: "127.0.0.1:$port"
workers: 1
logging: {access_log: off}
functions:
  - name: api
    route: /
    upstream: "http://127.0.0.1:$backend"
limits:
  store: "$store"
  store_timeout_ms: 200
  client_key: "header:X-Api-Key"
  per_client: {rate_per_second: $rate, burst: $burst}
CONF
    "$bin" serve --config "$work/tollgate.yaml" --log-level warning >"$work/tollgate.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    wait_port "$port"
    # The polite client: 5 requests a second, far under the limit, during the whole abusive run.
    (
        sent=0 limited=0
        end=$((SECONDS + seconds))
        while ((SECONDS < end)); do
            code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Api-Key: polite' "http://127.0.0.1:$port/p")
            sent=$((sent + 1))
            [[ "$code" == 429 ]] && limited=$((limited + 1))
            sleep 0.2
        done
        echo "$sent $limited" >"$work/polite"
    ) &
    polite_pid=$!
    wrk -t1 -c8 -d"${seconds}s" -s "$work/abuser.lua" "http://127.0.0.1:$port/a" >"$work/wrk.out" 2>&1
    wait "$polite_pid"
    total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")
    non2xx=${non2xx:-0}
    admitted=$((total - non2xx))
    read -r polite_sent polite_limited <"$work/polite"
    allowed=$(awk -v r="$rate" -v s="$seconds" -v b="$burst" 'BEGIN {printf "%.0f", r * s + b}')
    ratio=$(awk -v a="$admitted" -v c="$allowed" 'BEGIN {printf "%.3f", a / c}')
    printf '| %s | %s/s (%s) | %s | %s | %s (of %s allowed in %ss) | %s | %s |\n' \
        "${store%%:*}" "$rate" "$burst" "$total" "$admitted" "$ratio" "$allowed" "$seconds" "$polite_sent" "$polite_limited"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
