#!/usr/bin/env bash
# Cluster sync benchmark: time from a route write (Admin API) to "applied on all 3 nodes", on
# PostgreSQL, at 10,000 and 100,000 routes, plus a burst of 50 changes/s with traffic measured
# through a node meanwhile.   bench/cluster/run.sh   (env: CHANGES=200)
# MODE=revert bench/cluster/run.sh: 10,000 routes, 1,000 changes (env REVERTED), one revert of them
# all, time until all 3 nodes carry the hash of the revision before them.
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres). ~3 minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
echo "building (test classes and class path)" >&2
(cd "$ROOT" && ./mvnw -B -q -pl crossgate-app -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null)
CP="$ROOT/crossgate-app/target/test-classes:$ROOT/crossgate-app/target/classes:$(cat "$ROOT/crossgate-app/target/classpath.txt")"
java -Xmx6g -Dchanges="${CHANGES:-200}" -Dmode="${MODE:-}" -Dreverted="${REVERTED:-1000}" -Dlogback.configurationFile="$ROOT/bench/cluster/logback-bench.xml" \
  -cp "$CP" dev.crossgate.app.bench.ClusterBench
