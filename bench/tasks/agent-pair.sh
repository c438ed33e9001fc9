#!/usr/bin/env bash
# Two builds' agents side by side, for an agent before/after that the machine's load cannot bias:
# one `./crossgate standalone` (from checkout B, default flags) with a SYNC route /q to an nginx
# upstream (1 KB body), and `./crossgate agent` from checkout A and from checkout B in front of it
# (default flags); WARMUP_ROUNDS then ROUNDS alternating 10 s `wrk -t2 -c64 GET /q?city=x` rounds
# through each agent. Prints each round and the medians: req/s and the CPU µs per request of that
# agent process alone. bench/tasks/RESULTS.md quotes its pairs.
#   bench/tasks/agent-pair.sh CHECKOUT_A CHECKOUT_B   (env: ROUNDS=6 WARMUP_ROUNDS=4)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
A=$(realpath "$1") B=$(realpath "$2")
export WARMUP_ROUNDS=${WARMUP_ROUNDS:-4}
WORK=$(mktemp -d /tmp/crossgate-agent-pair.XXXXXX)
declare -A PID PORT=([a]=19791 [b]=19792) DIR=([a]=$A [b]=$B)
cleanup() {
  for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for p in 18181 19700 19780 19791 19792; do bench_port_free "$p" || { echo "port $p is in use" >&2; exit 1; }; done
bench_upstream "$WORK" 18181
(cd "$B" && ./crossgate --help >/dev/null)
(cd "$B" && exec ./crossgate standalone --data-dir "$WORK/gw" --gateway-port 19700 --admin-port 19780) \
  >"$WORK/gw.log" 2>&1 &
PID[gw]=$!
bench_wait_ready "$WORK/gw.log" "crossgate standalone ready" "${PID[gw]}" "standalone"
auth="Authorization: Bearer $(cat "$WORK/gw/admin-token")"
curl -fsS -o /dev/null -X POST http://127.0.0.1:19780/admin/tenants -H "$auth" \
  -H 'Content-Type: application/json' -d '{"id":"bench","name":"Agent bench"}'
KEY=$(curl -fsS -X POST http://127.0.0.1:19780/admin/tenants/bench/keys -H "$auth" \
  -H 'Content-Type: application/json' -d '{}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
curl -fsS -o /dev/null -X POST http://127.0.0.1:19780/admin/routes -H "$auth" -H 'Content-Type: application/json' \
  -d '{"service":"bench","sourcePath":"/q","mode":"SYNC","auth":"KEY","methods":["GET"],"targetUrl":"http://127.0.0.1:18181/query"}'
url() { echo "http://127.0.0.1:${PORT[$1]}/q?city=x"; }
for s in a b; do
  (cd "${DIR[$s]}" && ./crossgate --help >/dev/null)
  (cd "${DIR[$s]}" && exec ./crossgate agent --gateway http://127.0.0.1:19700 --api-key "$KEY" \
    --agent-port "${PORT[$s]}" --data-dir "$WORK/agent-$s") >"$WORK/agent-$s.log" 2>&1 &
  PID[$s]=$!
  bench_wait_ready "$WORK/agent-$s.log" "crossgate agent ready" "${PID[$s]}" "agent $s"
  for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$(url $s)")" = 200 ] && break
    sleep 0.2
  done
done
echo "A = $A, B = $B"
bench_pair_rounds "$WORK" "$(url a)" "${PID[a]}" "$(url b)" "${PID[b]}"
