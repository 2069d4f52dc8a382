#!/usr/bin/env bash
# Builds the peer image's base (Debian 12 + OpenJDK 17 JRE) without any container registry:
# debootstrap a minimal Debian root filesystem from Debian's apt mirror, install the JRE inside it,
# and `docker import` the result.
#
#   deploy/base-image/build-local-base.sh [IMAGE]        default IMAGE: ipa/local-jre:17
#
# Environment: DEBIAN_MIRROR (default: the Debian mirror this machine's apt sources use, so a company mirror
#              is used here too; http://deb.debian.org/debian if none is found), SUITE (default bookworm),
#              FORCE=1 rebuilds even if IMAGE exists.
# Needs: root, debootstrap, a running Docker engine. Takes 2-4 minutes; a second run with the image present
# returns at once.
set -euo pipefail

IMAGE="${1:-ipa/local-jre:17}"
# The first Debian archive (not -security, not a third-party repository) in apt's one-line and deb822 sources.
apt_mirror() {
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  { awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "${files[@]}"
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "${files[@]}"; } 2>/dev/null \
    | grep -E '/debian/?$' | grep -v -- '-security' | head -1 | sed 's:/*$::'
}
MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SUITE="${SUITE:-bookworm}"

if [ "${FORCE:-0}" != "1" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-local-base: $IMAGE exists; FORCE=1 rebuilds it."
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "build-local-base: debootstrap needs root; run with sudo." >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "build-local-base: install debootstrap (apt-get install debootstrap)." >&2; exit 1; }

WORK="$(mktemp -d /tmp/ipa-base.XXXXXX)"
ROOTFS="$WORK/rootfs"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

echo "build-local-base: debootstrap $SUITE from $MIRROR ..."
# The JRE's own dependencies (libstdc++6 among them, which ND4J's libnd4jcpu.so links against) come with it;
# libgomp, libgfortran and OpenBLAS are extracted from the nd4j-native and openblas jars at run time.
debootstrap --variant=minbase --include=openjdk-17-jre-headless,libstdc++6,ca-certificates \
  "$SUITE" "$ROOTFS" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 || {
    tail -40 "$WORK/debootstrap.log" >&2
    echo "build-local-base: debootstrap failed (log above)." >&2
    exit 1
  }

# Slim the image: package lists, docs, man pages and caches are not needed at run time.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/tmp/*

echo "build-local-base: importing as $IMAGE ..."
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["java", "-version"]' \
  - "$IMAGE" > /dev/null
# Checked in a container rather than by chroot: the java launcher finds its libraries through /proc/self/exe.
if ! docker run --rm --network none "$IMAGE" java -version; then
  docker image rm "$IMAGE" > /dev/null 2>&1 || true
  echo "build-local-base: the imported image cannot run java; removed it." >&2
  exit 1
fi
docker image ls "$IMAGE"
