#!/usr/bin/env bash
# Builds (once) the local controller image for an ansible-core line that
# needs a newer Python than the host's: a debootstrapped Debian 13 (trixie,
# Python 3.13) rootfs with ansible-core's Python dependencies from trixie,
# plus the given ansible-core .deb installed with dpkg, imported with
# `docker import`. Prints the image name. Called by ./ensure.
#
# Usage: image.sh DEB LINE RECIPE
set -euo pipefail

DEB=$1 LINE=$2 RECIPE=$3
MIRROR=${KOLLA_GLANCE_MIRROR:-http://deb.debian.org/debian}
IMAGE="kolla-glance/ansible-core:$LINE"
LABEL=org.kolla-glance.inputs-hash
WANT="$RECIPE-$(sha256sum "$DEB" | cut -c1-16)"
# ansible-core's Depends, from the suite the interpreter comes from
# (trixie), plus what the integration suite's playbooks call on the
# "target" (the same container: local connection).
PACKAGES=(python3 python3-jinja2 python3-yaml python3-cryptography python3-packaging python3-resolvelib
          python3-dnspython python3-httplib2 python3-netaddr openssh-client ca-certificates cron)

log() { printf '[ansible-core image] %s\n' "$*" >&2; }

if [[ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null)" == "$WANT" ]]; then
  echo "$IMAGE"; exit 0
fi
command -v debootstrap >/dev/null || { log "debootstrap is missing (tests/bin/install-deps)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kolla-glance-ansible-core.XXXXXX")
trap 'rm -rf --one-file-system "$WORK"' EXIT
ROOT="$WORK/rootfs"
start=$SECONDS
log "debootstrap trixie (minbase) for ansible-core $LINE"
debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  trixie "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -30 "$WORK/debootstrap.log" >&2; exit 1; }
mount -t proc proc "$ROOT/proc"
trap 'umount -l "$ROOT/proc" 2>/dev/null || true; rm -rf --one-file-system "$WORK"' EXIT
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp "$DEB" "$ROOT/tmp/ansible-core.deb"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
log "apt-get install (trixie): ${PACKAGES[*]}; dpkg -i $(basename "$DEB")"
{ in_root apt-get update -qq &&
  in_root apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" &&
  in_root dpkg -i /tmp/ansible-core.deb; } >"$WORK/install.log" 2>&1 \
  || { tail -30 "$WORK/install.log" >&2; exit 1; }
umount -l "$ROOT/proc"
rm -f "$ROOT/tmp/ansible-core.deb"
rm -rf "$ROOT/var/cache/apt/archives/"*.deb "$ROOT/var/lib/apt/lists/"*
: >"$ROOT/etc/resolv.conf"
tar --numeric-owner -C "$ROOT" -c . | docker import \
  --change "LABEL $LABEL=$WANT" \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --message "debootstrap trixie minbase + $(basename "$DEB")" - "$IMAGE" >/dev/null
log "$IMAGE built in $((SECONDS - start)) s"
echo "$IMAGE"
