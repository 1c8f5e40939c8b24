#!/usr/bin/env bash
# Side-by-side WAF benchmark: the backend directly, nginx as a plain reverse proxy, nginx + ModSecurity v3
# + CRS v4 (PL1, blocking), tollgate with no rules (metrics on, and off), tollgate with the very same CRS
# SecLang file as the ModSecurity peer, tollgate with the `recommended` profile, and tollgate with its rate limiter (local and Redis), each with ONE worker, measured with wrk
# in interleaved rounds (round 1: A B C ..., round 2: A B C ...). Prints a markdown table and writes it
# (with the raw wrk output) to Benchmarks/results/. Loopback only; every process it starts is stopped
# on exit.
#
# Usage: Benchmarks/run.sh [--peers LIST] [--mixes LIST] [--rounds 3] [--duration 5] [--connections 32]
#   peers: direct,nginx,modsec,tollgate,tollgate-nometrics,tollgate-crs1,tollgate-crs,tollgate-limit,tollgate-redis
#          (default: all; tollgate-nometrics is tollgate's no-rules config with `metrics: {enabled: false}`;
#          tollgate-crs1 loads the modsec peer's SecLang file (CRS PL1 alone); tollgate-crs is `recommended`)
#   mixes: get,get-varied,post1k,post8k,post64k,attack,latency,latency-post (default: all but latency-post;
#          get-varied is the GET mix with 20,000 requests whose ids, tokens and cookies differ)
# Environment: TOLLGATE_BIN=path  use this tollgate binary instead of building a release one
#              CRS_PATH=dir       CRS v4 checkout (default: ../shared/crs beside the repository)
#              BASE_PORT=19180    first port; peers use BASE_PORT..BASE_PORT+9 on 127.0.0.1
#              NO_INSTALL=1       never call apt-get (fail if a tool is missing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export PATH="$PATH:/opt/swift/usr/bin:/usr/sbin"

all_peers="direct,nginx,modsec,tollgate,tollgate-nometrics,tollgate-crs1,tollgate-crs,tollgate-limit,tollgate-redis"
peers="$all_peers"
mixes="get,get-varied,post1k,post8k,post64k,attack,latency"
rounds=3
duration=5
connections=32
while (($# > 0)); do
    case "$1" in
        --peers) peers="$2"; shift 2 ;;
        --mixes) mixes="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
# Bounded: at most 10 rounds of at most 30 s per measurement.
((rounds >= 1 && rounds <= 10)) || { echo "--rounds must be 1-10" >&2; exit 2; }
((duration >= 1 && duration <= 30)) || { echo "--duration must be 1-30 seconds" >&2; exit 2; }
((connections >= 1 && connections <= 1000)) || { echo "--connections must be 1-1000" >&2; exit 2; }
IFS=, read -r -a peer_list <<<"$peers"
IFS=, read -r -a mix_list <<<"$mixes"
for p in "${peer_list[@]}"; do
    [[ ",$all_peers," == *",$p,"* ]] || { echo "unknown peer: $p" >&2; exit 2; }
done
for m in "${mix_list[@]}"; do
    case "$m" in get | get-varied | post1k | post8k | post64k | attack | latency | latency-post) ;;
        *) echo "unknown mix: $m" >&2; exit 2 ;;
    esac
done
has_peer() { [[ ",$peers," == *",$1,"* ]]; }
log() { printf '==> %s\n' "$*" >&2; }

base_port="${BASE_PORT:-19180}"
declare -A port=(
    [direct]=$base_port [nginx]=$((base_port + 1)) [modsec]=$((base_port + 2)) [tollgate]=$((base_port + 3))
    [tollgate-crs]=$((base_port + 4)) [tollgate-limit]=$((base_port + 5)) [tollgate-redis]=$((base_port + 6))
    [tollgate-nometrics]=$((base_port + 8)) [tollgate-crs1]=$((base_port + 9))
)
redis_port=$((base_port + 7))
host_name="shop.example.com"

# --- Tools --------------------------------------------------------------------------------------------
missing=()
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
modsec_module=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
if has_peer modsec && [[ ! -f "$modsec_module" ]]; then missing+=(libnginx-mod-http-modsecurity); fi
if has_peer tollgate-redis && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
# Building tollgate (no TOLLGATE_BIN) needs its C libraries.
if [[ -z "${TOLLGATE_BIN:-}" ]]; then
    dpkg -s libpcre2-dev >/dev/null 2>&1 || missing+=(libpcre2-dev)
    dpkg -s libmimalloc-dev >/dev/null 2>&1 || missing+=(libmimalloc-dev)
fi
if ((${#missing[@]} > 0)); then
    if [[ "${NO_INSTALL:-0}" == 1 ]]; then log "missing: ${missing[*]} (NO_INSTALL=1)"; exit 1; fi
    log "installing ${missing[*]} from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

crs_path="${CRS_PATH:-}"
if [[ -z "$crs_path" ]]; then
    for candidate in "$root/../shared/crs" "$root/../../shared/crs"; do
        if [[ -d "$candidate/rules" ]]; then crs_path="$(cd "$candidate" && pwd)"; break; fi
    done
fi
needs_crs=0
if has_peer modsec || has_peer tollgate-crs || has_peer tollgate-crs1; then needs_crs=1; fi
if ((needs_crs)) && [[ ! -d "${crs_path:-/nonexistent}/rules" ]]; then
    log "CRS not found (looked for ../shared/crs beside the repository); set CRS_PATH"
    exit 1
fi

# --- Working directory and cleanup ---------------------------------------------------------------
work="$(mktemp -d /tmp/tollgate-bench.XXXXXX)"
mkdir -p "$work/raw"
declare -A peer_pid=()   # peer -> main pid (nginx master, tollgate)
started_pids=()
cleanup() {
    set +e
    for pidfile in "$work"/*.pid; do
        [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.3
    for pid in "${started_pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {
    local p=$1 name=$2
    for _ in $(seq 1 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "$name did not start listening on 127.0.0.1:$p"
    return 1
}
for p in "${peer_list[@]}" direct; do
    port_free "${port[$p]}" || { log "port ${port[$p]} ($p) is in use; set BASE_PORT"; exit 1; }
done

# --- nginx peers ----------------------------------------------------------------------------------
nginx_conf() {   # name, then the server/upstream blocks on stdin
    local name=$1 modules=${2:-}
    mkdir -p "$work/$name"
    {
        [[ -n "$modules" ]] && echo "$modules"
        cat <<CONF
worker_processes 1;
pid $work/$name.pid;
error_log $work/$name/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_max_body_size 10m;
    client_body_buffer_size 128k;
    client_body_temp_path $work/$name/body;
    proxy_temp_path $work/$name/proxy;
    fastcgi_temp_path $work/$name/fastcgi;
    uwsgi_temp_path $work/$name/uwsgi;
    scgi_temp_path $work/$name/scgi;
CONF
        cat
        echo "}"
    } >"$work/$name.conf"
}
start_nginx() {
    local name=$1
    "$nginx_bin" -t -q -p "$work/$name" -e "$work/$name/error.log" -c "$work/$name.conf" </dev/null ||
        { log "$name: nginx -t failed"; cat "$work/$name/error.log" >&2; return 1; }
    "$nginx_bin" -p "$work/$name" -e "$work/$name/error.log" -c "$work/$name.conf" </dev/null
    wait_for_port "${port[$name]}" "$name"
    peer_pid[$name]="$(cat "$work/$name.pid")"
}
proxy_server() {   # port, extra directives
    cat <<CONF
    upstream backend {
        server 127.0.0.1:${port[direct]};
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$1;
        $2
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
CONF
}

# Backend (and the `direct` peer): nginx answering every request with a small JSON body. `return 200`
# discards request bodies without reading them into memory, which is fine for a backend.
nginx_conf direct <<CONF
    server {
        listen 127.0.0.1:${port[direct]};
        location / {
            default_type application/json;
            return 200 '{"ok":true,"service":"backend","items":[1,2,3]}';
        }
    }
CONF
start_nginx direct
log "backend (nginx return 200) on 127.0.0.1:${port[direct]}"

if has_peer nginx; then
    proxy_server "${port[nginx]}" "" | nginx_conf nginx
    start_nginx nginx
    log "nginx reverse proxy on 127.0.0.1:${port[nginx]}"
fi

# ModSecurity v3 with our own modsecurity.conf (Debian's ships DetectionOnly, a relative unicode map,
# an audit log under /var/log and a 128 KiB body limit) and CRS included file by file (libmodsecurity v3
# rejects Debian's IncludeOptional). tollgate-crs1 loads this very file.
if has_peer modsec || has_peer tollgate-crs1; then
    mkdir -p "$work/modsec"
    unicode_map=""
    for candidate in /etc/nginx/unicode.mapping /etc/modsecurity/unicode.mapping /usr/share/nginx/docs/modsecurity/unicode.mapping; do
        [[ -f "$candidate" ]] && { unicode_map="SecUnicodeMapFile $candidate 20127"; break; }
    done
    crs_version="$(sed -n 's/.*OWASP CRS ver\.\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1\2\3/p' "$crs_path/crs-setup.conf.example" | head -1)"
    cat >"$work/modsec/main.conf" <<CONF
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body'"
SecResponseBodyAccess Off
SecAuditEngine Off
SecDebugLogLevel 0
SecArgumentSeparator &
SecCookieFormat 0
SecStatusEngine Off
$unicode_map
# CRS setup: blocking (anomaly scoring, deny with 403 at the threshold), paranoia level 1.
SecDefaultAction "phase:1,log,noauditlog,pass"
SecDefaultAction "phase:2,log,noauditlog,pass"
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=1"
SecAction "id:900990,phase:1,pass,t:none,nolog,setvar:tx.crs_setup_version=${crs_version:-4280}"
CONF
    for f in "$crs_path"/rules/*.conf; do echo "Include $f"; done >>"$work/modsec/main.conf"
fi
if has_peer modsec; then
    proxy_server "${port[modsec]}" "modsecurity on; modsecurity_rules_file $work/modsec/main.conf;" |
        nginx_conf modsec "load_module $modsec_module;"
    start_nginx modsec
    log "nginx + ModSecurity + CRS $(sed -n 's/.*OWASP CRS ver\.\([0-9.]*\).*/\1/p' "$crs_path/crs-setup.conf.example" | head -1) PL1 on 127.0.0.1:${port[modsec]}"
fi

# --- tollgate peers --------------------------------------------------------------------------------
tollgate_bin=""
wants_tollgate=0
for p in "${peer_list[@]}"; do [[ "$p" == tollgate* ]] && wants_tollgate=1; done
if ((wants_tollgate)); then
    tollgate_bin="${TOLLGATE_BIN:-}"
    if [[ -z "$tollgate_bin" ]]; then
        log "building tollgate (release)"
        (cd "$root" && swift build -c release --product tollgate </dev/null >&2)
        tollgate_bin="$root/.build/release/tollgate"
    fi
    tollgate_bin="$(cd "$(dirname "$tollgate_bin")" && pwd)/$(basename "$tollgate_bin")"
fi

if has_peer tollgate-redis; then
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
        --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log" </dev/null
    wait_for_port "$redis_port" redis-server
    for _ in $(seq 1 50); do [[ -s "$work/redis.pid" ]] && break; sleep 0.1; done
    log "redis-server on 127.0.0.1:$redis_port"
fi

declare -A skipped=()   # peer -> reason
tollgate_yaml() {   # peer
    local name=$1
    cat <<CONF
listen: "127.0.0.1:${port[$name]}"
workers: 1
functions:
  - name: api
    route: /
    upstream: "http://127.0.0.1:${port[direct]}"
    timeout_ms: 10000
    pool: {max_idle: 32, max_total: 256}
logging: {access_log: off}   # nginx peers run with access_log off too
CONF
    case "$name" in
        tollgate-crs1)
            printf 'rules:\n  mode: block\n  files: ["%s"]\n' "$work/modsec/main.conf" ;;
        tollgate-crs)
            printf 'rules:\n  mode: block\n  profile: recommended\n  crs_path: "%s"\n  paranoia_level: 1\n' "$crs_path" ;;
        tollgate-limit)
            printf 'limits:\n  mode: enforce\n  store: local\n  per_client: {rate_per_second: 10000000, burst: 10000000}\n' ;;
        tollgate-redis)
            printf 'limits:\n  mode: enforce\n  store: "redis://127.0.0.1:%s"\n  per_client: {rate_per_second: 10000000, burst: 10000000}\n' "$redis_port" ;;
        tollgate-nometrics)
            printf 'metrics: {enabled: false}   # the request path records no metric\n' ;;
    esac
}
# setsid without forking (a background job of a script is no process group leader): $! stays the peer's pid.
setsid=""
command -v setsid >/dev/null 2>&1 && setsid=setsid
# tollgate_build_info{revision} of the peers: the commit benchmarked.
export TOLLGATE_REVISION="${TOLLGATE_REVISION:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
for name in tollgate tollgate-nometrics tollgate-crs1 tollgate-crs tollgate-limit tollgate-redis; do
    has_peer "$name" || continue
    tollgate_yaml "$name" >"$work/$name.yaml"
    if ! "$tollgate_bin" check --quiet --config "$work/$name.yaml" >"$work/$name.check" 2>&1; then
        skipped[$name]="config rejected by tollgate check: $( (grep -v '^$' "$work/$name.check" || echo "exit status without output") | head -2 | tr '\n' ' ')"
        log "skipping $name: ${skipped[$name]}"
        continue
    fi
    # In its own session, as nginx and redis-server are (they daemonize): with the kernel's autogroup
    # scheduling (sched_autogroup_enabled=1), a proxy left in this script's session shares one scheduling
    # group, and so one group's CPU weight, with wrk; the backend then preempts wrk on every wake-up and
    # takes its requests a few at a time (measured: the proxied GET cost 10 % more machine time).
    $setsid "$tollgate_bin" serve --config "$work/$name.yaml" --log-level warning </dev/null >"$work/$name.log" 2>&1 &
    started_pids+=("$!")
    peer_pid[$name]=$!
    if ! wait_for_port "${port[$name]}" "$name"; then
        skipped[$name]="did not start: $(tail -2 "$work/$name.log" 2>/dev/null | tr '\n' ' ' || true)"
        log "skipping $name: ${skipped[$name]}"
        kill "${peer_pid[$name]}" 2>/dev/null || true
        unset 'peer_pid[$name]'
        continue
    fi
    log "$name on 127.0.0.1:${port[$name]}"
done

active=()
for p in "${peer_list[@]}"; do [[ -n "${peer_pid[$p]:-}" ]] && active+=("$p"); done
((${#active[@]} > 0)) || { log "no peer started"; exit 1; }

# --- Process accounting: CPU ticks and resident memory of a peer's processes ------------------------
pids_of() {   # peer -> its pids (nginx: master and workers; redis peer: tollgate and redis-server)
    local main=${peer_pid[$1]}
    echo "$main"
    ps -o pid= --ppid "$main" 2>/dev/null | tr -d ' ' || true
    if [[ "$1" == tollgate-redis && -s "$work/redis.pid" ]]; then cat "$work/redis.pid"; fi
}
ticks_of() {   # pids... -> utime+stime in clock ticks
    local total=0 pid fields
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        fields="$(sed 's/.*) //' "/proc/$pid/stat")"
        total=$((total + $(awk '{ print $12 + $13 }' <<<"$fields")))
    done
    echo "$total"
}
rss_of() {   # pids... -> VmRSS sum in KiB
    local total=0 pid kib
    for pid in "$@"; do
        kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# --- Verification: WAF peers block a known attack and pass a benign request ---------------------------
declare -A verify_note=()
status_of() { curl -s -o /dev/null -m 10 -w '%{http_code}' -H "Host: $host_name" -H 'User-Agent: Mozilla/5.0 (bench)' -H 'Accept: */*' "$@"; }
for p in "${active[@]}"; do
    benign="$(status_of "http://127.0.0.1:${port[$p]}/api/search?q=wireless+headphones&page=2")"
    benign_post="$(status_of -H 'Content-Type: application/json' --data '{"product":1042,"comment":"Great sound"}' "http://127.0.0.1:${port[$p]}/api/comments")"
    attack="$(status_of "http://127.0.0.1:${port[$p]}/api/search?q=1%27%20OR%20%271%27%3D%271%27%20--%20")"
    note=""
    [[ "$benign" == 200 ]] || note+="benign GET got $benign; "
    [[ "$benign_post" == 200 ]] || note+="benign POST got $benign_post; "
    case "$p" in
        modsec | tollgate-crs | tollgate-crs1) [[ "$attack" == 403 ]] || note+="attack got $attack, not 403 (rules not blocking); " ;;
        *) [[ "$attack" == 200 ]] || note+="attack got $attack without rules; " ;;
    esac
    if [[ "$p" == tollgate-limit || "$p" == tollgate-redis ]]; then
        if ! curl -s -D - -o /dev/null -m 10 -H "Host: $host_name" "http://127.0.0.1:${port[$p]}/api/health" | grep -qi '^ratelimit'; then
            note+="no RateLimit header in the response (limiter not active?); "
        fi
    fi
    if [[ -n "$note" ]]; then
        verify_note[$p]="${note%; }"
        log "WARNING: $p: ${verify_note[$p]}"
    else
        log "verified $p (benign 200, attack $attack)"
    fi
done

# --- Measurements -------------------------------------------------------------------------------
clk_tck="$(getconf CLK_TCK)"
results="$work/results.tsv"
printf 'round\tmix\tpeer\tfile\tseconds\tmachine_busy\tpeer_ticks\tbackend_ticks\twrk_cpu_s\trss_kib\n' >"$results"

mix_args() {   # mix -> connections script [-- args]
    case "$1" in
        get) echo "$connections get.lua" ;;
        get-varied) echo "$connections get-varied.lua" ;;
        post1k) echo "$connections post.lua 1024" ;;
        post8k) echo "$connections post.lua 8192" ;;
        post64k) echo "$connections post.lua 65536" ;;
        attack) echo "$connections attack.lua" ;;
        latency) echo "1 get.lua" ;;
        latency-post) echo "1 post.lua 1024" ;;
    esac
}

measure() {   # round mix peer seconds
    local round=$1 mix=$2 peer=$3 seconds=$4 conns script arg
    read -r conns script arg <<<"$(mix_args "$mix")"
    local out="$work/raw/$round-$mix-$peer.txt"
    local -a pids backend_pids
    mapfile -t pids < <(pids_of "$peer")
    backend_pids=()
    [[ "$peer" != direct ]] && mapfile -t backend_pids < <(pids_of direct)
    local t0 b0 m0 w0 t1 b1 m1 w1 cpu
    m0="$(machine_ticks)"; t0="$(ticks_of "${pids[@]}")"; b0="$(ticks_of "${backend_pids[@]}")"
    w0="$(date +%s.%N)"
    # `times` after wrk prints the CPU that wrk (the shell's child) used.
    cpu="$(bash -c 'timeout "$1" wrk -t1 -c"$2" -d"$3s" --timeout 5s --latency -s "$4" "$5" ${6:+-- "$6"} >"$7" 2>&1 </dev/null; times' \
        _ $((seconds + 20)) "$conns" "$seconds" "$here/mixes/$script" "http://127.0.0.1:${port[$peer]}" "$arg" "$out" |
        tail -1 | awk '{ for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] } print s }')"
    w1="$(date +%s.%N)"
    m1="$(machine_ticks)"; t1="$(ticks_of "${pids[@]}")"; b1="$(ticks_of "${backend_pids[@]}")"
    drain "$peer"
    local busy0 busy1
    read -r busy0 _ <<<"$m0"; read -r busy1 _ <<<"$m1"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mix" "$peer" "$out" \
        "$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", b - a }')" $((busy1 - busy0)) $((t1 - t0)) $((b1 - b0)) \
        "$cpu" "$(rss_of "${pids[@]}")" >>"$results"
}

# A slow peer (ModSecurity takes over a second per 64 KiB JSON body) still works through the requests wrk
# left queued when it stopped; the next measurement would pay for them. Wait (bounded) until one benign
# request gets through before going on.
drain() {
    local started now
    started="$(date +%s)"
    curl -s -o /dev/null -m 180 -H "Host: $host_name" "http://127.0.0.1:${port[$1]}/api/health" || true
    now="$(date +%s)"
    if ((now - started > 2)); then log "$1 took $((now - started)) s to work off its backlog"; fi
}

log "warm-up: 1 s per peer and mix"
for p in "${active[@]}"; do
    for m in "${mix_list[@]}"; do measure 0 "$m" "$p" 1; done
done
total=$((rounds * ${#active[@]} * ${#mix_list[@]}))
log "$rounds rounds x ${#active[@]} peers x ${#mix_list[@]} mixes x ${duration}s = $total runs (about $((total * (duration + 1) / 60 + 1)) min)"
for round in $(seq 1 "$rounds"); do
    for m in "${mix_list[@]}"; do
        for p in "${active[@]}"; do
            measure "$round" "$m" "$p" "$duration"
            log "round $round/$rounds $m $p: $(awk '/^Requests\/sec:/ { print $2 " req/s" }' "$work/raw/$round-$m-$p.txt")"
        done
    done
done

# --- Report ---------------------------------------------------------------------------------------
meta="$work/meta.env"
{
    echo "command=Benchmarks/run.sh --peers $peers --mixes $mixes --rounds $rounds --duration $duration --connections $connections"
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc=$(nproc)"
    echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "clk_tck=$clk_tck"
    echo "connections=$connections"
    echo "duration=$duration"
    echo "rounds=$rounds"
    echo "nginx=$("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///')"
    echo "modsecurity=$(dpkg-query -W -f '${Version}' libmodsecurity3 2>/dev/null || echo unknown)"
    echo "crs=$(sed -n 's/.*OWASP CRS ver\.\([0-9.]*\).*/\1/p' "${crs_path:-/nonexistent}/crs-setup.conf.example" 2>/dev/null | head -1)"
    if [[ -n "${TOLLGATE_BIN:-}" ]]; then
        echo "tollgate=$("$tollgate_bin" --version 2>/dev/null | head -1) (TOLLGATE_BIN=$TOLLGATE_BIN)"
    elif [[ -n "$tollgate_bin" ]]; then
        echo "tollgate=$("$tollgate_bin" --version 2>/dev/null | head -1) (release build of $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ', uncommitted changes'))"
    fi
    for p in "${!verify_note[@]}"; do echo "verify.$p=${verify_note[$p]}"; done
    for p in "${!skipped[@]}"; do echo "skipped.$p=${skipped[$p]}"; done
} >"$meta"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$root/Benchmarks/results/$stamp"
mkdir -p "$out_dir"
cp -r "$work/raw" "$results" "$meta" "$out_dir/"
sed -i "s|$work/raw/|$out_dir/raw/|" "$out_dir/results.tsv"
python3 "$here/report.py" "$out_dir/results.tsv" "$meta" "$peers" "$mixes" | tee "$out_dir/table.md"
log "written to Benchmarks/results/$stamp/table.md"
