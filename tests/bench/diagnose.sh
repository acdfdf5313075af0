#!/usr/bin/env bash
# tests/bench/diagnose.sh — where benchtop's sampling time goes, for a
# 64-thread run (not part of run-all: it is for reading, not for numbers to
# compare, and strace/perf slow the process they watch).
#
#   1. user vs system CPU of benchtop over a steady window (/proc/PID/stat);
#   2. strace -c on benchtop for STRACE_S s: syscalls per tick;
#   3. the same for `top -b -H -d 0.1 -p PID`, for comparison;
#   4. perf record -e cpu-clock on benchtop (if perf works here): the top
#      symbols, kernel and user;
#   5. procread (tests/bench/procread.c): CPU per /proc file read, the way
#      benchtop reads (pread until EOF), with a single pread, and with
#      open/read/close, on the workload's threads.
#
# Env: THREADS (64) DUR (40) STRACE_S (5) PERF_S (10). About DUR*2 s.
. "$(dirname "$0")/lib.sh"

DUR=${DUR:-40} THREADS=${THREADS:-64} STRACE_S=${STRACE_S:-5} PERF_S=${PERF_S:-10}
SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}
${CC:-cc} -O2 -o "$WORK/procread" "$BENCH_DIR/procread.c" || die "cannot build procread.c"

echo "== diagnose: where benchtop's time goes sampling a $THREADS-thread run"
machine_line

"$BT" record -q -o "$WORK/d.bt" --timeout $((DUR + 30)) -- "$SLEEPSPIN" "$THREADS" "$DUR" "$SLEEP_MS" "$SPIN_US" &
b=$!
track "$b"
sleep 3
# the workload: benchtop's child
wl=$(awk '{ print $1 }' "/proc/$b/task/$b/children" 2>/dev/null)

echo
echo "-- 1. benchtop user/system split over 10 s (ticks of 10 ms)"
read -r -a s0 <<<"$(sed 's/.*) //' "/proc/$b/stat")"
sleep 10
read -r -a s1 <<<"$(sed 's/.*) //' "/proc/$b/stat")"
echo "   user $(( (s1[11] - s0[11]) * 10 )) ms, system $(( (s1[12] - s0[12]) * 10 )) ms in 10 s (100 ticks)"

if command -v strace >/dev/null; then
	echo
	echo "-- 2. strace -c -p benchtop for $STRACE_S s (~$((STRACE_S * 10)) ticks; strace slows it)"
	timeout -s INT "$STRACE_S" strace -c -p "$b" 2>&1 | sed 's/^/   /'
fi

if [ -n "$wl" ] && command -v top >/dev/null; then
	top -b -H -d 0.1 -p "$wl" >/dev/null 2>&1 &
	tp=$!
	track "$tp"
	sleep 1
	if command -v strace >/dev/null; then
		echo
		echo "-- 3. strace -c -p top (-H -d 0.1 -p workload) for $STRACE_S s"
		timeout -s INT "$STRACE_S" strace -c -p "$tp" 2>&1 | sed 's/^/   /'
	fi
	stop_pid "$tp" 2
fi

if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$WORK/probe.data" -- true >/dev/null 2>&1; then
	echo
	echo "-- 4. perf record -e cpu-clock -g on benchtop for $PERF_S s: hottest symbols (self)"
	perf record -q -e cpu-clock -F 4000 -g -p "$b" -o "$WORK/perf.data" -- sleep "$PERF_S" >/dev/null 2>&1
	perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,sym -g none --percent-limit 1.5 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -40 | sed 's/^/   /'
else
	echo
	echo "-- 4. perf cannot record here: skipped"
fi

if [ -n "$wl" ] && alive "$wl"; then
	echo
	echo "-- 5. procread on the workload (pid $wl): per-thread files, then the files read once per tick"
	echo "      (system-wide, the process's own, and the run's cgroup files; columns: loop once open, us)"
	files=(/proc/stat /proc/meminfo /proc/pressure/cpu /proc/pressure/memory /proc/pressure/io
		"/proc/$wl/stat" "/proc/$wl/status" "/proc/$wl/io")
	# the run's cgroup directories (v1 controllers and/or the v2 one)
	while IFS=: read -r _ ctl path; do
		if [ -z "$path" ] || [ "$path" = / ]; then continue; fi
		case $ctl in
		cpuacct,cpu | cpu,cpuacct) d=/sys/fs/cgroup/cpu,cpuacct$path ;;
		'') d=/sys/fs/cgroup$path; [ -d "$d" ] || d=/sys/fs/cgroup/unified$path ;;
		*) d=/sys/fs/cgroup/$ctl$path ;;
		esac
		[ -d "$d" ] || d=/sys/fs/cgroup/${ctl%%,*}$path
		[ -d "$d" ] || continue
		for f in cgroup.procs cpuacct.usage cpuacct.stat cpu.stat memory.usage_in_bytes \
			memory.max_usage_in_bytes memory.stat memory.oom_control memory.current memory.peak \
			memory.events cpu.pressure memory.pressure io.pressure; do
			[ -r "$d/$f" ] && files+=("$d/$f")
		done
	done <"/proc/$wl/cgroup"
	"$WORK/procread" "$wl" 200 "${files[@]}" | sed 's/^/   /'
fi

wait_gone "$b" $((DUR + 40)) || stop_pid "$b" 5
untrack "$b"
echo
"$BT" export "$WORK/d.bt" --summary --format json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["runs"][0]
print("   run: %s ticks, %s threads, sampler_tick %s us/tick (whole run, strace/perf periods included)"
      % (r["samples"], r["threads_peak"], r["sampling_cost_us_per_tick"]))'
