#!/bin/bash
# Findings (src/advice) on real runs of a small OpenBLAS program
# (tests/integration/blas_oversub.c, built here against the system's
# OpenBLAS) through the test driver tests/integration/advice_drive:
# - two OpenBLAS threads under a 0.5 CPU quota (document 004): the
#   oversubscription finding fires, names its numbers and says
#   OPENBLAS_NUM_THREADS=1;
# - one thread with two CPUs: no oversubscription, no visible-CPU warning;
# - the OpenBLAS core the run reports against the CPU's flags: Debian's
#   OpenBLAS picks Prescott or Haswell on an AVX-512 CPU, which is a finding; with
#   OPENBLAS_CORETYPE set to the best core it is not.
# No timing is asserted: the machine is shared and noisy.
. "$(dirname "$0")/lib.sh"

DRIVE=${ADVICE_DRIVE:-$(dirname "$BENCHTOP")/tests/integration/advice_drive}
SRC=${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/integration/blas_oversub.c
if [ ! -x "$DRIVE" ]; then
	echo "# skip: no advice_drive at $DRIVE (build it with make check, or set ADVICE_DRIVE)"
	exit 77
fi
if ! "${CC:-cc}" -O2 -o "$TMP/blas_oversub" "$SRC" -lopenblas 2>"$TMP/cc.err"; then
	echo "# skip: cannot build blas_oversub against OpenBLAS (install libopenblas-dev): $(head -1 "$TMP/cc.err")"
	exit 77
fi
if ! can_create_cgroups; then
	echo "# skip: run cgroups cannot be created here, so there is no CPU quota to oversubscribe"
	exit 77
fi
BLAS=$TMP/blas_oversub

# finding NAME KIND EXPR: the python expression EXPR over the finding f of
# kind KIND in $TMP/NAME.adv.json is true (false when there is no such one).
finding() {
	python3 - "$TMP/$1.adv.json" "$2" "$3" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
fs = [f for f in runs[0]["findings"] if f["kind"] == sys.argv[2]] if runs else []
sys.exit(0 if fs and eval(sys.argv[3], {"f": fs[0]}) else 1)
EOF
}
# absent NAME KIND: there is no finding of kind KIND.
absent() { ! finding "$1" "$2" True; }
# advise NAME [ARGS]: findings of $TMP/NAME.bt as JSON and text. The CPU's
# flags come from /proc/cpuinfo unless the trace's META has them.
advise() {
	local name=$1
	shift
	"$DRIVE" --json "$@" "$TMP/$name.bt" >"$TMP/$name.adv.json" &&
		"$DRIVE" "$@" "$TMP/$name.bt" >"$TMP/$name.adv.txt"
}
CPUINFO=()

# ---- Oversubscribed: two OpenBLAS threads under a 0.5 CPU quota ----------
record over --cpus 0.5 -e OPENBLAS_NUM_THREADS=2 -- "$BLAS" 3
check "the oversubscribed run succeeds" test $? -eq 0
check "its findings can be computed" advise over "${CPUINFO[@]}"
sed 's/^/# /' "$TMP/over.adv.txt"
check "oversubscription fires as a warning" finding over oversubscribed 'f["severity"] == "warning"'
check "it counts about two runnable threads for 0.5 CPUs" \
	finding over oversubscribed 'f["numbers"]["runnable_median"] == 2 and f["numbers"]["cpus"] == 0.5'
check "its sentence names the numbers" \
	finding over oversubscribed '"runnable threads on average" in f["text"] and "for 0.5 CPUs (its CPU quota)" in f["text"]'
check "it rests on a cost: throttling, involuntary switches or run-queue wait" \
	finding over oversubscribed 'f["numbers"].get("throttled_share", 0) >= 0.5 or f["numbers"].get("runqueue_wait_share", 0) >= 0.25 or f["numbers"].get("involuntary_cs_per_s", 0) >= 40'
check "the throttling it quotes is the summary's" \
	finding over oversubscribed "abs(f['numbers'].get('throttled_share', -1) - $(json "$TMP/over.json" 'd["runs"][0]["throttled_periods"] / max(1, d["runs"][0]["periods"])')) < 1e-6"
check "the fix is OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1)" \
	finding over oversubscribed 'f["fix"].startswith("set OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1)")'
check "the text output shows the fix" grep -q "fix: set OPENBLAS_NUM_THREADS=1" "$TMP/over.adv.txt"
visible=$(getconf _NPROCESSORS_ONLN)
if [ "$visible" -gt 1 ]; then
	check "visible CPUs ($visible) against the 0.5 it may use are a finding" \
		finding over visible_cpus '"but may use 0.5 CPUs" in f["text"]'
fi
check "its working threads were CPU-bound" finding over cpu_bound 'f["numbers"]["working_threads"] == 2'

# The same findings in compare: counted per variant, one example with its fix.
"$BENCHTOP" compare "$TMP/over.bt" --format json >"$TMP/over.cmp.json"
check "compare's JSON carries the oversubscription finding with its fix" pytrue \
	"any(f['kind'] == 'oversubscribed' and f['fix'].startswith('set OPENBLAS_NUM_THREADS=1') for g in __import__('json').load(open('$TMP/over.cmp.json'))['groups'] for v in g['variants'] for f in v['findings'])"
"$BENCHTOP" compare "$TMP/over.bt" >"$TMP/over.cmp.txt"
check "compare's table counts it and shows the example and its fix" \
	eval 'grep -q "findings .*oversubscribed (1 of 1 run)" "$TMP/over.cmp.txt" && grep -q "fix: set OPENBLAS_NUM_THREADS=1" "$TMP/over.cmp.txt"'

# ---- Healthy: one thread, two CPUs -----------------------------------------
record fits --cpus 2 -e OPENBLAS_NUM_THREADS=1 -- "$BLAS" 3
check "the fitting run succeeds" test $? -eq 0
check "its findings can be computed" advise fits "${CPUINFO[@]}"
sed 's/^/# /' "$TMP/fits.adv.txt"
check "no oversubscription with one thread for two CPUs" absent fits oversubscribed
check "no visible-CPU finding when it runs no more threads than it may use" absent fits visible_cpus
for kind in memory_near_limit oom_kill major_faults; do
	check "no $kind finding" absent fits $kind
done
check "its one working thread was CPU-bound" finding fits cpu_bound 'f["numbers"]["working_threads"] == 1'

# ---- The OpenBLAS core against the CPU ---------------------------------------
core=$(json "$TMP/fits.json" 'd["runs"][0]["metrics"].get("openblas_core", {}).get("value", "")')
# The best core by the CPU's flags, worked out here apart from advice.c.
has_flag() { grep -m1 '^flags' /proc/cpuinfo | grep -qw -- "$1"; }
best=
if has_flag avx512f && has_flag avx512cd && has_flag avx512bw && has_flag avx512dq && has_flag avx512vl; then
	best=SkylakeX
elif has_flag avx2 && has_flag fma; then
	best=Haswell
fi
check "the run reported its OpenBLAS core ($core)" test -n "$core"
# The instruction-set level of a core, and of the best core for this CPU,
# written out here apart from advice.c's table.
level() {
	case "$1" in
	SapphireRapids | Cooperlake | SkylakeX) echo 6 ;;
	Haswell | Zen | Excavator) echo 5 ;;
	Sandybridge | Bulldozer | Piledriver | Steamroller) echo 4 ;;
	Nehalem) echo 3 ;;
	Prescott | Core2 | Penryn | Dunnington | Atom | Opteron_SSE3 | Barcelona | Nano | Bobcat) echo 2 ;;
	*) echo 0 ;;
	esac
}
have=$(level "$core")
want=$(level "$best")
if [ -n "$best" ] && [ "$have" -gt 0 ] && [ "$have" -lt "$want" ]; then
	# Debian's OpenBLAS 0.3.21 picks Prescott (or Haswell) on these AVX-512 CPUs.
	check "$core kernels on a CPU fit for $best are a finding" \
		finding fits blas_kernels "'$core kernels' in f['text'] and f['numbers']['core_level'] == $have and f['numbers']['cpu_level'] == $want"
	check "its fix names OPENBLAS_CORETYPE=$best" finding fits blas_kernels "'OPENBLAS_CORETYPE=$best' in f['fix']"
	check "the text output shows it" grep -q "OPENBLAS_CORETYPE=$best" "$TMP/fits.adv.txt"
	advise fits
	check "the trace's META carries the CPU's flags: the finding needs no --cpuinfo" \
		finding fits blas_kernels "'OPENBLAS_CORETYPE=$best' in f['fix']"
elif [ -n "$best" ] && [ "$have" -ge "$want" ]; then
	check "OpenBLAS's own choice $core is the best for this CPU: no finding" absent fits blas_kernels
else
	echo "# skip: OpenBLAS chose $core on a CPU whose best core is '${best:-unknown}': the kernel finding is not checked"
fi
if [ -n "$best" ]; then
	record best --cpus 2 -e OPENBLAS_NUM_THREADS=1 -e OPENBLAS_CORETYPE=$best -- "$BLAS" 2
	check "a run with OPENBLAS_CORETYPE=$best succeeds" test $? -eq 0
	advise best "${CPUINFO[@]}"
	bcore=$(json "$TMP/best.json" 'd["runs"][0]["metrics"].get("openblas_core", {}).get("value", "")')
	if [ "$bcore" = "$best" ]; then
		check "the best core for the CPU is no finding" absent best blas_kernels
	else
		echo "# skip: OPENBLAS_CORETYPE=$best gave core $bcore (an OpenBLAS without DYNAMIC_ARCH)"
	fi
fi
finish
