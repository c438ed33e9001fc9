#!/usr/bin/env bash
# Profiles the shipped binary on the proxy path: `./crossgate standalone` (default flags, fresh
# data dir, access log on to a file; CROSSGATE_JAVA_OPTS passes through), a route to an nginx
# upstream (1 KB body) made through the Admin API, WARMUP seconds of wrk, then a JFR recording
# (`settings=profile`, started with jcmd after the warm-up rather than -XX:StartFlightRecording at
# launch, so that start-up and JIT warm-up stay out of it) over SECONDS_RECORDED of wrk -t2 -c64.
# Prints CPU per request by thread group and the top frames (bench/JfrTop.java).
#   bench/proxy/profile.sh [out.jfr]     (env: WARMUP=20 SECONDS_RECORDED=25 TOP=25)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
OUT=$(realpath -m "${1:-/tmp/crossgate-proxy.jfr}")
WARMUP=${WARMUP:-20}
SECONDS_RECORDED=${SECONDS_RECORDED:-25}
TOP=${TOP:-25}
UP_PORT=${UP_PORT:-18181}
GATEWAY_PORT=${GATEWAY_PORT:-9000}
ADMIN_PORT=${ADMIN_PORT:-9080}
WORK=$(mktemp -d /tmp/crossgate-profile.XXXXXX)
CG_PID=
cleanup() {
  [ -n "$CG_PID" ] && kill "$CG_PID" 2>/dev/null || true
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT_FLAGS=()
[ "$GATEWAY_PORT" = 9000 ] || PORT_FLAGS+=(--gateway-port "$GATEWAY_PORT")
[ "$ADMIN_PORT" = 9080 ] || PORT_FLAGS+=(--admin-port "$ADMIN_PORT")

bench_upstream "$WORK" "$UP_PORT"

(cd "$ROOT" && ./crossgate --help >/dev/null)
(cd "$ROOT" && exec ./crossgate standalone --data-dir "$WORK/data" "${PORT_FLAGS[@]}") >"$WORK/crossgate.log" 2>&1 &
CG_PID=$!
for _ in $(seq 1 180); do grep -qs "crossgate standalone ready" "$WORK/crossgate.log" && break; sleep 1; done
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$ADMIN_PORT/admin/routes" \
  -H "Authorization: Bearer $(cat "$WORK/data/admin-token")" -H 'Content-Type: application/json' \
  -d "{\"service\":\"bench\",\"sourcePath\":\"/bench\",\"version\":\"v1\",\"defaultVersion\":true,
       \"methods\":[\"GET\"],\"targetUrl\":\"http://127.0.0.1:$UP_PORT\"}"
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATEWAY_PORT/bench/item")" = 200 ] && break
  sleep 0.2
done

URL="http://127.0.0.1:$GATEWAY_PORT/bench/item"
wrk -t2 -c64 -d"${WARMUP}s" "$URL" >/dev/null
jcmd "$CG_PID" JFR.start name=proxy settings=profile >/dev/null 2>&1 || {
  # ./crossgate execs java, so CG_PID is the JVM; fall back to the child when a shell stayed
  CG_PID=$(pgrep -P "$CG_PID" java | head -1)
  jcmd "$CG_PID" JFR.start name=proxy settings=profile >/dev/null
}
# CPU ticks per thread, grouped by name with digits dropped (vert.x-eventloop-thread-N, GC Thread#N...)
thread_ticks() { for t in /proc/"$CG_PID"/task/*; do
  printf '%s\t%s\n' "$(tr -d '0-9' <"$t/comm" | tr ' ' '_')" "$(awk '{ print $14 + $15 }' "$t/stat")"; done |
  awk -F'\t' '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort; }
thread_ticks >"$WORK/ticks0"
echo "recording ${SECONDS_RECORDED}s, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
wrk -t2 -c64 -d"${SECONDS_RECORDED}s" --latency "$URL" | tee "$WORK/wrk.out" | grep -E 'Requests/sec|99%|Socket' >&2
thread_ticks >"$WORK/ticks1"
jcmd "$CG_PID" JFR.stop name=proxy filename="$OUT" >/dev/null
REQUESTS=$(awk '/ requests in / { print $1 }' "$WORK/wrk.out")
echo "CPU by thread group while recording (us per request, $REQUESTS requests):" >&2
join -a2 -e0 -o '0,1.2,2.2' "$WORK/ticks0" "$WORK/ticks1" | awk -v n="$REQUESTS" -v hz="$(getconf CLK_TCK)" \
  '{ d = $3 - $2; if (d > 0) { t += d; printf "  %-32s %7.1f\n", $1, d * 1e6 / hz / n } }
   END { printf "  %-32s %7.1f\n", "total", t * 1e6 / hz / n }' | sort -k2 -rn >&2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); recording: $OUT" >&2
grep -c ' crossgate.access ' "$WORK/crossgate.log" | sed 's/^/access-log lines: /' >&2
grep -E ' (WARN|ERROR) ' "$WORK/crossgate.log" | grep -v 'generated admin token' | cut -c1-200 | sort | uniq -c | sort -rn | head -5 >&2 || true
java "$ROOT/bench/JfrTop.java" "$OUT" "$TOP"
