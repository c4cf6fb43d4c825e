# Configuration files of the single-node cluster (sourced by scripts/cluster.sh). Each function
# writes into $DIR; the addresses are the cluster's own, inside its network namespace.

NODE_NAME=node1
NODE_IP=10.250.0.2
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
CLUSTER_DNS_IP=10.96.0.10
API_PORT=6443

# An ECDSA key and a certificate signed by the cluster CA: cert NAME CN O [SAN].
cert() {
  local name=$1 cn=$2 org=$3 san=${4:-} ext=$DIR/pki/$1.ext
  openssl ecparam -genkey -name prime256v1 -noout -out "$DIR/pki/$name.key" 2>/dev/null
  openssl req -new -key "$DIR/pki/$name.key" -subj "/CN=$cn${org:+/O=$org}" -out "$DIR/pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$ext"
  openssl x509 -req -in "$DIR/pki/$name.csr" -CA "$DIR/pki/ca.crt" -CAkey "$DIR/pki/ca.key" \
    -CAcreateserial -days 30 -extfile "$ext" -out "$DIR/pki/$name.crt" 2>/dev/null
  rm -f "$DIR/pki/$name.csr" "$ext"
}

write_pki() {
  mkdir -p "$DIR/pki"
  openssl ecparam -genkey -name prime256v1 -noout -out "$DIR/pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$DIR/pki/ca.key" -subj /CN=dnsc-cluster-ca -days 30 \
    -out "$DIR/pki/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver '' \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:$NODE_IP,IP:$KUBERNETES_SVC_IP,IP:127.0.0.1"
  # Every component and the admin act as system:masters: the cluster is a test bed, and RBAC
  # still applies to the pods (the chart's own roles are what the tests exercise).
  cert admin admin system:masters
  cert kubelet "system:node:$NODE_NAME" system:masters
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DIR/pki/sa.key" 2>/dev/null
  openssl pkey -in "$DIR/pki/sa.key" -pubout -out "$DIR/pki/sa.pub" 2>/dev/null
}

# kubeconfig NAME CERT: a kubeconfig for the API server with that client certificate.
kubeconfig() {
  local ca crt key
  ca=$(base64 -w0 <"$DIR/pki/ca.crt")
  crt=$(base64 -w0 <"$DIR/pki/$2.crt")
  key=$(base64 -w0 <"$DIR/pki/$2.key")
  cat >"$DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: dnsc
    cluster:
      server: https://$NODE_IP:$API_PORT
      certificate-authority-data: $ca
users:
  - name: $2
    user:
      client-certificate-data: $crt
      client-key-data: $key
contexts:
  - name: dnsc
    context: { cluster: dnsc, user: $2 }
current-context: dnsc
EOF
  chmod 600 "$DIR/$1.kubeconfig"
}

write_containerd_config() {
  mkdir -p "$DIR/cni/net.d"
  cat >"$DIR/containerd.toml" <<EOF
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # root lacks CAP_SYS_RESOURCE here: without this every sandbox fails to start.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$DIR/cni/net.d"
EOF
  cat >"$DIR/cni/net.d/10-dnsc.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "dnsc",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }] }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

write_kubelet_config() {
  cat >"$DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine has cgroup v1 (hybrid); Kubernetes 1.35+ refuses it unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$SOCK
address: $NODE_IP
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: $DIR/pki/ca.crt }
authorization: { mode: AlwaysAllow }
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
failSwapOn: false
staticPodPath: $DIR/manifests
podLogsDir: /var/log/pods
evictionHard: { memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
  mkdir -p "$DIR/manifests"
}

write_kube_proxy_config() {
  cat >"$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
clientConnection: { kubeconfig: $DIR/admin.kubeconfig }
# kube-proxy cannot set the conntrack sysctls here; leave them alone.
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
}
