#!/usr/bin/env bash
# Two builds of Crossgate side by side, for a before/after that the machine's load cannot bias:
# `./crossgate standalone` (default flags) from checkout A and from checkout B at once, the same
# route to the same nginx upstream (1 KB body) on each, warm-up rounds, then ROUNDS alternating
# 10 s wrk -t2 -c64 rounds; prints each round and the medians (req/s, CPU µs per request of that
# JVM). bench/proxy/RESULTS.md quotes its pairs.
#   bench/proxy/pair.sh CHECKOUT_A CHECKOUT_B   (env: ROUNDS=6 WARMUP_ROUNDS=6)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
A=$(realpath "$1") B=$(realpath "$2")

WORK=$(mktemp -d /tmp/crossgate-pair.XXXXXX)
declare -A PID PORT=([a]=19300 [b]=19400) ADMIN=([a]=19380 [b]=19480) DIR=([a]=$A [b]=$B)
cleanup() {
  for s in a b; do [ -n "${PID[$s]:-}" ] && kill "${PID[$s]}" 2>/dev/null || true; done
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for p in 18181 19300 19380 19400 19480; do bench_port_free "$p" || { echo "port $p is in use" >&2; exit 1; }; done
bench_upstream "$WORK" 18181
for s in a b; do
  (cd "${DIR[$s]}" && ./crossgate --help >/dev/null)
  (cd "${DIR[$s]}" && exec ./crossgate standalone --data-dir "$WORK/$s" --gateway-port "${PORT[$s]}" \
    --admin-port "${ADMIN[$s]}") >"$WORK/$s.log" 2>&1 &
  PID[$s]=$!
  bench_wait_ready "$WORK/$s.log" "crossgate standalone ready" "${PID[$s]}" "crossgate $s"
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:${ADMIN[$s]}/admin/routes" \
    -H "Authorization: Bearer $(cat "$WORK/$s/admin-token")" -H 'Content-Type: application/json' \
    -d '{"service":"bench","sourcePath":"/bench","version":"v1","defaultVersion":true,"methods":["GET"],"targetUrl":"http://127.0.0.1:18181"}'
  for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$s]}/bench/item")" = 200 ] && break
    sleep 0.2
  done
done
url() { echo "http://127.0.0.1:${PORT[$1]}/bench/item"; }
echo "A = $A, B = $B"
bench_pair_rounds "$WORK" "$(url a)" "${PID[a]}" "$(url b)" "${PID[b]}"
