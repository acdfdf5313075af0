#!/bin/bash
# record --suite: a small suite file becomes the planned runs (sections,
# sweeps, variants, reps, warm-ups, limits clamped to the machine with a
# note); errors name the file and the line; the shipped suites all plan.
. "$(dirname "$0")/lib.sh"
unset BENCHTOP_WORKLOADS
WL=$(dirname "$BENCHTOP")/workloads
if [ ! -x "$WL/glibc/bt-micro" ] || [ ! -x "$WL/musl/bt-micro" ]; then
	echo "# the glibc and musl workloads were not built next to $BENCHTOP"
	exit 77
fi
cat >"$TMP/small.suite" <<'SUITE'
# a small suite for the test
[suite]
variants = glibc, musl
reps = 2
warmup = 1
cpus = 64          ; more than this machine has: clamped, with a note
interval = 50

[micro]
case = malloc1
seconds = 0.05

[spin quick]
variants = glibc
seconds = 0.1, 0.2
threads = 1
SUITE
"$BENCHTOP" record -o "$TMP/s.bt" --suite "$TMP/small.suite" >"$TMP/s.out" 2>"$TMP/s.err"
check "record --suite exits 0 ($?)" test $? -eq 0
"$BENCHTOP" export --summary --format json "$TMP/s.bt" >"$TMP/s.json"
# micro: 2 variants x (1 warm-up + 2 reps) = 6; spin: 2 values x 3 = 6.
check "the suite's sections, sweeps, variants, reps and warm-ups make 12 runs" \
	test "$(json "$TMP/s.json" 'len(d["runs"])')" -eq 12
check "micro runs interleave glibc and musl" test \
	"$(json "$TMP/s.json" '" ".join(r["variant"] for r in d["runs"] if r["workload"]=="micro" and not r["warmup"])')" = \
	"glibc musl glibc musl"
check "a named section labels its runs" test "$(json "$TMP/s.json" '[r["label"] for r in d["runs"] if r["workload"]=="spin"][0]')" = quick
check "the clamped CPU limit is said once, with file and line" grep -q "small.suite:6: cpus 64 clamped to" "$TMP/s.err"
check "the clamped limit is the one applied" pytrue \
	"all(r['limit_cpus'] <= $(nproc) for r in __import__('json').load(open('$TMP/s.json'))['runs'])"
check "the suite's interval is used" pytrue "$(json "$TMP/s.json" 'd["runs"][0]["samples"]') >= 2"

# The shipped suites plan against the built workloads (--dry-run runs nothing).
for f in "$TOP_SRCDIR"/suites/*.suite; do
	"$BENCHTOP" record --dry-run --suite "$f" >"$TMP/plan.txt" 2>"$TMP/plan.err"
	check "$(basename "$f") plans (--dry-run, exit $?)" test $? -eq 0
done
"$BENCHTOP" record --dry-run --suite "$TOP_SRCDIR/suites/seed.suite" 2>/dev/null | tail -1 >"$TMP/n.txt"
check "seed.suite: kmeans 2x2 sets, forest 3, pgio 1, on 2 variants, 1 warm-up + 5 reps = 96 runs" \
	grep -qx "96 runs" "$TMP/n.txt"

printf '[suite]\nreps = 1\n\n[micro]\nseconds = 0.05\nnope = 3\n' >"$TMP/bad.suite"
"$BENCHTOP" record -q -o "$TMP/b.bt" --suite "$TMP/bad.suite" 2>"$TMP/b.err"
check "an unknown parameter in a suite: exit 2" test $? -eq 2
check "... one sentence naming the file and the line" grep -q "bad.suite:6: micro has no parameter --nope" "$TMP/b.err"
check "... and no trace" test ! -e "$TMP/b.bt"
printf '[suite]\nreps = many\n' >"$TMP/bad2.suite"
"$BENCHTOP" record -q -o "$TMP/b.bt" --suite "$TMP/bad2.suite" 2>"$TMP/b2.err"
check "a bad value in [suite]: exit 2 and FILE:LINE" test $? -eq 2 -a -n "$(grep 'bad2.suite:2:' "$TMP/b2.err")"
"$BENCHTOP" record -q -o "$TMP/b.bt" --suite "$TMP/small.suite" --variant musl 2>"$TMP/b3.err"
check "--suite with --variant is refused (exit 2)" test $? -eq 2
"$BENCHTOP" record -q -o "$TMP/b.bt" --suite "$TMP/nope.suite" 2>"$TMP/b4.err"
check "a missing suite: exit 2, one sentence" test $? -eq 2 -a "$(wc -l <"$TMP/b4.err")" -eq 1
finish
