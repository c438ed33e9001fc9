#!/usr/bin/env bash
# Builds the Crossgate OCI image without any image registry: a Debian bookworm root file system made
# with debootstrap from Debian's packages (openjdk-17-jre-headless, curl for the health check), a
# non-root user, and the release archive that `./mvnw package` builds, assembled by podman.
#   packaging/oci/build.sh            (env: IMAGE=localhost/crossgate:<version> MIRROR=http://deb.debian.org/debian)
# Needs root, debootstrap and podman (Debian packages); installs them when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

archive=$(ls "$ROOT"/crossgate-app/target/crossgate-*.tar.gz 2>/dev/null | head -1 || true)
if [ -z "$archive" ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package -pl crossgate-app -am)
  archive=$(ls "$ROOT"/crossgate-app/target/crossgate-*.tar.gz | head -1)
fi
version=$(basename "$archive" .tar.gz); version=${version#crossgate-}
IMAGE=${IMAGE:-localhost/crossgate:$version}

work=$(mktemp -d /tmp/crossgate-oci.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "debootstrap: Debian bookworm with openjdk-17-jre-headless" >&2
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates,curl \
  bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
# the process runs as this user; its data directory is the only place it writes
chroot "$work/rootfs" useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/crossgate --shell /usr/sbin/nologin crossgate
install -d -o 10001 -g 10001 -m 700 "$work/rootfs/var/lib/crossgate"
tar -xzf "$archive" -C "$work/rootfs/opt" && mv "$work/rootfs/opt/crossgate-$version" "$work/rootfs/opt/crossgate"
rm -rf "$work/rootfs/var/cache/apt/archives"/*.deb "$work/rootfs/var/lib/apt/lists"/*
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
cp "$ROOT/packaging/oci/Containerfile" "$work/"
podman build --quiet --format docker --tag "$IMAGE" "$work" >/dev/null
echo "$IMAGE"
