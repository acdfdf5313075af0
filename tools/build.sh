#!/bin/sh
# Builds benchtop into DIR (default build/) out of tree; extra arguments go
# to configure (e.g. --enable-asan). Reconfigures only when needed.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${BUILD_DIR:-$top/build}
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" -q --enable-werror "$@"
fi
make -j"$(nproc)" >/dev/null
