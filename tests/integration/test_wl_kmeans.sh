#!/bin/bash
# bt-kmeans (src/workloads/kmeans.c), on each libc variant under $BT_WL_DIR:
# on small blobs it finds the true clusters (adjusted Rand index from
# scikit-learn), its inertia is what numpy recomputes from the --dump file,
# every label is the nearest centre, the same seed gives the same answer
# twice and on both variants, an empty cluster is reseeded without harm, bad
# values are refused in one sentence, and it speaks the result protocol.
. "$(dirname "$0")/lib.sh"
CHECK=$(dirname "$0")/kmeans_check.py
# numpy and scikit-learn are Debian's (python3-sklearn), not a virtualenv's.
PY=${BT_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
if ! "$PY" -c 'import numpy, sklearn' 2>/dev/null; then
	echo "skip: $PY has no numpy and scikit-learn (Debian: python3-sklearn)"
	exit 77
fi
if [ -z "${BT_WL_DIR:-}" ]; then
	echo "skip: BT_WL_DIR (the directory of the workload variants) is not set"
	exit 77
fi
variants=()
for v in glibc musl; do
	if [ -x "$BT_WL_DIR/$v/bt-kmeans" ]; then variants+=("$v"); else echo "# no $BT_WL_DIR/$v/bt-kmeans: $v skipped"; fi
done
if [ ${#variants[@]} -eq 0 ]; then
	echo "skip: no bt-kmeans under $BT_WL_DIR/glibc or $BT_WL_DIR/musl"
	exit 77
fi

# metric FILE NAME: the value of a protocol metric line.
metric() { awk -v n="$2" '$1 == "metric" && $2 == n { v = $3 } END { print v }' "$1"; }
# field FILE NAME: a value printed by kmeans_check.py.
field() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }
# run NAME BIN ARGS...: run under the protocol (fd 3); out, err and proto
# files under $TMP/NAME; returns the exit status.
run() {
	local name=$1 bin=$2
	shift 2
	BENCHTOP_RESULT_FD=3 "$bin" "$@" 3>"$TMP/$name.proto" >"$TMP/$name.out" 2>"$TMP/$name.err"
}

SMALL=(--samples 3000 --features 8 --centers 4 --clusters 4 --n-init 4 --seed 7 --threads 2)
for v in "${variants[@]}"; do
	bin=$BT_WL_DIR/$v/bt-kmeans
	run "$v.a" "$bin" "${SMALL[@]}" --dump "$TMP/$v.a.dump"
	rc=$?
	check "$v: small blobs run ($rc; $(head -c 200 "$TMP/$v.a.err"))" test $rc -eq 0
	p=$TMP/$v.a.proto
	check "$v: phases generate and fit are reported" \
		test "$(awk '$1 == "phase" { printf "%s ", $2 }' "$p")" = "generate fit dump "
	check "$v: time is a metric in seconds" grep -Eq '^metric time [0-9.e+-]+ s$' "$p"
	check "$v: iterations, inertia, n_init and threads are metrics" \
		test "$(metric "$p" n_init) $(metric "$p" threads)" = "4 2" -a -n "$(metric "$p" iterations)" -a -n "$(metric "$p" inertia)"
	check "$v: the OpenBLAS core and configuration are reported" \
		test "$(grep -Ec '^info openblas_(core|config) [[:print:]]+$' "$p")" = 2
	check "$v: nothing on stdout under the protocol" test ! -s "$TMP/$v.a.out"

	"$PY" "$CHECK" "$TMP/$v.a.dump" >"$TMP/$v.a.check" 2>&1
	c=$TMP/$v.a.check
	check "$v: the dump reads back ($(tail -n 1 "$c" | head -c 200))" test "$(field "$c" samples) $(field "$c" features)" = "3000 8"
	check "$v: the true clusters are found (adjusted Rand index $(field "$c" ari))" pytrue "$(field "$c" ari) >= 0.999"
	check "$v: the inertia equals numpy's recomputation ($(metric "$p" inertia) vs $(field "$c" inertia))" \
		pytrue "abs($(metric "$p" inertia) - $(field "$c" inertia)) <= 1e-9 * $(field "$c" inertia)"
	check "$v: every row is labelled with its nearest centre" test "$(field "$c" not_nearest)" = 0
	check "$v: every centre is the mean of its rows ($(field "$c" centre_error))" pytrue "$(field "$c" centre_error) < 1e-9"
	check "$v: every centre is a finite point" test "$(field "$c" centres_finite)" = 1
	check "$v: blob sizes as make_blobs splits them" test "$(field "$c" blob_sizes_ok)" = 1
	check "$v: blob spread about 1 ($(field "$c" blob_std_min)..$(field "$c" blob_std_max))" \
		pytrue "0.95 < $(field "$c" blob_std_min) <= $(field "$c" blob_std_max) < 1.05"
	check "$v: blob centres within (-10, 10)" test "$(field "$c" blob_box_ok)" = 1

	run "$v.b" "$bin" "${SMALL[@]}" --dump "$TMP/$v.b.dump"
	check "$v: the same seed gives the same data, labels and centres" cmp -s "$TMP/$v.a.dump" "$TMP/$v.b.dump"
	check "$v: ... and the same iterations and inertia" \
		test "$(metric "$TMP/$v.a.proto" iterations) $(metric "$TMP/$v.a.proto" inertia)" = \
		"$(metric "$TMP/$v.b.proto" iterations) $(metric "$TMP/$v.b.proto" inertia)"
	run "$v.c" "$bin" "${SMALL[@]}" --seed 8 --dump "$TMP/$v.c.dump"
	check "$v: another seed gives other data" test "$(cmp "$TMP/$v.a.dump" "$TMP/$v.c.dump" 2>/dev/null | wc -l)" = 1

	# Blobs of zero spread: 2 distinct rows for 4 clusters. k-means++ must
	# repeat a row, which leaves clusters empty: they are reseeded, and
	# nothing divides by zero.
	run "$v.z" "$bin" --samples 300 --features 4 --centers 2 --clusters 4 --cluster-std 0 --n-init 2 \
		--dump "$TMP/$v.z.dump"
	rc=$?
	check "$v: zero-spread blobs run ($rc; $(head -c 200 "$TMP/$v.z.err"))" test $rc -eq 0
	check "$v: ... empty clusters were reseeded ($(metric "$TMP/$v.z.proto" empty_clusters))" \
		pytrue "$(metric "$TMP/$v.z.proto" empty_clusters) > 0"
	check "$v: ... and the inertia is 0" test "$(metric "$TMP/$v.z.proto" inertia)" = 0
	"$PY" "$CHECK" "$TMP/$v.z.dump" >"$TMP/$v.z.check" 2>&1
	check "$v: ... which numpy confirms ($(field "$TMP/$v.z.check" inertia))" \
		test "$(field "$TMP/$v.z.check" inertia)" = 0.0
	check "$v: ... and every centre is a finite point" test "$(field "$TMP/$v.z.check" centres_finite)" = 1

	# By hand: a summary on stdout instead of protocol lines.
	"$bin" --samples 500 --features 4 --centers 2 --clusters 2 --n-init 1 >"$TMP/$v.hand" 2>&1
	check "$v: by hand it prints a summary" grep -Eq '^ +inertia +[0-9.e+]+$' "$TMP/$v.hand"
	# The default thread count is the effective CPUs benchtop passes.
	BENCHTOP_CPUS=1 run "$v.cpus" "$bin" --samples 500 --features 4 --clusters 2 --n-init 1
	check "$v: threads default to BENCHTOP_CPUS" test "$(metric "$TMP/$v.cpus.proto" threads)" = 1
	run "$v.auto" "$bin" --samples 500 --features 4 --clusters 2 --n-init 1 --threads auto
	check "$v: --threads auto" test "$(metric "$TMP/$v.auto.proto" threads)" -ge 1
done

if [ ${#variants[@]} -eq 2 ]; then
	check "glibc and musl: the same data, labels and centres for the same seed" \
		cmp -s "$TMP/glibc.a.dump" "$TMP/musl.a.dump"
	check "glibc and musl: the same iterations and inertia" \
		test "$(metric "$TMP/glibc.a.proto" iterations) $(metric "$TMP/glibc.a.proto" inertia)" = \
		"$(metric "$TMP/musl.a.proto" iterations) $(metric "$TMP/musl.a.proto" inertia)"
fi

# Usage, on the first variant: every parameter described, bad values refused.
bin=$BT_WL_DIR/${variants[0]}/bt-kmeans
"$bin" --describe >"$TMP/describe" 2>&1
check "--describe names the workload" grep -qx 'workload kmeans' "$TMP/describe"
check "--describe lists every parameter with its default" \
	test "$(awk '$1 == "param" { printf "%s=%s ", $2, $3 }' "$TMP/describe")" = \
	"samples=100000 features=128 centers=3 cluster-std=1.0 clusters=5 n-init=10 max-iter=300 tol=1e-4 seed=42 $(
	)threads=auto dump=none "
"$bin" --help >"$TMP/help" 2>&1
names='samples|features|centers|cluster-std|clusters|n-init|max-iter|tol|seed|threads|dump'
check "--help lists every parameter" test "$(grep -Ec -- "--($names) " "$TMP/help")" = 11

# bad ARGS...: exit 2, one line on stderr naming what was wrong, no stdout.
bad() {
	local want=$1
	shift
	"$bin" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	check "refused with exit 2 and one sentence: $* ($rc: $(head -c 160 "$TMP/bad.err"))" \
		test $rc -eq 2 -a "$(wc -l <"$TMP/bad.err")" = 1 -a ! -s "$TMP/bad.out" -a \
		"$(grep -c -- "$want" "$TMP/bad.err")" = 1
}
bad --samples --samples 0
bad --samples --samples 12x
bad --features --features -3
bad --centers --centers 0
bad --cluster-std --cluster-std -1
bad --clusters --clusters 0
bad --clusters --samples 10 --clusters 11
bad --n-init --n-init 0
bad --max-iter --max-iter 1.5
bad --tol --tol -0.1
bad --tol --tol nan
bad --seed --seed -1
bad --threads --threads 0
bad --threads --threads lots
bad --dump --dump ''
bad --bogus --bogus 1
bad stray --samples 10 stray
bad 'needs a value' --samples
"$bin" --samples 100 --features 2 --clusters 2 --n-init 1 --dump /nonexistent/dir/x >/dev/null 2>"$TMP/bad.err"
rc=$?
check "an unwritable dump file fails with exit 1 and one sentence ($rc: $(head -c 160 "$TMP/bad.err"))" \
	test $rc -eq 1 -a "$(wc -l <"$TMP/bad.err")" = 1
finish
