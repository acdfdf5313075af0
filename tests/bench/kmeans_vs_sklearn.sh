#!/usr/bin/env bash
# tests/bench/kmeans_vs_sklearn.sh — bt-kmeans on glibc and on musl beside
# scikit-learn's KMeans on the same data, and bt-kmeans' distance step beside
# bare sgemm on the same shape. A benchmark, not a test: it asserts nothing.
#
#   tests/bench/kmeans_vs_sklearn.sh      about REPS x 30 s on 2 CPUs
#   BT_WL_DIR=DIR     DIR/glibc/bt-kmeans and DIR/musl/bt-kmeans (either may
#                     be missing; default build/workloads or workloads)
#   REPS=5            repetitions of each contestant (the order rotates)
#   QUICK=1           one repetition, to check that the script works
#   SAMPLES=100000 FEATURES=128 CENTERS=3 CLUSTERS=5 N_INIT=10 MAX_ITER=300
#   TOL=1e-4 SEED=42 THREADS=2   the workload (the issue's targets use these)
#   BT_SYSROOT=DIR, or BT_OPENBLAS_GLIBC=PREFIX BT_OPENBLAS_MUSL=PREFIX
#       the OpenBLAS each variant was linked with (PREFIX/include/cblas.h,
#       PREFIX/lib/libopenblas.a; DIR/glibc and DIR/musl): a probe timing
#       bare sgemm and dgemm on the distance step's shape is built against
#       each and run in every repetition. Without them the step is compared
#       only with its own sgemm calls.
#   SKLEARN_DTYPE=float64  what scikit-learn is given (our float32 values
#       widened, as make_blobs' output would be), or float32
#   PY=/usr/bin/python3    Debian's, with python3-sklearn
#
# scikit-learn fits bt-kmeans' own data (read from a --dump file), with the
# same k, n_init, max_iter, tol and threads; only its k-means++ seeds come
# from numpy's generator. Times are of the fit alone on both sides (not the
# data generation, python's start or the load): wall time, and CPU time of
# all threads (on a busy machine it moves less than the wall time).
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
QUICK=${QUICK:-0}
REPS=${REPS:-5}
[ "$QUICK" = 1 ] && REPS=1
SAMPLES=${SAMPLES:-100000} FEATURES=${FEATURES:-128} CENTERS=${CENTERS:-3} CLUSTERS=${CLUSTERS:-5}
N_INIT=${N_INIT:-10} MAX_ITER=${MAX_ITER:-300} TOL=${TOL:-1e-4} SEED=${SEED:-42} THREADS=${THREADS:-2}
SKLEARN_DTYPE=${SKLEARN_DTYPE:-float64}
PY=${PY:-/usr/bin/python3}
if [ -z "${BT_WL_DIR:-}" ]; then
	BT_WL_DIR=$ROOT/build/workloads
	[ -d "$BT_WL_DIR" ] || BT_WL_DIR=$ROOT/workloads
fi
if [ -n "${BT_SYSROOT:-}" ]; then
	: "${BT_OPENBLAS_GLIBC:=$BT_SYSROOT/glibc}" "${BT_OPENBLAS_MUSL:=$BT_SYSROOT/musl}"
fi

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-kmeans.XXXXXX") || die "cannot make a temp dir"
child=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM

"$PY" -c 'import numpy, sklearn, threadpoolctl' 2>/dev/null || die "$PY lacks numpy or scikit-learn (python3-sklearn)"
variants=()
for v in glibc musl; do
	if [ -x "$BT_WL_DIR/$v/bt-kmeans" ]; then
		# A copy: a rebuild during the run must not mix two builds.
		mkdir -p "$WORK/$v" && cp "$BT_WL_DIR/$v/bt-kmeans" "$WORK/$v/" && variants+=("$v")
	else
		echo "note: no $BT_WL_DIR/$v/bt-kmeans; $v left out"
	fi
done
[ ${#variants[@]} -gt 0 ] || die "no bt-kmeans under $BT_WL_DIR (build it, or set BT_WL_DIR)"

ARGS=(--samples "$SAMPLES" --features "$FEATURES" --centers "$CENTERS" --clusters "$CLUSTERS" --n-init "$N_INIT"
	--max-iter "$MAX_ITER" --tol "$TOL" --seed "$SEED" --threads "$THREADS")

# bounded CMD...: run in the background (so Ctrl-C can stop it), at most 30 min.
bounded() {
	timeout 1800 "$@" &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return $rc
}
# metric FILE NAME / info FILE NAME: from a protocol file.
metric() { awk -v n="$2" '$1 == "metric" && $2 == n { v = $3 } END { print v }' "$1"; }
info() { awk -v n="$2" '$1 == "info" && $2 == n { $1 = ""; $2 = ""; sub(/^ +/, ""); v = $0 } END { print v }' "$1"; }

echo "kmeans vs scikit-learn, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"\
	"kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "workload: ${ARGS[*]}; $REPS repetitions, order rotating$([ "$QUICK" = 1 ] && echo ' (QUICK: not a measurement)')"

# The data, once: any run with this seed and shape writes the same rows.
first=${variants[0]}
bounded "$WORK/$first/bt-kmeans" "${ARGS[@]}" --n-init 1 --max-iter 1 --dump "$WORK/data.dump" >/dev/null ||
	die "bt-kmeans ($first) could not write the data"
sk_version=$("$PY" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')
echo "scikit-learn: $sk_version, $PY, fed bt-kmeans' data as $SKLEARN_DTYPE"

# The probe: bare sgemm and dgemm in bt-kmeans' call, -2 C Xᵀ (C CLUSTERS ×
# FEATURES, X SAMPLES × FEATURES, the result CLUSTERS × SAMPLES); prints the
# core and the median seconds of each.
cat >"$WORK/gemm_probe.c" <<'EOF'
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	if (argc != 6)
		return 2;
	int n = atoi(argv[1]), d = atoi(argv[2]), k = atoi(argv[3]), threads = atoi(argv[4]), reps = atoi(argv[5]);
	openblas_set_num_threads(threads);
	float *xs = malloc(sizeof(float) * n * d), *cs = malloc(sizeof(float) * k * d), *ds = malloc(sizeof(float) * n * k);
	double *xd = malloc(sizeof(double) * n * d), *cd = malloc(sizeof(double) * k * d);
	double *dd = malloc(sizeof(double) * n * k), *ts = malloc(sizeof(double) * reps), *td = malloc(sizeof(double) * reps);
	for (long i = 0; i < (long)n * d; i++)
		xd[i] = xs[i] = (float)((i * 7919 % 2003) / 100.0 - 10);
	for (long i = 0; i < (long)k * d; i++)
		cd[i] = cs[i] = (float)((i * 31 % 41) / 4.0 - 5);
	/* Each in a row of calls on the same data, as bt-kmeans makes them (the
	 * cache keeps part of X from call to call); two calls to warm up. */
	for (int r = -2; r < reps; r++) {
		double t0 = now();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, n, d, -2.0f, cs, d, xs, d, 0.0f, ds, n);
		if (r >= 0)
			ts[r] = now() - t0;
	}
	for (int r = -2; r < reps; r++) {
		double t0 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, n, d, -2.0, cd, d, xd, d, 0.0, dd, n);
		if (r >= 0)
			td[r] = now() - t0;
	}
	qsort(ts, reps, sizeof *ts, cmp);
	qsort(td, reps, sizeof *td, cmp);
	printf("%s %.6f %.6f\n", openblas_get_corename(), ts[reps / 2], td[reps / 2]);
	return 0;
}
EOF
probes=()
for v in "${variants[@]}"; do
	if [ "$v" = glibc ]; then prefix=${BT_OPENBLAS_GLIBC:-} cc=${CC:-gcc} static=; else
		prefix=${BT_OPENBLAS_MUSL:-} cc=musl-gcc static=-static; fi
	if [ -z "$prefix" ]; then
		echo "note: no BT_SYSROOT or BT_OPENBLAS_$(echo "$v" | tr a-z A-Z): no bare-gemm probe for $v"
		continue
	fi
	if $cc $static -O2 -I"$prefix/include" "$WORK/gemm_probe.c" "$prefix/lib/libopenblas.a" -pthread -lm \
		-o "$WORK/probe-$v" 2>"$WORK/probe-$v.err"; then
		probes+=("probe-$v")
	else
		echo "note: the probe does not build for $v: $(head -c 300 "$WORK/probe-$v.err")"
	fi
done

# One run of a contestant, appended to $WORK/results.tsv as "who time
# iterations inertia distance_time gemm_time distance_steps cpu" (a probe:
# "probe-V core sgemm dgemm").
run_ours() {
	local v=$1 p=$WORK/$1.proto
	BENCHTOP_RESULT_FD=3 bounded "$WORK/$v/bt-kmeans" "${ARGS[@]}" 3>"$p" >/dev/null || die "bt-kmeans ($v) failed"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$(metric "$p" time)" "$(metric "$p" iterations)" \
		"$(metric "$p" inertia)" "$(metric "$p" distance_time)" "$(metric "$p" gemm_time)" \
		"$(metric "$p" distance_steps)" "$(metric "$p" cpu_time)" >>"$WORK/results.tsv"
	cp "$p" "$WORK/$v.last"
}
run_sklearn() {
	local out
	out=$(bounded "$PY" "$BENCH_DIR/sklearn_kmeans.py" "$WORK/data.dump" "$CLUSTERS" "$N_INIT" "$MAX_ITER" "$TOL" \
		"$SEED" "$THREADS" "$SKLEARN_DTYPE" 2>"$WORK/sklearn.err") ||
		die "scikit-learn failed: $(tail -n 3 "$WORK/sklearn.err")"
	set -- $out # time T cpu C iterations N inertia X blas ARCH
	printf 'sklearn\t%s\t%s\t%s\t\t\t\t%s\n' "$2" "$6" "$8" "$4" >>"$WORK/results.tsv"
	sk_blas=${10}
}
run_probe() {
	local out
	out=$(bounded "$WORK/$1" "$SAMPLES" "$FEATURES" "$CLUSTERS" "$THREADS" 21) || die "$1 failed"
	printf '%s\t%s\n' "$1" "$(echo "$out" | tr ' ' '\t')" >>"$WORK/results.tsv"
}
: >"$WORK/results.tsv"
order=("${variants[@]}" sklearn "${probes[@]}")
for ((r = 1; r <= REPS; r++)); do
	for who in "${order[@]}"; do
		case $who in sklearn) run_sklearn ;; probe-*) run_probe "$who" ;; *) run_ours "$who" ;; esac
	done
	order=("${order[@]:1}" "${order[0]}") # rotate: each goes first in turn
	echo "repetition $r done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
for v in "${variants[@]}"; do
	echo "$v: OpenBLAS core $(info "$WORK/$v.last" openblas_core); $(info "$WORK/$v.last" openblas_config)"
done
echo "sklearn: OpenBLAS core $sk_blas (scikit-learn runs its own OpenMP loops and calls BLAS per chunk)"

# The tables.
WORK=$WORK SAMPLES=$SAMPLES FEATURES=$FEATURES CLUSTERS=$CLUSTERS "$PY" - <<'EOF'
import os
import statistics as st

work = os.environ["WORK"]
rows = {}
for line in open(os.path.join(work, "results.tsv")):
    f = line.rstrip("\n").split("\t")
    rows.setdefault(f[0], []).append(f[1:])


def med(who, i):
    v = [float(r[i]) for r in rows.get(who, []) if len(r) > i and r[i]]
    return st.median(v) if v else None


sk, sk_inertia, sk_cpu = med("sklearn", 0), med("sklearn", 2), med("sklearn", 6)
print()
print(f"{'':8} {'fit median':>11} {'min':>8} {'max':>8} {'cpu median':>11} {'iterations':>10} {'inertia':>20}"
      f" {'vs sklearn':>10} {'sklearn/ours wall':>17} {'cpu':>6}")
for who in rows:
    if who.startswith("probe-"):
        continue
    t = [float(r[0]) for r in rows[who]]
    cpu = med(who, 6)
    its = sorted({r[1] for r in rows[who]})
    ins = sorted({r[2] for r in rows[who]})
    rel = (float(ins[0]) - sk_inertia) / sk_inertia
    print(f"{who:8} {st.median(t):10.3f}s {min(t):7.3f}s {max(t):7.3f}s {cpu:10.3f}s {','.join(its):>10}"
          f" {','.join('%.2f' % float(i) for i in ins):>20} {rel:+10.2e} {sk / st.median(t):16.2f}x {sk_cpu / cpu:5.2f}x")
n, d, k = (int(os.environ[x]) for x in ("SAMPLES", "FEATURES", "CLUSTERS"))
flop = 2.0 * n * d * k
print()
print(f"distance step (sgemm -2 C X^T, C {k} x {d}, X {n} x {d}, then the nearest centre), per call, medians:")
for who in rows:
    if who == "sklearn" or who.startswith("probe-"):
        continue
    step = st.median(float(r[3]) / float(r[5]) for r in rows[who])
    own = st.median(float(r[4]) / float(r[5]) for r in rows[who])
    line = (f"  {who:6} step {step * 1e3:6.2f} ms ({flop / step / 1e9:5.1f} GFLOP/s), its sgemm {own * 1e3:6.2f} ms"
            f" ({own / step * 100:.0f}% of the step)")
    probe = rows.get("probe-" + who)
    if probe:
        s = st.median(float(r[1]) for r in probe)
        dg = st.median(float(r[2]) for r in probe)
        line += (f"; bare sgemm {s * 1e3:.2f} ms ({flop / s / 1e9:.1f} GFLOP/s), bare dgemm {dg * 1e3:.2f} ms"
                 f" ({probe[0][0]}): the step reaches {s / step * 100:.0f}% of bare sgemm's speed")
    print(line)
EOF
