#!/usr/bin/env bash
# Two builds of Crossgate side by side, for a transfer before/after that the machine's load cannot
# bias: `./crossgate standalone` (default flags) from checkout A and from checkout B at once, a
# tenant and key on each, WARMUP_SENDS sends of 128 MiB to each, then ROUNDS alternating sends of
# SIZE_MIB (each build's own `./crossgate send`, a fresh client JVM and transfer every time);
# prints each round (wall clock of the command, CPU seconds of that standalone) and the medians.
# bench/transfer/RESULTS.md quotes its pairs.
#   bench/transfer/pair.sh CHECKOUT_A CHECKOUT_B   (env: ROUNDS=4 WARMUP_SENDS=4 SIZE_MIB=1024)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
A=$(realpath "$1") B=$(realpath "$2")
ROUNDS=${ROUNDS:-4} WARMUP_SENDS=${WARMUP_SENDS:-4} SIZE_MIB=${SIZE_MIB:-1024}
WORK=$(mktemp -d /tmp/crossgate-tpair.XXXXXX)
declare -A PID PORT=([a]=19500 [b]=19600) ADMIN=([a]=19580 [b]=19680) DIR=([a]=$A [b]=$B) KEY
cleanup() {
  for s in a b; do [ -n "${PID[$s]:-}" ] && kill "${PID[$s]}" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
for p in 19500 19580 19600 19680; do bench_port_free "$p" || { echo "port $p is in use" >&2; exit 1; }; done
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/file.bin"
head -c $((128 * 1024 * 1024)) /dev/urandom >"$WORK/warm.bin"
for s in a b; do
  (cd "${DIR[$s]}" && ./crossgate --help >/dev/null)
  (cd "${DIR[$s]}" && exec ./crossgate standalone --data-dir "$WORK/$s" --gateway-port "${PORT[$s]}" \
    --admin-port "${ADMIN[$s]}") >"$WORK/$s.log" 2>&1 &
  PID[$s]=$!
  bench_wait_ready "$WORK/$s.log" "crossgate standalone ready" "${PID[$s]}" "crossgate $s"
  token=$(cat "$WORK/$s/admin-token")
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:${ADMIN[$s]}/admin/tenants" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"id":"bench","name":"bench"}'
  KEY[$s]=$(curl -fsS -X POST "http://127.0.0.1:${ADMIN[$s]}/admin/tenants/bench/keys" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    | sed 's/.*"key":"\([^"]*\)".*/\1/')
done
# one send with its own build's client; prints the wall clock in seconds
send() {
  local t0 t1
  t0=$(date +%s%N)
  (cd "${DIR[$1]}" && CROSSGATE_API_KEY=${KEY[$1]} ./crossgate send "$2" "http://127.0.0.1:${PORT[$1]}" \
    --data-dir "$(mktemp -d "$WORK/send-$1.XXXXXX")" >/dev/null)
  t1=$(date +%s%N)
  awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
for _ in $(seq 1 "$WARMUP_SENDS"); do
  for s in a b; do send "$s" "$WORK/warm.bin" >/dev/null; done
done
: >"$WORK/rounds"
hz=$(getconf CLK_TCK)
for _ in $(seq 1 "$ROUNDS"); do
  for s in a b; do
    c0=$(bench_cpu_ticks "${PID[$s]}")
    wall=$(send "$s" "$WORK/file.bin")
    c1=$(bench_cpu_ticks "${PID[$s]}")
    echo "$s $wall $(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }') $(bench_load)" \
      | tee -a "$WORK/rounds"
  done
done
echo "medians (wall s, MiB/s, standalone CPU-s): A = $A, B = $B"
for s in a b; do
  wall=$(awk -v s=$s '$1 == s { print $2 }' "$WORK/rounds" | bench_median)
  printf '%s %s %.1f %s\n' "$s" "$wall" "$(awk -v w="$wall" -v m="$SIZE_MIB" 'BEGIN { print m / w }')" \
    "$(awk -v s=$s '$1 == s { print $3 }' "$WORK/rounds" | bench_median)"
done
