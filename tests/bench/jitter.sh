#!/usr/bin/env bash
# tests/bench/jitter.sh — how late benchtop's ticks are against the 100 ms
# schedule, with the other core busy and without.
#
# benchtop record samples a 64-thread workload (tests/bench/sleepspin.c: each
# thread spins SPIN_US us, sleeps SLEEP_MS ms; ~0.6 of one core) for DUR s:
#   idle     nothing else runs;
#   busy     a busy loop pinned to the last CPU (`taskset -c N sh -c 'while :;
#            do :; done'`), started before and stopped (by PID) after the run;
#   busy+rt  the same, with benchtop under `chrt -R -f 1` (SCHED_FIFO 1,
#            reset on fork: the workload stays SCHED_OTHER): an experiment
#            for what a raised sampler priority would give (needs root or
#            CAP_SYS_NICE; skipped otherwise).
# benchtop itself is not pinned. From the trace: the late_ms column of
# `benchtop export --format csv` (one row per tick: wake-up time minus the
# tick's slot on the absolute schedule) -> p50, p90, p99, p99.9, max and the
# number of ticks late by more than 1 ms; the summary's missed_ticks (slots
# skipped because a tick came more than a whole interval late).
# Side by side in the same run, tests/bench/tickprobe.c wakes on its own
# absolute 100 ms timerfd schedule (offset by 50 ms) and does nothing else:
# the lateness this machine gives any ordinary process, a floor for
# benchtop's (on a VM, stalls of the virtual CPU show up in both).
# The trace is written to $TMPDIR (benchtop fdatasyncs it every 5 s).
#
# Env: DUR (60) REPS (1) SCENARIOS ("idle busy busy+rt") THREADS (64)
#      SLEEP_MS (50) SPIN_US (500); QUICK=1: DUR=8.
# Prints results; asserts nothing about timing. About REPS*DUR*3 s.
. "$(dirname "$0")/lib.sh"

[ "$QUICK" = 1 ] && DUR=${DUR:-8}
DUR=${DUR:-60} REPS=${REPS:-1} SCENARIOS=${SCENARIOS:-idle busy busy+rt}
THREADS=${THREADS:-64} SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}
BUSY_CPU=$(($(nproc) - 1))
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
${CC:-cc} -O2 -o "$WORK/tickprobe" "$BENCH_DIR/tickprobe.c" || die "cannot build tickprobe.c"

echo "== jitter: tick lateness against the 100 ms schedule, $THREADS-thread run, ${DUR} s per run"
machine_line
echo "   trace on: $(df -T "$WORK" | awk 'NR == 2 { print $2 }') ($WORK); busy loop pinned to CPU $BUSY_CPU"

LAT=$WORK/late.tsv
for rep in $(seq 1 "$REPS"); do
	for sc in $SCENARIOS; do
		echo "   rep $rep/$REPS $sc ..." >&2
		busy='' rt=()
		case $sc in
		idle) ;;
		busy | busy+rt)
			if [ "$sc" = busy+rt ]; then
				if ! chrt -R -f 1 true 2>/dev/null; then
					echo "   $sc: skipped (chrt -R -f 1 is not permitted here)"
					continue
				fi
				rt=(chrt -R -f 1)
			fi
			taskset -c "$BUSY_CPU" sh -c 'while :; do :; done' &
			busy=$!
			track "$busy"
			sleep 0.5
			;;
		*) die "unknown scenario $sc" ;;
		esac
		tr=$WORK/jitter-$sc-$rep.bt
		la0=$(cut -d' ' -f1 /proc/loadavg)
		"${rt[@]}" "$BT" record -q -o "$tr" --timeout $((DUR + 30)) -- "$SLEEPSPIN" "$THREADS" "$DUR" "$SLEEP_MS" "$SPIN_US" &
		b=$!
		track "$b"
		"$WORK/tickprobe" $((DUR * 10 - 10)) 100 50 >"$WORK/probe.txt" 2>"$WORK/probe.err" &
		pr=$!
		track "$pr"
		wait_gone "$b" $((DUR + 40)) || stop_pid "$b" 5
		untrack "$b"
		wait_gone "$pr" 5 || stop_pid "$pr" 1
		untrack "$pr"
		[ -n "$busy" ] && stop_pid "$busy" 2
		echo "   rep $rep $sc: 1-min load average $la0 before, $(cut -d' ' -f1 /proc/loadavg) after (the machine is shared)"
		missed=$("$BT" export "$tr" --summary --format json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["missed_ticks"])' 2>/dev/null)
		"$BT" export "$tr" --format csv | "$PY" -c '
import csv, sys
sc, rep, missed = sys.argv[1:4]
for row in csv.DictReader(sys.stdin):
    print(sc, "benchtop", rep, missed, row["late_ms"], sep="\t")' "$sc" "$rep" "${missed:-nan}" >>"$LAT"
		pm=$(sed -n 's/^tickprobe: \([0-9]*\) missed.*/\1/p' "$WORK/probe.err")
		awk -v sc="$sc" -v rep="$rep" -v m="${pm:-nan}" '{ printf "%s\tprobe\t%s\t%s\t%s\n", sc, rep, m, $1 }' "$WORK/probe.txt" >>"$LAT"
		rm -f "$tr"
	done
done

"$PY" - "$LAT" "${BENCH_RESULTS:-}" <<'EOF'
import math, sys
lat, out = sys.argv[1], sys.argv[2]
data, missed = {}, {}
for line in open(lat):
    sc, src, rep, m, v = line.rstrip("\n").split("\t")
    data.setdefault((sc, src), []).append(float(v))
    missed.setdefault((sc, src), {})[rep] = m

def pct(xs, p):  # nearest rank
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

def result(metric, value, target="", verdict=""):
    print(f"{'jitter':<13} {metric:<44} {value:<22} {target:<14} {verdict}")
    if out:
        with open(out, "a") as f:
            f.write(f"jitter\t{metric}\t{value}\t{target}\t{verdict}\n")

def nmissed(k):
    return sum(int(v) for v in missed[k].values() if v != "nan")

print()
print(f"   {'scenario':<8} {'who':<9} {'ticks':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'max ms':>8} {'>1 ms':>6} {'missed':>6}")
for (sc, src), xs in data.items():
    xs.sort()
    over = sum(1 for x in xs if x > 1.0)
    print(f"   {sc:<8} {src:<9} {len(xs):>6} {pct(xs,50):>8.3f} {pct(xs,90):>8.3f} {pct(xs,99):>8.3f} {pct(xs,99.9):>9.3f} {xs[-1]:>8.3f} {over:>6} {nmissed((sc, src)):>6}")
print()
for (sc, src), xs in data.items():
    p99 = pct(xs, 99)
    if src == "benchtop":
        result(f"{sc}: tick lateness p50 / p99 / max", f"{pct(xs,50):.3f} / {p99:.3f} / {xs[-1]:.2f} ms",
               "p99 < 1 ms", "met" if p99 < 1 else "MISSED")
        result(f"{sc}: ticks, late > 1 ms, missed", f"{len(xs)}, {sum(1 for x in xs if x > 1.0)}, {nmissed((sc, src))}")
    else:
        result(f"{sc}: probe (machine floor) p50 / p99 / max", f"{pct(xs,50):.3f} / {p99:.3f} / {xs[-1]:.2f} ms")
EOF
