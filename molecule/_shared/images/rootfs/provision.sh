#!/bin/bash
# Runs INSIDE the debootstrapped chroot (called by build.sh).
# Arguments: the packages to install.
# Env: SUITE, MIRROR, SECURITY_MIRROR, GLANCE_UID, GLANCE_GID.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
export LC_ALL=C LANG=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Services must never start inside the chroot (nor later in containers
# through invoke-rc.d): 101 = "action forbidden by policy".
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d

# Keep the image small: no docs, man pages or translations.
cat > /etc/dpkg/dpkg.cfg.d/01-kolla-glance-nodoc <<'EON'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
EON
cat > /etc/apt/apt.conf.d/01-kolla-glance <<'EON'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Dpkg::Options { "--force-confdef"; "--force-confold"; };
EON

# Main + updates + security (the security suite is added after debootstrap,
# so that glance/mariadb come with the bookworm-security updates).
cat > /etc/apt/sources.list <<EON
deb ${MIRROR} ${SUITE} main
deb ${MIRROR} ${SUITE}-updates main
deb ${SECURITY_MIRROR} ${SUITE}-security main
EON

debconf-set-selections /tmp/debconf-selections

# kolla's fixed ids for glance (42415); the Debian postinst keeps an
# existing user (it tests `getent passwd glance` before adduser).
groupadd --system --gid "${GLANCE_GID}" glance
useradd --system --uid "${GLANCE_UID}" --gid glance --home-dir /var/lib/glance \
        --no-create-home --shell /bin/sh --comment "OpenStack Glance" glance

apt-get update -qq
apt-get -y -qq -o=Dpkg::Use-Pty=0 dist-upgrade >/dev/null
apt-get -y -qq -o=Dpkg::Use-Pty=0 install "$@" >/dev/null

# Record what was installed (copied next to the tarball by build.sh).
dpkg-query -W -f='${Package} ${Version}\n' > /etc/kolla-glance-packages

# Cleanup.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
       /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log \
       /tmp/* /var/tmp/* /root/.cache
# MariaDB's postinst initialised a datadir; the mariadb image initialises
# its own at first start (keeps the shared base ~100 MB smaller).
rm -rf /var/lib/mysql/*
: > /etc/machine-id
