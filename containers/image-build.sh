#!/bin/sh
# containers/image-build.sh BUILDDIR OUTDIR [CONFIGURE-ARGUMENTS...]
#
# The one build step of the container images (containers/Dockerfile.debian
# and Dockerfile.alpine run it in their build stage), and what
# tests/integration/test_image_build.sh runs on a Debian host. From the
# source tree this script is in, it:
#   1. configures benchtop out of tree in BUILDDIR for the prefix /usr with
#      --with-workload-libs=system: benchtop and one variant of each built-in
#      workload, named after the libc of cc (glibc on Debian, musl on
#      Alpine), linked against the distribution's own OpenBLAS, libpq,
#      ncurses, zlib and, where it is installed, libcgroup;
#   2. builds it and installs it stripped into OUTDIR/root (a DESTDIR: the
#      runtime stage copies that tree to /);
#   3. writes OUTDIR/runtime-packages, one name a line: what provides the
#      shared libraries the installed programs load. On Debian the binary
#      packages that own them (dpkg), for apt-get install; on Alpine the
#      so:NAME provides, for apk add.
# Extra arguments go to configure (e.g. --without-libcgroup).
#
# Environment: CC, CFLAGS (configure's), JOBS (make -j, default nproc).
# Exit status 0, or 1 with one sentence on stderr (and the tail of the
# failing step's log).
set -eu

me=image-build
say() { printf '%s: %s\n' "$me" "$*"; }
die() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 1
}

# step LOG WHAT COMMAND...: run COMMAND with its output in LOG; on failure
# show the log's tail and stop.
step() {
	step_log=$1 step_what=$2
	shift 2
	if ! "$@" >"$step_log" 2>&1; then
		printf '%s: %s failed; the last lines of %s:\n' "$me" "$step_what" "$step_log" >&2
		tail -n 30 "$step_log" >&2
		exit 1
	fi
}

# configure_in DIR COMMAND...: run COMMAND in DIR.
configure_in() {
	dir=$1
	shift
	(cd "$dir" && "$@")
}

# elf_files DIR: every executable ELF file beneath DIR (busybox's find
# and od lack some options: readelf tells).
elf_files() {
	find "$1" -type f | while read -r f; do
		if [ -x "$f" ] && readelf -h "$f" >/dev/null 2>&1; then echo "$f"; fi
	done
}

# needed FILE: the shared libraries FILE names in its dynamic section.
needed() {
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

# debian_package_of LIB FILE: the Debian package owning the LIB that FILE
# loads, as the loader resolves it (ldd), through symlinks (alternatives)
# and with /usr-merged paths tried both ways.
debian_package_of() {
	path=$(ldd "$2" | awk -v l="$1" '$1 == l && $2 == "=>" {print $3}')
	case $path in
	/*) ;;
	*) die "$2 needs $1, which the loader cannot find here: install the package that provides it." ;;
	esac
	real=$(readlink -f "$path")
	for p in "$real" "$path" "/usr$real" "${real#/usr}"; do
		pkg=$(dpkg-query -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1) || true
		if [ -n "$pkg" ]; then
			echo "$pkg"
			return 0
		fi
	done
	die "no Debian package owns $path ($1, loaded by $2): install it from a package rather than by hand."
}

# runtime_packages ROOT: what provides every library the ELF files in ROOT
# load, sorted, one a line.
runtime_packages() {
	for f in $(elf_files "$1"); do
		for lib in $(needed "$f"); do
			if [ -f /etc/alpine-release ]; then
				echo "so:$lib"
			else
				debian_package_of "$lib" "$f"
			fi
		done
	done | sort -u
}

main() {
	if [ $# -lt 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
		die "usage: containers/image-build.sh BUILDDIR OUTDIR [CONFIGURE-ARGUMENTS...]"
	fi
	top=$(cd "$(dirname "$0")/.." && pwd)
	mkdir -p "$1" "$2" || die "cannot create $1 or $2: choose writable directories."
	build=$(cd "$1" && pwd)
	out=$(cd "$2" && pwd)
	shift 2
	case $out in "$build" | "$build"/*) die "OUTDIR must not be inside BUILDDIR: give two separate directories." ;; esac
	for tool in make cc pkg-config readelf find sort; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool was not found: install the build dependencies listed in the Dockerfile's build stage."
	done
	if [ ! -f /etc/alpine-release ]; then
		for tool in ldd dpkg-query; do
			command -v "$tool" >/dev/null 2>&1 || die "$tool was not found: this script needs a Debian or an Alpine system."
		done
	fi
	jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
	t0=$(date +%s)

	# A git checkout has no configure yet; a release tarball has one.
	if [ ! -x "$top/configure" ]; then
		step "$build/autogen.log" "autogen.sh (autoreconf)" sh "$top/autogen.sh"
	fi
	say "configuring in $build (system libraries, native libc)..."
	step "$build/configure.log" configure configure_in "$build" \
		"$top/configure" --prefix=/usr --with-workload-libs=system "$@"
	sed -n '/benchtop .* configured/,$p' "$build/configure.log"
	say "building with $jobs jobs..."
	step "$build/make.log" make make -C "$build" -j"$jobs"
	rm -rf "$out/root"
	step "$build/install.log" "make install-strip" make -C "$build" install-strip DESTDIR="$out/root"
	runtime_packages "$out/root" >"$out/runtime-packages.tmp"
	mv "$out/runtime-packages.tmp" "$out/runtime-packages"
	say "installed into $out/root in $(($(date +%s) - t0)) s; runtime packages ($out/runtime-packages):" \
		"$(tr '\n' ' ' <"$out/runtime-packages")"
}

main "$@"
