#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when something is missing.
set -euo pipefail
need=()
command -v dig >/dev/null || need+=(bind9-dnsutils)
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
command -v ip >/dev/null || need+=(iproute2)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing: ${need[*]} (install them, or run as root)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
