#!/bin/bash
# The Debian image's build stage, run on this Debian host: containers/
# image-build.sh configures benchtop for /usr against the distribution's
# OpenBLAS and libpq (one workload variant, named after the libc), builds it
# and installs it into a DESTDIR, as Dockerfile.debian does; then the
# installed benchtop is run from where it was installed: --version, info,
# workloads (the glibc variant, its libc read from the ELF), the default
# plan and the container suite (--dry-run), and a short record of a built-in
# workload. What the runtime stage installs (runtime-packages) is checked
# against the libraries the binaries load. Everything lives in a temporary
# directory, removed at the end. About 2 minutes on 2 CPUs (autogen.sh and
# the build).
# Skipped (77) off Debian.
set -u
source "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?run through make check, or set TOP_SRCDIR}"

if ! command -v dpkg-query >/dev/null || [ ! -f /etc/debian_version ]; then
	echo "# skipped: the Debian image's build runs on a Debian host"
	exit 77
fi

# The image's build context: the source files without what autogen.sh and
# configure generate (.dockerignore leaves those out), so the build stage
# regenerates them. From git when this is a checkout: tracked files and
# untracked ones git does not ignore, as they are now in the working tree.
SRC=$TOP_SRCDIR
if copy_context "$TOP_SRCDIR" "$TMP/context"; then
	SRC=$TMP/context
	check "the build context has no configure script (the build stage makes it)" test ! -e "$SRC/configure"
fi
OUT=$TMP/out
ROOT=$OUT/root
JOBS=2 sh "$SRC/containers/image-build.sh" "$TMP/build" "$OUT" >"$TMP/build.log" 2>&1
rc=$?
check "image-build.sh exits 0 ($rc; log: $(tail -n 3 "$TMP/build.log" | tr '\n' ' '))" test $rc -eq 0
if [ $rc -ne 0 ]; then
	finish
	exit 1
fi
check "configure chose the system libraries and the glibc variant" \
	grep -q "workloads *: system libraries: variant glibc only" "$TMP/build.log"

# ---- What was installed --------------------------------------------------
BT=$ROOT/usr/bin/benchtop
LX=$ROOT/usr/libexec/benchtop
check "benchtop is installed in DESTDIR/usr/bin" test -x "$BT"
check "the only workload variant installed is glibc" test "$(ls "$LX")" = glibc
for w in kmeans forest pgio micro spin; do
	check "bt-$w is installed for glibc" test -x "$LX/glibc/bt-$w"
done
check "the suites are installed, the container suite among them" \
	test -f "$ROOT/usr/share/benchtop/seed.suite" -a -f "$ROOT/usr/share/benchtop/seed-container.suite"
check "the binaries are stripped (install-strip)" \
	test -z "$(readelf -S "$BT" "$LX/glibc/bt-kmeans" | grep -w '.symtab')"
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
check "bt-kmeans loads the distribution's OpenBLAS (libopenblas.so.0), not a static one" \
	grep -qx 'libopenblas.so.0' <(needed "$LX/glibc/bt-kmeans")
check "bt-pgio loads the distribution's libpq (libpq.so.5)" grep -qx 'libpq.so.5' <(needed "$LX/glibc/bt-pgio")
check "benchtop loads ncursesw and zlib" test "$(needed "$BT" | grep -cE '^(libncursesw|libz)\.so')" -eq 2

# runtime-packages: for every library a binary loads, the package the
# loader takes it from, as found independently here with ldconfig's cache.
PKGS=$OUT/runtime-packages
missing=""
for f in "$BT" "$LX"/glibc/*; do
	for lib in $(needed "$f"); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64|AArch64/ {print $NF; exit}')
		[ -n "$path" ] || path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
		pkg=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg-query -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
		grep -qx "$pkg" "$PKGS" || missing="$missing $lib($pkg)"
	done
done
check "runtime-packages names the package of every library the binaries load (missing:${missing:- none})" \
	test -z "$missing"
check "runtime-packages holds libopenblas0-*, libpq5 and libncursesw6" \
	test "$(grep -cE '^(libopenblas0-(pthread|openmp|serial)|libpq5|libncursesw6)$' "$PKGS")" -eq 3
if grep -q '^#define HAVE_LIBCGROUP 1' "$TMP/build/config.h"; then
	check "built with libcgroup: runtime-packages holds its library package" grep -qE '^libcgroup[0-9]+$' "$PKGS"
else
	check "built without libcgroup: runtime-packages has no libcgroup" test -z "$(grep libcgroup "$PKGS")"
fi

# ---- The installed benchtop, run from its install location -----------------
cd "$TMP" || exit 1
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$TMP/build/config.h")
check "benchtop --version says $version" test "$("$BT" --version)" = "benchtop $version"
"$BT" info --format json >"$TMP/info.json" 2>"$TMP/info.err"
rc=$?
check "benchtop info --format json exits 0 ($rc: $(cat "$TMP/info.err"))" test $rc -eq 0
glibc_v=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
check "info reports this machine's libc, glibc $glibc_v" \
	test "$(json "$TMP/info.json" 'd["libc"]["name"] + " " + d["libc"]["version"]')" = "glibc $glibc_v"

"$BT" workloads --format json >"$TMP/wl.json" 2>"$TMP/wl.err"
rc=$?
check "benchtop workloads exits 0 ($rc: $(cat "$TMP/wl.err"))" test $rc -eq 0
check "workloads are found in the install's libexec" pytrue \
	"__import__('os').path.realpath('$(json "$TMP/wl.json" 'd["dir"]')') == '$LX'"
check "workloads lists kmeans for glibc, its libc read from the ELF: glibc $glibc_v, dynamic" test \
	"$(json "$TMP/wl.json" '[b["libc"] for b in d["binaries"] if b["name"] == "kmeans" and b["variant"] == "glibc"]')" = \
	"['glibc $glibc_v, dynamic (/lib64/ld-linux-x86-64.so.2)']"
check "workloads lists no musl and no glibc+debian-openblas variant" test \
	"$(json "$TMP/wl.json" 'sorted({b["variant"] for b in d["binaries"]} & {"musl", "glibc+debian-openblas"})')" = "[]"

# The default plan (what `docker run -it IMAGE` shows) runs the libc built.
"$BT" record --dry-run >"$TMP/default.txt" 2>"$TMP/default.err"
rc=$?
check "the default plan works where only glibc is built (exit $rc; $(cat "$TMP/default.err"))" \
	test $rc -eq 0 -a "$(tail -n 1 "$TMP/default.txt")" = "3 runs"
check "... and its runs are all glibc" test "$(grep -c ' kmeans  *glibc  ' "$TMP/default.txt")" -eq 3

# The container suite plans seed.suite's glibc runs, the pgio server aside.
SUITES=$ROOT/usr/share/benchtop
plan() { # plan BENCHTOP SUITE: its runs without binary paths or --pg
	"$1" record --dry-run -q --suite "$2" 2>/dev/null |
		sed -E 's#^ +/[^ ]*/bt-([a-z]+)#bt-\1#; s# --pg [^ ]+##'
}
plan "$BT" "$SUITES/seed-container.suite" >"$TMP/plan-container.txt"
check "seed-container.suite plans 48 runs in the image" test "$(tail -n 1 "$TMP/plan-container.txt")" = "48 runs"
check "... pgio against the server the environment names (--pg postgresql://)" \
	test "$("$BT" record --dry-run -q --suite "$SUITES/seed-container.suite" 2>/dev/null | grep -c -- '--pg postgresql://$')" -eq 6
plan "$BENCHTOP" "$TOP_SRCDIR/suites/seed.suite" | grep -v '^[0-9]* runs$' >"$TMP/plan-seed.txt"
# seed.suite's runs interleave glibc and musl: keep glibc's, renumbered.
awk '/^ *[0-9]+ / {keep = ($3 == "glibc"); if (keep) {n++; sub(/^ *[0-9]+/, sprintf("%4d", n))}} keep' \
	"$TMP/plan-seed.txt" >"$TMP/plan-seed-glibc.txt"
check "seed-container.suite plans the same runs as seed.suite's glibc ones (diff: $(diff <(grep -v ' runs$' "$TMP/plan-container.txt") "$TMP/plan-seed-glibc.txt" | head -n 4 | tr '\n' ' '))" \
	diff -q <(grep -v ' runs$' "$TMP/plan-container.txt") "$TMP/plan-seed-glibc.txt"

# A short record of a built-in workload, as `docker run IMAGE record` does.
"$BT" record -q -o "$TMP/spin.bt" --reps 2 spin --seconds 0.3 --threads 2 &
bp=$!
wait $bp
rc=$?
check "record of a built-in workload by the installed benchtop exits 0 ($rc)" test $rc -eq 0
check "record left no cgroup of benchtop $bp" test -z "$(cgroups_of $bp)"
"$BT" export --summary --format json "$TMP/spin.bt" >"$TMP/spin.json"
check "the trace holds 2 runs of spin on glibc that exited 0" test \
	"$(json "$TMP/spin.json" '[(r["workload"], r["variant"], r["exit_code"]) for r in d["runs"]]')" = \
	"[('spin', 'glibc', 0), ('spin', 'glibc', 0)]"
check "the runs' binary is the installed one, its libc read from the ELF" pytrue \
	"all(__import__('os').path.realpath(r['command'].split()[0]) == '$LX/glibc/bt-spin' and r['binary_libc'].startswith('glibc $glibc_v, dynamic') for r in __import__('json').load(open('$TMP/spin.json'))['runs'])"

finish
