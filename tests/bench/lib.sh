# tests/bench/lib.sh — shared by the benchmark scripts; source it, do not run it.
# shellcheck shell=bash
#
# Gives: $BT (benchtop), $BTSPIN (bt-spin), $SLEEPSPIN (built into a temp dir),
# $WORK (a temp dir removed at exit), track/untrack/stop_pid (every process a
# script starts is tracked by PID and stopped at exit, never by name),
# snap PID (a /proc snapshot of a process), result (one row for run-all's
# table) and $PY (python3). Processes and files are cleaned up on exit,
# Ctrl-C and SIGTERM.

set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
# The out-of-tree build of tools/build.sh first, else an in-tree build.
_bdir=$ROOT/build
[ -x "$_bdir/benchtop" ] || _bdir=$ROOT
BT=${BENCHTOP:-$_bdir/benchtop}
BTSPIN=${BT_SPIN:-$_bdir/bt-spin}
PY=${PYTHON:-python3}
QUICK=${QUICK:-0}
BENCH_PIDS=()

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

[ -x "$BT" ] || die "no benchtop at $BT (build with 'sh tools/build.sh' or set BENCHTOP)"
[ -x "$BTSPIN" ] || die "no bt-spin at $BTSPIN (build with 'make' or set BT_SPIN)"
command -v "$PY" >/dev/null || die "python3 is needed for the statistics"

track() { BENCH_PIDS+=("$1"); }
untrack() {
	local p keep=()
	for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	BENCH_PIDS=("${keep[@]}")
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# wait_gone PID SECONDS: wait (polling) until PID is gone or SECONDS pass.
# Reaps it if it is our child. Returns 0 if gone.
wait_gone() {
	local pid=$1 lim=$2 i=0 n
	n=$(awk -v s="$lim" 'BEGIN { print int(s * 20) }')
	while alive "$pid" && [ "$i" -lt "$n" ]; do
		# a zombie child of ours counts as gone once reaped
		if [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then break; fi
		sleep 0.05
		i=$((i + 1))
	done
	wait "$pid" 2>/dev/null
	! alive "$pid"
}

# stop_pid PID [GRACE]: SIGTERM, then SIGKILL after GRACE seconds (default 5).
stop_pid() {
	local pid=$1 grace=${2:-5}
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		wait_gone "$pid" "$grace" || { kill -KILL "$pid" 2>/dev/null; wait_gone "$pid" 2; }
	fi
	wait "$pid" 2>/dev/null
	untrack "$pid"
}

bench_cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${BENCH_PIDS[@]}"; do stop_pid "$p" 5; done
	[ -n "${WORK:-}" ] && [ -d "$WORK" ] && rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-bench.XXXXXX") || die "cannot make a temp dir"
# Measure a snapshot of the binary: a rebuild during a long run must not mix
# two builds in one set of numbers.
cp "$BT" "$WORK/benchtop" || die "cannot copy $BT"
BT_ORIG=$BT
BT=$WORK/benchtop
SLEEPSPIN=$WORK/sleepspin
${CC:-cc} -O2 -pthread -o "$SLEEPSPIN" "$BENCH_DIR/sleepspin.c" || die "cannot build sleepspin.c"

now_ns() { date +%s%N; }

# snap PID: one line "t_ns cpu_ticks sched_ns vcs hwm_kb rss_kb nthreads":
#   cpu_ticks  utime+stime of the process itself (fields 14+15 of stat,
#              children not included), in clock ticks;
#   sched_ns   on-CPU time summed over its threads (task/*/schedstat), ns;
#   vcs        voluntary context switches summed over its threads (~ the
#              number of times it went to sleep = loop iterations);
#   hwm_kb / rss_kb  VmHWM / VmRSS.
# Prints nothing if the process is gone.
snap() {
	local pid=$1 t st rest a sched=0 vcs=0 hwm=0 rss=0 nth=0 f k v _
	t=$(now_ns)
	st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	rest=${st##*) }
	read -r -a a <<<"$rest"
	{
		for f in /proc/"$pid"/task/*/schedstat; do
			read -r v _ <"$f" && sched=$((sched + v))
		done
		for f in /proc/"$pid"/task/*/status; do
			[ -r "$f" ] && nth=$((nth + 1))
			while read -r k v _; do
				if [ "$k" = voluntary_ctxt_switches: ]; then vcs=$((vcs + v)); fi
			done <"$f"
		done
		while read -r k v _; do
			case $k in VmHWM:) hwm=$v ;; VmRSS:) rss=$v ;; esac
		done <"/proc/$pid/status"
	} 2>/dev/null || return 1
	[ "$rss" -gt 0 ] || return 1 # a zombie (exited, not yet reaped) has no memory lines
	echo "$t $((a[11] + a[12])) $sched $vcs $hwm $rss $nth"
}

# result BENCH METRIC VALUE [TARGET] [VERDICT]: one row for run-all's table.
result() {
	printf '%-13s %-44s %-22s %-14s %s\n' "$1" "$2" "$3" "${4:-}" "${5:-}"
	[ -n "${BENCH_RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" "${5:-}" >>"$BENCH_RESULTS"
	return 0
}

machine_line() {
	echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "benchtop: $BT_ORIG (sha256 $(sha256sum "$BT" | cut -c1-12), tree ${BENCH_TREE:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')}), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
