# Starting and stopping the single-node cluster's processes (sourced by scripts/cluster.sh).

holder() { cat "$DIR/pids/holder.pid"; }
holder_unshared() { [ "$(readlink "/proc/$(holder)/ns/mnt")" != "$(readlink /proc/$$/ns/mnt)" ]; }
# Runs a command in the cluster's network and mount namespaces.
inns() { nsenter -t "$(holder)" -m -n -- "$@"; }
kctl() { inns "$TESTBIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" "$@"; }

# until_ok SECONDS WHAT CMD...: polls CMD every 0.5 s; fails naming WHAT after SECONDS.
until_ok() {
  local secs=$1 what=$2 end=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "timed out after ${secs} s waiting for $what (logs: $DIR/logs)"
    sleep 0.5
  done
}

# start NAME CMD...: a daemon inside the namespaces, in its own session, logging to logs/NAME.log.
start() {
  local name=$1
  shift
  # Without the lock's descriptor: a daemon holding it would lock out `down`.
  setsid nsenter -t "$(holder)" -m -n -- "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null {lockfd}<&- &
  echo $! >"$DIR/pids/$name.pid"
}

save_kernel_tunables() {
  local k
  for k in "${KERNEL_TUNABLES[@]}"; do echo "$k=$(sysctl -n "$k")"; done >"$DIR/kernel-tunables"
}

make_namespaces() {
  case $DIR in /run/* | /var/lib/* | /var/log/*) die "DNSC_CLUSTER_DIR must not be under /run, /var/lib or /var/log (they are replaced inside the cluster)" ;; esac
  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  # The node's address sits on a veth pair kept inside the namespace (this kernel has no dummy links).
  ip -n "$NETNS" link add eth0 type veth peer name eth0p
  ip -n "$NETNS" addr add "$NODE_IP/24" dev eth0
  ip -n "$NETNS" link set eth0 up
  ip -n "$NETNS" link set eth0p up
  # Service ClusterIPs need a route before kube-proxy's DNAT applies to locally sent packets.
  ip -n "$NETNS" route add default dev eth0
  modprobe br_netfilter 2>/dev/null || true
  ip netns exec "$NETNS" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

  # The node's own files: what a fresh node has, under $DIR.
  mkdir -p "$DIR/node/var/lib" "$DIR/node/var/log" "$DIR/node/etc"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n' "$NODE_IP" "$NODE_NAME" >"$DIR/node/etc/hosts"
  # Nothing answers on the node's port 53: names outside the cluster fail fast instead of timing out.
  printf 'nameserver %s\n' "$NODE_IP" >"$DIR/node/etc/resolv.conf"
  # The holder keeps the namespaces alive; slave propagation: host mounts show inside, not the reverse.
  setsid nsenter --net="/run/netns/$NETNS" -- unshare --mount --propagation slave -- sleep infinity </dev/null >/dev/null 2>&1 {lockfd}<&- &
  echo $! >"$DIR/pids/holder.pid"
  until_ok 10 "the namespace holder" holder_unshared
  inns mount -t tmpfs -o mode=0755 tmpfs /run
  inns mount --bind "$DIR/node/var/lib" /var/lib
  inns mount --bind "$DIR/node/var/log" /var/log
  inns mount --bind "$DIR/node/etc/hosts" /etc/hosts
  inns mount --bind "$DIR/node/etc/resolv.conf" /etc/resolv.conf
}

write_wrappers() {
  cat >"$DIR/bin/kubectl" <<EOF
#!/bin/sh
# kubectl for the dnsc test cluster (its API is only reachable inside network namespace $NETNS).
KUBECONFIG=\${KUBECONFIG:-$DIR/admin.kubeconfig} exec nsenter --net=/run/netns/$NETNS $TESTBIN/kubectl "\$@"
EOF
  cat >"$DIR/bin/helm" <<EOF
#!/bin/sh
export KUBECONFIG=\${KUBECONFIG:-$DIR/admin.kubeconfig} HELM_CACHE_HOME=$DIR/helm/cache HELM_CONFIG_HOME=$DIR/helm/config HELM_DATA_HOME=$DIR/helm/data
exec nsenter --net=/run/netns/$NETNS $TESTBIN/helm "\$@"
EOF
  cat >"$DIR/bin/crictl" <<EOF
#!/bin/sh
exec nsenter -t $(holder) -m -n $TESTBIN/crictl --runtime-endpoint unix://$SOCK --timeout 10s "\$@"
EOF
  chmod +x "$DIR/bin/kubectl" "$DIR/bin/helm" "$DIR/bin/crictl"
}

api_ready() {
  inns curl -sf --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" \
    "https://$NODE_IP:$API_PORT/readyz"
}

start_control_plane() {
  say "starting etcd and kube-apiserver"
  start etcd "$TESTBIN/etcd" --name=node1 --data-dir="$DIR/etcd" \
    --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
    --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
    --initial-cluster=node1=http://127.0.0.1:2380 --unsafe-no-fsync --log-level=warn
  local p=$DIR/pki
  start kube-apiserver "$TESTBIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port="$API_PORT" --advertise-address="$NODE_IP" \
    --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" --client-ca-file="$p/ca.crt" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP --profiling=false
  until_ok 90 "kube-apiserver /readyz" api_ready
  say "starting kube-controller-manager and kube-scheduler"
  start kube-controller-manager "$TESTBIN/kube-controller-manager" --kubeconfig="$DIR/admin.kubeconfig" \
    --root-ca-file="$p/ca.crt" --service-account-private-key-file="$p/sa.key" \
    --use-service-account-credentials=true --leader-elect=false --bind-address=127.0.0.1 \
    --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" --profiling=false
  start kube-scheduler "$TESTBIN/kube-scheduler" --kubeconfig="$DIR/admin.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --profiling=false
}

start_node() {
  say "starting containerd, kube-proxy and the kubelet"
  start containerd containerd --config "$DIR/containerd.toml"
  until_ok 30 containerd inns ctr --address "$SOCK" version
  start kube-proxy "$TESTBIN/kube-proxy" --config="$DIR/kube-proxy.yaml"
  start kubelet "$TESTBIN/kubelet" --config="$DIR/kubelet.yaml" --kubeconfig="$DIR/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
}

import_images() {
  local ref file
  while read -r ref file; do
    inns ctr --address "$SOCK" -n k8s.io images import --base-name "${ref%:*}" "$file" >/dev/null
    inns ctr --address "$SOCK" -n k8s.io images ls -q | grep -x "$ref" >/dev/null || die "image $ref missing after importing $file"
  done <<<"$1"
}

wait_node_ready() {
  until_ok 60 "node $NODE_NAME to register" kctl get node "$NODE_NAME"
  kctl wait --for=condition=Ready "node/$NODE_NAME" --timeout=120s >/dev/null
  # As kubeadm does; the kubelet may not set node-role labels on itself.
  kctl label node "$NODE_NAME" node-role.kubernetes.io/control-plane= >/dev/null
}

install_chart() {
  say "installing the chart as $RELEASE in $RELEASE_NS"
  "$DIR/bin/helm" install "$RELEASE" "$ROOT/charts/dns-controller" --namespace "$RELEASE_NS" --create-namespace \
    --set "image.repository=${APP_IMAGE%:*}" --set "image.tag=${APP_IMAGE##*:}" --set image.pullPolicy=Never \
    --set "controller.clusterName=$CLUSTER_NAME" >"$DIR/logs/helm-install.log"
  kctl -n "$RELEASE_NS" rollout status "deployment/$RELEASE-dns-controller-controller" --timeout=180s >&2
  kctl -n "$RELEASE_NS" rollout status "daemonset/$RELEASE-dns-controller-agent" --timeout=180s >&2
}

# CoreDNS as the cluster DNS, with the server block the chart's NOTES print (operations.md).
install_coredns() {
  say "installing CoreDNS as the cluster DNS"
  local ip block
  ip=$(kctl -n "$RELEASE_NS" get service "$RELEASE-dns-controller-dns" -o jsonpath='{.spec.clusterIP}')
  block=$("$DIR/bin/helm" get notes "$RELEASE" -n "$RELEASE_NS" |
    sed -n '/Add this server block/,/Then, from a pod/p' | sed '1,2d;$d' | sed 's/^    //' | sed "s/<address>/$ip/")
  [ -n "$block" ] || die "no CoreDNS block in the chart's NOTES"
  printf '%s\n' "$block" >"$DIR/coredns-block"
  sed -e "s|@CLUSTER_DNS_IP@|$CLUSTER_DNS_IP|; s|@IMAGE@|$COREDNS_IMAGE|" "$ROOT/scripts/cluster/coredns.yaml" |
    awk -v blockfile="$DIR/coredns-block" '/^ *@CHART_BLOCK@$/ { while ((getline l < blockfile) > 0) print "    " l; next } { print }' \
      >"$DIR/coredns.yaml"
  kctl apply -f "$DIR/coredns.yaml" >/dev/null
  kctl -n kube-system rollout status deployment/coredns --timeout=120s >&2
}

# stop NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 5).
stop() {
  local f=$DIR/pids/$1.pid pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  local t0=$SECONDS
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < ${2:-5} * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null && say "$1 did not stop within ${2:-5} s: killed"
  fi
  [ $((SECONDS - t0)) -lt 2 ] || say "$1 stopped in $((SECONDS - t0)) s"
  rm -f "$f"
}

kill_all_in() {
  local pids
  pids=$(ip netns pids "$NETNS" 2>/dev/null || true)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

down() {
  [ -f "$DIR/netns" ] && NETNS=$(cat "$DIR/netns")
  if [ ! -e "$DIR" ] && ! ip netns list | grep -w "^$NETNS" >/dev/null; then
    say "no cluster ($DIR and netns $NETNS absent)"
    return 0
  fi
  local t0=$SECONDS d
  say "stopping the cluster"
  stop kubelet
  if [ -S "$SOCK" ] && [ -f "$DIR/pids/holder.pid" ]; then
    # Removing the pods makes containerd run CNI DEL (veths, IPAM) and stop the containers.
    timeout 60 nsenter -t "$(holder)" -m -n "$TESTBIN/crictl" --runtime-endpoint "unix://$SOCK" rmp -fa >/dev/null 2>&1 || true
  fi
  stop kube-proxy
  stop kube-scheduler
  stop kube-controller-manager
  stop kube-apiserver
  stop etcd
  stop containerd
  # Anything left in the node's network namespace (shims, stray children) goes the hard way.
  kill_all_in
  # Containers whose shim died leave their processes in the pod cgroups.
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$d" ] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  stop holder 2
  sleep 0.2
  ip netns del "$NETNS" 2>/dev/null || true
  remove_cgroups
  restore_kernel_tunables
  # The mounts lived in the holder's mount namespace; none should be visible here, but check.
  if findmnt -rn -o TARGET | grep "^$DIR" >/dev/null; then
    findmnt -rn -o TARGET | grep "^$DIR" | sort -r | xargs -r -n1 umount -l
  fi
  rm -rf "$DIR"
  say "down in $((SECONDS - t0)) s"
}

# The kubelet's cgroups (cgroupfs driver): kubepods in every hierarchy, leaves first.
remove_cgroups() {
  local d i
  for i in 1 2 3 4 5; do
    local left=0
    for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
      [ -d "$d" ] || continue
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$d" ] && left=1
    done
    [ $left = 0 ] && return 0
    sleep 1
  done
  say "warning: cgroups left: $(ls -d /sys/fs/cgroup/*/kubepods 2>/dev/null | tr '\n' ' ')"
}

restore_kernel_tunables() {
  [ -f "$DIR/kernel-tunables" ] || return 0
  local kv
  while read -r kv; do sysctl -qw "$kv" 2>/dev/null || say "warning: could not restore $kv"; done <"$DIR/kernel-tunables"
}
