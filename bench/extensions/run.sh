#!/usr/bin/env bash
# Added latency per extension step: the same route and upstream with no flow, one remote pre-step
# (loopback tenant server, pooled connection, over HTTP/1.1 and HTTP/2, and as gRPC to a grpc-java
# server) and one local WebAssembly
# pre-step (cached module, served by the tenant or uploaded to the platform),
# one client connection, requests one after another. Prints p50/p99 in microseconds per flow and
# what each step adds over the flow without extensions.
#   bench/extensions/run.sh            (env: REQUESTS=5000 WARMUP=2000)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REQUESTS=${REQUESTS:-5000}
WARMUP=${WARMUP:-2000}

echo "building (test classes and class path)" >&2
(cd "$ROOT" && ./mvnw -B -q -pl crossgate-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null)
CP="$ROOT/crossgate-gateway/target/test-classes:$ROOT/crossgate-gateway/target/classes:$(cat "$ROOT/crossgate-gateway/target/classpath.txt")"

java -Xmx512m -Dlogback.configurationFile="$ROOT/bench/proxy/logback-bench.xml" -cp "$CP" \
  dev.crossgate.gateway.bench.BenchExtensions "$REQUESTS" "$WARMUP" 2>&1 | grep 'bench '
