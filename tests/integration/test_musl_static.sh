#!/bin/bash
# benchtop itself built with musl, the nearest this Debian host comes to the
# Alpine image: containers/build-musl-deps.sh builds ncursesw and zlib for
# musl from Debian's source packages; benchtop is then configured as an
# image is (--with-workload-libs=system, so one variant named after the
# libc of CC) but with CC="musl-gcc -static", without libcgroup, and with
# OpenBLAS and libpq from the musl sysroot (BT_SYSROOT/musl); it must build
# with warnings as errors. The static binary then runs here: --version,
# info, workloads, a record of spin with --cpus, and its trace read by the
# glibc benchtop and compared with a glibc run, as `benchtop compare
# debian.bt alpine.bt` would on a host.
#
# Cost: build-musl-deps.sh about 2 minutes the first time (kept in the
# build tree's musl-deps/ and reused), then about 1 minute (configure and
# build) on 2 CPUs. Skipped (77) without the musl sysroot or musl-gcc.
set -u
source "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?run through make check, or set TOP_SRCDIR}"

SR=${BT_SYSROOT:-}/musl
if [ -z "${BT_SYSROOT:-}" ] || [ ! -f "$SR/lib/libopenblas.a" ] || ! command -v musl-gcc >/dev/null; then
	echo "# skipped: needs musl-gcc and the musl sysroot (BT_SYSROOT/musl, containers/build-sysroot.sh)"
	exit 77
fi
DEPS=${BT_MUSL_DEPS:-$(dirname "$BENCHTOP")/musl-deps}
sh "$TOP_SRCDIR/containers/build-musl-deps.sh" "$DEPS" >"$TMP/deps.log" 2>&1
rc=$?
check "build-musl-deps.sh builds ncursesw and zlib for musl (exit $rc: $(tail -n 2 "$TMP/deps.log" | tr '\n' ' '))" test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }

B=$TMP/build
mkdir -p "$B"
(cd "$B" && "$TOP_SRCDIR/configure" --enable-werror --with-workload-libs=system --without-libcgroup \
	CC="musl-gcc -static" CPPFLAGS="-I$DEPS/include" \
	NCURSES_CFLAGS="-I$DEPS/include/ncursesw -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600" NCURSES_LIBS="$DEPS/lib/libncursesw.a" \
	ZLIB_CFLAGS="-I$DEPS/include" ZLIB_LIBS="$DEPS/lib/libz.a" \
	OPENBLAS_CFLAGS="-I$SR/include" OPENBLAS_LIBS="$SR/lib/libopenblas.a" \
	LIBPQ_CFLAGS="-I$SR/include" LIBPQ_LIBS="$SR/lib/libpq.a $SR/lib/libpgcommon_shlib.a $SR/lib/libpgport_shlib.a") >"$TMP/configure.log" 2>&1
rc=$?
check "configure with CC='musl-gcc -static' exits 0 ($rc: $(tail -n 2 "$TMP/configure.log" | tr '\n' ' '))" test $rc -eq 0
check "configure found musl as the C library and no libcgroup" test \
	"$(grep -cE 'C library *: musl$|libcgroup *: no:|workloads *: system libraries: variant musl only' "$TMP/configure.log")" -eq 3
make -C "$B" -j2 benchtop all >"$TMP/make.log" 2>&1
rc=$?
check "benchtop builds against musl with warnings as errors ($rc: $(grep -m 2 -E 'error|warning' "$TMP/make.log" | tr '\n' ' '))" \
	test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }

M=$B/benchtop
MUSL_V=$(dpkg-query -W -f='${Version}' musl-dev | sed 's/-.*//')
check "benchtop is a static executable (no program interpreter)" test -z "$(readelf -l "$M" | grep -i interp)"
check "its workloads are static musl builds" test -z "$(readelf -l "$B"/workloads/musl/bt-* | grep -i interp)"
check "benchtop --version runs" grep -qx "benchtop [0-9.]*" <("$M" --version)

"$M" info --format json >"$TMP/info.json" 2>"$TMP/info.err"
rc=$?
check "info --format json exits 0 ($rc: $(cat "$TMP/info.err"))" test $rc -eq 0
check "info: libc musl $MUSL_V" test "$(json "$TMP/info.json" 'd["libc"]["name"] + " " + d["libc"]["version"]')" = "musl $MUSL_V"
"$BENCHTOP" info --format json >"$TMP/ginfo.json" 2>/dev/null
check "info: the same cgroup layout and effective CPUs as the glibc benchtop sees" test \
	"$(json "$TMP/info.json" '(d["cgroup"]["version"], d["cgroup"]["own"], d["cpus"]["effective"])' 2>&1)" = \
	"$(json "$TMP/ginfo.json" '(d["cgroup"]["version"], d["cgroup"]["own"], d["cpus"]["effective"])' 2>&1)"
v=$(json "$TMP/info.json" 'd["cgroup"]["version"]')
if [ "$v" = 1 ]; then
	check "info on cgroup v1: run cgroups cannot be created, because of the missing libcgroup" \
		grep -q "without libcgroup" <(json "$TMP/info.json" 'd["cgroup"].get("cannot_create_reason", "")')
fi

"$M" workloads --format json >"$TMP/wl.json" 2>"$TMP/wl.err"
rc=$?
check "workloads exits 0 ($rc: $(cat "$TMP/wl.err"))" test $rc -eq 0
check "workloads: every built-in for musl only, read from the ELF as 'musl $MUSL_V, static'" test \
	"$(json "$TMP/wl.json" 'sorted({(b["variant"], b["libc"]) for b in d["binaries"]})')" = \
	"[('musl', 'musl $MUSL_V, static')]"

cd "$TMP" || exit 1
"$M" record -o "$TMP/musl.bt" --cpus 1 --reps 2 spin --seconds 0.3 --threads 2 >"$TMP/rec.out" 2>"$TMP/rec.err" &
bp=$!
wait $bp
rc=$?
check "record of spin with --cpus 1 by the musl benchtop exits 0 ($rc: $(head -c 300 "$TMP/rec.err"))" test $rc -eq 0
check "record left no cgroup of benchtop $bp" test -z "$(cgroups_of $bp)"
"$BENCHTOP" export --summary --format json "$TMP/musl.bt" >"$TMP/musl.json" 2>"$TMP/musl.note"
check "the glibc benchtop reads the musl benchtop's trace: 2 runs of spin on musl that exited 0" test \
	"$(json "$TMP/musl.json" '[(r["variant"], r["exit_code"]) for r in d["runs"]]')" = "[('musl', 0), ('musl', 0)]"
"$M" export --summary --format json "$TMP/musl.bt" >"$TMP/musl2.json"
check "... and reads it as the musl benchtop does (the same summary)" cmp -s "$TMP/musl.json" "$TMP/musl2.json"
if [ "$v" = 1 ]; then
	check "on cgroup v1 the limit is recorded as not applied" \
		test "$(json "$TMP/musl.json" '[r["limits_applied"] for r in d["runs"]]')" = "[False, False]"
	check "... and record said why" grep -q "built without libcgroup" "$TMP/rec.err"
else
	check "on cgroup v2 the limit is applied (run cgroups need no libcgroup there)" \
		test "$(json "$TMP/musl.json" '[r["limits_applied"] for r in d["runs"]]')" = "[True, True]"
fi
check "the runs measured CPU time" pytrue "all(r['cpu_s'] > 0 for r in __import__('json').load(open('$TMP/musl.json'))['runs'])"

# The host's comparison of two traces from two libcs' benchtops.
"$BENCHTOP" record -q -o "$TMP/glibc.bt" --variant glibc --reps 2 spin --seconds 0.3 --threads 2 >/dev/null 2>&1
"$BENCHTOP" compare "$TMP/glibc.bt" "$TMP/musl.bt" --format json >"$TMP/cmp.json" 2>"$TMP/cmp.err"
rc=$?
check "compare glibc.bt musl.bt exits 0 ($rc: $(cat "$TMP/cmp.err"))" test $rc -eq 0
check "... one group, spin, with glibc as baseline and musl against it" test \
	"$(json "$TMP/cmp.json" 'sorted({(c["workload"], c["variant"], c["baseline"]) for c in d["comparisons"] if c["metric"] == "wall_s"})')" = \
	"[('spin', 'glibc', 'glibc'), ('spin', 'musl', 'glibc')]"

finish
