#!/usr/bin/env bash
# Build the local container images used by the kolla-glance end-to-end tests.
#
#   kolla-glance/bookworm:latest    debootstrapped Debian 12 rootfs (docker import):
#                                   Glance 25.1.0 (Zed), MariaDB 10.11, Python 3.11
#   kolla-glance/trixie:latest      debootstrapped Debian 13 rootfs (docker import):
#                                   Glance 30.0.0 (2025.1), Python 3.13; no MariaDB
#   kolla-glance/glance-api:old     kolla-style glance-api image FROM bookworm,
#     (also tagged :zed)            the release upgraded FROM
#   kolla-glance/glance-api:new     kolla-style glance-api image FROM trixie,
#     (also tagged :2025.1)         the release upgraded TO
#   kolla-glance/mariadb:latest     MariaDB for --network host tests (bookworm)
#   kolla-glance/haproxy:latest     HAProxy 3.0 and socat FROM trixie, laid out like
#                                   kolla's haproxy container (the e2e load balancers)
#   kolla-glance/ceph:latest        a single-node Ceph 16.2 cluster FROM bookworm (mon,
#                                   mgr, memstore OSD; the RBD store of the Ceph tests)
#
# One recipe, parameterised by suite: each suite has its package list, its
# rootfs tarball and its base image; the glance-api images say which suite
# they stand on. The release tags (:zed, :2025.1) and the labels
# org.kolla-glance.release / .glance-version come from the glance-api
# package really installed in the rootfs.
#
# No registry is needed: everything is built from deb.debian.org.
# Idempotent and cached:
#   * the rootfs tarballs live in $KOLLA_GLANCE_CACHE_DIR (default
#     /var/cache/kolla-glance), one per suite, named after a hash of its
#     recipe (suite, mirrors, package list, rootfs/*); reused on later runs;
#   * every image carries the label org.kolla-glance.inputs-hash (rootfs
#     tarball sha256 + Dockerfile + every file of the build context + build
#     args); an image whose label matches is not rebuilt.
#
# Usage: build.sh [--force-rootfs] [--force-images] [--force]
#   --force-rootfs  debootstrap again even if the tarballs exist
#   --force-images  rebuild the images even if their labels match
#   --force         both
# Env: KOLLA_GLANCE_CACHE_DIR, KOLLA_GLANCE_MIRROR, KOLLA_GLANCE_SECURITY_MIRROR,
#      KOLLA_GLANCE_IMAGE_NAMESPACE (default kolla-glance: the images are
#      <namespace>/glance-api:old etc.; another namespace lets a second
#      checkout build its own set without touching the shared tags)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${KOLLA_GLANCE_CACHE_DIR:-/var/cache/kolla-glance}
MIRROR=${KOLLA_GLANCE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${KOLLA_GLANCE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# kolla's fixed uid/gid for glance
GLANCE_UID=42415
GLANCE_GID=42415
NS=${KOLLA_GLANCE_IMAGE_NAMESPACE:-kolla-glance}
# What each suite's rootfs holds (Depends only, no Recommends). kolla_start
# needs bash, coreutils, findutils (minbase) and setpriv (util-linux).
# (read through a nameref: local -n pk="PACKAGES_$suite")
# shellcheck disable=SC2034
# bookworm: Glance Zed for the "old" image, MariaDB for the database image,
# Ceph 16.2 for the ceph image; python3-rbd/-rados are glance_store's RBD
# driver's (Zed against a Ceph 16 client library).
PACKAGES_bookworm=(glance-api glance-common python3-pymysql mariadb-server mariadb-client
                   curl ca-certificates procps iproute2 cron util-linux
                   python3-rbd python3-rados ceph-mon ceph-mgr ceph-osd ceph-common)
# trixie: Glance 2025.1 for the "new" image; mariadb-client because the
# role runs its SQL from a one-shot container of the glance image (kolla
# uses kolla_toolbox), as it does with the old image; python3-rbd/-rados
# (Ceph 18.2's client library) for the RBD store.
# shellcheck disable=SC2034
PACKAGES_trixie=(glance-api glance-common python3-glance python3-pymysql mariadb-client
                 curl ca-certificates procps iproute2 util-linux haproxy socat
                 python3-rbd python3-rados)
# The upgrade pair: slot -> suite.
declare -A SLOT_SUITE=([old]=bookworm [new]=trixie)
LABEL_KEY=org.kolla-glance.inputs-hash

FORCE_ROOTFS=0
FORCE_IMAGES=0
for arg in "$@"; do
  case "$arg" in
    --force-rootfs) FORCE_ROOTFS=1 ;;
    --force-images) FORCE_IMAGES=1 ;;
    --force) FORCE_ROOTFS=1; FORCE_IMAGES=1 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}
export LC_ALL=C

log() { printf '[build.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
sha() { sha256sum | cut -d' ' -f1; }
report() { printf '%-34s %-6s in %s\n' "$1" "$2" "$3"; }   # one line per artifact

T_ALL=$(now)
[[ $EUID -eq 0 ]] || die "must run as root (debootstrap, chroot, docker)"
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "docker daemon is not reachable"

mkdir -p "$CACHE_DIR"
# Several scenarios may call build.sh at the same time: serialise.
exec 9>"$CACHE_DIR/build.lock"
if ! flock -n 9; then
  log "another build.sh holds $CACHE_DIR/build.lock, waiting"
  flock 9
fi

# ---------------------------------------------------------------- rootfs ---
ensure_host_tools() {
  local need=()
  command -v debootstrap >/dev/null || need+=(debootstrap)
  [[ -e /usr/share/keyrings/debian-archive-keyring.gpg ]] || need+=(debian-archive-keyring)
  if ((${#need[@]})); then
    log "installing on the host: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

ROOT=""
WORK=""
umount_chroot() {
  [[ -n "$ROOT" ]] || return 0
  local m
  for m in dev/pts sys proc; do
    if mountpoint -q "$ROOT/$m" 2>/dev/null; then umount -l "$ROOT/$m" || true; fi
  done
}
kill_chroot_procs() {
  # Anything still running with its root in the chroot was started by us
  # (policy-rc.d should have prevented it): stop it.
  [[ -n "$ROOT" ]] || return 0
  local p r found=0
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    if [[ "$r" == "$ROOT" ]]; then
      log "stopping leftover chroot process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
      kill -TERM "${p#/proc/}" 2>/dev/null || true
      found=1
    fi
  done
  if ((found)); then
    sleep 2
    for p in /proc/[0-9]*; do
      r=$(readlink "$p/root" 2>/dev/null) || continue
      [[ "$r" == "$ROOT" ]] && kill -KILL "${p#/proc/}" 2>/dev/null || true
    done
  fi
  return 0
}
cleanup() {
  kill_chroot_procs
  umount_chroot
  if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf --one-file-system "$WORK"; fi
}
trap cleanup EXIT

build_rootfs() {
  local tar_out=$1
  ensure_host_tools
  # Leftovers of an interrupted run (we hold the lock, nobody uses them).
  local stale m
  for stale in "$CACHE_DIR"/work.*; do
    [[ -d "$stale" ]] || continue
    log "removing stale $stale"
    for m in dev/pts sys proc; do
      if mountpoint -q "$stale/rootfs/$m" 2>/dev/null; then umount -l "$stale/rootfs/$m"; fi
    done
    rm -rf --one-file-system "$stale"
  done
  WORK=$(mktemp -d "$CACHE_DIR/work.XXXXXX")
  ROOT="$WORK/rootfs"
  log "debootstrap $SUITE (minbase) from $MIRROR into $ROOT"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }

  mount -t proc proc "$ROOT/proc"
  mount -t sysfs sysfs "$ROOT/sys"
  mkdir -p "$ROOT/dev/pts"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  cp "$HERE/rootfs/debconf-selections" "$ROOT/tmp/debconf-selections"
  install -m 0755 "$HERE/rootfs/provision.sh" "$ROOT/tmp/provision.sh"

  log "apt-get install in the chroot: ${PACKAGES[*]}"
  chroot "$ROOT" /usr/bin/env -i SUITE="$SUITE" MIRROR="$MIRROR" \
      SECURITY_MIRROR="$SECURITY_MIRROR" GLANCE_UID="$GLANCE_UID" GLANCE_GID="$GLANCE_GID" \
      /bin/bash /tmp/provision.sh "${PACKAGES[@]}" >"$WORK/provision.log" 2>&1 \
    || { tail -40 "$WORK/provision.log" >&2; die "provisioning the chroot failed (log: $WORK/provision.log)"; }

  kill_chroot_procs
  umount_chroot
  rm -f "$ROOT/tmp/provision.sh" "$ROOT/tmp/debconf-selections"
  : >"$ROOT/etc/resolv.conf"
  echo "kolla-glance" >"$ROOT/etc/hostname"

  log "packing $tar_out"
  tar --numeric-owner --xattrs --xattrs-include='*' --one-file-system \
      --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      -C "$ROOT" -cf "$tar_out.tmp" .
  sha256sum "$tar_out.tmp" | cut -d' ' -f1 >"$tar_out.sha256.tmp"
  cp "$ROOT/etc/kolla-glance-packages" "$tar_out.packages"
  mv "$tar_out.sha256.tmp" "$tar_out.sha256"
  mv "$tar_out.tmp" "$tar_out"
  rm -rf --one-file-system "$WORK"
  WORK="" ROOT=""
  # Drop tarballs of older recipes.
  local old
  for old in "$CACHE_DIR"/rootfs-"$SUITE"-*.tar; do
    [[ "$old" == "$tar_out" || ! -e "$old" ]] && continue
    log "removing stale $old"
    rm -f "$old" "$old.sha256" "$old.packages"
  done
}

# rootfs_for <suite>: the suite's cached tarball (built when missing);
# sets ROOTFS_TAR[suite] and ROOTFS_ID[suite]. build_rootfs reads the
# globals SUITE and PACKAGES.
declare -A ROOTFS_TAR ROOTFS_ID
rootfs_for() {
  local t recipe tar_out
  SUITE=$1
  local -n pk="PACKAGES_$SUITE"
  PACKAGES=("${pk[@]}")
  recipe=$(
    {
      echo "$SUITE $MIRROR $SECURITY_MIRROR $GLANCE_UID $GLANCE_GID"
      printf '%s\n' "${PACKAGES[@]}"
      cat "$HERE/rootfs/debconf-selections" "$HERE/rootfs/provision.sh"
      declare -f build_rootfs
    } | sha
  )
  tar_out="$CACHE_DIR/rootfs-$SUITE-${recipe:0:16}.tar"
  t=$(now)
  if [[ $FORCE_ROOTFS -eq 0 && -s "$tar_out" && -s "$tar_out.sha256" ]]; then
    report "rootfs $(basename "$tar_out")" cached "$(since "$t")"
  else
    build_rootfs "$tar_out"
    report "rootfs $(basename "$tar_out")" built "$(since "$t")"
  fi
  ROOTFS_TAR[$SUITE]=$tar_out
  ROOTFS_ID[$SUITE]=$(<"$tar_out.sha256")
}

# pkg_version <suite> <package>: the installed version, from the .packages list
pkg_version() {
  awk -v p="$2" '$1 == p { print $2 }' "${ROOTFS_TAR[$1]}.packages"
}

# glance_release <debian version>: the OpenStack release of a Glance package
# (2:30.0.0-3 -> 2025.1). Unknown majors are an error: labels must not lie.
glance_release() {
  local v=${1#*:}
  case "${v%%.*}" in
    25) echo zed ;;
    26) echo 2023.1 ;;
    27) echo 2023.2 ;;
    28) echo 2024.1 ;;
    29) echo 2024.2 ;;
    30) echo 2025.1 ;;
    31) echo 2025.2 ;;
    32) echo 2026.1 ;;
    *) die "no OpenStack release known for glance $1" ;;
  esac
}

# ---------------------------------------------------------------- images ---
image_label() {
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}
image_id() { docker image inspect -f '{{ .Id }}' "$1" 2>/dev/null || true; }
drop_if_dangling() {
  # Remove the image a rebuild replaced, if nothing else references it.
  local old=$1 new
  new=$(image_id "$2")
  [[ -n "$old" && "$old" != "$new" ]] || return 0
  if [[ -z "$(docker image inspect -f '{{ join .RepoTags "," }}' "$old" 2>/dev/null)" ]]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
}

base_image() { echo "$NS/$1:latest"; }

import_base() { # <suite>
  local suite=$1 t want old img
  img=$(base_image "$suite")
  t=$(now)
  want="rootfs-sha256:${ROOTFS_ID[$suite]}"
  if [[ $FORCE_IMAGES -eq 0 && "$(image_label "$img" "$LABEL_KEY")" == "$want" ]]; then
    report "$img" cached "$(since "$t")"
    return
  fi
  local -n pk="PACKAGES_$suite"
  old=$(image_id "$img")
  docker import \
    --change "LABEL $LABEL_KEY=$want" \
    --change "LABEL org.kolla-glance.rootfs=$(basename "${ROOTFS_TAR[$suite]}")" \
    --change "LABEL org.kolla-glance.debian-suite=$suite" \
    --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap $suite minbase + ${pk[*]}" \
    "${ROOTFS_TAR[$suite]}" "$img" >/dev/null
  drop_if_dangling "$old" "$img"
  report "$img" built "$(since "$t")"
}

# Build contexts are staged in a temp dir: <ctx>/Dockerfile + <ctx>/rootfs/
# (COPY'd to / in one step).
STAGE=$(mktemp -d /tmp/kolla-glance-build.XXXXXX)
trap 'cleanup; rm -rf "$STAGE"' EXIT

stage_glance_api() { # <release> <slot> <ctx>
  local ctx=$3
  install -D -m 0644 "$HERE/glance-api/Dockerfile" "$ctx/Dockerfile"
  install -D -m 0755 "$HERE/glance-api/kolla_start" "$ctx/rootfs/usr/local/bin/kolla_start"
  install -D -m 0755 "$HERE/glance-api/healthcheck_curl" "$ctx/rootfs/usr/local/bin/healthcheck_curl"
  install -D -m 0755 "$HERE/glance-api/kolla_set_configs" "$ctx/rootfs/usr/local/bin/kolla_set_configs"
  install -d -m 0755 "$ctx/rootfs/etc"
  echo "$1" >"$ctx/rootfs/etc/kolla-glance-release"
  echo "$2" >"$ctx/rootfs/etc/kolla-glance-slot"
  chmod 0644 "$ctx/rootfs/etc/kolla-glance-release" "$ctx/rootfs/etc/kolla-glance-slot"
}
stage_mariadb() { # <ctx>
  local ctx=$1 f
  install -D -m 0644 "$HERE/mariadb/Dockerfile" "$ctx/Dockerfile"
  for f in mariadb-start mariadb-create-db mariadb-healthcheck; do
    install -D -m 0755 "$HERE/mariadb/$f" "$ctx/rootfs/usr/local/bin/$f"
  done
  install -D -m 0644 "$HERE/mariadb/kolla-glance-mariadb.cnf" "$ctx/rootfs/etc/mysql/kolla-glance-mariadb.cnf"
}

stage_haproxy() { # <ctx>
  install -D -m 0644 "$HERE/haproxy/Dockerfile" "$1/Dockerfile"
}
stage_ceph() { # <ctx>
  local ctx=$1 f
  install -D -m 0644 "$HERE/ceph/Dockerfile" "$ctx/Dockerfile"
  for f in ceph-start ceph-healthcheck; do
    install -D -m 0755 "$HERE/ceph/$f" "$ctx/rootfs/usr/local/bin/$f"
  done
}

# build_image <tag> <suite> <staged context dir> [LABEL=VALUE...]
# FROM the suite's base image (build arg BASE_IMAGE).

build_image() {
  local tag=$1 suite=$2 ctx=$3 t want old f logf base
  shift 3
  base=$(base_image "$suite")
  t=$(now)
  want=$(
    {
      echo "base rootfs-sha256:${ROOTFS_ID[$suite]}"
      echo "build-arg BASE_IMAGE=$base"
      printf 'label %s\n' "$@"
      (cd "$ctx" && find . -type f | sort) | while read -r f; do
        printf '%s %s %s\n' "$f" "$(stat -c %a "$ctx/$f")" "$(sha256sum <"$ctx/$f" | cut -d' ' -f1)"
      done
    } | sha
  )
  if [[ $FORCE_IMAGES -eq 0 && "$(image_label "$tag" "$LABEL_KEY")" == "$want" ]]; then
    report "$tag" cached "$(since "$t")"
    return
  fi
  old=$(image_id "$tag")
  local largs=(--label "$LABEL_KEY=$want" --build-arg "BASE_IMAGE=$base")
  for f in "$@"; do largs+=(--label "$f"); done
  logf=$(mktemp)
  if ! docker build "${largs[@]}" -t "$tag" "$ctx" >"$logf" 2>&1; then
    cat "$logf" >&2; rm -f "$logf"
    die "docker build of $tag failed"
  fi
  rm -f "$logf"
  drop_if_dangling "$old" "$tag"
  report "$tag" built "$(since "$t")"
}

# alias_tag <image> <alias>: one more tag for the same image ID.
alias_tag() {
  local old
  old=$(image_id "$2")
  if [[ "$old" == "$(image_id "$1")" ]]; then
    printf '%-34s %-6s = %s\n' "$2" cached "$1"
    return
  fi
  docker tag "$1" "$2"
  drop_if_dangling "$old" "$2"
  printf '%-34s %-6s = %s\n' "$2" tagged "$1"
}

for suite in bookworm trixie; do
  rootfs_for "$suite"
  import_base "$suite"
done
for slot in old new; do
  suite=${SLOT_SUITE[$slot]}
  version=$(pkg_version "$suite" glance-api)
  [[ -n "$version" ]] || die "glance-api is not in ${ROOTFS_TAR[$suite]}.packages"
  release=$(glance_release "$version")
  python=$(pkg_version "$suite" python3)
  stage_glance_api "$release" "$slot" "$STAGE/glance-api-$slot"
  build_image "$NS/glance-api:$slot" "$suite" "$STAGE/glance-api-$slot" \
    org.kolla-glance.service=glance-api org.kolla-glance.slot="$slot" \
    org.kolla-glance.release="$release" org.kolla-glance.glance-version="$version" \
    org.kolla-glance.debian-suite="$suite" org.kolla-glance.python-version="${python%%-*}"
  alias_tag "$NS/glance-api:$slot" "$NS/glance-api:$release"
done
stage_mariadb "$STAGE/mariadb"
build_image "$NS/mariadb:latest" bookworm "$STAGE/mariadb" org.kolla-glance.service=mariadb \
  org.kolla-glance.mariadb-version="$(pkg_version bookworm mariadb-server)"
stage_haproxy "$STAGE/haproxy"
build_image "$NS/haproxy:latest" trixie "$STAGE/haproxy" org.kolla-glance.service=haproxy \
  org.kolla-glance.haproxy-version="$(pkg_version trixie haproxy)"

printf '%-34s %-6s in %s\n' "total" "done" "$(since "$T_ALL")"
stage_ceph "$STAGE/ceph"
build_image "$NS/ceph:latest" bookworm "$STAGE/ceph" org.kolla-glance.service=ceph \
  org.kolla-glance.ceph-version="$(pkg_version bookworm ceph-osd)"
