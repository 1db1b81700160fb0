#!/bin/sh
# Brings a fresh Debian machine to where netclaim's demo and tests run:
#  - OS packages the privileged tests use (reference CNI plugins, iproute2), when running as root;
#    podman with runc for the CDI-consumer and image tests (Debian's podman defaults to crun, which
#    cannot run on a hybrid cgroup v1/v2 host; the tests select runc); buildah and iptables for the
#    image tests (test/deployments/image: buildah commits the image, scripts/build-image.sh copies
#    ip, nsenter, chroot and iptables into it); kubectl (Debian's kubernetes-client) where the machine
#    has none, for the manifest tests (`kubectl kustomize`);
#  - npm itself if the machine has none (Debian's nodejs/npm; only npm is used from it);
#  - the project's dependencies with `npm ci`, which includes the pinned Node.js (the `node` devDependency,
#    a real Node 24 binary from the npm registry). `npm run`/`npm test` put node_modules/.bin first on PATH,
#    so every script runs on that pinned Node whatever Node the machine has.
# Idempotent: it only installs what is missing or stale.
set -eu
cd "$(dirname "$0")/.."

missing=""
[ -x /usr/lib/cni/bridge ] || [ -x /opt/cni/bin/bridge ] || missing="$missing containernetworking-plugins"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v ping >/dev/null 2>&1 || missing="$missing iputils-ping"
command -v podman >/dev/null 2>&1 || missing="$missing podman"
[ -x /usr/sbin/runc ] || command -v runc >/dev/null 2>&1 || missing="$missing runc"
command -v buildah >/dev/null 2>&1 || missing="$missing buildah"
[ -x /usr/sbin/xtables-nft-multi ] || command -v xtables-nft-multi >/dev/null 2>&1 || missing="$missing iptables"
command -v kubectl >/dev/null 2>&1 || missing="$missing kubernetes-client"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "bootstrap: missing Debian packages:$missing" >&2
    echo "bootstrap: as root, run: apt-get install -y$missing (privileged tests skip without them, except under CI=true)" >&2
    command -v npm >/dev/null 2>&1 || exit 1
  fi
fi

# Reinstall dependencies when node_modules is missing or older than the lock file.
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci (dependencies and the pinned Node.js $(cat .nvmrc))"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "bootstrap: ready (Node $(node_modules/.bin/node --version) from node_modules/.bin)"
