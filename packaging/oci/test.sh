#!/usr/bin/env bash
# Builds the image (packaging/oci/build.sh) and runs `standalone` in it: the container becomes
# healthy, answers /readyz and the traffic port, runs as the non-root user, prints the generated
# admin token once, and stops on SIGTERM. Host networking (no container network setup needed), free
# ports chosen here.
#   packaging/oci/test.sh     (env: IMAGE=… to test an image already built;
#                              PODMAN_RUN_OPTS, default: runc, nofile as this shell's, nproc 4096)
# On machines whose root lacks CAP_SYS_RESOURCE (some sandboxes), crun cannot set the container's
# rlimits; runc with limits at or under the caller's own works.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IMAGE=${IMAGE:-$("$ROOT/packaging/oci/build.sh")}
command -v runc >/dev/null && RUNTIME=(--runtime runc) || RUNTIME=()
read -r -a RUN_OPTS <<<"${PODMAN_RUN_OPTS:---ulimit nofile=$(ulimit -n):$(ulimit -n) --ulimit nproc=4096:4096}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ADMIN=$(free_port); GATEWAY=$(free_port)
name=crossgate-test-$$
fail() { echo "FAIL: $*" >&2; podman "${RUNTIME[@]}" logs "$name" 2>&1 | tail -20 >&2 || true; exit 1; }
cleanup() { podman "${RUNTIME[@]}" rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

podman "${RUNTIME[@]}" run -d --name "$name" --network host "${RUN_OPTS[@]}" \
  -e CROSSGATE_ADMIN_PORT="$ADMIN" -e CROSSGATE_GATEWAY_PORT="$GATEWAY" \
  "$IMAGE" standalone --bind 127.0.0.1 >/dev/null
for _ in $(seq 1 90); do
  curl -fsS "http://127.0.0.1:$ADMIN/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$ADMIN/readyz" | grep -q '"status":"ready"' || fail "/readyz did not answer ready"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATEWAY/no-route")" = 404 ] \
  || fail "the traffic port did not answer 404 for an unknown route"
podman "${RUNTIME[@]}" logs "$name" 2>&1 | grep -q 'generated admin token' || fail "no generated admin token line"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$(podman "${RUNTIME[@]}" inspect -f '{{.State.Pid}}' "$name")/status")
[ "$uid" = 10001 ] || fail "the process runs as uid $uid, not 10001"
podman "${RUNTIME[@]}" healthcheck run "$name" || fail "the image's health check failed"
podman "${RUNTIME[@]}" stop -t 30 "$name" >/dev/null
code=$(podman "${RUNTIME[@]}" inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 143 ] || fail "exit code $code after SIGTERM, expected 143"
echo "ok: $IMAGE ran standalone as uid 10001, ready, healthy, 404 on the traffic port, stopped with 143"
