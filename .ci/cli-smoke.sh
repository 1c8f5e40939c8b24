#!/usr/bin/env bash
# End-to-end checks of the tollgate executable over loopback: --version, check (valid and invalid),
# serve with the echo function, 404/405, SIGHUP with an invalid then a valid file, SIGTERM drain.
# Usage: bash .ci/cli-smoke.sh PATH/TO/tollgate. Prints "N passed, N failed" and exits non-zero on failure.
set -euo pipefail

bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$(mktemp -d /tmp/tollgate-smoke.XXXXXX)"
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    # Wait (bounded) for them to exit: they may still write their logs into $work.
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$work" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "  ok   $name"
    else
        failed=$((failed + 1))
        echo "  FAIL $name"
    fi
}
give_up() {
    echo "cli smoke: $passed passed, $failed failed (stopped early)"
    exit 1
}
contains() { grep -q -- "$2" "$1"; }
status_of() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$@"; }

# Waits for a JSON log line matching $2 in file $1 and prints the port from its "listen" field.
port_from_log() {
    for _ in $(seq 1 100); do
        if grep -q "$2" "$1" 2>/dev/null; then
            grep "$2" "$1" | head -1 | sed -E 's/.*"listen":"127\.0\.0\.1:([0-9]+)".*/\1/'
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# Waits (at most 10 s) until file $1 contains $2; false when it never does.
wait_for_log() {
    for _ in $(seq 1 200); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# True once process $1 has accepted a connection on its local port $2: an established socket with that port
# among its descriptors (a connection still in the accept queue has none and would be reset by a drain).
accepted_connection() {
    local inode
    for inode in $(awk -v port=":$(printf '%04X' "$2")" '$2 ~ port"$" && $4 == "01" { print $10 }' /proc/net/tcp); do
        ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$inode\]" && return 0
    done
    return 1
}

check "--version prints 0.1.0" test "$("$bin" --version)" = "0.1.0"
check "check --demo exits 0" "$bin" check --demo --quiet

printf 'listn: 1\nfunctions:\n  - {name: a, route: x, upstream: "https://x"}\n' >"$work/bad.yaml"
set +e
"$bin" check --config "$work/bad.yaml" >"$work/bad.out" 2>&1
bad_status=$?
set -e
check "check of an invalid file exits 1" test "$bad_status" = 1
check "check lists every error with its line" contains "$work/bad.out" "bad.yaml:3:.*functions\[0\].upstream: must be http://host:port"
check "check suggests the misspelled key" contains "$work/bad.out" "did you mean 'listen'"

"$bin" echo --port 0 2>"$work/echo.log" &
pids+=("$!")
echo_port="$(port_from_log "$work/echo.log" "echo function listening")" || true
check "echo function starts" test -n "$echo_port"
[[ -n "$echo_port" ]] || give_up

write_config() {
    cat >"$work/tollgate.yaml" <<CONF
listen: "127.0.0.1:0"
workers: 1
functions:
  - name: echo
    route: $1
    methods: [GET, POST]
    upstream: "http://127.0.0.1:$echo_port"
    timeout_ms: 2000
CONF
}
write_config /fn/echo
"$bin" serve --config "$work/tollgate.yaml" --drain-timeout 5 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
port="$(port_from_log "$work/serve.log" "tollgate proxy listening")" || true
check "serve starts" test -n "$port"
[[ -n "$port" ]] || { cat "$work/serve.log"; give_up; }

curl -s -m 5 "http://127.0.0.1:$port/fn/echo/hello?x=1" >"$work/echo.json" || true
check "a declared route reaches the function" contains "$work/echo.json" '"path":"/fn/echo/hello"'
check "an undeclared route gets 404" test "$(status_of "http://127.0.0.1:$port/elsewhere")" = 404
check "a method not allowed gets 405" test "$(status_of -X DELETE "http://127.0.0.1:$port/fn/echo")" = 405

echo "functions: [oops" >"$work/tollgate.yaml"
kill -HUP "$serve_pid"
check "an invalid reload is refused and logged" wait_for_log "$work/serve.log" "reload refused"
check "the old configuration keeps serving" test "$(status_of "http://127.0.0.1:$port/fn/echo/x")" = 200

write_config /fn/renamed
kill -HUP "$serve_pid"
wait_for_log "$work/serve.log" "configuration reloaded" || true
check "a valid reload takes effect" test "$(status_of "http://127.0.0.1:$port/fn/renamed/x")" = 200
check "the old route is gone after reload" test "$(status_of "http://127.0.0.1:$port/fn/echo/x")" = 404

curl -s -o "$work/slow.json" -m 10 "http://127.0.0.1:$port/fn/renamed/slow?delay_ms=700" &
slow_pid=$!
# SIGTERM only once the proxy has accepted the request's connection (a fixed pause can be too short for curl
# to start on a loaded machine); the answer takes 700 ms, so the request is still in flight.
for _ in $(seq 1 200); do
    accepted_connection "$serve_pid" "$port" && break
    sleep 0.05
done
kill -TERM "$serve_pid"
set +e
wait "$serve_pid"
serve_status=$?
wait "$slow_pid"
set -e
check "SIGTERM exits 0" test "$serve_status" = 0
check "an in-flight request finishes during the drain" contains "$work/slow.json" '"path":"/fn/renamed/slow"'

echo "cli smoke: $passed passed, $failed failed"
((failed == 0))
