#!/usr/bin/env bash
# Cluster propagation with the shipped roles: from a route write to the control plane's Admin API
# until all three gateway nodes serve it, each role its own process started as the README's
# "A cluster" does (default flags; only ports, data dirs, tokens and the database).
#   bench/cluster/run.sh              (env: ROUTES=10000 CHANGES=200 WARMUP=20 PORT_BASE=19600
#                                      PROBE_PAUSE_US=500 CROSSGATE_JAVA_OPTS=...)
#   ROUTES=100000 bench/cluster/run.sh      the same at 100,000 routes
#   JFR=DIR bench/cluster/run.sh            also records each role (JFR, settings=profile, started
#                                           with jcmd after the preload) to DIR/{cp1,n1,n2,n3}.jfr;
#                                           read them with bench/JfrTop.java
#   CROSSGATE_DIR=../other-checkout bench/cluster/run.sh   runs that checkout's ./crossgate (e.g. a
#                                           build of the commit before a change, for alternating
#                                           before/after runs in the same minutes)
#   MODE=revert bench/cluster/run.sh        10,000 routes, REVERTED (1000) single changes, one
#                                           revert of them all, time until all 3 nodes carry the
#                                           hash of the revision before them
#
# Per run: a fresh PostgreSQL database (createdb/dropdb on 127.0.0.1:5432, user postgres), one
# `crossgate admin` control plane, three `crossgate gateway` nodes (n1..n3, --db on the same
# database as in the README), and nginx (1 worker, `return 200`) as the upstream every route points
# at. ROUTES routes are preloaded through POST /admin/routes/batch and the script waits until
# every node reports the control plane's revision and hash (GET /admin/nodes). Then
# bench/cluster/Propagation.java makes WARMUP route creates (not counted: the JIT of every JVM is
# cold after the preload) and CHANGES sequential ones: the clock starts when the
# request is sent (and separately at the 201) and stops when every node's traffic port answers the
# new route's path from the upstream (one prober thread per node, a probe every ~0.5 ms + round
# trip, so the figure is an upper bound by about a millisecond).
#
# Ports (PORT_BASE=19600): control plane admin +0, upstream +1, node k traffic +10k, admin +10k+1.
# Prints the load average at start and end: on a shared machine it moves every figure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
CROSSGATE_DIR=$(cd "${CROSSGATE_DIR:-$ROOT}" && pwd)
ROUTES=${ROUTES:-10000}
CHANGES=${CHANGES:-200}
WARMUP=${WARMUP:-20}
MODE=${MODE:-}
REVERTED=${REVERTED:-1000}
PORT_BASE=${PORT_BASE:-19600}
NODES=3
ADMIN_PORT=$PORT_BASE
UP_PORT=$((PORT_BASE + 1))
WORK=$(mktemp -d /tmp/crossgate-cluster-bench.XXXXXX)
DB_NAME=crossgate_cluster_bench_$$
DB=jdbc:postgresql://127.0.0.1:5432/$DB_NAME
PIDS=()

load() { echo "load average ($1): $(cut -d' ' -f1-3 /proc/loadavg)"; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 || command -v /usr/sbin/nginx >/dev/null 2>&1 || {
  echo "installing nginx" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
}
NODE_PORTS=()
for k in $(seq 1 $NODES); do NODE_PORTS+=($((PORT_BASE + 10 * k)) $((PORT_BASE + 10 * k + 1))); done
for p in "$ADMIN_PORT" "$UP_PORT" "${NODE_PORTS[@]}"; do
  bench_port_free "$p" || { echo "port $p is in use; set PORT_BASE" >&2; exit 1; }
done

load start
UPSTREAM_BODY='crossgate-bench-upstream\n' bench_upstream "$WORK" "$UP_PORT"

# ./crossgate builds the jar itself when sources are newer; do that before anything is timed
(cd "$CROSSGATE_DIR" && ./crossgate --help >/dev/null)
createdb -h 127.0.0.1 -U postgres "$DB_NAME"
CROSSGATE_CLUSTER_TOKEN=$(openssl rand -hex 24)
CROSSGATE_ADMIN_TOKEN=cga_$(openssl rand -hex 24)
export CROSSGATE_CLUSTER_TOKEN CROSSGATE_ADMIN_TOKEN

launch() { # name args...: starts a role, its output to WORK/name.log
  local name=$1; shift
  (cd "$CROSSGATE_DIR" && exec ./crossgate "$@") >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
await_ready() { bench_wait_ready "$WORK/$1.log" "$3" "$2" "$1"; } # name pid ready-pattern
ADMIN=http://127.0.0.1:$ADMIN_PORT
launch cp1 admin --db "$DB" --db-user postgres --admin-port "$ADMIN_PORT" --data-dir "$WORK/cp1"
await_ready cp1 "${PIDS[0]}" "crossgate admin ready"
TRAFFIC=()
for k in $(seq 1 $NODES); do # the three nodes start side by side
  port=$((PORT_BASE + 10 * k))
  launch "n$k" gateway --control-plane "$ADMIN" --node-id "n$k" --db "$DB" --db-user postgres \
    --gateway-port "$port" --node-admin-port "$((port + 1))" --data-dir "$WORK/n$k"
  TRAFFIC+=("http://127.0.0.1:$port")
done
for k in $(seq 1 $NODES); do await_ready "n$k" "${PIDS[$k]}" "crossgate gateway ready"; done
echo "started ($CROSSGATE_DIR, $(cd "$CROSSGATE_DIR" && git log -1 --format=%h 2>/dev/null || echo ?)): control plane $ADMIN, nodes ${TRAFFIC[*]}, upstream nginx 127.0.0.1:$UP_PORT, database $DB_NAME"

PROPAGATION=(java "$ROOT/bench/cluster/Propagation.java")
UPSTREAM=http://127.0.0.1:$UP_PORT
[ "$MODE" = revert ] && ROUTES=10000
"${PROPAGATION[@]}" preload "$ADMIN" "$CROSSGATE_ADMIN_TOKEN" "$UPSTREAM" "$ROUTES" "$WORK/ids.txt"
"${PROPAGATION[@]}" await-nodes "$ADMIN" "$CROSSGATE_ADMIN_TOKEN" "$NODES" 600
load "after the preload"
ROLES=(cp1 n1 n2 n3)
if [ -n "${JFR:-}" ]; then
  mkdir -p "$JFR"
  for i in "${!ROLES[@]}"; do
    jcmd "${PIDS[$i]}" JFR.start name=cluster settings=profile filename="$(realpath "$JFR")/${ROLES[$i]}.jfr" >/dev/null
  done
fi
if [ "$MODE" = revert ]; then
  "${PROPAGATION[@]}" revert "$ADMIN" "$CROSSGATE_ADMIN_TOKEN" "$UPSTREAM" "$REVERTED" "$WORK/ids.txt" "$NODES"
else
  "${PROPAGATION[@]}" changes "$ADMIN" "$CROSSGATE_ADMIN_TOKEN" "$UPSTREAM" "$WARMUP" "$CHANGES" "${TRAFFIC[@]}"
  # the control plane has every node's ACK of the last change too
  "${PROPAGATION[@]}" await-nodes "$ADMIN" "$CROSSGATE_ADMIN_TOKEN" "$NODES" 60
fi
if [ -n "${JFR:-}" ]; then
  for i in "${!ROLES[@]}"; do jcmd "${PIDS[$i]}" JFR.stop name=cluster >/dev/null; done
  echo "recordings: $JFR/{cp1,n1,n2,n3}.jfr"
fi
load end
