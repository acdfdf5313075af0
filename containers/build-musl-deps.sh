#!/bin/sh
# containers/build-musl-deps.sh OUTDIR: builds, with musl-gcc and from
# Debian's own source packages, the libraries benchtop itself links besides
# those of its workloads, so that benchtop can be built statically against
# musl on a Debian host: the nearest this host comes to the Alpine image
# (tests/integration/test_musl_static.sh builds and runs that benchtop).
#   OUTDIR/include, OUTDIR/lib  ncursesw (wide characters, terminfo read from
#                               the usual directories at run time) and zlib,
#                               static; the kernel's UAPI headers (linux/,
#                               asm/, asm-generic/ from linux-libc-dev), which
#                               musl-gcc does not see in /usr/include
#   OUTDIR/manifest             key=value: versions, flags, inputs hash
#   OUTDIR/src                  the downloaded source packages (kept)
# OpenBLAS and libpq for musl come from containers/build-sysroot.sh's musl
# sysroot; libcgroup is left out (benchtop builds without it).
#
# A sibling of build-sysroot.sh rather than part of it: that script's hash
# is part of its sysroots' manifest, and these libraries are needed only by
# this check. Like it, it runs once per set of inputs (this script, the
# source versions, musl-gcc, linux-libc-dev) and writes the manifest last.
# Exit status 0, or 1 with one sentence on stderr.
set -eu

me=build-musl-deps
say() { printf '%s: %s\n' "$me" "$*"; }
die() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 1
}

# step LOG COMMAND...: run COMMAND with its output appended to LOG; on
# failure show the log's tail and stop (the work directory stays).
step() {
	step_log=$1
	shift
	if ! "$@" >>"$step_log" 2>&1; then
		printf '%s: FAILED: %s\n' "$me" "$*" >&2
		tail -n 25 "$step_log" >&2
		exit 1
	fi
}

# in_dir DIR COMMAND...: run COMMAND in DIR.
in_dir() {
	dir=$1
	shift
	(cd "$dir" && "$@")
}

# source_version PKG: the newest version APT's deb-src lists offer, else
# the newest already downloaded into OUTDIR/src.
source_version() {
	v=$(apt-cache showsrc "$1" 2>/dev/null |
		awk -v p="$1" '/^Package: /{ours = ($2 == p)} ours && /^Version: /{print $2}' |
		while read -r x; do echo "$x"; done | sort -V | tail -n 1)
	if [ -z "$v" ]; then
		v=$(for d in "$OUT/src/$1"_*.dsc; do [ -f "$d" ] && sed -n 's/^Version: //p' "$d"; done | sort -V | tail -n 1)
	fi
	[ -n "$v" ] ||
		die "APT knows no source package $1 (no deb-src entry, or apt-get update not run since): run tools/install-deps.sh as root."
	echo "$v"
}

# dsc_path PKG VERSION: where PKG's .dsc is kept (file names have no epoch).
dsc_path() { echo "$OUT/src/$1_$(echo "$2" | sed 's/^[0-9]*://').dsc"; }

# fetch PKG VERSION: PKG's source package in OUTDIR/src, every file of it.
fetch() {
	dsc=$(dsc_path "$1" "$2")
	if [ -f "$dsc" ] && awk '/^Files:/ {f = 1; next} /^[^ ]/ {f = 0} f && NF == 3 {print $3}' "$dsc" |
		while read -r name; do [ -f "$OUT/src/$name" ] || exit 1; done; then
		return 0
	fi
	if ! (cd "$OUT/src" && apt-get source --download-only -qq "$1=$2") >"$WORK/fetch-$1.log" 2>&1; then
		grep -v 'unsandboxed' "$WORK/fetch-$1.log" | tail -n 4 >&2
		die "apt-get source could not download $1 $2 (no deb-src entry or no network): run tools/install-deps.sh as root, then retry."
	fi
}

# build_zlib: static libz for musl.
build_zlib() {
	src=$WORK/zlib
	log=$WORK/zlib.log
	say "building zlib $ZLIB_VER for musl..."
	step "$log" dpkg-source -x "$(dsc_path zlib "$ZLIB_VER")" "$src"
	step "$log" in_dir "$src" env CC=musl-gcc CFLAGS=-O2 ./configure --static --prefix="$STAGE"
	step "$log" make -C "$src" -j"$JOBS" libz.a
	step "$log" make -C "$src" install
	rm -rf "$src" "${STAGE:?}/share" "${STAGE:?}/lib/pkgconfig"
}

# build_ncurses: static ncursesw (terminfo compiled in: none; read from
# the host's directories at run time) for musl.
build_ncurses() {
	src=$WORK/ncurses
	log=$WORK/ncurses.log
	say "building ncursesw $NC_VER for musl..."
	step "$log" dpkg-source -x "$(dsc_path ncurses "$NC_VER")" "$src"
	# shellcheck disable=SC2086 # NC_CONFIGURE is a list of arguments
	step "$log" in_dir "$src" env CC=musl-gcc CFLAGS=-O2 ./configure --prefix="$STAGE" $NC_CONFIGURE
	step "$log" make -C "$src" -j"$JOBS" libs
	step "$log" make -C "$src" install.libs install.includes
	rm -rf "$src" "${STAGE:?}/bin" "${STAGE:?}/lib/pkgconfig"
}

# copy_uapi: the kernel UAPI headers benchtop includes (linux/perf_event.h
# and what it pulls in), as a musl cross toolchain would have them.
copy_uapi() {
	multiarch=$(gcc -print-multiarch)
	for d in /usr/include/linux /usr/include/asm-generic "/usr/include/$multiarch/asm"; do
		[ -d "$d" ] || die "$d is missing: install linux-libc-dev (tools/install-deps.sh)."
		cp -R "$d" "$STAGE/include/"
	done
}

main() {
	if [ $# -ne 1 ] || [ -z "$1" ]; then
		die "usage: containers/build-musl-deps.sh OUTDIR (the directory to build into)."
	fi
	for tool in musl-gcc gcc make apt-get apt-cache dpkg-source dpkg-query sha256sum; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool was not found: run tools/install-deps.sh as root to install the build dependencies."
	done
	mkdir -p "$1" || die "cannot create $1: choose a writable OUTDIR."
	OUT=$(cd "$1" && pwd)
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
		CC CFLAGS CPPFLAGS LDFLAGS LIBS CPATH C_INCLUDE_PATH LIBRARY_PATH || true
	LC_ALL=C
	export LC_ALL
	JOBS=$(nproc 2>/dev/null || echo 2)

	NC_VER=$(source_version ncurses)
	ZLIB_VER=$(source_version zlib)
	UAPI_VER=$(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null) ||
		die "linux-libc-dev is not installed: run tools/install-deps.sh as root."
	MUSL_VER=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null) ||
		die "musl-dev is not installed: run tools/install-deps.sh as root."
	NC_CONFIGURE="--without-shared --with-normal --without-debug --without-profile --without-cxx"
	NC_CONFIGURE="$NC_CONFIGURE --without-cxx-binding --without-ada --without-manpages --without-progs"
	NC_CONFIGURE="$NC_CONFIGURE --without-tests --without-gpm --enable-widec --disable-db-install"
	NC_CONFIGURE="$NC_CONFIGURE --enable-pc-files=no --disable-stripping"
	NC_CONFIGURE="$NC_CONFIGURE --with-terminfo-dirs=/etc/terminfo:/lib/terminfo:/usr/share/terminfo"
	NC_CONFIGURE="$NC_CONFIGURE --with-default-terminfo-dir=/usr/share/terminfo"
	script_hash=$(sha256sum <"$SCRIPT_PATH" | cut -d' ' -f1)
	INPUTS_HASH=$(printf '%s\n' "script=$script_hash" "ncurses=$NC_VER" "zlib=$ZLIB_VER" \
		"uapi=$UAPI_VER" "musl=$MUSL_VER" "musl_gcc=$(musl-gcc -dumpfullversion)" | sha256sum | cut -d' ' -f1)
	if [ -f "$OUT/manifest" ] && grep -qx "inputs_hash=$INPUTS_HASH" "$OUT/manifest" &&
		[ -f "$OUT/lib/libncursesw.a" ] && [ -f "$OUT/lib/libz.a" ]; then
		say "up to date ($OUT)"
		return 0
	fi

	t0=$(date +%s)
	WORK=$OUT/work
	STAGE=$WORK/stage
	rm -rf "$WORK"
	mkdir -p "$OUT/src" "$STAGE/include" "$STAGE/lib"
	fetch ncurses "$NC_VER"
	fetch zlib "$ZLIB_VER"
	build_zlib
	build_ncurses
	copy_uapi
	{
		echo "manifest_version=1"
		echo "ncurses_version=$NC_VER"
		echo "ncurses_configure=$NC_CONFIGURE"
		echo "zlib_version=$ZLIB_VER"
		echo "linux_libc_dev_version=$UAPI_VER"
		echo "musl_version=$MUSL_VER"
		echo "cc=musl-gcc $(musl-gcc -dumpfullversion)"
		echo "build_seconds=$(($(date +%s) - t0))"
		echo "inputs_hash=$INPUTS_HASH"
	} >"$WORK/manifest"
	rm -rf "${OUT:?}/manifest" "${OUT:?}/include" "${OUT:?}/lib"
	mv "$STAGE/include" "$STAGE/lib" "$OUT/"
	mv "$WORK/manifest" "$OUT/manifest"
	rm -rf "$WORK"
	say "ready in $OUT ($(($(date +%s) - t0)) s)"
}

SCRIPT_PATH=$0
main "$@"
