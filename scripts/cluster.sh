#!/usr/bin/env bash
# A real single-node Kubernetes cluster running this repository's image and chart, for tests.
#   sudo bash scripts/cluster.sh up     build what is missing, start everything, install the chart
#   sudo bash scripts/cluster.sh down   remove everything `up` made (also after a failed up)
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd, kube-proxy and the
# kubelet run inside ONE network namespace made here (node address, pod bridge, iptables and
# ip_forward live there) and ONE private mount namespace in which /run is a tmpfs and /var/lib,
# /var/log, /etc/hosts and /etc/resolv.conf are the harness's own (under $DIR): the node's default
# paths work unchanged and nothing is written to the host's. docs/testing.md explains the rest.
# `up` ends with exactly these lines: NETNS=, KUBECONFIG=, KUBECTL=, HOSTS_FILE=, TOOLS_IMAGE=.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DNSC_CLUSTER_DIR:-/var/tmp/dnsc-cluster}
NETNS=${DNSC_CLUSTER_NETNS:-dnsc-cluster}
TESTBIN=${DNSC_TESTBIN:-$HOME/.cache/dns-controller/testbin}/bin
CNI_BIN=${DNSC_CNI_BIN:-/usr/lib/cni}
SOCK=$DIR/containerd.sock
RELEASE=dnsc
RELEASE_NS=dns-controller
CLUSTER_NAME=c1.k8s.local
# Kernel settings the kubelet changes on start (they are global, not per namespace): saved by
# `up`, put back by `down`.
KERNEL_TUNABLES=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

say() { echo "cluster: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# shellcheck source=cluster/config.sh
. "$ROOT/scripts/cluster/config.sh"
# shellcheck source=cluster/run.sh
. "$ROOT/scripts/cluster/run.sh"

[ "$(id -u)" = 0 ] || die "must run as root (it creates a network namespace, mounts and cgroups): sudo bash scripts/cluster.sh ${1:-up}"

# One cluster at a time; the lock is held only while up or down runs (DIR marks a cluster).
exec {lockfd}<"$0"
flock -n "$lockfd" || die "another scripts/cluster.sh up/down is running"

up() {
  if [ -e "$DIR" ] || ip netns list | grep -w "^$NETNS" >/dev/null; then
    die "a cluster exists ($DIR, netns $NETNS), maybe from a failed up: run scripts/cluster.sh down first"
  fi
  local t0=$SECONDS
  for c in ip nsenter unshare containerd runc ctr iptables conntrack openssl buildah; do
    command -v "$c" >/dev/null || die "$c is missing: bash scripts/ci-deps.sh installs what the cluster needs"
  done
  [ -x "$CNI_BIN/bridge" ] || die "no CNI plugins in $CNI_BIN (apt-get install containernetworking-plugins)"
  say "building what is missing (testbin, images)"
  bash "$ROOT/scripts/testbin.sh" etcd kube-apiserver kubelet kube-controller-manager kube-scheduler \
    kube-proxy kubectl helm coredns crictl
  local images
  images=$(bash "$ROOT/scripts/image.sh" all)
  APP_IMAGE=$(awk '$2 ~ /app.oci.tar$/ {print $1}' <<<"$images")
  TOOLS_IMAGE=$(awk '$2 ~ /tools.oci.tar$/ {print $1}' <<<"$images")
  PAUSE_IMAGE=$(awk '$2 ~ /pause.oci.tar$/ {print $1}' <<<"$images")
  COREDNS_IMAGE=$(awk '$2 ~ /coredns.oci.tar$/ {print $1}' <<<"$images")

  mkdir -p "$DIR"/{pids,logs,bin}
  echo "$NETNS" >"$DIR/netns"
  trap '[ -f "$DIR/up.env" ] || say "up failed; logs in $DIR/logs; remove everything with: bash scripts/cluster.sh down"' EXIT
  save_kernel_tunables
  make_namespaces
  write_pki
  kubeconfig admin admin
  kubeconfig kubelet kubelet
  write_containerd_config
  write_kubelet_config
  write_kube_proxy_config
  write_wrappers

  start_control_plane
  start_node
  import_images "$images"
  wait_node_ready
  install_chart
  install_coredns
  say "up in $((SECONDS - t0)) s"
  # up.env marks a cluster that came up completely (tests reuse it instead of starting another).
  {
    echo "NETNS=$NETNS"
    echo "KUBECONFIG=$DIR/admin.kubeconfig"
    echo "KUBECTL=$DIR/bin/kubectl"
    echo "HOSTS_FILE=$DIR/node/etc/hosts"
    echo "TOOLS_IMAGE=$TOOLS_IMAGE"
  } >"$DIR/up.env"
  cat "$DIR/up.env"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) die "usage: scripts/cluster.sh up|down" ;;
esac
