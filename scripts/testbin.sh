#!/usr/bin/env bash
# Builds the upstream binaries the tests drive (kube-apiserver, etcd, helm, kubeconform, coredns,
# and for the real-node cluster kubelet, kube-controller-manager, kube-scheduler, kube-proxy,
# kubectl, crictl) from the Go module proxy into ${DNSC_TESTBIN:-$HOME/.cache/dns-controller/testbin}/bin.
# Usage: scripts/testbin.sh [tool...]   (no tool: all of them)
#        scripts/testbin.sh --list      (prints "tool version path" for each tool, builds nothing)
# A binary is rebuilt only when its version stamp differs. Safe to run concurrently: one lock per
# tool, so a second caller waits for the first build instead of repeating it.
set -euo pipefail

# Pinned versions; override one with e.g. DNSC_K8S_VERSION=1.36.3 for a single run.
K8S_VERSION=${DNSC_K8S_VERSION:-1.36.4}
ETCD_VERSION=${DNSC_ETCD_VERSION:-3.6.14}
HELM_VERSION=${DNSC_HELM_VERSION:-3.21.4}
KUBECONFORM_VERSION=${DNSC_KUBECONFORM_VERSION:-0.7.0}
COREDNS_VERSION=${DNSC_COREDNS_VERSION:-1.14.7}
CRICTL_VERSION=${DNSC_CRICTL_VERSION:-1.37.0}
# The Kubernetes commands come from one module at one version and are built together (one wrapper
# module, one `go build`): they share most packages, so the second and later ones cost little.
K8S_TOOLS=(kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy kubectl)
ALL_TOOLS=(etcd "${K8S_TOOLS[@]}" kubeconform helm coredns crictl)

ROOT=${DNSC_TESTBIN:-$HOME/.cache/dns-controller/testbin}
BIN=$ROOT/bin
WORK=$ROOT/build
LOGS=$ROOT/logs

say() { echo "testbin: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

version_of() {
  case $1 in
    kube-apiserver | kubelet | kube-controller-manager | kube-scheduler | kube-proxy | kubectl) echo "v$K8S_VERSION" ;;
    crictl) echo "v$CRICTL_VERSION" ;;
    etcd) echo "v$ETCD_VERSION" ;;
    helm) echo "v$HELM_VERSION" ;;
    kubeconform) echo "v$KUBECONFORM_VERSION" ;;
    coredns) echo "v$COREDNS_VERSION" ;;
    *) die "unknown tool '$1' (known: ${ALL_TOOLS[*]})" ;;
  esac
}

# Each builder prints nothing on stdout and runs inside its own empty wrapper module directory.
# The wrapper module is the documented way around upstream go.mod files with replace directives.
wrapper_module() {
  rm -rf "$1" && mkdir -p "$1" && cd "$1"
  go mod init "local/testbin-$2" >/dev/null 2>&1
}

# Builds the Kubernetes commands named after the output directory ($2/<command>) in one invocation.
build_kubernetes() {
  local v=$K8S_VERSION out=$2 minor gomod mods m ld p date pkgs=() c
  for c in "${@:3}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  minor=$(echo "$v" | cut -d. -f2)
  wrapper_module "$1" kubernetes
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and maps them to ./staging; derive the
  # list from its own go.mod so new staging modules in later releases are picked up.
  gomod=$(go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@v$v (GOPROXY=$(go env GOPROXY))"
  mods=$(sed -n 's|^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*|\1|p' "$gomod")
  [ -n "$mods" ] || die "no staging replace lines found in $gomod"
  for m in $mods; do go mod edit "-replace=$m=$m@v0.${v#1.}"; done
  for p in "${pkgs[@]}"; do go get "$p@v$v"; done
  # Without these, /version says v0.0.0-master and helm's kubeVersion checks misbehave.
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  # A directory as -o with several main packages writes one binary per package.
  go build -trimpath -tags selinux,notest -ldflags "$ld" -o "$out/" "${pkgs[@]}"
}

build_etcd() {
  # server/v3 has relative replaces; its published sibling modules make a plain wrapper enough.
  wrapper_module "$1" etcd
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$2" go.etcd.io/etcd/server/v3
}

build_helm() {
  local major=${HELM_VERSION%%.*} ld
  wrapper_module "$1" helm
  go get "helm.sh/helm/v$major/cmd/helm@v$HELM_VERSION"
  ld="-s -w -X helm.sh/helm/v$major/internal/version.version=v$HELM_VERSION"
  if [ "$major" = 3 ]; then
    # Otherwise `helm template` assumes Kubernetes v1.20.0.
    local minor
    minor=$(echo "$K8S_VERSION" | cut -d. -f2)
    for p in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
      ld="$ld -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$minor"
    done
  fi
  go build -trimpath -ldflags "$ld" -o "$2" "helm.sh/helm/v$major/cmd/helm"
}

build_kubeconform() {
  wrapper_module "$1" kubeconform
  go get "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"
  go build -trimpath -ldflags "-s -w -X main.version=v$KUBECONFORM_VERSION" -o "$2" \
    github.com/yannh/kubeconform/cmd/kubeconform
}

build_coredns() {
  wrapper_module "$1" coredns
  go get "github.com/coredns/coredns@v$COREDNS_VERSION"
  go build -trimpath -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=v$COREDNS_VERSION" \
    -o "$2" github.com/coredns/coredns
}

build_crictl() {
  wrapper_module "$1" crictl
  go get "sigs.k8s.io/cri-tools/cmd/crictl@v$CRICTL_VERSION"
  go build -trimpath -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    -o "$2" sigs.k8s.io/cri-tools/cmd/crictl
}

stamp_of() { echo "$1 $(version_of "$1") $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"; }

present() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.stamp" 2>/dev/null)" = "$(stamp_of "$1")" ]; }

group_of() {
  case " ${K8S_TOOLS[*]} " in
    *" $1 "*) echo kubernetes ;;
    *) echo "$1" ;;
  esac
}

# ensure GROUP TOOL...: builds the tools of one group that are missing or stale, under the group's lock.
ensure() {
  local group=$1 t missing=() lock start log out secs
  shift
  for t in "$@"; do present "$t" || missing+=("$t"); done
  if [ ${#missing[@]} -eq 0 ]; then
    for t in "$@"; do say "$t $(version_of "$t") present"; done
    return 0
  fi
  mkdir -p "$BIN" "$WORK" "$LOGS"
  lock=$WORK/.$group.lock
  exec {fd}>"$lock"
  if ! flock -n "$fd"; then
    say "$group: another build holds $lock; waiting"
    flock "$fd"
  fi
  # Re-check: the build we waited for may have produced them.
  missing=()
  for t in "$@"; do present "$t" || missing+=("$t"); done
  if [ ${#missing[@]} -eq 0 ]; then
    say "$* present (built by another run)"
    exec {fd}>&-
    return 0
  fi
  log=$LOGS/$group.log
  out=$WORK/$group.out
  rm -rf "$out" && mkdir -p "$out"
  say "building ${missing[*]} $(version_of "${missing[0]}") (log: $log)"
  start=$(date +%s)
  if ! (
    set -euo pipefail
    if [ "$group" = kubernetes ]; then
      build_kubernetes "$WORK/$group" "$out" "${missing[@]}"
    else
      "build_${group//-/_}" "$WORK/$group" "$out/$group"
    fi
  ) >"$log" 2>&1; then
    tail -n 30 "$log" >&2 || true
    exec {fd}>&-
    die "building ${missing[*]} failed after $(($(date +%s) - start)) s; full log: $log"
  fi
  secs=$(($(date +%s) - start))
  for t in "${missing[@]}"; do
    mv -f "$out/$t" "$BIN/$t"
    stamp_of "$t" >"$BIN/.$t.stamp"
    echo "$(date -u +%FT%TZ) $(stamp_of "$t") ${secs}s${missing[1]:+ (with ${missing[*]})}" >>"$ROOT/build-times.log"
    say "built $t $(version_of "$t") ($(du -h "$BIN/$t" | cut -f1))"
  done
  say "${missing[*]}: ${secs} s"
  rm -rf "${WORK:?}/$group" "$out"
  exec {fd}>&-
}

command -v go >/dev/null || die "Go is not installed (need Go >= 1.26 on PATH; https://go.dev/dl)"
gov=$(go env GOVERSION)
case $gov in
  go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
  *) die "need Go >= 1.26 (kube-apiserver 1.36 requires it), found $gov" ;;
esac
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off

if [ "${1:-}" = --list ]; then
  for t in "${ALL_TOOLS[@]}"; do echo "$t $(version_of "$t") $BIN/$t"; done
  exit 0
fi
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=("${ALL_TOOLS[@]}")
for t in "${tools[@]}"; do version_of "$t" >/dev/null; done
# The Kubernetes commands asked for are built together, where the first of them is in the list.
k8s=()
for t in "${tools[@]}"; do [ "$(group_of "$t")" = kubernetes ] && k8s+=("$t"); done
for t in "${tools[@]}"; do
  if [ "$(group_of "$t")" = kubernetes ]; then
    [ ${#k8s[@]} -gt 0 ] && ensure kubernetes "${k8s[@]}"
    k8s=()
  else
    ensure "$t" "$t"
  fi
done
