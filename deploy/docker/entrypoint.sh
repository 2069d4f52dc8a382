#!/usr/bin/env bash
# Starts the peer daemon. A config file at $IPA_CONFIG (default /etc/ipa/peer.yml) is used when present;
# IPA_* environment variables and arguments (e.g. -ipa.peer.id=a) override it.
#
# With IPA_FEDERATION_SIZE=N (the ipa-federation Helm chart, and its container test) the pod's identity comes
# from its ordinal: host name NAME-k makes it peer-k on shard k of N, with the other peers at NAME-j.DOMAIN
# (OrdinalIdentity; it also signs the pod's certificate when IPA_FEDERATION_CA_DIR holds the federation CA).
set -euo pipefail
CONFIG="${IPA_CONFIG:-/etc/ipa/peer.yml}"
if [ -f "$CONFIG" ]; then
  export MICRONAUT_CONFIG_FILES="${MICRONAUT_CONFIG_FILES:+$MICRONAUT_CONFIG_FILES,}$CONFIG"
fi
CP="/opt/ipa/app/*:/opt/ipa/lib/*"
if [ -n "${IPA_FEDERATION_SIZE:-}" ]; then
  IDENTITY="$(java -Xmx96m -XX:TieredStopAtLevel=1 -cp "$CP" dev.ipa.peer.config.OrdinalIdentity)" || exit 2
  mapfile -t ORDINAL_ARGS <<< "$IDENTITY"
  set -- "${ORDINAL_ARGS[@]}" "$@"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java ${JAVA_OPTS:-} -cp "$CP" dev.ipa.peer.PeerDaemon "$@"
