#!/bin/bash
# The built-in workloads as benchtop sees them: `benchtop workloads` (names,
# parameters, each variant's binary and the libc read from the file), and
# `record` with a built-in name: variants, repetitions, warm-ups, order,
# sweeps over comma lists, allocator variants, and clear errors.
. "$(dirname "$0")/lib.sh"
unset BENCHTOP_WORKLOADS
WL=$(dirname "$BENCHTOP")/workloads
if [ ! -x "$WL/glibc/bt-micro" ]; then
	echo "# the workloads were not built next to $BENCHTOP"
	exit 77
fi
have_musl=no
[ -x "$WL/musl/bt-micro" ] && have_musl=yes

# ---- benchtop workloads ----------------------------------------------------
"$BENCHTOP" workloads >"$TMP/wl.txt" 2>&1
check "workloads exits 0" test $? -eq 0
for n in kmeans forest pgio micro spin; do
	check "workloads lists $n" grep -q "^$n" "$TMP/wl.txt"
done
check "workloads shows parameters with defaults" grep -q -- "--clusters 5" "$TMP/wl.txt"
"$BENCHTOP" workloads --format json >"$TMP/wl.json"
check "workloads --format json is JSON" pytrue "len(__import__('json').load(open('$TMP/wl.json'))['binaries']) > 0"
check "every binary entry has name, variant, path and libc" \
	pytrue "all(set(['name','variant','path','libc']) <= set(b) for b in __import__('json').load(open('$TMP/wl.json'))['binaries'])"
libc_of() { json "$TMP/wl.json" "([b['libc'] for b in d['binaries'] if b['name']=='$1' and b['variant']=='$2'] + ['none'])[0]"; }
check "the glibc kmeans is linked with glibc, dynamically ($(libc_of kmeans glibc))" \
	pytrue "'$(libc_of kmeans glibc)'.startswith('glibc 2.') and 'dynamic' in '$(libc_of kmeans glibc)'"
if [ $have_musl = yes ]; then
	check "the musl kmeans is linked with musl, statically ($(libc_of kmeans musl))" \
		pytrue "'$(libc_of kmeans musl)'.startswith('musl 1.') and 'static' in '$(libc_of kmeans musl)'"
	for n in forest pgio micro spin; do
		check "the musl $n says musl" pytrue "'$(libc_of $n musl)'.startswith('musl')"
	done
fi
check "the Debian-OpenBLAS k-means variant is listed" \
	pytrue "any(b['variant']=='glibc+debian-openblas' for b in __import__('json').load(open('$TMP/wl.json'))['binaries'])"
"$BENCHTOP" workloads --format yaml >/dev/null 2>"$TMP/err"
check "a bad --format gives exit 2 and one sentence" test $? -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1

# ---- record with a built-in name ------------------------------------------
variants=(--variant glibc)
[ $have_musl = yes ] && variants+=(--variant musl)
nv=${#variants[@]}
nv=$((nv / 2))
record inter "${variants[@]}" --reps 2 micro --case malloc1 --seconds 0.05
check "variants x reps runs are made (exit $?)" test "$(json "$TMP/inter.json" 'len(d["runs"])')" -eq $((2 * nv))
order=$(json "$TMP/inter.json" '" ".join(r["variant"] for r in d["runs"])')
if [ $have_musl = yes ]; then
	check "the default order interleaves variants ($order)" test "$order" = "glibc musl glibc musl"
	check "the musl run's binary is musl" pytrue "'musl' in '$(json "$TMP/inter.json" 'd["runs"][1]["binary_libc"]')'"
fi
check "reps are numbered" test "$(json "$TMP/inter.json" '" ".join(str(r["rep"]) for r in d["runs"])')" = \
	"$( [ $have_musl = yes ] && echo "1 1 2 2" || echo "1 2")"
check "params hold every parameter, given or default" pytrue \
	"'$(json "$TMP/inter.json" 'd["runs"][0]["params"]')' == 'case=malloc1 seconds=0.05 threads=auto seed=42'"
check "each run's metrics reach the summary" pytrue "$(json "$TMP/inter.json" 'd["runs"][0]["metrics"]["malloc1"]["value"]') > 0"
check "the CPUs the run may use are recorded (BENCHTOP_CPUS)" pytrue "$(json "$TMP/inter.json" 'd["runs"][0]["effective_cpus"]') >= 1"

if [ $have_musl = yes ]; then
	record blocked --variant glibc --variant musl --reps 2 --order blocked micro --case malloc1 --seconds 0.05
	check "--order blocked groups by variant" \
		test "$(json "$TMP/blocked.json" '" ".join(r["variant"] for r in d["runs"])')" = "glibc glibc musl musl"
fi

record sweep --variant glibc --warmup 1 spin --seconds 0.1,0.2 --threads 1
check "a comma list sweeps: 2 sets x (1 warm-up + 1 rep)" test "$(json "$TMP/sweep.json" 'len(d["runs"])')" -eq 4
check "warm-up runs come first in each set and are marked" test \
	"$(json "$TMP/sweep.json" '" ".join(str(r["warmup"]) + ":" + str(r["rep"]) for r in d["runs"])')" = \
	"True:0 False:1 True:0 False:1"
check "each set's params carry its value" test \
	"$(json "$TMP/sweep.json" '" ".join(r["params"].split()[2] for r in d["runs"])')" = \
	"seconds=0.1 seconds=0.1 seconds=0.2 seconds=0.2"

record list --variant glibc micro --case malloc1,qsort --seconds 0.05
check "a parameter that takes a list is passed whole, not swept" test "$(json "$TMP/list.json" 'len(d["runs"])')" -eq 1
check "both listed cases ran" pytrue "$(json "$TMP/list.json" 'd["runs"][0]["metrics"]["qsort_int"]["value"]' 2>/dev/null || echo 0) > 0"

if [ -r /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ]; then
	record jem --variant glibc+jemalloc micro --case malloc1 --seconds 0.05
	check "glibc+jemalloc preloads jemalloc" pytrue \
		"any('libjemalloc' in e for e in $(json "$TMP/jem.json" 'd["runs"][0]["env"]'))"
	check "glibc+jemalloc's run is labelled with its allocator" pytrue \
		"'jemalloc' in '$(json "$TMP/jem.json" 'd["runs"][0]["binary_libc"]')'"
fi

# ---- sizing thread pools by the run's CPUs --------------------------------
record blas --cpus 1 --blas-threads auto -- sh -c 'test "$OPENBLAS_NUM_THREADS" = 1 && test "$OMP_NUM_THREADS" = 1'
check "--blas-threads auto under --cpus 1 gives the run OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1 (exit $?)" \
	test "$(json "$TMP/blas.json" 'd["runs"][0]["exit_code"]')" = 0
check "the thread variables are recorded with the run" pytrue \
	"'OPENBLAS_NUM_THREADS=1' in $(json "$TMP/blas.json" 'd["runs"][0]["env"]')"
record blas3 --blas-threads 3 -e OMP_NUM_THREADS=5 -- sh -c 'test "$OPENBLAS_NUM_THREADS" = 3 && test "$OMP_NUM_THREADS" = 5'
check "--blas-threads N sets N, and the user's own -e wins" test "$(json "$TMP/blas3.json" 'd["runs"][0]["exit_code"]')" = 0
record auto --cpus 1 kmeans --samples 2000 --features 8 --n-init 1 --threads auto
check "a built-in's --threads auto follows the run's CPU quota (1)" \
	pytrue "$(json "$TMP/auto.json" 'd["runs"][0]["metrics"]["threads"]["value"]') == 1"

# ---- errors: one sentence, exit 2, no trace -------------------------------
bad() { # WHAT PATTERN ARGS...
	local what=$1 pat=$2
	shift 2
	"$BENCHTOP" record -q -o "$TMP/bad.bt" "$@" >/dev/null 2>"$TMP/bad.err"
	local rc=$?
	check "$what: exit 2 ($rc)" test $rc -eq 2
	check "$what: one sentence naming the problem" \
		test "$(wc -l <"$TMP/bad.err")" -eq 1 -a -n "$(grep -- "$pat" "$TMP/bad.err")"
	check "$what: no trace is written" test ! -e "$TMP/bad.bt"
}
bad "an unknown parameter" "has no parameter --nope" micro --nope 1
bad "an unknown variant" "no variant 'nosuch'" --variant nosuch micro
bad "a parameter without a value" "lacks its value" micro --seconds
bad "a parameter given twice" "given twice" micro --seconds 1 --seconds 2
bad "an empty item in a list" "empty value" spin --seconds 1,,2
bad "a stray word" "is not a parameter" micro extra
bad "two variants for a command" "only name it once" --variant a --variant b -- true
bad "a bad --blas-threads" "blas-threads takes auto" --blas-threads lots -- true
bad "a value the workload refuses, found before any run" "kmeans: --samples takes a whole number" kmeans --samples lots
bad "a parameter set the workload refuses" "kmeans: --clusters 9 is more than --samples 5" kmeans --samples 5 --clusters 3,9

# ---- BENCHTOP_CHECK: each workload checks its parameters and does nothing else
for n in kmeans forest pgio micro; do
	bin=$WL/glibc/bt-$n
	check "$n --describe says it answers BENCHTOP_CHECK" grep -qx "checks BENCHTOP_CHECK" <("$bin" --describe)
	BENCHTOP_CHECK=1 "$bin" >"$TMP/chk.out" 2>"$TMP/chk.err"
	check "$n with BENCHTOP_CHECK=1 and its defaults: exit 0, nothing printed, no work done" \
		test $? -eq 0 -a ! -s "$TMP/chk.out" -a ! -s "$TMP/chk.err"
	BENCHTOP_CHECK=1 "$bin" --nope 1 >/dev/null 2>"$TMP/chk.err"
	check "$n with BENCHTOP_CHECK=1 and a bad option: exit 2, one sentence" \
		test $? -eq 2 -a "$(wc -l <"$TMP/chk.err")" -eq 1
done
finish
