#!/bin/sh
# containers/build-sysroot.sh OUTDIR: builds the libraries benchtop's
# built-in workloads link against, from Debian's own source packages, into
# sysroots the workloads are then compiled against:
#   OUTDIR/glibc/{include,lib}  OpenBLAS and libpq (static, libpq from
#                               postgresql-15's source), built with gcc
#   OUTDIR/musl/{include,lib}   the same OpenBLAS and libpq built with musl-gcc
#   OUTDIR/manifest             key=value: versions, TARGET, flags, inputs hash
#   OUTDIR/src                  the downloaded source packages (kept, so a
#                               rebuild needs no network)
# Why: Debian's packaged OpenBLAS falls back to old kernels (Prescott on the
# AVX-512 Xeons benchtop was first built on) on CPUs it does not know, so the
# glibc and musl workloads must both use an OpenBLAS of the same version,
# TARGET and flags, differing only in the C library (docs/workloads.md).
#
# The build runs once: when OUTDIR/manifest records the same inputs (this
# script, TARGET, source versions, compilers) the script exits at once. The
# manifest is written last, so an interrupted build never looks complete.
# On Alpine (musl is the native libc) nothing is built: the distribution's
# packages are used and the manifest says so.
#
# Environment: BT_OPENBLAS_TARGET overrides the OpenBLAS TARGET chosen from
# /proc/cpuinfo. Exit status 0 on success, 1 with one sentence otherwise.
# Everything is in functions and main runs from the last line, so the shell
# has read the whole file before it starts (editing it mid-build is safe).
set -eu

me=build-sysroot
say() { printf '%s: %s\n' "$me" "$*"; }
die() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 1
}

# ---- Alpine: musl is the native libc, use its packages --------------------
# musl_version_native: the version the native musl loader reports.
musl_version_native() {
	for ld in /lib/ld-musl-*.so.1; do
		[ -x "$ld" ] && "$ld" --version 2>&1 | sed -n 's/^Version //p' && return 0
	done
	echo unknown
}

# apk_version PKG: the installed version of PKG from apk's database
# (stanzas of P:name and V:version lines); empty when not installed.
apk_version() {
	awk -v p="$1" '/^P:/ {n = substr($0, 3)} /^V:/ && n == p {print substr($0, 3); exit}' \
		/lib/apk/db/installed 2>/dev/null || true
}

# alpine_manifest: write OUTDIR/manifest pointing at the distribution's files.
alpine_manifest() {
	{
		echo "manifest_version=1"
		echo "source=distribution"
		echo "distribution=alpine $(cat /etc/alpine-release)"
		echo "openblas_version=$(apk_version openblas)"
		echo "openblas_target=dynamic"
		echo "libpq_version=$(apk_version libpq)"
		echo "musl_version=$(musl_version_native)"
		echo "cc_musl=cc $(cc -dumpfullversion 2>/dev/null || echo unknown)"
		echo "musl_include=/usr/include"
		echo "musl_lib=/usr/lib"
	} >"$OUT/manifest.tmp" && mv "$OUT/manifest.tmp" "$OUT/manifest"
}

# ---- Inputs ---------------------------------------------------------------
# require_tools: every tool the build runs is installed.
require_tools() {
	for tool in gcc musl-gcc make apt-get apt-cache dpkg dpkg-source dpkg-query perl nm sha256sum; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool was not found: run tools/install-deps.sh as root to install the build dependencies."
	done
}

# openblas_target_from_cpu: the OpenBLAS TARGET for this CPU, from its flags.
# DYNAMIC_ARCH is off, so the kernels are fixed at build time: the same
# TARGET for both libcs is what makes the two variants comparable.
openblas_target_from_cpu() {
	case $(uname -m) in
	x86_64) ;;
	aarch64)
		echo ARMV8
		return 0
		;;
	*)
		echo GENERIC
		return 0
		;;
	esac
	cpu_flags=" $(grep -m 1 '^flags' /proc/cpuinfo | cut -d: -f2) "
	if cpu_has avx512f avx512bw avx512vl avx512dq; then
		echo SKYLAKEX
	elif cpu_has avx2 fma; then
		echo HASWELL
	elif cpu_has avx; then
		echo SANDYBRIDGE
	elif cpu_has sse4_2; then
		echo NEHALEM
	else
		echo PRESCOTT
	fi
}

# cpu_has FLAG...: every FLAG is in $cpu_flags.
cpu_has() {
	for f in "$@"; do
		case $cpu_flags in *" $f "*) ;; *) return 1 ;; esac
	done
}

# newest_source_version PKG: the newest version of source package PKG that
# APT's deb-src lists offer (empty when there is no deb-src entry).
newest_source_version() {
	apt-cache showsrc "$1" 2>/dev/null |
		awk -v p="$1" '/^Package: /{ours = ($2 == p)} ours && /^Version: /{print $2}' |
		{
			best=
			while read -r v; do
				if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
			done
			echo "$best"
		}
}

# downloaded_source_version PKG: the newest PKG .dsc already in OUTDIR/src,
# so a rebuild works without the deb-src lists (or the network).
downloaded_source_version() {
	for dsc in "$OUT/src/$1"_*.dsc; do
		[ -f "$dsc" ] && sed -n 's/^Version: //p' "$dsc"
	done | sort -V | tail -n 1
}

# source_version PKG: the version to build.
source_version() {
	v=$(newest_source_version "$1")
	[ -n "$v" ] || v=$(downloaded_source_version "$1")
	[ -n "$v" ] ||
		die "APT knows no source package $1 (no deb-src entry, or apt-get update not run since): run tools/install-deps.sh as root, which adds the entry and updates the lists."
	echo "$v"
}

# compute_inputs: set TARGET, the versions, the flags and INPUTS_HASH.
compute_inputs() {
	TARGET=${BT_OPENBLAS_TARGET:-$(openblas_target_from_cpu)}
	case $TARGET in
	'' | *[!A-Z0-9_]*) die "BT_OPENBLAS_TARGET='$TARGET' is not an OpenBLAS TARGET name: use one from OpenBLAS's TargetList.txt, such as SKYLAKEX or HASWELL." ;;
	esac
	OB_VER=$(source_version openblas)
	PG_VER=$(source_version postgresql-15)
	MUSL_VER=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null) ||
		die "musl-dev is not installed: run tools/install-deps.sh as root."
	GCC_VER=$(gcc -dumpfullversion)
	MUSL_GCC_VER=$(musl-gcc -dumpfullversion)
	JOBS=$(nproc 2>/dev/null || echo 2)

	# The same flags for both OpenBLAS builds; only CC differs. Debian's own
	# NO_AFFINITY/NO_WARMUP; no Fortran, so no LAPACK (Debian's source has
	# no bundled lapack-netlib anyway) and no LAPACKE; real types only (the
	# workloads use sgemm/dgemm), which halves the build; static only;
	# pthreads with a 64-thread ceiling. HOSTCC builds getarch, which runs
	# here, so it must be the host's gcc even when CC is musl-gcc.
	OB_FLAGS="TARGET=$TARGET DYNAMIC_ARCH=0 USE_THREAD=1 USE_OPENMP=0 NUM_THREADS=64"
	OB_FLAGS="$OB_FLAGS NOFORTRAN=1 NO_LAPACK=1 NO_LAPACKE=1 BUILD_SINGLE=1 BUILD_DOUBLE=1"
	OB_FLAGS="$OB_FLAGS NO_SHARED=1 NO_AFFINITY=1 NO_WARMUP=1 HOSTCC=gcc"
	# libpq (both libcs): nothing optional, so the static link needs no other library.
	PG_CONFIGURE="--without-readline --without-icu --without-openssl --without-zlib"
	PG_CONFIGURE="$PG_CONFIGURE --without-gssapi --without-ldap --without-lz4 --without-zstd"
	PG_CONFIGURE="$PG_CONFIGURE --without-llvm --disable-nls --disable-rpath"

	script_hash=$(sha256sum <"$SCRIPT_PATH" | cut -d' ' -f1)
	INPUTS_HASH=$(printf '%s\n' "script=$script_hash" "target=$TARGET" "openblas=$OB_VER" \
		"postgresql=$PG_VER" "musl=$MUSL_VER" "gcc=$GCC_VER" "musl_gcc=$MUSL_GCC_VER" |
		sha256sum | cut -d' ' -f1)
}

# up_to_date: OUTDIR holds complete sysroots built from these inputs.
up_to_date() {
	[ -f "$OUT/manifest" ] && grep -qx "inputs_hash=$INPUTS_HASH" "$OUT/manifest" &&
		[ -f "$OUT/glibc/lib/libopenblas.a" ] && [ -f "$OUT/musl/lib/libopenblas.a" ] &&
		[ -f "$OUT/musl/lib/libpq.a" ] && [ -f "$OUT/glibc/lib/libpq.a" ]
}

# ---- Build steps ----------------------------------------------------------
# step LOG COMMAND...: run COMMAND with its output appended to LOG; on
# failure show the log's tail and stop (the work directory stays for a look).
step() {
	step_log=$1
	shift
	if ! "$@" >>"$step_log" 2>&1; then
		printf '%s: FAILED: %s\n' "$me" "$*" >&2
		printf '%s: last lines of %s:\n' "$me" "$step_log" >&2
		tail -n 25 "$step_log" >&2
		exit 1
	fi
}

# dsc_path PKG VERSION: where PKG's .dsc is kept (file names have no epoch).
dsc_path() { echo "$OUT/src/$1_$(echo "$2" | sed 's/^[0-9]*://').dsc"; }

# source_complete DSC: the .dsc and every file it lists are present (an
# interrupted download is fetched again).
source_complete() {
	[ -f "$1" ] || return 1
	awk '/^Files:/ {f = 1; next} /^[^ ]/ {f = 0} f && NF == 3 {print $3}' "$1" |
		while read -r name; do
			[ -f "$OUT/src/$name" ] || exit 1
		done
}

# fetch PKG VERSION: make sure PKG's source package is in OUTDIR/src.
fetch() {
	source_complete "$(dsc_path "$1" "$2")" && return 0
	# As root apt-get warns that its _apt sandbox cannot write here; harmless
	# (and left out of what is shown).
	if ! (cd "$OUT/src" && apt-get source --download-only -qq "$1=$2") >"$WORK/fetch-$1.log" 2>&1; then
		grep -v 'unsandboxed' "$WORK/fetch-$1.log" | tail -n 4 >&2
		die "apt-get source could not download $1 $2 (no deb-src entry, stale package lists or no network): run tools/install-deps.sh as root, then retry."
	fi
}

# unpack PKG VERSION DIR: extract the source package with Debian's patches.
unpack() {
	step "$WORK/unpack.log" dpkg-source -x "$(dsc_path "$1" "$2")" "$3"
}

# check_symbols LIB SYMBOLS: every symbol is defined in the static library.
check_symbols() {
	defined=$(nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 {print $3}')
	for sym in $2; do
		echo "$defined" | grep -qx "$sym" ||
			die "$1 does not define $sym: the build is broken, see the logs in $WORK."
	done
}

# build_openblas LIBC CC: build and stage OpenBLAS for one libc.
build_openblas() {
	t0=$(date +%s)
	src=$WORK/openblas-$1
	log=$WORK/openblas-$1.log
	say "building OpenBLAS $OB_VER TARGET=$TARGET for $1 ($2)..."
	unpack openblas "$OB_VER" "$src"
	grep -qx "$TARGET" "$src/TargetList.txt" ||
		die "TARGET=$TARGET is not in OpenBLAS $OB_VER's TargetList.txt: set BT_OPENBLAS_TARGET to one listed there (e.g. HASWELL)."
	# shellcheck disable=SC2086 # OB_FLAGS is a list of make arguments
	step "$log" make -C "$src" -j"$JOBS" MAKE_NB_JOBS="$JOBS" CC="$2" $OB_FLAGS libs
	# shellcheck disable=SC2086
	step "$log" make -C "$src" CC="$2" $OB_FLAGS PREFIX="$STAGE/$1" install
	# The CMake and pkg-config files carry the staging path; nothing uses them.
	rm -rf "${STAGE:?}/$1/lib/cmake" "${STAGE:?}/$1/lib/pkgconfig" "${STAGE:?}/$1/bin"
	check_symbols "$STAGE/$1/lib/libopenblas.a" \
		"cblas_sgemm cblas_dgemm openblas_get_corename openblas_get_config openblas_set_num_threads"
	say "OpenBLAS for $1 built in $(($(date +%s) - t0)) s"
}

# configure_pg DIR CC: configure the PostgreSQL tree in DIR for CC (the
# prefix is never used: nothing is installed by make).
configure_pg() {
	# shellcheck disable=SC2086 # PG_CONFIGURE is a list of arguments
	(cd "$1" && CC=$2 ./configure --prefix=/nonexistent $PG_CONFIGURE)
}

# build_libpq LIBC CC: build and stage libpq, libpgcommon and libpgport with
# CC: only src/include, src/common, src/port and src/interfaces/libpq (plus
# the generated headers they include), not the server. Built for glibc too,
# although Debian ships a libpq: so that pgio's two variants link the same
# libpq version with the same options and differ only in the libc.
# Neither this nor OpenBLAS includes <linux/...> or <asm/...> with these
# options, so musl-gcc needs no kernel headers here.
build_libpq() {
	t0=$(date +%s)
	src=$WORK/postgresql-$1
	log=$WORK/libpq-$1.log
	say "building libpq $PG_VER for $1 ($2)..."
	unpack postgresql-15 "$PG_VER" "$src"
	step "$log" configure_pg "$src" "$2"
	step "$log" make -C "$src/src/backend" -j"$JOBS" generated-headers
	step "$log" make -C "$src/src/port" -j"$JOBS" all
	step "$log" make -C "$src/src/common" -j"$JOBS" all
	step "$log" make -C "$src/src/interfaces/libpq" -j"$JOBS" all-static-lib
	cp "$src/src/interfaces/libpq/libpq.a" "$src/src/common/libpgcommon_shlib.a" \
		"$src/src/port/libpgport_shlib.a" "$STAGE/$1/lib/"
	cp "$src/src/interfaces/libpq/libpq-fe.h" "$src/src/interfaces/libpq/libpq-events.h" \
		"$src/src/include/postgres_ext.h" "$src/src/include/pg_config_ext.h" "$STAGE/$1/include/"
	check_symbols "$STAGE/$1/lib/libpq.a" "PQconnectdb PQlibVersion PQexec PQfinish"
	rm -rf "$src"
	say "libpq for $1 built in $(($(date +%s) - t0)) s"
}

# write_manifest FILE SECONDS: the manifest of this build.
write_manifest() {
	{
		echo "manifest_version=1"
		echo "source=debian-source"
		echo "openblas_version=$OB_VER"
		echo "openblas_target=$TARGET"
		echo "openblas_make_flags=$OB_FLAGS"
		echo "libpq_version=$PG_VER"
		echo "libpq_configure=$PG_CONFIGURE"
		echo "libpq_libs=-lpq -lpgcommon_shlib -lpgport_shlib"
		echo "musl_version=$MUSL_VER"
		echo "cc_glibc=gcc $GCC_VER"
		echo "cc_musl=musl-gcc $MUSL_GCC_VER"
		echo "glibc_sysroot=$OUT/glibc"
		echo "musl_sysroot=$OUT/musl"
		echo "build_seconds=$2"
		echo "inputs_hash=$INPUTS_HASH"
	} >"$1"
}

# install_staged: move the staged sysroots into place, manifest last, so
# that a manifest always describes complete sysroots.
install_staged() {
	rm -f "$OUT/manifest"
	for libc in glibc musl; do
		if [ -e "$OUT/$libc" ]; then mv "$OUT/$libc" "$WORK/old-$libc"; fi
		mv "$STAGE/$libc" "$OUT/$libc"
	done
	mv "$WORK/manifest" "$OUT/manifest"
}

# build_all: fetch, build, stage and install everything, then tidy up.
build_all() {
	t_start=$(date +%s)
	WORK=$OUT/work
	STAGE=$WORK/stage
	rm -rf "$WORK"
	mkdir -p "$OUT/src" "$STAGE/glibc/include" "$STAGE/glibc/lib" \
		"$STAGE/musl/include" "$STAGE/musl/lib"
	fetch openblas "$OB_VER"
	fetch postgresql-15 "$PG_VER"
	build_openblas glibc gcc
	build_openblas musl musl-gcc
	build_libpq glibc gcc
	build_libpq musl musl-gcc
	write_manifest "$WORK/manifest" "$(($(date +%s) - t_start))"
	install_staged
	rm -rf "$WORK"
	say "sysroots ready in $OUT (TARGET=$TARGET, $(($(date +%s) - t_start)) s)"
}

main() {
	if [ $# -ne 1 ] || [ -z "$1" ]; then
		die "usage: containers/build-sysroot.sh OUTDIR (the directory to build the sysroots into)."
	fi
	mkdir -p "$1" || die "cannot create the output directory $1: choose a writable OUTDIR."
	OUT=$(cd "$1" && pwd)

	# A parent make (the Makefile runs this script) must not leak its flags,
	# variable overrides (CC=...) or jobserver into the sub-builds, and the
	# caller's CFLAGS must not change the libraries behind the manifest's
	# back: both builds get exactly the flags in compute_inputs.
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
		CC CFLAGS CPPFLAGS LDFLAGS LIBS CPATH C_INCLUDE_PATH LIBRARY_PATH || true
	LC_ALL=C
	export LC_ALL

	if [ -f /etc/alpine-release ]; then
		alpine_manifest || die "cannot write $OUT/manifest: check that OUTDIR is writable."
		say "Alpine host: using the distribution's own musl, OpenBLAS and libpq packages (manifest: $OUT/manifest)"
		return 0
	fi
	require_tools
	compute_inputs
	if up_to_date; then
		say "sysroot up to date ($OUT)"
		return 0
	fi
	build_all
}

SCRIPT_PATH=$0
main "$@"
