#!/usr/bin/env bash
# tests/bench/trace_size.sh — trace bytes per thread per tick for a steady
# 64-thread run at the default 100 ms interval.
#
# Workloads (WORKLOADS, default "sleepy saturated idle"), 64 threads each,
# DUR s each:
#   sleepy     sleepspin: each thread spins SPIN_US us, sleeps SLEEP_MS ms;
#   saturated  bt-spin --threads 64: every thread always running (its CPU
#              counters change every tick: the largest deltas);
#   idle       sleepspin with 1 s sleeps and no spinning: nothing changes
#              between most ticks (the smallest deltas).
# Two figures per workload:
#   file      whole trace file size / (ticks x threads): everything, with the
#             header, meta, run start/end, thread names and index;
#   frames    the "trace FILE, X bytes per tick for N threads" line that
#             benchtop record prints (frame records only, with their record
#             header and CRC) / threads.
# threads = the run's peak thread count (64 workers + the main thread = 65).
#
# Env: DUR (20) WORKLOADS THREADS (64) SLEEP_MS (50) SPIN_US (500); QUICK=1:
#      DUR=5. Prints results; asserts nothing. About 3*DUR s.
. "$(dirname "$0")/lib.sh"

[ "$QUICK" = 1 ] && DUR=${DUR:-5}
DUR=${DUR:-20} WORKLOADS=${WORKLOADS:-sleepy saturated idle}
THREADS=${THREADS:-64} SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}

echo "== trace_size: trace bytes per thread per tick, $THREADS-thread runs of ${DUR} s at 100 ms"
machine_line

RAW=$WORK/size.tsv
for wl in $WORKLOADS; do
	echo "   $wl ..." >&2
	case $wl in
	sleepy) cmd=("$SLEEPSPIN" "$THREADS" "$DUR" "$SLEEP_MS" "$SPIN_US") ;;
	saturated) cmd=("$BTSPIN" --threads "$THREADS" --seconds "$DUR") ;;
	idle) cmd=("$SLEEPSPIN" "$THREADS" "$DUR" 1000 0) ;;
	*) die "unknown workload $wl" ;;
	esac
	tr=$WORK/size-$wl.bt
	"$BT" record -o "$tr" --timeout $((DUR + 30)) -- "${cmd[@]}" >"$WORK/out.txt" 2>&1 &
	b=$!
	track "$b"
	wait_gone "$b" $((DUR + 40)) || stop_pid "$b" 5
	untrack "$b"
	line=$(grep -E '^  trace ' "$WORK/out.txt" | head -1)
	per_tick=$(sed -nE 's/.* ([0-9.]+) bytes per tick for ([0-9]+) threads.*/\1/p' <<<"$line")
	size=$(stat -c %s "$tr")
	js=$("$BT" export "$tr" --summary --format json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["runs"][0]
print(r["samples"], r["threads_peak"])')
	printf '%s\t%s\t%s\t%s\n' "$wl" "$size" "${per_tick:-nan}" "$js" >>"$RAW"
	echo "   $wl: record said: ${line# }" >&2
	rm -f "$tr"
done

"$PY" - "$RAW" "$THREADS" "${BENCH_RESULTS:-}" <<'EOF'
import sys
raw, nthr, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def result(metric, value, target="", verdict=""):
    print(f"{'trace_size':<13} {metric:<44} {value:<22} {target:<14} {verdict}")
    if out:
        with open(out, "a") as f:
            f.write(f"trace_size\t{metric}\t{value}\t{target}\t{verdict}\n")
print()
print(f"   {'workload':<10} {'file B':>9} {'ticks':>6} {'threads':>7} {'frame B/tick':>12} {'other B':>8} {'file B/thr/tick':>15} {'frames B/thr/tick':>17} {'(per worker)':>12}")
rows = []
for line in open(raw):
    wl, size, per_tick, js = line.rstrip("\n").split("\t")
    ticks, threads = (int(x) for x in js.split())
    size, per_tick = int(size), float(per_tick)
    other = size - per_tick * ticks
    f_bpt = size / (ticks * threads)
    fr_bpt = per_tick / threads
    print(f"   {wl:<10} {size:>9} {ticks:>6} {threads:>7} {per_tick:>12.1f} {other:>8.0f} {f_bpt:>15.2f} {fr_bpt:>17.2f} {per_tick/nthr:>12.2f}")
    rows.append((wl, f_bpt, fr_bpt, per_tick / nthr))
print()
for wl, f_bpt, fr_bpt, pw in rows:
    result(f"{wl}: bytes/thread/tick, frames (whole file)", f"{fr_bpt:.2f} ({f_bpt:.2f})", "<= 16",
           "met" if fr_bpt <= 16 else "MISSED")
EOF
