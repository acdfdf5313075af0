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

# Order: blocked puts each variant's runs together, after the warm-ups.
printf '[suite]\nvariants = glibc, musl\nreps = 2\nwarmup = 1\norder = blocked\n\n[micro]\ncase = malloc1\nseconds = 0.01\n' >"$TMP/blocked.suite"
"$BENCHTOP" record --dry-run --suite "$TMP/blocked.suite" >"$TMP/blocked.txt" 2>&1
check "blocked: warm-ups of each variant first, then glibc glibc musl musl" test \
	"$(awk '/^ +[0-9]+  micro/ { printf "%s/%s ", $3, $4 }' "$TMP/blocked.txt")" = "glibc/warm-up musl/warm-up glibc/rep glibc/rep musl/rep musl/rep "

# A parameter value the workload refuses: at plan time, at its line, no trace.
printf '[suite]\nreps = 1\n\n[kmeans]\nsamples = 1000, abc\nclusters = 3\n' >"$TMP/badval.suite"
"$BENCHTOP" record -q -o "$TMP/bv.bt" --suite "$TMP/badval.suite" 2>"$TMP/bv.err"
check "a value the workload refuses: exit 2" test $? -eq 2
check "... named at its line with the workload's own sentence" \
	grep -q "badval.suite:5: kmeans: --samples takes a whole number from 1 to 1000000000, not 'abc'." "$TMP/bv.err"
check "... and nothing was run or recorded" test ! -e "$TMP/bv.bt"
printf '[kmeans]\nsamples = 5\nclusters = 3, 9\n' >"$TMP/badset.suite"
"$BENCHTOP" record -q -o "$TMP/bs.bt" --suite "$TMP/badset.suite" 2>"$TMP/bs.err"
check "a parameter set the workload refuses (clusters 9 > samples 5): at the clusters line" \
	grep -q "badset.suite:3: kmeans: --clusters 9 is more than --samples 5" "$TMP/bs.err"
"$BENCHTOP" record -q -o "$TMP/bs.bt" kmeans --samples 5 --clusters 3,9 2>"$TMP/bs2.err"
check "the same on the command line: exit 2, one sentence, before any run" \
	test $? -eq 2 -a "$(wc -l <"$TMP/bs2.err")" -eq 1 -a ! -e "$TMP/bs.bt"

# Limits and programs the machine does not have.
printf '[suite]\ncpuset = 4000\n\n[micro]\nseconds = 0.01\n' >"$TMP/cpuset.suite"
"$BENCHTOP" record -q -o "$TMP/cs.bt" --suite "$TMP/cpuset.suite" 2>"$TMP/cs.err"
check "a cpuset with CPUs benchtop may not use: exit 2 at its line" \
	test $? -eq 2 -a -n "$(grep "cpuset.suite:2: cpuset 4000 names CPUs benchtop may not use here; it may use" "$TMP/cs.err")"
"$BENCHTOP" record -q -o "$TMP/cs.bt" --cpuset 4000 -- true 2>"$TMP/cs2.err"
check "--cpuset with CPUs benchtop may not use: exit 2, one sentence" \
	test $? -eq 2 -a "$(wc -l <"$TMP/cs2.err")" -eq 1 -a ! -e "$TMP/cs.bt"
"$BENCHTOP" record -o "$TMP/c64.bt" --dry-run --cpus 64 -- true >/dev/null 2>"$TMP/c64.err"
check "--cpus above the machine is lowered, with a note" grep -q "note: --cpus 64 lowered to" "$TMP/c64.err"
printf '[command nope]\nrun = no-such-program-here --fast\n' >"$TMP/prog.suite"
"$BENCHTOP" record -q -o "$TMP/p.bt" --suite "$TMP/prog.suite" 2>"$TMP/p.err"
check "a command that is not on PATH: exit 2 at its run line" \
	test $? -eq 2 -a -n "$(grep "prog.suite:2: the program 'no-such-program-here' of \[command nope\] is not on PATH" "$TMP/p.err")"

# blas-threads = auto: the BLAS variables set to the CPUs each run may use.
cat >"$TMP/blas.suite" <<'SUITE'
[suite]
cpus = 1
blas-threads = auto

[command blas]
run = sh -c 'echo "metric blas $OPENBLAS_NUM_THREADS" >&$BENCHTOP_RESULT_FD; echo "metric omp $OMP_NUM_THREADS" >&$BENCHTOP_RESULT_FD'
SUITE
"$BENCHTOP" record -q -o "$TMP/blas.bt" --suite "$TMP/blas.suite" 2>"$TMP/blas.err"
check "blas-threads = auto runs (exit $?)" test -s "$TMP/blas.bt"
"$BENCHTOP" export --summary --format json "$TMP/blas.bt" >"$TMP/blas.json"
check "it set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the run's 1 CPU" \
	test "$(json "$TMP/blas.json" '"%s/%s" % (d["runs"][0]["metrics"]["blas"]["value"], d["runs"][0]["metrics"]["omp"]["value"])')" = "1/1"

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
