#!/usr/bin/env bash
# Build the local container images used by the kolla-glance end-to-end tests.
#
#   kolla-glance/bookworm:latest    debootstrapped Debian 12 rootfs (docker import)
#                                   with glance-api/glance-common (Zed 25.1.0),
#                                   mariadb-server and friends installed by apt
#   kolla-glance/glance-api:old     kolla-style glance-api image ("old" release)
#   kolla-glance/glance-api:new     the same code, labelled as the "new" release
#   kolla-glance/mariadb:latest     MariaDB for --network host tests
#
# No registry is needed: everything is built from deb.debian.org.
# Idempotent and cached:
#   * the rootfs tarball lives in $KOLLA_GLANCE_CACHE_DIR (default
#     /var/cache/kolla-glance) and is named after a hash of its recipe
#     (suite, mirrors, package list, rootfs/*); it is reused on later runs;
#   * every image carries the label org.kolla-glance.inputs-hash (rootfs
#     tarball sha256 + Dockerfile + every file of the build context + build
#     args); an image whose label matches is not rebuilt.
#
# Usage: build.sh [--force-rootfs] [--force-images] [--force]
#   --force-rootfs  debootstrap again even if the tarball exists
#   --force-images  rebuild the images even if their labels match
#   --force         both
# Env: KOLLA_GLANCE_CACHE_DIR, KOLLA_GLANCE_MIRROR, KOLLA_GLANCE_SECURITY_MIRROR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${KOLLA_GLANCE_CACHE_DIR:-/var/cache/kolla-glance}
SUITE=bookworm
MIRROR=${KOLLA_GLANCE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${KOLLA_GLANCE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# kolla's fixed uid/gid for glance
GLANCE_UID=42415
GLANCE_GID=42415
PACKAGES=(glance-api glance-common python3-pymysql mariadb-server mariadb-client
          curl ca-certificates procps iproute2 cron util-linux)
BASE_IMAGE=kolla-glance/bookworm:latest
LABEL_KEY=org.kolla-glance.inputs-hash

FORCE_ROOTFS=0
FORCE_IMAGES=0
for arg in "$@"; do
  case "$arg" in
    --force-rootfs) FORCE_ROOTFS=1 ;;
    --force-images) FORCE_IMAGES=1 ;;
    --force) FORCE_ROOTFS=1; FORCE_IMAGES=1 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
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

RECIPE_HASH=$(
  {
    echo "$SUITE $MIRROR $SECURITY_MIRROR $GLANCE_UID $GLANCE_GID"
    printf '%s\n' "${PACKAGES[@]}"
    cat "$HERE/rootfs/debconf-selections" "$HERE/rootfs/provision.sh"
    declare -f build_rootfs
  } | sha
)
ROOTFS_TAR="$CACHE_DIR/rootfs-$SUITE-${RECIPE_HASH:0:16}.tar"

t=$(now)
if [[ $FORCE_ROOTFS -eq 0 && -s "$ROOTFS_TAR" && -s "$ROOTFS_TAR.sha256" ]]; then
  report "rootfs $(basename "$ROOTFS_TAR")" cached "$(since "$t")"
else
  build_rootfs "$ROOTFS_TAR"
  report "rootfs $(basename "$ROOTFS_TAR")" built "$(since "$t")"
fi
ROOTFS_ID=$(<"$ROOTFS_TAR.sha256")

# ---------------------------------------------------------------- images ---
image_label() {
  docker image inspect -f "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$1" 2>/dev/null || true
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

import_base() {
  local t want old
  t=$(now)
  want="rootfs-sha256:$ROOTFS_ID"
  if [[ $FORCE_IMAGES -eq 0 && "$(image_label "$BASE_IMAGE")" == "$want" ]]; then
    report "$BASE_IMAGE" cached "$(since "$t")"
    return
  fi
  old=$(image_id "$BASE_IMAGE")
  docker import \
    --change "LABEL $LABEL_KEY=$want" \
    --change "LABEL org.kolla-glance.rootfs=$(basename "$ROOTFS_TAR")" \
    --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap $SUITE minbase + ${PACKAGES[*]}" \
    "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null
  drop_if_dangling "$old" "$BASE_IMAGE"
  report "$BASE_IMAGE" built "$(since "$t")"
}

# Build contexts are staged in a temp dir: <ctx>/Dockerfile + <ctx>/rootfs/
# (COPY'd to / in one step).
STAGE=$(mktemp -d /tmp/kolla-glance-build.XXXXXX)
trap 'cleanup; rm -rf "$STAGE"' EXIT

stage_glance_api() { # <release> <ctx>
  local ctx=$2
  install -D -m 0644 "$HERE/glance-api/Dockerfile" "$ctx/Dockerfile"
  install -D -m 0755 "$HERE/glance-api/kolla_start" "$ctx/rootfs/usr/local/bin/kolla_start"
  install -D -m 0755 "$HERE/glance-api/healthcheck_curl" "$ctx/rootfs/usr/local/bin/healthcheck_curl"
  install -d -m 0755 "$ctx/rootfs/etc"
  echo "$1" >"$ctx/rootfs/etc/kolla-glance-release"
  chmod 0644 "$ctx/rootfs/etc/kolla-glance-release"
}
stage_mariadb() { # <ctx>
  local ctx=$1 f
  install -D -m 0644 "$HERE/mariadb/Dockerfile" "$ctx/Dockerfile"
  for f in mariadb-start mariadb-create-db mariadb-healthcheck; do
    install -D -m 0755 "$HERE/mariadb/$f" "$ctx/rootfs/usr/local/bin/$f"
  done
  install -D -m 0644 "$HERE/mariadb/kolla-glance-mariadb.cnf" "$ctx/rootfs/etc/mysql/kolla-glance-mariadb.cnf"
}

# build_image <tag> <staged context dir> [LABEL=VALUE...]
build_image() {
  local tag=$1 ctx=$2 t want old f logf
  shift 2
  t=$(now)
  want=$(
    {
      echo "base rootfs-sha256:$ROOTFS_ID"
      printf 'label %s\n' "$@"
      (cd "$ctx" && find . -type f | sort) | while read -r f; do
        printf '%s %s %s\n' "$f" "$(stat -c %a "$ctx/$f")" "$(sha256sum <"$ctx/$f" | cut -d' ' -f1)"
      done
    } | sha
  )
  if [[ $FORCE_IMAGES -eq 0 && "$(image_label "$tag")" == "$want" ]]; then
    report "$tag" cached "$(since "$t")"
    return
  fi
  old=$(image_id "$tag")
  local largs=(--label "$LABEL_KEY=$want")
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

GLANCE_VERSION=$(awk '$1 == "glance-api" { print $2 }' "$ROOTFS_TAR.packages" 2>/dev/null || true)
import_base
for rel in old new; do
  stage_glance_api "$rel" "$STAGE/glance-api-$rel"
  build_image "kolla-glance/glance-api:$rel" "$STAGE/glance-api-$rel" \
    org.kolla-glance.service=glance-api org.kolla-glance.release="$rel" \
    org.kolla-glance.glance-version="${GLANCE_VERSION:-unknown}"
done
stage_mariadb "$STAGE/mariadb"
build_image kolla-glance/mariadb:latest "$STAGE/mariadb" org.kolla-glance.service=mariadb

printf '%-34s %-6s in %s\n' "total" "done" "$(since "$T_ALL")"
