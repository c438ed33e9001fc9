#!/usr/bin/env bash
# Async-task and agent benchmark, one JVM on loopback (see crossgate-app test TasksBench):
#   bench/tasks/run.sh            (env: TASKS=10000 POLLS=20000 SYNC_REQUESTS=20000 CONCURRENCY=64
#                                  JDBC_URL=jdbc:postgresql://127.0.0.1:5432/DB JDBC_USER=postgres for PostgreSQL)
# Prints heap used after GC with TASKS pending tasks, poll p50/p99, and sync requests straight to
# the upstream vs through agent + gateway (requests/s, p99, ratio); then task creation by the store
# alone (TaskStoreBench: STORE_TASKS=5000 creates, CONCURRENCY callers, no HTTP). ~1-2 minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HEAP=${HEAP:-512m}

echo "building (test classes and class path)" >&2
(cd "$ROOT" && ./mvnw -B -q -pl crossgate-app -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null)
CP="$ROOT/crossgate-app/target/test-classes"
for m in agent gateway admin store core; do CP="$CP:$ROOT/crossgate-$m/target/classes"; done
CP="$CP:$(cat "$ROOT/crossgate-app/target/classpath.txt")"

java -Xmx"$HEAP" -XX:+UseG1GC -Dlogback.configurationFile="$ROOT/bench/tasks/logback-bench.xml" \
  -cp "$CP" dev.crossgate.app.bench.TasksBench 2>&1 | grep -E ' bench |ERROR|Exception' || true

TASKS=${STORE_TASKS:-5000} java -Xmx"$HEAP" -XX:+UseG1GC -Dlogback.configurationFile="$ROOT/bench/tasks/logback-bench.xml" \
  -cp "$ROOT/crossgate-gateway/target/test-classes:$CP" dev.crossgate.gateway.task.TaskStoreBench 2>&1 \
  | grep -E ' bench |ERROR|Exception' || true
