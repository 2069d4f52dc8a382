#!/usr/bin/env bash
# Starts the peer daemon. A config file at $IPA_CONFIG (default /etc/ipa/peer.yml) is used when present;
# IPA_* environment variables and arguments (e.g. -ipa.peer.id=a) override it.
set -euo pipefail
CONFIG="${IPA_CONFIG:-/etc/ipa/peer.yml}"
if [ -f "$CONFIG" ]; then
  export MICRONAUT_CONFIG_FILES="${MICRONAUT_CONFIG_FILES:+$MICRONAUT_CONFIG_FILES,}$CONFIG"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java ${JAVA_OPTS:-} -cp "/opt/ipa/app/*:/opt/ipa/lib/*" dev.ipa.peer.PeerDaemon "$@"
