#!/usr/bin/env bash
# The shipped binary against nginx as a reverse proxy, side by side, all on loopback.
#   bench/proxy/run.sh      (env: DURATION=10 ROUNDS=5 WARMUP=120 CONNECTIONS=64 THREADS=2
#                            GATEWAY_PORT=9000 GATEWAY_TLS_PORT=9443 ADMIN_PORT=9080
#                            ROWS="logs-on logs-off tls pool" CROSSGATE_JAVA_OPTS=...
#                            SUMMARY=bench/proxy/latest.tsv, the medians that chart.sh draws)
#
# Crossgate is started exactly as the README does, `./crossgate standalone` with default flags
# (only --data-dir points at a fresh temporary directory, and the ports move if 9000/9080 are
# taken), and the route is created through the Admin API with the generated admin token. Its
# stdout, which carries the access log, goes to a file as it would under a service manager.
#
# Two rows, each a pair alternating round by round in the same minutes:
#   logs on : Crossgate access log on (default), nginx `access_log ... buffer=64k` to a file
#   logs off: Crossgate with CROSSGATE_ACCESS_LOG=off, nginx `access_log off`
#   tls     : TLS termination, logs off on both: the same server certificate (EC P-256, signed by
#             a CA made here with openssl) for Crossgate's --gateway-tls-cert and nginx's
#             `listen ... ssl`, TLS 1.2/1.3 both; wrk over https (HTTP/1.1, keep-alive, so the
#             row measures record encryption more than handshakes); the upstream stays cleartext
#   pool    : three upstream targets (the upstream nginx on three ports), logs off on both: nginx's
#             `upstream` block with three servers (round robin, keepalive 128) against a Crossgate
#             upstream pool with the same three targets (ROUND_ROBIN, passive health, retries)
#   floor   : not Crossgate but bench/proxy/FloorProxy.java, the least a Vert.x proxy does, on the
#             shipped jar's classpath (same Vert.x, Netty, epoll, client settings), logs off on
#             both: floor vs nginx is what the runtime costs here, floor vs the logs-off row what
#             Crossgate's own code costs. Its figures sit in the Crossgate columns.
#   paced   : the logs-on pair at the same offered load, below saturation: every connection waits
#             PACE_MS (default 4) after each answer before its next request (bench/proxy/paced.lua),
#             so both proxies see ~64 / (4 ms + latency) requests a second. The saturating rows
#             compare p99 at different throughputs (a slower proxy queues more); this row compares
#             latency at equal load, what the issue's "p99 at the same load" asks.
#   netty-floor: bench/proxy/NettyFloorProxy.java, a relay on Netty's HTTP codecs without Vert.x
#             (one upstream connection per client connection): how near nginx a JVM proxy gets here
# nginx: 2 workers, `keepalive 128` upstream pool, HTTP/1.1 upstream. Upstream: nginx, 1 worker,
# `return 200` with a 1 KB body. Load: wrk -t2 -c64 --latency. Figures are medians over rounds.
# The machine's load average is printed with every round: on a shared machine it moves every
# figure, which is why each Crossgate round is paired with an nginx round taken next to it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-120}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
UP_PORT=${UP_PORT:-18181}
NGINX_PORT=${NGINX_PORT:-18182}
GATEWAY_PORT=${GATEWAY_PORT:-9000}
GATEWAY_TLS_PORT=${GATEWAY_TLS_PORT:-9443}
ROWS=${ROWS:-logs-on logs-off paced tls pool floor netty-floor}
ADMIN_PORT=${ADMIN_PORT:-9080}
WORK=$(mktemp -d /tmp/crossgate-bench.XXXXXX)
CG_PID=

stop_crossgate() {
  if [ -n "$CG_PID" ]; then
    kill "$CG_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$CG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$CG_PID" 2>/dev/null || true
    CG_PID=
  fi
}
cleanup() {
  stop_crossgate
  for conf in upstream proxy-logs-on proxy-logs-off proxy-paced proxy-tls proxy-pool proxy-floor proxy-netty-floor; do
    [ -f "$WORK/$conf.pid" ] && kill "$(cat "$WORK/$conf.pid")" 2>/dev/null || true
  done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1 || command -v "/usr/sbin/$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk; then
  echo "installing nginx and wrk" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

port_free() { bench_port_free "$1"; }
UP_PORTS="$UP_PORT $((UP_PORT + 1)) $((UP_PORT + 2))"
for p in "$GATEWAY_PORT" "$GATEWAY_TLS_PORT" "$ADMIN_PORT" $UP_PORTS "$NGINX_PORT"; do
  port_free "$p" || { echo "port $p is in use; set GATEWAY_PORT/GATEWAY_TLS_PORT/ADMIN_PORT/UP_PORT/NGINX_PORT" >&2
    exit 1; }
done
PORT_FLAGS=()
[ "$GATEWAY_PORT" = 9000 ] || PORT_FLAGS+=(--gateway-port "$GATEWAY_PORT")
[ "$ADMIN_PORT" = 9080 ] || PORT_FLAGS+=(--admin-port "$ADMIN_PORT")

BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')
nginx_conf() { # name workers port access-log location-body [http-extra]
  cat >"$WORK/$1.conf" <<CONF
worker_processes $2;
pid $WORK/$1.pid;
error_log $WORK/$1-error.log warn;
events { worker_connections 4096; }
http {
  $4
  keepalive_requests 1000000;
  ${6:-}
  server {
$(for port in $3; do printf '    listen 127.0.0.1:%s %s reuseport;\n' "$port" "${7:-}"; done)
    ${8:-}
    location / { $5 }
  }
}
CONF
}
PROXY_LOCATION='proxy_pass http://backend; proxy_http_version 1.1;
      proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'
UPSTREAM_BLOCK="upstream backend { server 127.0.0.1:$UP_PORT; keepalive 128; }"
nginx_conf upstream 1 "$UP_PORTS" "access_log off;" "default_type text/plain; return 200 \"$BODY\";"
nginx_conf proxy-logs-on 2 $NGINX_PORT "access_log $WORK/nginx-access.log combined buffer=64k flush=1s;" \
  "$PROXY_LOCATION" "$UPSTREAM_BLOCK"
nginx_conf proxy-logs-off 2 $NGINX_PORT "access_log off;" "$PROXY_LOCATION" "$UPSTREAM_BLOCK"
nginx_conf proxy-paced 2 $NGINX_PORT "access_log $WORK/nginx-access.log combined buffer=64k flush=1s;" \
  "$PROXY_LOCATION" "$UPSTREAM_BLOCK"
POOL_BLOCK="upstream backend { $(for port in $UP_PORTS; do printf 'server 127.0.0.1:%s; ' "$port"; done)keepalive 128; }"
nginx_conf proxy-pool 2 $NGINX_PORT "access_log off;" "$PROXY_LOCATION" "$POOL_BLOCK"
nginx_conf proxy-floor 2 $NGINX_PORT "access_log off;" "$PROXY_LOCATION" "$UPSTREAM_BLOCK"
nginx_conf proxy-netty-floor 2 $NGINX_PORT "access_log off;" "$PROXY_LOCATION" "$UPSTREAM_BLOCK"
# one test CA and one server certificate for 127.0.0.1, served by both proxies in the tls row
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bench CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$WORK/server.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
  -extfile "$WORK/server.ext" -out "$WORK/server.crt" 2>/dev/null
nginx_conf proxy-tls 2 $NGINX_PORT "access_log off;" "$PROXY_LOCATION" "$UPSTREAM_BLOCK" ssl \
  "ssl_certificate $WORK/server.crt; ssl_certificate_key $WORK/server.key; ssl_protocols TLSv1.2 TLSv1.3;"
"$NGINX" -c "$WORK/upstream.conf" -p "$WORK" -e "$WORK/upstream-error.log"

# ./crossgate builds the jar itself when sources are newer; do that before anything is timed
(cd "$ROOT" && ./crossgate --help >/dev/null)

DATA="$WORK/data"
SCHEME=http
CG_FLAGS=()
start_crossgate() { # name [env assignments...]
  local name=$1; shift
  (cd "$ROOT" && exec env "$@" ./crossgate standalone --data-dir "$DATA" "${PORT_FLAGS[@]}" "${CG_FLAGS[@]}") \
    >"$WORK/$name.log" 2>&1 &
  CG_PID=$!
  for _ in $(seq 1 180); do grep -qs "crossgate standalone ready" "$WORK/$name.log" && return 0; sleep 1; done
  cat "$WORK/$name.log" >&2
  echo "crossgate did not start" >&2
  exit 1
}
start_floor() { # source-file
  (cd "$ROOT" && exec java -cp crossgate-app/target/crossgate.jar "bench/proxy/$1" \
    "$GATEWAY_PORT" "$UP_PORT") >"$WORK/floor.log" 2>&1 &
  CG_PID=$!
  for _ in $(seq 1 60); do grep -qs "floor proxy ready" "$WORK/floor.log" && return 0; sleep 1; done
  cat "$WORK/floor.log" >&2
  echo "the floor proxy did not start" >&2
  exit 1
}
create_route() {
  local token
  token=$(cat "$DATA/admin-token")
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$ADMIN_PORT/admin/routes" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"service\":\"bench\",\"summary\":\"proxy benchmark\",\"sourcePath\":\"/bench\",\"version\":\"v1\",
         \"defaultVersion\":true,\"methods\":[\"GET\"],\"targetUrl\":\"http://127.0.0.1:$UP_PORT\"}"
}
# the pool row's route: an upstream with the three targets, and /pool on it
create_pool_route() {
  local token targets
  token=$(cat "$DATA/admin-token")
  targets=$(for port in $UP_PORTS; do printf '{"url":"http://127.0.0.1:%s"},' "$port"; done)
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$ADMIN_PORT/admin/upstreams" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"id\":\"bench-pool\",\"algorithm\":\"ROUND_ROBIN\",\"targets\":[${targets%,}]}"
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$ADMIN_PORT/admin/routes" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"service":"bench","summary":"pool benchmark","sourcePath":"/pool","methods":["GET"],"upstream":"bench-pool"}'
}
wait_ok() { # url
  for _ in $(seq 1 100); do
    [ "$(curl -s --cacert "$WORK/ca.crt" -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.2
  done
  echo "no 200 from $1" >&2
  exit 1
}

# prints "requests_per_second p99_ms cpu_us_per_request" (CPU of the proxy's processes)
measure() { # port seconds pid...
  local port=$1 seconds=$2; shift 2
  WRK_SCRIPT=$ROUND_SCRIPT bench_wrk "$SCHEME://127.0.0.1:$port$BENCH_PATH" "$seconds" "$@"
}
median() { bench_median; }
load() { bench_load; }

phase() { # row crossgate-env
  local row=$1 env=$2 cg_port=$GATEWAY_PORT
  SCHEME=http CG_FLAGS=() BENCH_PATH=/bench/item ROUND_SCRIPT=
  [ "$row" = pool ] && BENCH_PATH=/pool/item
  if [ "$row" = tls ]; then
    # cleartext stays open (--gateway-port given) only so the route can be made the same way
    SCHEME=https cg_port=$GATEWAY_TLS_PORT
    CG_FLAGS=(--gateway-tls-port "$GATEWAY_TLS_PORT" --gateway-tls-cert "$WORK/server.crt"
      --gateway-tls-key "$WORK/server.key")
    [ "$GATEWAY_PORT" = 9000 ] && CG_FLAGS+=(--gateway-port 9000)
  fi
  "$NGINX" -c "$WORK/proxy-$row.conf" -p "$WORK" -e "$WORK/proxy-$row-error.log"
  if [ "$row" = floor ]; then
    start_floor FloorProxy.java
  elif [ "$row" = netty-floor ]; then
    start_floor NettyFloorProxy.java
  else
    start_crossgate "crossgate-$row" $env
    [ -f "$WORK/route.created" ] || { create_route; touch "$WORK/route.created"; }
  fi
  [ "$row" != pool ] || [ -f "$WORK/pool.created" ] || { create_pool_route; touch "$WORK/pool.created"; }
  wait_ok "$SCHEME://127.0.0.1:$NGINX_PORT$BENCH_PATH"
  wait_ok "$SCHEME://127.0.0.1:$cg_port$BENCH_PATH"
  local nginx_pids
  nginx_pids="$(cat "$WORK/proxy-$row.pid") $(pgrep -P "$(cat "$WORK/proxy-$row.pid")" | tr '\n' ' ')"
  measure "$NGINX_PORT" 5 >/dev/null
  # JIT warm-up (bench_warm); on a loaded machine the compiler threads wait for CPU too, and C2 was
  # still busy after 40 s in some runs
  bench_warm "$row" "$SCHEME://127.0.0.1:$cg_port$BENCH_PATH" "$CG_PID"
  [ "$row" = paced ] && ROUND_SCRIPT=$ROOT/bench/proxy/paced.lua
  for round in $(seq 1 "$ROUNDS"); do
    # alternate which side goes first, so neither always follows the other's after-effects
    local order="nginx crossgate"
    [ $((round % 2)) = 0 ] && order="crossgate nginx"
    for target in $order; do
      local port=$NGINX_PORT pids=$nginx_pids
      [ "$target" = crossgate ] && port=$cg_port pids=$CG_PID
      local l0 result
      l0=$(load)
      result=$(measure "$port" "$DURATION" $pids)
      echo "$row $target $result $l0" | tee -a "$WORK/rounds.txt" >&2
    done
  done
  ACCESS_LINES[$row]=$(grep -cs ' crossgate.access ' "$WORK/crossgate-$row.log" || true)
  stop_crossgate
  kill "$(cat "$WORK/proxy-$row.pid")"
  for _ in $(seq 1 50); do port_free "$NGINX_PORT" && break; sleep 0.1; done
  rm -f "$WORK/nginx-access.log"
}

declare -A ACCESS_LINES
: >"$WORK/rounds.txt"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $ROWS; do
  case $r in
    logs-on|paced) phase "$r" "" ;;
    logs-off|tls|pool|floor|netty-floor) phase "$r" "CROSSGATE_ACCESS_LOG=off" ;;
    *) echo "unknown row $r (logs-on, logs-off, paced, tls, pool, floor, netty-floor)" >&2; exit 1 ;;
  esac
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

col() { awk -v r="$1" -v t="$2" -v c="$3" '$1 == r && $2 == t { print $c }' "$WORK/rounds.txt" | median; }
row() { # row label
  local n_rps n_p99 c_rps c_p99 loads
  n_rps=$(col "$1" nginx 3) n_p99=$(col "$1" nginx 4) c_rps=$(col "$1" crossgate 3) c_p99=$(col "$1" crossgate 4)
  local n_cpu c_cpu
  n_cpu=$(col "$1" nginx 5) c_cpu=$(col "$1" crossgate 5)
  loads=$(awk -v r="$1" '$1 == r { print $6 }' "$WORK/rounds.txt" | sort -n | sed -n '1p;$p' | paste -sd- -)
  printf '%-11s %10s %8s %13s %8s %6s %+9.2f %8s %8s  %s\n' "$2" "$n_rps" "$n_p99" "$c_rps" "$c_p99" \
    "$(awk -v a="$c_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="$c_p99" -v b="$n_p99" 'BEGIN { print a - b }')" "$n_cpu" "$c_cpu" "$loads"
}
# the medians, machine-readable, for bench/proxy/chart.sh
SUMMARY=${SUMMARY:-$ROOT/bench/proxy/latest.tsv}
{ printf '# %s, load %s / %s, wrk -t%s -c%s, %s rounds x %ss\n' "$(date -u +%FT%TZ)" "$LOAD_START" "$LOAD_END" \
    "$THREADS" "$CONNECTIONS" "$ROUNDS" "$DURATION"
  printf '# row\tnginx_rps\tnginx_p99_ms\tcrossgate_rps\tcrossgate_p99_ms\n'
  for r in $ROWS; do printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$(col "$r" nginx 3)" "$(col "$r" nginx 4)" \
    "$(col "$r" crossgate 3)" "$(col "$r" crossgate 4)"; done; } >"$SUMMARY"
cat <<REPORT
== ./crossgate standalone vs nginx, wrk -t$THREADS -c$CONNECTIONS, 1 KB body, $ROUNDS alternating rounds x ${DURATION}s, medians
== $(nproc) cores shared with other work; load average at start/end: $LOAD_START / $LOAD_END; $(date -u +%FT%TZ)
row        nginx r/s   p99 ms  crossgate r/s   p99 ms  ratio  p99 diff  nginx us  cg us  load range
$(for r in $ROWS; do row "$r" "$r"; done)
(the floor rows' "crossgate" figures are not Crossgate's: floor = FloorProxy, a bare Vert.x
proxy; netty-floor = NettyFloorProxy, a relay on Netty's codecs; both on the shipped jar)
Crossgate access-log lines written: logs on ${ACCESS_LINES[logs-on]:-}, logs off ${ACCESS_LINES[logs-off]:-}, paced ${ACCESS_LINES[paced]:-}
paced: each connection waits ${PACE_MS:-4} ms between an answer and its next request (equal offered load)
targets: ratio >= 0.85 (aim 1.0); p99 diff <= +1 ms
"us" = CPU microseconds per request of the proxy's own processes (user + system; nginx master and
workers, Crossgate's JVM): a figure that other load on the machine moves much less than req/s.
rounds (row target req/s p99ms cpu-us/request load1):
$(sed 's/^/  /' "$WORK/rounds.txt")
REPORT
