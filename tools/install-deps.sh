#!/bin/sh
# Installs the Debian 12 packages benchtop needs to build, test and run.
# Idempotent: packages already installed are left alone. Run as root.
set -e
PKGS="build-essential autoconf automake libtool pkg-config
libncurses-dev libopenblas-dev libpq-dev libcgroup-dev zlib1g-dev
libcmocka-dev python3 tmux procps clang libclang-rt-14-dev
musl-tools musl-dev dpkg-dev postgresql-15 python3-numpy python3-scipy python3-sklearn
libjemalloc2 libmimalloc2.0 docker-compose debootstrap"
# docker-compose (1.29, no engine needed) validates containers/compose.yaml
# in tests/integration/test_compose.sh; debootstrap makes the Debian root
# that test_image_chroot.sh (make check-images) runs Dockerfile.debian in.
# The musl workloads are linked against OpenBLAS and libpq built from
# Debian's own source packages (containers/build-sysroot.sh), which
# `apt-get source` fetches through a deb-src entry.
SRC_LIST=/etc/apt/sources.list.d/benchtop-src.sources
need_src=no
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	need_src=yes
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && [ "$need_src" = no ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing (deb-src entry needed: $need_src); run this script as root." >&2
	exit 1
fi
if [ "$need_src" = yes ]; then
	echo "install-deps: adding a deb-src entry ($SRC_LIST) for apt-get source"
	cat >"$SRC_LIST" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
