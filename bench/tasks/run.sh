#!/usr/bin/env bash
# Async task acceptance and the agent's sync path, measured on the shipped roles, all on loopback.
#   bench/tasks/run.sh     (env: DURATION=10 ROUNDS=3 WARMUP=40 CONNECTIONS=64 THREADS=2
#                           MODES="callback held" STORES="h2 pg" SYNC=1 PORT_BASE=19700
#                           PG_URL=jdbc:postgresql://127.0.0.1:5432 PG_USER=postgres)
#
# Roles, started as the README does:
#   upstream : nginx, 1 worker. /analyse is an async interface (CALLBACK routes): it acknowledges
#              with 202 and never posts a result, so those tasks stay RUNNING; /report answers
#              200 with a short JSON result at once (HELD routes: the gateway calls it in the
#              background and stores the answer); /query answers 200 with 1 KB (sync).
#   h2       : `./crossgate standalone --data-dir <tmp>` (embedded H2 store), default flags
#   pg       : the same with `--db jdbc:postgresql://…/<fresh database> --db-user postgres`: the
#              configuration and the task store on a PostgreSQL database made for this run and
#              dropped at the end
#   agent    : `./crossgate agent --gateway <h2 standalone>` with its default flags
# Each standalone gets a tenant, an API key and its routes through the Admin API with
# <data-dir>/admin-token. Flags that differ from the defaults: the ports (PORT_BASE.. so nothing
# collides with 9000/9080), and `--task-max-pending 0`: the default quota (1,000 unfinished tasks
# per tenant) would refuse a CALLBACK run after its first thousand tasks, since the upstream never
# posts their results. That is configuration, documented in the README; the byte quotas stay at
# their defaults, so the per-tenant usage check runs as in production.
#
# Acceptance: `wrk -t2 -c64 -s bench/tasks/post.lua` POSTs a small JSON body with the API key to
# /async/analyse (CALLBACK: stored, sent upstream, marked RUNNING, then 202) or /async/report
# (HELD: stored, then 202; the RUNNING mark, the upstream call and the result write follow in
# the background);
# accepted/s counts 202s only (post.lua counts every status; other answers are printed).
# Sync: wrk GET /q?city=x through the agent (agent → gateway /sync/q → nginx), to the gateway's
# /sync/q directly, and straight to nginx /query, rounds alternating; ratio = agent / direct.
# There is no JVM upstream peer in the repository, so the only direct call is nginx.
#
# Every round prints the machine's load average; "cpu us" is the CPU (user + system) of the
# standalone JVM per request, and for pg also of the PostgreSQL backends serving its database.
# Figures are medians over ROUNDS alternating rounds, after WARMUP seconds per target (C2 was
# still compiling after 20 s on a loaded machine). CALLBACK tasks stay in the table, so later
# rounds run against a bigger one.
#
# PROFILE=h2-callback (or pg-held, ...) profiles instead: after the warm-up, a JFR recording
# (settings=profile, started with jcmd) of that standalone over one DURATION run of that target,
# then the CPU per task by thread group and the top frames of every thread (bench/JfrTop.java;
# TOP_THREADS=vert.x-eventloop keeps only threads whose name starts so).
#   PROFILE=h2-callback DURATION=25 SYNC=0 bench/tasks/run.sh [out.jfr]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/common.sh"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-40}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
MODES=${MODES:-callback held}
STORES=${STORES:-h2 pg}
SYNC=${SYNC:-1}
PORT_BASE=${PORT_BASE:-19700}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432}
PG_USER=${PG_USER:-postgres}
UP_PORT=$PORT_BASE
AGENT_PORT=$((PORT_BASE + 30))
WORK=$(mktemp -d /tmp/crossgate-tasks-bench.XXXXXX)
PG_DB=crossgate_tasks_bench_$$
declare -A GW_PORT=([h2]=$((PORT_BASE + 10)) [pg]=$((PORT_BASE + 20)))
declare -A ADMIN_PORT=([h2]=$((PORT_BASE + 11)) [pg]=$((PORT_BASE + 21)))
declare -A CG_PID KEY
AGENT_PID=
PG_CREATED=

stop() { # pid
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  [ -n "$AGENT_PID" ] && stop "$AGENT_PID"
  for s in "${!CG_PID[@]}"; do stop "${CG_PID[$s]}"; done
  [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
  [ -n "$PG_CREATED" ] && psql -h 127.0.0.1 -U "$PG_USER" -q -c "DROP DATABASE IF EXISTS $PG_DB" postgres || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

for p in "$UP_PORT" "$AGENT_PORT" "${GW_PORT[@]}" "${ADMIN_PORT[@]}"; do
  bench_port_free "$p" || { echo "port $p is in use; set PORT_BASE" >&2; exit 1; }
done

UPSTREAM_LOCATIONS='location /analyse { return 202; }
    location /report { default_type application/json; return 200 '"'"'{"status":"done"}'"'"'; }' \
  bench_upstream "$WORK" "$UP_PORT"

# ./crossgate builds the jar itself when sources are newer; do that before anything is timed
(cd "$ROOT" && ./crossgate --help >/dev/null)

start_standalone() { # store
  local s=$1 db_flags=()
  if [ "$s" = pg ]; then
    psql -h 127.0.0.1 -U "$PG_USER" -q -c "CREATE DATABASE $PG_DB" postgres
    PG_CREATED=1
    db_flags=(--db "$PG_URL/$PG_DB" --db-user "$PG_USER")
  fi
  (cd "$ROOT" && exec ./crossgate standalone --data-dir "$WORK/$s" --gateway-port "${GW_PORT[$s]}" \
    --admin-port "${ADMIN_PORT[$s]}" --task-max-pending 0 "${db_flags[@]}") >"$WORK/$s.log" 2>&1 &
  CG_PID[$s]=$!
  bench_wait_ready "$WORK/$s.log" "crossgate standalone ready" "${CG_PID[$s]}" "standalone ($s)"
  local admin="http://127.0.0.1:${ADMIN_PORT[$s]}" auth
  auth="Authorization: Bearer $(cat "$WORK/$s/admin-token")"
  curl -fsS -o /dev/null -X POST "$admin/admin/tenants" -H "$auth" -H 'Content-Type: application/json' \
    -d '{"id":"bench","name":"Task bench"}'
  KEY[$s]=$(curl -fsS -X POST "$admin/admin/tenants/bench/keys" -H "$auth" -H 'Content-Type: application/json' \
    -d '{}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
  local up="http://127.0.0.1:$UP_PORT"
  for route in \
    "{\"service\":\"bench\",\"sourcePath\":\"/analyse\",\"mode\":\"ASYNC\",\"asyncExecution\":\"CALLBACK\",
      \"auth\":\"KEY\",\"methods\":[\"POST\"],\"targetUrl\":\"$up/analyse\"}" \
    "{\"service\":\"bench\",\"sourcePath\":\"/report\",\"mode\":\"ASYNC\",\"asyncExecution\":\"HELD\",
      \"auth\":\"KEY\",\"methods\":[\"POST\"],\"targetUrl\":\"$up/report\"}" \
    "{\"service\":\"bench\",\"sourcePath\":\"/q\",\"mode\":\"SYNC\",\"auth\":\"KEY\",\"methods\":[\"GET\"],
      \"targetUrl\":\"$up/query\"}"; do
    curl -fsS -o /dev/null -X POST "$admin/admin/routes" -H "$auth" -H 'Content-Type: application/json' -d "$route"
  done
  local gw="http://127.0.0.1:${GW_PORT[$s]}"
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Api-Key: ${KEY[$s]}" "$gw/async/report")" = 202 ] &&
      return 0
    sleep 0.2
  done
  echo "no 202 from $gw/async/report" >&2
  exit 1
}

pg_backends() { pgrep -f "postgres: .*: $PG_USER $PG_DB " | tr '\n' ' ' || true; }
us_per() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }'; }

# prints "accepted_per_s p99_ms other cpu_us db_cpu_us"
accept() { # store mode seconds
  local s=$1 path=/async/analyse
  [ "$2" = held ] && path=/async/report
  local pids db c0 d0 out
  pids=${CG_PID[$s]} db=
  [ "$s" = pg ] && db=$(pg_backends)
  c0=$(bench_cpu_ticks $pids) d0=$(bench_cpu_ticks $db)
  out=$(API_KEY=${KEY[$s]} wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3}s" -s "$ROOT/bench/tasks/post.lua" \
    "http://127.0.0.1:${GW_PORT[$s]}$path" | grep '^accepted=')
  local c1 d1
  c1=$(bench_cpu_ticks $pids) d1=$(bench_cpu_ticks $db)
  local accepted other codes seconds p99
  accepted=$(sed 's/.*accepted=\([0-9]*\).*/\1/' <<<"$out") other=$(sed 's/.*other=\([0-9]*\).*/\1/' <<<"$out")
  codes=$(sed 's/.*codes=\([^ ]*\).*/\1/' <<<"$out") seconds=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$out")
  p99=$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' <<<"$out")
  [ "$other" = 0 ] || echo "  [$s $2] answers other than 202: $codes" >&2
  printf '%s %s %s %s %s\n' "$(awk -v a="$accepted" -v s="$seconds" 'BEGIN { printf "%.0f", a / s }')" "$p99" \
    "$other" "$(us_per $((c1 - c0)) $((accepted + other)))" "$(us_per $((d1 - d0)) $((accepted + other)))"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for s in $STORES; do start_standalone "$s"; done
if [ "$SYNC" = 1 ]; then
  first=${STORES%% *}
  (cd "$ROOT" && exec ./crossgate agent --gateway "http://127.0.0.1:${GW_PORT[$first]}" --api-key "${KEY[$first]}" \
    --agent-port "$AGENT_PORT" --data-dir "$WORK/agent") >"$WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AGENT_PORT/q?city=x")" = 200 ] && break
    kill -0 "$AGENT_PID" 2>/dev/null || { cat "$WORK/agent.log" >&2; exit 1; }
    sleep 0.2
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AGENT_PORT/q?city=x")" = 200 ] ||
    { cat "$WORK/agent.log" >&2; echo "no 200 through the agent" >&2; exit 1; }
fi

echo "warm-up: ${WARMUP}s per target (load $(bench_load))" >&2
for s in $STORES; do for m in $MODES; do
  echo "  $s $m: $(accept "$s" "$m" "$WARMUP") (load $(bench_load))" >&2
done; done
if [ "$SYNC" = 1 ]; then
  bench_wrk "http://127.0.0.1:$AGENT_PORT/q?city=x" "$WARMUP" >/dev/null
  WRK_HEADER="X-Api-Key: ${KEY[$first]}" bench_wrk "http://127.0.0.1:${GW_PORT[$first]}/sync/q?city=x" "$WARMUP" >/dev/null
fi

# CPU ticks per thread, grouped by name with digits dropped (vert.x-eventloop-thread-N, GC Thread#N...)
thread_ticks() { for t in /proc/"$1"/task/*; do
  printf '%s\t%s\n' "$(tr -d '0-9' <"$t/comm" | tr ' ' '_')" "$(awk '{ print $14 + $15 }' "$t/stat")"; done |
  awk -F'\t' '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort; }
if [ -n "${PROFILE:-}" ]; then
  s=${PROFILE%-*} out=$(realpath -m "${1:-/tmp/crossgate-tasks-$PROFILE.jfr}")
  jcmd "${CG_PID[$s]}" JFR.start name=tasks settings=profile >/dev/null
  thread_ticks "${CG_PID[$s]}" >"$WORK/ticks0"
  echo "recording $PROFILE ${DURATION}s, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  r=$(accept "$s" "${PROFILE#*-}" "$DURATION")
  thread_ticks "${CG_PID[$s]}" >"$WORK/ticks1"
  jcmd "${CG_PID[$s]}" JFR.stop name=tasks filename="$out" >/dev/null
  echo "$PROFILE: accepted/s p99 non-202 cpu-us/task db-cpu-us/task: $r" >&2
  tasks=$(awk -v r="${r%% *}" -v d="$DURATION" 'BEGIN { print r * d }')
  echo "CPU by thread group while recording (us per task, ~$tasks tasks):" >&2
  join -a2 -e0 -o '0,1.2,2.2' "$WORK/ticks0" "$WORK/ticks1" | awk -v n="$tasks" -v hz="$(getconf CLK_TCK)" \
    '{ d = $3 - $2; if (d > 0) { t += d; printf "  %-32s %7.1f\n", $1, d * 1e6 / hz / n } }
     END { printf "  %-32s %7.1f\n", "total", t * 1e6 / hz / n }' | sort -k2 -rn >&2
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); recording: $out" >&2
  java "$ROOT/bench/JfrTop.java" "$out" "${TOP:-30}" "${TOP_THREADS:-}"
  exit 0
fi

: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  targets=()
  for s in $STORES; do for m in $MODES; do targets+=("$s-$m"); done; done
  [ "$SYNC" = 1 ] && targets+=(direct agent gateway)
  # alternate the order, so no target always follows the same one
  [ $((round % 2)) = 0 ] && targets=($(printf '%s\n' "${targets[@]}" | tac))
  for t in "${targets[@]}"; do
    l0=$(bench_load)
    case $t in
      direct) r=$(bench_wrk "http://127.0.0.1:$UP_PORT/query?city=x" "$DURATION" "$(cat "$WORK/upstream.pid")" \
        $(pgrep -P "$(cat "$WORK/upstream.pid")")) ;;
      agent) r=$(bench_wrk "http://127.0.0.1:$AGENT_PORT/q?city=x" "$DURATION" "$AGENT_PID" "${CG_PID[$first]}") ;;
      gateway) r=$(WRK_HEADER="X-Api-Key: ${KEY[$first]}" bench_wrk "http://127.0.0.1:${GW_PORT[$first]}/sync/q?city=x" \
        "$DURATION" "${CG_PID[$first]}") ;;
      *) r=$(accept "${t%-*}" "${t#*-}" "$DURATION") ;;
    esac
    echo "$round $t $r $l0" | tee -a "$WORK/rounds.txt" >&2
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

col() { awk -v t="$1" -v c="$2" '$2 == t { print $c }' "$WORK/rounds.txt" | bench_median; }
sum() { awk -v t="$1" -v c="$2" '$2 == t { s += $c } END { print s + 0 }' "$WORK/rounds.txt"; }
loads() { awk -v t="$1" '$2 == t { print $NF }' "$WORK/rounds.txt" | sort -n | sed -n '1p;$p' | paste -sd- -; }
cat <<REPORT
== async task acceptance and the agent's sync path, ./crossgate standalone (default flags but
== --task-max-pending 0), wrk -t$THREADS -c$CONNECTIONS, $ROUNDS alternating rounds x ${DURATION}s, medians
== $(nproc) cores shared with other work; load average at start/end: $LOAD_START / $LOAD_END; $(date -u +%FT%TZ)
acceptance   accepted/s   p99 ms   non-202  cpu us/task  db cpu us/task  load range
$(for s in $STORES; do for m in $MODES; do
  printf '%-12s %10s %8s %9s %12s %15s  %s\n' "$s-$m" "$(col "$s-$m" 3)" "$(col "$s-$m" 4)" "$(sum "$s-$m" 5)" \
    "$(col "$s-$m" 6)" "$(col "$s-$m" 7)" "$(loads "$s-$m")"; done; done)
targets: >= 2,000 accepted/s on the embedded store (h2), >= 5,000/s on PostgreSQL (pg)
REPORT
if [ "$SYNC" = 1 ]; then
  cat <<REPORT
sync GET     req/s        p99 ms   cpu us/req   load range   (cpu: nginx; agent+standalone; standalone)
$(for t in direct agent gateway; do
  printf '%-12s %10s %8s %12s  %s\n' "$t" "$(col "$t" 3)" "$(col "$t" 4)" "$(col "$t" 5)" "$(loads "$t")"; done)
ratio agent+gateway / direct (nginx): $(awk -v a="$(col agent 3)" -v b="$(col direct 3)" 'BEGIN { printf "%.2f", a / b }') (target >= 0.5)
ratio gateway alone / direct (nginx): $(awk -v a="$(col gateway 3)" -v b="$(col direct 3)" 'BEGIN { printf "%.2f", a / b }')
REPORT
fi
echo "rounds (round target figures... load1):"
sed 's/^/  /' "$WORK/rounds.txt"
