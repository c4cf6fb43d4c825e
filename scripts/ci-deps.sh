#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when something is missing.
set -euo pipefail
need=()
command -v dig >/dev/null || need+=(bind9-dnsutils)
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
command -v ip >/dev/null || need+=(iproute2)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
# The real-node cluster (scripts/cluster.sh, scripts/image.sh; docs/testing.md).
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v buildah >/dev/null || need+=(buildah)
command -v iptables >/dev/null || need+=(iptables)
command -v conntrack >/dev/null || need+=(conntrack)
command -v nsenter >/dev/null || need+=(util-linux)
# A static busybox for the tools and base images (the dynamic `busybox` package would not run there).
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
# The pause image is a few lines of C, linked statically.
{ command -v gcc >/dev/null && [ -f /usr/lib/x86_64-linux-gnu/libc.a ]; } || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing: ${need[*]} (install them, or run as root)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
