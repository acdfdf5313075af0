#!/usr/bin/env bash
# tests/bench/jitter.sh — how late benchtop's ticks are against the 100 ms
# schedule, with the other core busy and without.
#
# benchtop record samples a 64-thread workload (tests/bench/sleepspin.c: each
# thread spins SPIN_US us, sleeps SLEEP_MS ms; ~0.6 of one core) for DUR s:
#   idle  nothing else runs;
#   busy  a busy loop pinned to the last CPU (`taskset -c N sh -c 'while :;
#         do :; done'`), started before and stopped (by PID) after the run.
# benchtop itself is not pinned. From the trace: the late_ms column of
# `benchtop export --format csv` (one row per tick: wake-up time minus the
# tick's slot on the absolute schedule) -> p50, p90, p99, p99.9, max and the
# number of ticks late by more than 1 ms; the summary's missed_ticks (slots
# skipped because a tick came more than a whole interval late).
# The trace is written to $TMPDIR (benchtop fdatasyncs it every 5 s).
#
# Env: DUR (60) REPS (1) SCENARIOS ("idle busy") THREADS (64) SLEEP_MS (50)
#      SPIN_US (500); QUICK=1: DUR=8.
# Prints results; asserts nothing about timing. About REPS*DUR*2 s.
. "$(dirname "$0")/lib.sh"

[ "$QUICK" = 1 ] && DUR=${DUR:-8}
DUR=${DUR:-60} REPS=${REPS:-1} SCENARIOS=${SCENARIOS:-idle busy}
THREADS=${THREADS:-64} SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}
BUSY_CPU=$(($(nproc) - 1))
command -v taskset >/dev/null || die "taskset (util-linux) is needed"

echo "== jitter: tick lateness against the 100 ms schedule, $THREADS-thread run, ${DUR} s per run"
machine_line
echo "   trace on: $(df -T "$WORK" | awk 'NR == 2 { print $2 }') ($WORK); busy loop pinned to CPU $BUSY_CPU"

LAT=$WORK/late.tsv
for rep in $(seq 1 "$REPS"); do
	for sc in $SCENARIOS; do
		echo "   rep $rep/$REPS $sc ..." >&2
		busy=
		case $sc in
		idle) ;;
		busy)
			taskset -c "$BUSY_CPU" sh -c 'while :; do :; done' &
			busy=$!
			track "$busy"
			sleep 0.5
			;;
		*) die "unknown scenario $sc" ;;
		esac
		tr=$WORK/jitter-$sc-$rep.bt
		la0=$(cut -d' ' -f1 /proc/loadavg)
		"$BT" record -q -o "$tr" --timeout $((DUR + 30)) -- "$SLEEPSPIN" "$THREADS" "$DUR" "$SLEEP_MS" "$SPIN_US" &
		b=$!
		track "$b"
		wait_gone "$b" $((DUR + 40)) || stop_pid "$b" 5
		untrack "$b"
		[ -n "$busy" ] && stop_pid "$busy" 2
		echo "   rep $rep $sc: 1-min load average $la0 before, $(cut -d' ' -f1 /proc/loadavg) after (the machine is shared)"
		missed=$("$BT" export "$tr" --summary --format json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["missed_ticks"])' 2>/dev/null)
		"$BT" export "$tr" --format csv | "$PY" -c '
import csv, sys
sc, rep, missed = sys.argv[1:4]
for row in csv.DictReader(sys.stdin):
    print(sc, rep, missed, row["late_ms"], sep="\t")' "$sc" "$rep" "${missed:-nan}" >>"$LAT"
		rm -f "$tr"
	done
done

"$PY" - "$LAT" "${BENCH_RESULTS:-}" <<'EOF'
import math, sys
lat, out = sys.argv[1], sys.argv[2]
data, missed = {}, {}
for line in open(lat):
    sc, rep, m, v = line.rstrip("\n").split("\t")
    data.setdefault(sc, []).append(float(v))
    missed.setdefault(sc, {})[rep] = m

def pct(xs, p):  # nearest rank
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

def result(metric, value, target="", verdict=""):
    print(f"{'jitter':<13} {metric:<44} {value:<22} {target:<14} {verdict}")
    if out:
        with open(out, "a") as f:
            f.write(f"jitter\t{metric}\t{value}\t{target}\t{verdict}\n")

print()
print(f"   {'scenario':<8} {'ticks':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'max ms':>8} {'>1 ms':>6} {'missed':>6}")
for sc, xs in data.items():
    xs.sort()
    ms = sum(int(v) for v in missed[sc].values() if v != "nan")
    over = sum(1 for x in xs if x > 1.0)
    print(f"   {sc:<8} {len(xs):>6} {pct(xs,50):>8.3f} {pct(xs,90):>8.3f} {pct(xs,99):>8.3f} {pct(xs,99.9):>9.3f} {xs[-1]:>8.3f} {over:>6} {ms:>6}")
print()
for sc, xs in data.items():
    p99 = pct(xs, 99)
    result(f"{sc}: tick lateness p50 / p99 / max", f"{pct(xs,50):.3f} / {p99:.3f} / {xs[-1]:.2f} ms",
           "p99 < 1 ms", "met" if p99 < 1 else "MISSED")
    result(f"{sc}: ticks, late > 1 ms, missed", f"{len(xs)}, {sum(1 for x in xs if x > 1.0)}, "
           f"{sum(int(v) for v in missed[sc].values() if v != 'nan')}")
EOF
