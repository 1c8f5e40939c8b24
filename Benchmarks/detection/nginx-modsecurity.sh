#!/bin/sh
# Runs the detection benchmark against nginx + ModSecurity v3 on loopback (Debian packages
# nginx, libnginx-mod-http-modsecurity, modsecurity-crs), in a throw-away prefix, then stops it.
#
#   Benchmarks/detection/nginx-modsecurity.sh crs        # CRS 3.3.4 at paranoia level 1
#   Benchmarks/detection/nginx-modsecurity.sh tollgate   # Tollgate's embedded profile on ModSecurity
#   Benchmarks/detection/nginx-modsecurity.sh recommended  # recommended profile: Debian CRS 3.3.4 + ours
#
# Ports: 127.0.0.1:18090 (WAF) and 127.0.0.1:18091 (static 200 backend). Bounded by run.py.
set -eu
MODE=${1:-crs}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DIR=$(mktemp -d /tmp/tollgate-nginx-XXXXXX)
mkdir -p "$DIR/tmp"
MODULE=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so

case "$MODE" in
crs)
    cat > "$DIR/main.conf" <<CONF
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:200001,phase:1,pass,nolog,t:none,t:lowercase,ctl:requestBodyProcessor=JSON"
Include /etc/modsecurity/crs/crs-setup.conf
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
    ;;
tollgate)
    cat > "$DIR/main.conf" <<CONF
SecRuleEngine On
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
Include $REPO/Rulesets/profiles/embedded.conf
CONF
    ;;
recommended)
    # The recommended profile's load order (Rulesets/README.md) with Debian's CRS layout. ModSecurity's
    # Include does not take [...] globs, so the CRS file groups are expanded here.
    CRS=/usr/share/modsecurity-crs
    P=$REPO/Rulesets/profiles
    {
        echo "SecRuleEngine On"
        echo "SecRequestBodyLimit 13107200"
        echo "SecRequestBodyNoFilesLimit 131072"
        echo "Include $P/engine-settings.conf"
        echo "Include /etc/modsecurity/crs/crs-setup.conf"
        echo "Include $P/recommended-before-crs.conf"
        echo "Include $CRS/rules/REQUEST-901-INITIALIZATION.conf"
        echo "Include $REPO/Rulesets/tollgate/*.conf"
        echo "Include $P/recommended-after-tollgate.conf"
        for f in "$CRS"/rules/REQUEST-*.conf "$CRS"/rules/RESPONSE-*.conf; do
            case "$f" in */REQUEST-901-*) ;; *) echo "Include $f" ;; esac
        done
    } > "$DIR/main.conf"
    ;;
*) echo "usage: $0 crs|tollgate|recommended" >&2; exit 2 ;;
esac

cat > "$DIR/nginx.conf" <<CONF
load_module $MODULE;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp/body;
    proxy_temp_path $DIR/tmp/proxy;
    fastcgi_temp_path $DIR/tmp/fastcgi;
    uwsgi_temp_path $DIR/tmp/uwsgi;
    scgi_temp_path $DIR/tmp/scgi;
    server { listen 127.0.0.1:18091; location / { return 200 "ok\n"; } }
    server {
        listen 127.0.0.1:18090;
        modsecurity on;
        modsecurity_rules_file $DIR/main.conf;
        location / { proxy_pass http://127.0.0.1:18091; }
    }
}
CONF

if [ -n "${KEEP:-}" ]; then
    # Audit log of every blocked request (part H lists the rules that matched).
    printf 'SecAuditEngine RelevantOnly\nSecAuditLogRelevantStatus "^403"\nSecAuditLogParts ABHZ\nSecAuditLogType Serial\nSecAuditLog %s/audit.log\n' "$DIR" >> "$DIR/main.conf"
fi
nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' 2>"$DIR/start.log" &
PID=$!
# KEEP=1 keeps the prefix (ModSecurity's messages are in $DIR/error.log).
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $DIR" || rm -rf "$DIR"' EXIT INT TERM
sleep 2
if ! kill -0 $PID 2>/dev/null; then cat "$DIR/start.log" "$DIR/error.log" >&2; exit 1; fi
python3 "$HERE/run.py" http --url http://127.0.0.1:18090/fn --label "nginx + ModSecurity v3 ($MODE)" ${SHOW:+--show-misses} ${ONLY:+--only $ONLY}
