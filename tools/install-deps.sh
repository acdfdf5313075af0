#!/bin/sh
# Installs the Debian 12 packages benchtop needs to build, test and run.
# Idempotent: packages already installed are left alone. Run as root.
set -e
PKGS="build-essential autoconf automake libtool pkg-config
libncurses-dev libopenblas-dev libpq-dev libcgroup-dev zlib1g-dev
libcmocka-dev python3 tmux procps clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: these packages are missing:$missing; run this script as root (or apt-get install them)." >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
