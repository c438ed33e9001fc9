#!/usr/bin/env bash
# Resumable transfer benchmark (issue 6): a 1 GiB file over loopback through the gateway's
# /_transfers endpoint (sha-256 chunk digests, whole-file Repr-Digest) against `curl -T` of the
# same file to nginx, which reads and discards the body, and `curl -T` to nginx storing the file
# (WebDAV PUT: temp file + rename under its root, like a transfer's chunks). Prints the figures RESULTS.md records:
# throughput of both and their ratio, bytes resent after one interruption, peak heap of the
# gateway and the client (both run with -Xmx$HEAP). Everything listens on 127.0.0.1 only.
#
#   bench/transfer/run.sh            # SIZE_MIB=1024 CHUNK=8388608 PARALLEL=4 HEAP=256m
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/bench/out/transfer
SIZE_MIB=${SIZE_MIB:-1024}
CHUNK=${CHUNK:-8388608}
PARALLEL=${PARALLEL:-4}
HEAP=${HEAP:-256m}
STOP_AFTER=${STOP_AFTER:-40}
GW_PORT=${GW_PORT:-19000}
NGINX_PORT=${NGINX_PORT:-19080}
mkdir -p "$OUT"
cd "$ROOT"

if ! command -v nginx >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq nginx time >/dev/null
fi

echo "== build"
./mvnw -B -q -pl crossgate-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test
CP="$ROOT/crossgate-gateway/target/test-classes:$ROOT/crossgate-gateway/target/classes:$(cat "$OUT/cp.txt")"
MAIN=dev.crossgate.gateway.transfer.TransferBench

FILE=$OUT/payload.bin
if [ ! -f "$FILE" ] || [ "$(stat -c %s "$FILE")" != $((SIZE_MIB * 1024 * 1024)) ]; then
  echo "== writing $SIZE_MIB MiB of random data"
  head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$FILE"
fi
cat "$FILE" > /dev/null   # same warm page cache for both contenders

# user+system CPU of a process so far, in clock ticks (fields 14 and 15 of /proc/PID/stat)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_to_s() { awk "BEGIN{printf \"%.2f\", $1 / $(getconf CLK_TCK)}"; }

cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  [ -f "$OUT/nginx/nginx.pid" ] && nginx -p "$OUT/nginx" -c nginx.conf -s stop 2>/dev/null || true
}
trap cleanup EXIT

echo "== nginx baseline: curl -T to a location that reads and discards the body"
mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    client_max_body_size 0;
    location / { return 204; }
    location /store/ { root $OUT/nginx; dav_methods PUT; }
  }
}
CONF
nginx -p "$OUT/nginx" -c nginx.conf
NGINX_WORKER=$(pgrep -P "$(cat "$OUT/nginx/nginx.pid")" | head -1)
NGINX_CPU0=$(cpu_ticks "$NGINX_WORKER")
CURL=$(/usr/bin/time -f '%U %S' -o "$OUT/curl.time" curl -s -o /dev/null -T "$FILE" -w '%{http_code} %{time_total} %{size_upload}' "http://127.0.0.1:$NGINX_PORT/upload")
NGINX_CPU=$(ticks_to_s $(( $(cpu_ticks "$NGINX_WORKER") - NGINX_CPU0 )))
CURL_CPU=$(awk '{printf "%.2f", $1 + $2}' "$OUT/curl.time")
read -r CURL_CODE CURL_SECONDS CURL_BYTES <<<"$CURL"
rm -rf "$OUT/nginx/store" && mkdir -p "$OUT/nginx/store" && chmod 777 "$OUT/nginx/store"  # nginx workers run as nobody
STORE=$(/usr/bin/time -f '%U %S' -o "$OUT/curl-store.time" curl -s -o /dev/null -T "$FILE" -w '%{http_code} %{time_total} %{size_upload}' "http://127.0.0.1:$NGINX_PORT/store/payload.bin")
read -r STORE_CODE STORE_SECONDS STORE_BYTES <<<"$STORE"
[ "$(stat -c %s "$OUT/nginx/store/payload.bin")" = "$STORE_BYTES" ] || { echo "nginx did not store the file"; exit 1; }
rm -rf "$OUT/nginx/store"
nginx -p "$OUT/nginx" -c nginx.conf -s stop
STORE_MIBS=$(awk "BEGIN{printf \"%.1f\", $STORE_BYTES / $STORE_SECONDS / 1048576}")
echo "curl -T, nginx storing the file: status $STORE_CODE = $STORE_MIBS MiB/s"
CURL_MIBS=$(awk "BEGIN{printf \"%.1f\", $CURL_BYTES / $CURL_SECONDS / 1048576}")
echo "curl -T: status $CURL_CODE, $CURL_BYTES bytes in ${CURL_SECONDS}s = $CURL_MIBS MiB/s"

echo "== gateway (-Xmx$HEAP)"
rm -rf "$OUT/gw" "$OUT/state"
java -Xmx"$HEAP" -cp "$CP" $MAIN server "$OUT/gw" "$GW_PORT" > "$OUT/server.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/_bench/stats" >/dev/null && break
  sleep 0.2
done

echo "== warm-up: 128 MiB through the gateway, so its JIT compilation is not billed to the measured run"
head -c $((128 * 1024 * 1024)) "$FILE" > "$OUT/warmup.bin"
java -Xmx"$HEAP" -cp "$CP" $MAIN client "$OUT/warmup.bin" "http://127.0.0.1:$GW_PORT" "$OUT/state" "$CHUNK" "$PARALLEL" >/dev/null
java -Xmx"$HEAP" -Dbench.digest=crc32c -cp "$CP" $MAIN client "$OUT/warmup.bin" "http://127.0.0.1:$GW_PORT" "$OUT/state" "$CHUNK" "$PARALLEL" >/dev/null

echo "== transfer, uninterrupted (chunk $CHUNK, $PARALLEL in parallel, client -Xmx$HEAP, a fresh client JVM as for crossgate send)"
GW_CPU0=$(cpu_ticks "$GW_PID")
RUN1=$(/usr/bin/time -f '%U %S' -o "$OUT/client.time" java -Xmx"$HEAP" -cp "$CP" $MAIN client "$FILE" "http://127.0.0.1:$GW_PORT" "$OUT/state" "$CHUNK" "$PARALLEL" | tail -1)
GW_CPU=$(ticks_to_s $(( $(cpu_ticks "$GW_PID") - GW_CPU0 )))
CLIENT_CPU=$(awk '{printf "%.2f", $1 + $2}' "$OUT/client.time")
echo "$RUN1"
STATS1=$(curl -s "http://127.0.0.1:$GW_PORT/_bench/stats")

echo "== transfer, stopped after $STOP_AFTER accepted chunks, then resumed"
RUN2=$(java -Xmx"$HEAP" -cp "$CP" $MAIN client "$FILE" "http://127.0.0.1:$GW_PORT" "$OUT/state" "$CHUNK" "$PARALLEL" "$STOP_AFTER" | tail -1)
echo "$RUN2"
STATS2=$(curl -s "http://127.0.0.1:$GW_PORT/_bench/stats")
echo "gateway: $STATS2"

echo "== transfer with crc32c digests instead (protocol cost without sha-256)"
RUN3=$(java -Xmx"$HEAP" -Dbench.digest=crc32c -cp "$CP" $MAIN client "$FILE" "http://127.0.0.1:$GW_PORT" "$OUT/state" "$CHUNK" "$PARALLEL" | tail -1)
echo "$RUN3"

field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" <<<"$2"; }
CHUNKS=$(( (SIZE_MIB * 1024 * 1024 + CHUNK - 1) / CHUNK ))
PUTS1=$(field chunkPuts "$STATS1")
PUTS2=$(field chunkPuts "$STATS2")
RESENT=$(( PUTS2 - PUTS1 - CHUNKS ))  # the warm-up PUTs are in both counts
OURS=$(field mibPerSecond "$RUN1")
echo
echo "== results"
printf 'curl -T to nginx            %8.1f MiB/s\n' "$CURL_MIBS"
printf 'crossgate /_transfers       %8.1f MiB/s\n' "$OURS"
awk "BEGIN{printf \"ratio                       %8.2f (target >= 0.7)\n\", $OURS / $CURL_MIBS}"
printf 'curl -T to nginx, stored    %8.1f MiB/s\n' "$STORE_MIBS"
awk "BEGIN{printf \"ratio to the storing peer   %8.2f\n\", $OURS / $STORE_MIBS}"
CRC=$(field mibPerSecond "$RUN3")
printf 'crossgate, crc32c digests   %8.1f MiB/s\n' "$CRC"
awk "BEGIN{printf \"ratio with crc32c           %8.2f\n\", $CRC / $CURL_MIBS}"
echo "CPU seconds for the file: curl $CURL_CPU + nginx $NGINX_CPU; crossgate client $CLIENT_CPU (fresh JVM: start-up and JIT included) + gateway $GW_CPU (warmed up)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "chunks resent after one interruption: $RESENT of $CHUNKS ($(( RESENT * CHUNK / 1048576 )) MiB at most)"
awk "BEGIN{printf \"peak heap: gateway %.0f MiB, client %.0f MiB (each -Xmx$HEAP)\n\", $(field peakHeapBytes "$STATS2") / 1048576, $(field clientPeakHeapBytes "$RUN2") / 1048576}"
