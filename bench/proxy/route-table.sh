#!/usr/bin/env bash
# Route-table scaling, in process: 1, 10 and 100,000 routes, heap after GC and route-change apply
# time on a 100k table, next to nginx. bench/proxy/run.sh measures the shipped binary; this one is
# kept for what the binary cannot show cheaply: a 100,000-route table (through the Admin API that
# is 100,000 writes) and the apply time of one change measured inside the node.
#   bench/proxy/route-table.sh    (env: DURATION=10 ROUNDS=3 WARMUP=15 CONNECTIONS=64)
# Prints median requests/s and p99 per target, the Crossgate/nginx ratio, 10 vs 100,000 routes,
# heap used after GC with 100,000 routes and the time to apply one route change. ~5 minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-15}
CONNECTIONS=${CONNECTIONS:-64}
UP_PORT=18181 NGINX_PORT=18182 CG1_PORT=18183 CG10_PORT=18184 CG100K_PORT=18185
WORK=$(mktemp -d /tmp/crossgate-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for conf in upstream proxy; do
    [ -f "$WORK/$conf.pid" ] && kill "$(cat "$WORK/$conf.pid")" 2>/dev/null || true
  done
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1 || command -v "/usr/sbin/$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk; then
  echo "installing nginx and wrk" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "building (test classes and class path)" >&2
(cd "$ROOT" && ./mvnw -B -q -pl crossgate-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null)
CP="$ROOT/crossgate-gateway/target/test-classes:$ROOT/crossgate-gateway/target/classes:$(cat "$ROOT/crossgate-gateway/target/classpath.txt")"

BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')
nginx_conf() { # name workers port location-body [http-extra]
  cat >"$WORK/$1.conf" <<CONF
worker_processes $2;
pid $WORK/$1.pid;
error_log $WORK/$1-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  ${5:-}
  server {
    listen 127.0.0.1:$3 reuseport;
    location / { $4 }
  }
}
CONF
}
nginx_conf upstream 1 $UP_PORT "default_type text/plain; return 200 \"$BODY\";"
nginx_conf proxy 2 $NGINX_PORT 'proxy_pass http://backend; proxy_http_version 1.1;
      proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;' \
  "upstream backend { server 127.0.0.1:$UP_PORT; keepalive 128; }"
"$NGINX" -c "$WORK/upstream.conf" -p "$WORK" -e "$WORK/upstream-error.log"
"$NGINX" -c "$WORK/proxy.conf" -p "$WORK" -e "$WORK/proxy-error.log"

start_crossgate() { # name port routes [flag]
  java -Xms256m -Xmx1g -Dlogback.configurationFile="$ROOT/bench/proxy/logback-bench.xml" -cp "$CP" \
    dev.crossgate.gateway.bench.BenchGateway "$2" "http://127.0.0.1:$UP_PORT" "$3" 2 ${4:-} >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
start_crossgate cg1 $CG1_PORT 1
start_crossgate cg10 $CG10_PORT 10
start_crossgate cg100k $CG100K_PORT 100000 "$WORK/change.flag"
for name in cg1 cg10 cg100k; do
  for _ in $(seq 1 120); do grep -q "bench ready" "$WORK/$name.log" && break; sleep 1; done
  grep -q "bench ready" "$WORK/$name.log" || { cat "$WORK/$name.log"; echo "$name did not start" >&2; exit 1; }
done
curl -fsS "http://127.0.0.1:$NGINX_PORT/bench/item" | head -c 16 >/dev/null
curl -fsS "http://127.0.0.1:$CG1_PORT/bench/item" | head -c 16 >/dev/null

url() { echo "http://127.0.0.1:$1/bench/item"; }
# prints "requests_per_second p99_ms"
measure() {
  wrk -t2 -c"$CONNECTIONS" -d"${2}s" --latency "$(url "$1")" >"$WORK/wrk.out"
  awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
               ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    /Non-2xx/ { bad = $4 }
    END { if (bad > 0) { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 } printf "%.0f %.2f\n", rps, ms }
  ' "$WORK/wrk.out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warm-up: ${WARMUP}s per Crossgate, 5s nginx" >&2
measure $NGINX_PORT 5 >/dev/null
for port in $CG1_PORT $CG10_PORT $CG100K_PORT; do measure $port "$WARMUP" >/dev/null; done

: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  for pair in "nginx $NGINX_PORT" "crossgate $CG1_PORT" "routes10 $CG10_PORT" "routes100k $CG100K_PORT"; do
    set -- $pair
    echo "$1 $(measure "$2" "$DURATION")" | tee -a "$WORK/rounds.txt" >&2
  done
done

touch "$WORK/change.flag"
CHANGE_RESULT=$(measure $CG100K_PORT "$DURATION")
rm -f "$WORK/change.flag"

col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$WORK/rounds.txt" | median; }
NGINX_RPS=$(col nginx 2) NGINX_P99=$(col nginx 3)
CG_RPS=$(col crossgate 2) CG_P99=$(col crossgate 3)
R10_RPS=$(col routes10 2) R10_P99=$(col routes10 3)
R100K_RPS=$(col routes100k 2) R100K_P99=$(col routes100k 3)
HEAP100K=$(grep -o 'heapUsedAfterGcBytes=[0-9]*' "$WORK/cg100k.log" | cut -d= -f2)
HEAP10=$(grep -o 'heapUsedAfterGcBytes=[0-9]*' "$WORK/cg10.log" | cut -d= -f2)
CHANGES=$(grep -o 'applyMs=[0-9.]*' "$WORK/cg100k.log" | cut -d= -f2 | sort -n)
CHANGE_COUNT=$(echo "$CHANGES" | grep -c . || true)
CHANGE_MEDIAN=$(echo "$CHANGES" | median)
CHANGE_MAX=$(echo "$CHANGES" | tail -1)

cat <<REPORT
== Crossgate vs nginx, wrk -t2 -c$CONNECTIONS, ${ROUNDS} rounds x ${DURATION}s, medians ($(nproc) cores, $(date -u +%F))
machine load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)
target                      req/s      p99 ms
nginx (2 workers)       $(printf '%10s %10s' "$NGINX_RPS" "$NGINX_P99")
crossgate (1 route)     $(printf '%10s %10s' "$CG_RPS" "$CG_P99")
crossgate (10 routes)   $(printf '%10s %10s' "$R10_RPS" "$R10_P99")
crossgate (100k routes) $(printf '%10s %10s' "$R100K_RPS" "$R100K_P99")
ratio crossgate/nginx            $(awk -v a="$CG_RPS" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')   (target >= 0.85)
p99 crossgate - nginx            $(awk -v a="$CG_P99" -v b="$NGINX_P99" 'BEGIN { printf "%+.2f ms", a - b }')   (target <= +1 ms)
ratio 100k routes / 10 routes    $(awk -v a="$R100K_RPS" -v b="$R10_RPS" 'BEGIN { printf "%.2f", a / b }')   (target >= 0.95)
heap after GC, 100k routes       $(awk -v h="$HEAP100K" 'BEGIN { printf "%.0f MB", h / 1048576 }')   (10 routes: $(awk -v h="$HEAP10" 'BEGIN { printf "%.0f MB", h / 1048576 }'); target <= 250 MB)
route change on 100k table       median ${CHANGE_MEDIAN} ms, max ${CHANGE_MAX} ms over ${CHANGE_COUNT} changes (target <= 1000 ms)
100k routes during changes       $(echo "$CHANGE_RESULT" | awk '{ printf "%s req/s, p99 %s ms", $1, $2 }')
REPORT
