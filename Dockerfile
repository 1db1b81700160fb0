# netclaim's one image for every component: `netclaim kubelet-plugin`, `netclaim controller`,
# `netclaim install-cni`, `netclaim explain` (the entry point is the CLI; the subcommand is the first
# argument, so manifests set `args` and leave `command` alone).
#
#   docker build -t ghcr.io/netclaim/netclaim:v0.1.0 .
#   docker build --build-arg CNI_PLUGINS=debian -t ghcr.io/netclaim/netclaim:v0.1.0-plugins .
#
# build    Node 24 on Debian 12 (the version .nvmrc pins): `npm ci`, then scripts/build-image.sh lays out
#          /rootfs: the esbuild bundle of the CLI at /opt/netclaim/shim (the entry point and the host shim
#          install-cni copies), the kubelet protos, /opt/netclaim/node (-> the image's Node, the runtime
#          install-cni copies to hosts), ip/nsenter/chroot/iptables with their libraries, and with
#          CNI_PLUGINS=debian the reference CNI plugins at /opt/netclaim/cni-plugins.
# runtime  distroless Node 24 on Debian 12 (glibc, CA certificates, no shell), non-root (65532) by
#          default; the kubelet plugin's DaemonSet runs it as root, privileged, through its
#          securityContext. test/deployments/image checks this file and builds the same /rootfs into an
#          image with buildah.
ARG NODE_VERSION=24.21.0
ARG BUILD_IMAGE=node:${NODE_VERSION}-bookworm-slim
# Pin by digest for a release: gcr.io/distroless/nodejs24-debian12@sha256:...
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
# none | debian (Debian 12's containernetworking-plugins: dynamically linked, hosts need glibc 2.34+)
ARG CNI_PLUGINS=none
RUN set -eu; \
    case "$CNI_PLUGINS" in none) plugins="" ;; debian) plugins=containernetworking-plugins ;; \
      *) echo "CNI_PLUGINS must be none or debian" >&2; exit 1 ;; esac; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      iproute2 iptables util-linux coreutils $plugins; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json .nvmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
COPY proto/ proto/
RUN set -eu; \
    if [ "$CNI_PLUGINS" = debian ]; then set -- --cni-plugins /usr/lib/cni; else set --; fi; \
    scripts/build-image.sh rootfs /rootfs --base distroless "$@"

FROM ${RUNTIME_IMAGE} AS runtime
LABEL org.opencontainers.image.title="netclaim" \
      org.opencontainers.image.description="Kubernetes network driver: DRA kubelet plugin, controller and a Multus-compatible CNI meta-plugin" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/opt/netclaim/shim/netclaim.mjs"]
CMD ["--help"]
