#!/usr/bin/env bash
# The shipped binary at 10 and at 100,000 routes, side by side: two `./crossgate standalone`
# processes with default flags (only --data-dir, the ports and --admin-max-body, which a 9 MB
# configuration file needs), their routes applied with `./crossgate config apply` as a user would,
# the same nginx upstream (1 worker, 1 KB body) behind both. Reports, for the same route:
#   - req/s, p99 and CPU microseconds per request at 10 vs 100,000 routes (wrk -t2 -c64, warm-up
#     until CPU per request settles, rounds alternating between the two), and the ratio;
#   - heap used after a full GC in each process (jcmd);
#   - route changes on each, from the Admin API write until the gateway port serves the new route
#     (bench/proxy/RouteChange.java, CHANGES of them).
#   bench/proxy/routes.sh    (env: ROUTES=100000 DURATION=10 ROUNDS=5 WARMUP=90 CHANGES=50)
# Applying 100,000 routes takes about two minutes (one transaction, H2); ~10 minutes in all.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
ROUTES=${ROUTES:-100000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-90}
CHANGES=${CHANGES:-50}
UP_PORT=${UP_PORT:-18191}
SMALL_GW=19010 SMALL_ADMIN=19090 LARGE_GW=19020 LARGE_ADMIN=19091
WORK=$(mktemp -d /tmp/crossgate-routes.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null; }

bench_upstream "$WORK" "$UP_PORT"

# a configuration file of N routes: /bench (the one measured) and N-1 others, two segments each
routes_file() { # count file
  awk -v n="$1" -v up="http://127.0.0.1:$UP_PORT" 'BEGIN {
    printf "{\"apiVersion\":\"crossgate/v1\",\"routes\":[";
    printf "{\"service\":\"bench\",\"sourcePath\":\"/bench\",\"methods\":[\"GET\"],\"targetUrl\":\"%s\"}", up;
    for (i = 1; i < n; i++) printf ",{\"service\":\"bench\",\"sourcePath\":\"/r%d/items\",\"targetUrl\":\"%s\"}", i, up;
    print "]}" }' >"$2"
}
(cd "$ROOT" && ./crossgate --help >/dev/null) # builds the jar first if the sources are newer

start() { # name gateway-port admin-port
  mkdir -p "$WORK/$1"
  (cd "$ROOT" && exec ./crossgate standalone --data-dir "$WORK/$1" --gateway-port "$2" --admin-port "$3" \
    --admin-max-body 64MiB) >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  bench_wait_ready "$WORK/$1.log" "crossgate standalone ready" "${PIDS[-1]}" "$1"
}
apply() { # name admin-port count
  routes_file "$3" "$WORK/$1.json"
  local t0=$SECONDS
  (cd "$ROOT" && ./crossgate config apply -f "$WORK/$1.json" --admin "http://127.0.0.1:$2" \
    --token-file "$WORK/$1/admin-token") | tail -1 >&2
  echo "[$1] $3 routes applied in $((SECONDS - t0)) s" >&2
}
start small $SMALL_GW $SMALL_ADMIN
SMALL_PID=${PIDS[-1]}
start large $LARGE_GW $LARGE_ADMIN
LARGE_PID=${PIDS[-1]}
apply small $SMALL_ADMIN 10
apply large $LARGE_ADMIN "$ROUTES"
for port in $SMALL_GW $LARGE_GW; do
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/bench/item")" = 200 ] && break; sleep 0.2
  done
done

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
bench_warm small "http://127.0.0.1:$SMALL_GW/bench/item" "$SMALL_PID"
bench_warm large "http://127.0.0.1:$LARGE_GW/bench/item" "$LARGE_PID"
: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  order="small large"; [ $((round % 2)) = 0 ] && order="large small"
  for side in $order; do
    port=$SMALL_GW pid=$SMALL_PID; [ "$side" = large ] && port=$LARGE_GW pid=$LARGE_PID
    l0=$(bench_load)
    echo "$side $(bench_wrk "http://127.0.0.1:$port/bench/item" "$DURATION" "$pid") $l0" | tee -a "$WORK/rounds.txt" >&2
  done
done
heap_after_gc() { # pid -> MiB used after a full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); printf "%.0f", v / 1024; exit } }'
}
HEAP_SMALL=$(heap_after_gc "$SMALL_PID")
HEAP_LARGE=$(heap_after_gc "$LARGE_PID")
CHANGE_SMALL=$(java "$ROOT/bench/proxy/RouteChange.java" "http://127.0.0.1:$SMALL_ADMIN" "$(cat "$WORK/small/admin-token")" \
  "http://127.0.0.1:$SMALL_GW" "http://127.0.0.1:$UP_PORT" "$CHANGES")
CHANGE_LARGE=$(java "$ROOT/bench/proxy/RouteChange.java" "http://127.0.0.1:$LARGE_ADMIN" "$(cat "$WORK/large/admin-token")" \
  "http://127.0.0.1:$LARGE_GW" "http://127.0.0.1:$UP_PORT" "$CHANGES")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$WORK/rounds.txt" | bench_median; }
S_RPS=$(col small 2) L_RPS=$(col large 2)
cat <<REPORT
== ./crossgate standalone at 10 vs $ROUTES routes, wrk -t2 -c64, $ROUNDS alternating rounds x ${DURATION}s, medians
== $(nproc) cores; load average at start/end: $LOAD_START / $LOAD_END; $(date -u +%FT%TZ)
routes      req/s   p99 ms   cpu us/request   heap after GC
10       $(printf '%8s %8s %10s %12s MiB' "$S_RPS" "$(col small 3)" "$(col small 4)" "$HEAP_SMALL")
$ROUTES   $(printf '%8s %8s %10s %12s MiB' "$L_RPS" "$(col large 3)" "$(col large 4)" "$HEAP_LARGE")
throughput at $ROUTES / at 10 routes: $(awk -v a="$L_RPS" -v b="$S_RPS" 'BEGIN { printf "%.2f", a / b }') (target >= 0.95)
at 10 routes: $CHANGE_SMALL
at $ROUTES routes: $CHANGE_LARGE (target: median <= 50 ms)
rounds (side req/s p99ms cpu-us/request load1):
$(sed 's/^/  /' "$WORK/rounds.txt")
REPORT
