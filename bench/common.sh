# Shared by the bench scripts (sourced, not run): the nginx upstream they proxy to, wrk rounds with
# the CPU the measured processes spent, medians and the machine's load.

# An nginx upstream answering every request 200 with a 1 KB body (or UPSTREAM_BODY, in nginx
# string syntax), after the locations UPSTREAM_LOCATIONS adds: 1 worker, no access log.
#   bench_upstream WORK PORT...      (pid file WORK/upstream.pid)
bench_upstream() {
  local work=$1; shift
  local body=${UPSTREAM_BODY:-}
  [ -n "$body" ] || body=$(head -c 1024 /dev/zero | tr '\0' 'x')
  cat >"$work/upstream.conf" <<CONF
worker_processes 1;
pid $work/upstream.pid;
error_log $work/upstream-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
$(for port in "$@"; do printf '    listen 127.0.0.1:%s reuseport;\n' "$port"; done)
    ${UPSTREAM_LOCATIONS:-}
    location / { default_type text/plain; return 200 "$body"; }
  }
}
CONF
  "$(command -v nginx || echo /usr/sbin/nginx)" -c "$work/upstream.conf" -p "$work" -e "$work/upstream-error.log"
}

# user + system CPU (clock ticks) of the processes given, summed
bench_cpu_ticks() {
  local t=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$t"
}

# One wrk run; prints "requests_per_second p99_ms cpu_us_per_request" (CPU of the pids given).
# Fails on non-2xx answers. wrk's -t/-c come from THREADS/CONNECTIONS (default 2/64); WRK_HEADER,
# when set, is sent with every request (an API key); WRK_SCRIPT, when set, is wrk's Lua script.
#   bench_wrk URL SECONDS PID...
bench_wrk() {
  local url=$1 seconds=$2; shift 2
  local out c0 c1
  out=$(mktemp)
  c0=$(bench_cpu_ticks "$@")
  wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"${seconds}s" --latency ${WRK_HEADER:+-H "$WRK_HEADER"} \
    ${WRK_SCRIPT:+-s "$WRK_SCRIPT"} "$url" >"$out"
  c1=$(bench_cpu_ticks "$@")
  awk -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    /^ +99%/ { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v);
               ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    /Non-2xx/ { bad = $4 }
    /Socket errors/ { errors = $0 }
    END { if (bad > 0) { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
          if (errors != "") print errors > "/dev/stderr"
          printf "%.0f %.2f %.1f\n", rps, ms, (n > 0 ? ticks * 1e6 / hz / n : 0) }' "$out"
  rm -f "$out"
}

# median of the numbers on stdin, one per line
bench_median() {
  sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_load() { cut -d' ' -f1 /proc/loadavg; }

# JIT warm-up: 10 s slices of wrk, at least 60 s, until CPU per request settles (within 10 % of the
# slice before), at most WARMUP seconds (default 120).   bench_warm LABEL URL PID
bench_warm() {
  local prev=0 cur waited=0
  while [ "$waited" -lt "${WARMUP:-120}" ]; do
    cur=$(bench_wrk "$2" 10 "$3" | awk '{ print $3 }')
    waited=$((waited + 10))
    echo "[$1] warm-up ${waited}s: ${cur} us/request (load $(bench_load))" >&2
    [ "$waited" -ge 60 ] && awk -v a="$cur" -v b="$prev" 'BEGIN { exit !(b > 0 && a > b * 0.9 && a < b * 1.1) }' && break
    prev=$cur
  done
}

# true when nothing listens on 127.0.0.1:PORT
bench_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits (up to 3 minutes) for PATTERN in LOG, written by the process PID; prints the log and exits
# when the process dies or the line never comes.   bench_wait_ready LOG PATTERN PID WHAT
bench_wait_ready() {
  for _ in $(seq 1 1800); do
    grep -qs "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  cat "$1" >&2
  echo "$4 did not start" >&2
  exit 1
}

# A before/after pair: WARMUP_ROUNDS (default 6) then ROUNDS (default 6) alternating 10 s wrk rounds
# against A and B, each measuring the CPU of its own process; prints every round ("a|b req/s p99
# cpu-us load") and the medians of req/s and CPU µs per request. Rounds go to WORK/rounds.
#   bench_pair_rounds WORK URL_A PID_A URL_B PID_B
bench_pair_rounds() {
  local work=$1 s
  local -A url=([a]=$2 [b]=$4) pid=([a]=$3 [b]=$5)
  for _ in $(seq 1 "${WARMUP_ROUNDS:-6}"); do
    for s in a b; do bench_wrk "${url[$s]}" 10 "${pid[$s]}" >/dev/null; done
  done
  : >"$work/rounds"
  for _ in $(seq 1 "${ROUNDS:-6}"); do
    for s in a b; do
      echo "$s $(bench_wrk "${url[$s]}" 10 "${pid[$s]}") $(bench_load)" | tee -a "$work/rounds"
    done
  done
  echo "medians (req/s, CPU us per request)"
  for s in a b; do
    printf '%s %s %s\n' "$s" "$(awk -v s=$s '$1 == s { print $2 }' "$work/rounds" | bench_median)" \
      "$(awk -v s=$s '$1 == s { print $4 }' "$work/rounds" | bench_median)"
  done
}
