#!/bin/sh
# Lays out netclaim's part of the container image in a directory, which the Dockerfile's runtime stage
# copies over its distroless Node 24 base (`COPY --from=build /rootfs/ /`), and which the image test
# (test/deployments/image) commits with buildah onto `scratch`:
#
#   /opt/netclaim/shim/          the esbuild bundle of the CLI (scripts/build-shim.ts): the image's entry
#                                point and, copied by `netclaim install-cni --shim-bundle-dir`, the host's;
#                                it carries the kubelet's .proto files in its own proto/
#   /opt/netclaim/node           -> /nodejs/bin/node, the image's Node (install-cni's --node-binary)
#   /opt/netclaim/cni-plugins/   with --cni-plugins DIR only: the reference CNI plugins of DIR
#   /usr/sbin/ip, nsenter, chroot, xtables-{nft,legacy}-multi (+ the iptables names, nft by default)
#                                what the kubelet plugin and the CNI server run: `ip` for device
#                                settings, `nsenter` for routes in the pod, `chroot` for install-cni's
#                                --verify-shim=chroot, iptables for delegates that program it
#                                (portmap, bridge ipMasq, firewall) in thick mode
#   /usr/lib/<multiarch>/        the shared libraries of those programs, xtables/ modules included
#
# Everything goes under /usr, /opt (and, for scratch, /nodejs, /etc, /tmp): the distroless base is
# usr-merged (/bin, /sbin, /lib are symlinks into /usr), and a real /lib in the copy would replace them.
# The libraries come from `ldd` of the programs on the machine that builds (the build stage, Debian 12
# like the base). --base distroless leaves out what the base has (glibc); --base scratch adds it, the
# usr-merge links, the Node binary at /nodejs/bin/node (--node PATH, default node_modules/.bin/node with
# its libraries), /etc/passwd and /etc/group with root and nonroot (65532), and /tmp.
#
#   scripts/build-image.sh rootfs OUT [--base distroless|scratch] [--node PATH] [--cni-plugins DIR]
set -eu
cd "$(dirname "$0")/.."

TOOLS="ip nsenter chroot xtables-nft-multi xtables-legacy-multi"
NFT_NAMES="iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore
iptables-nft iptables-nft-save iptables-nft-restore ip6tables-nft ip6tables-nft-save ip6tables-nft-restore"
LEGACY_NAMES="iptables-legacy iptables-legacy-save iptables-legacy-restore ip6tables-legacy
ip6tables-legacy-save ip6tables-legacy-restore"
# glibc's own files: the distroless base has them
BASE_LIBS="ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0
librt.so.1 libresolv.so.2"

die() {
  echo "build-image: $*" >&2
  exit 1
}

usage() {
  die "usage: $0 rootfs OUT [--base distroless|scratch] [--node PATH] [--cni-plugins DIR]"
}

# /lib/x86_64-linux-gnu/libz.so.1 -> /usr/lib/x86_64-linux-gnu/libz.so.1 (Debian 12 is usr-merged)
usr_path() {
  case "$1" in
    /usr/*) echo "$1" ;;
    *) echo "/usr$1" ;;
  esac
}

is_base_lib() {
  for base_lib in $BASE_LIBS; do [ "$(basename "$1")" = "$base_lib" ] && return 0; done
  return 1
}

# The libraries one ELF file needs (absolute paths, as ldd resolves them).
libs_of() {
  ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
}

copy_file() { # SOURCE TARGET-IN-OUT MODE
  mkdir -p "$OUT$(dirname "$2")"
  cp -L "$1" "$OUT$2"
  chmod "$3" "$OUT$2"
}

copy_libs() { # ELF
  for lib in $(libs_of "$1"); do
    [ "$BASE" = distroless ] && is_base_lib "$lib" && continue
    target=$(usr_path "$lib")
    mode=0644
    case "$lib" in */ld-linux*) mode=0755 ;; esac # the kernel executes the loader
    [ -e "$OUT$target" ] || copy_file "$lib" "$target" "$mode"
  done
}

find_tool() {
  for dir in /usr/sbin /usr/bin /sbin /bin; do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
  done
  die "$1 not found (the build needs iproute2, util-linux, coreutils and iptables installed)"
}

lay_out_tools() {
  for tool in $TOOLS; do
    source=$(find_tool "$tool")
    copy_file "$source" "/usr/sbin/$tool" 0755
    copy_libs "$source"
  done
  for name in $NFT_NAMES; do ln -sf xtables-nft-multi "$OUT/usr/sbin/$name"; done
  for name in $LEGACY_NAMES; do ln -sf xtables-legacy-multi "$OUT/usr/sbin/$name"; done
  xtables=$(dirname "$(libs_of "$(find_tool xtables-nft-multi)" | grep '/libxtables\.so' | head -n 1)")/xtables
  [ -d "$xtables" ] || die "no xtables modules in $xtables"
  for module in "$xtables"/*.so; do
    copy_file "$module" "$(usr_path "$module")" 0644
    copy_libs "$module"
  done
}

lay_out_bundle() {
  "$NODE" scripts/build-shim.ts --out "$OUT/opt/netclaim/shim" >/dev/null
  ln -sf /nodejs/bin/node "$OUT/opt/netclaim/node"
}

lay_out_cni_plugins() {
  [ -d "$CNI_PLUGINS" ] || die "--cni-plugins $CNI_PLUGINS is not a directory"
  for plugin in "$CNI_PLUGINS"/*; do
    [ -f "$plugin" ] && [ -x "$plugin" ] && copy_file "$plugin" "/opt/netclaim/cni-plugins/$(basename "$plugin")" 0755
  done
}

lay_out_scratch() {
  for dir in bin sbin lib lib64; do
    mkdir -p "$OUT/usr/$dir"
    ln -sf "usr/$dir" "$OUT/$dir"
  done
  copy_file "$SCRATCH_NODE" /nodejs/bin/node 0755
  copy_libs "$SCRATCH_NODE"
  mkdir -p "$OUT/etc" "$OUT/tmp"
  chmod 1777 "$OUT/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$OUT/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$OUT/etc/group"
}

[ "${1:-}" = rootfs ] && [ $# -ge 2 ] || usage
OUT=$2
shift 2
BASE=distroless
SCRATCH_NODE=node_modules/.bin/node
CNI_PLUGINS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=${2:-}; shift 2 ;;
    --node) SCRATCH_NODE=${2:-}; shift 2 ;;
    --cni-plugins) CNI_PLUGINS=${2:-}; shift 2 ;;
    *) usage ;;
  esac
done
case "$BASE" in distroless | scratch) ;; *) usage ;; esac
NODE=node_modules/.bin/node
[ -x "$NODE" ] || NODE=node
[ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ] && die "$OUT is not empty"
mkdir -p "$OUT/usr/sbin" "$OUT/opt/netclaim"

[ "$BASE" = scratch ] && lay_out_scratch
lay_out_bundle
lay_out_tools
[ -n "$CNI_PLUGINS" ] && lay_out_cni_plugins
echo "build-image: laid out $OUT (base $BASE)"
