#!/usr/bin/env bash
# Time from `./crossgate standalone` to its ready line, as the README runs it, with and without the
# launcher's AppCDS archive (CROSSGATE_CDS=off), in alternating rounds on one data directory (the
# schema already migrated after the first start).
#   bench/startup/run.sh    (env: ROUNDS=5)
# Prints each round and the medians. Every start is stopped with SIGTERM (the 5 s drain included),
# which is also when the first run writes the archive. ~2 minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-5}
WORK=$(mktemp -d /tmp/crossgate-startup.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# prints the milliseconds from launch to the ready line
start_once() {
  local log="$WORK/out.log" start pid
  start=$(date +%s%N)
  "$ROOT/crossgate" standalone --data-dir "$WORK/data" --admin-port 19480 --gateway-port 19400 >"$log" 2>&1 &
  pid=$!
  until grep -q "standalone ready" "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "crossgate exited before the ready line" >&2; exit 1; }
    sleep 0.01
  done
  echo $((($(date +%s%N) - start) / 1000000))
  kill "$pid"
  wait "$pid" || true
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

"$ROOT/crossgate" --version >/dev/null # builds the jar when sources changed
rm -rf "$ROOT/crossgate-app/target/cds"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
FIRST=$(start_once)
echo "first start (empty data dir, migrations, archive written at exit): $FIRST ms" >&2
: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "cds $(start_once)" | tee -a "$WORK/rounds.txt" >&2
  echo "nocds $(CROSSGATE_CDS=off start_once)" | tee -a "$WORK/rounds.txt" >&2
done
col() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/rounds.txt" | median; }
cat <<REPORT
== ./crossgate standalone to the ready line, ${ROUNDS} alternating rounds, medians ($(nproc) cores, $(date -u +%F))
machine load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)
first start (fresh data dir, archive dumped)  $FIRST ms
with the AppCDS archive                       $(col cds) ms   (target <= 2000 ms)
without (CROSSGATE_CDS=off)                   $(col nocds) ms
REPORT
