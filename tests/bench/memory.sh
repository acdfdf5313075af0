#!/usr/bin/env bash
# tests/bench/memory.sh — benchtop's own memory while recording a 64-thread
# run: peak RSS (VmHWM) and whether RSS grows with the length of the run.
#
# benchtop record -i INTERVAL samples sleepspin (64 threads, each spinning
# SPIN_US us then sleeping SLEEP_MS ms) for DUR s; every EVERY s the script
# reads VmRSS and VmHWM of the benchtop process (not of its children).
# Default: 300 s at 10 ms = 30000 ticks, close to the 36000 ticks of an
# hour at the default 100 ms. A line fitted to VmRSS after the first
# SETTLE s gives the growth per 10000 ticks, extrapolated to 36000 ticks.
# For the real thing: DUR=3600 INTERVAL=100 EVERY=60 ./memory.sh
#
# Env: DUR (300) INTERVAL (10) EVERY (10) SETTLE (30) THREADS (64)
#      SLEEP_MS (50) SPIN_US (500); QUICK=1: DUR=20 EVERY=2 SETTLE=4.
# Prints results; asserts nothing. About DUR s.
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then DUR=${DUR:-20} EVERY=${EVERY:-2} SETTLE=${SETTLE:-4}; fi
DUR=${DUR:-300} INTERVAL=${INTERVAL:-10} EVERY=${EVERY:-10} SETTLE=${SETTLE:-30}
THREADS=${THREADS:-64} SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}

echo "== memory: benchtop's own RSS recording a $THREADS-thread run, ${DUR} s at -i $INTERVAL ms"
machine_line

RAW=$WORK/rss.tsv
tr=$WORK/memory.bt
t0=$(now_ns)
"$BT" record -q -i "$INTERVAL" -o "$tr" --timeout $((DUR + 30)) -- "$SLEEPSPIN" "$THREADS" "$DUR" "$SLEEP_MS" "$SPIN_US" &
b=$!
track "$b"
sleep 1
# Sample until the workload is about to end (DUR - 1 s) or benchtop is gone.
n=0
while alive "$b"; do
	s=$(snap "$b") || break
	read -r t _ _ _ hwm rss _ <<<"$s"
	el=$(awk -v t="$t" -v t0="$t0" 'BEGIN { printf "%.1f", (t - t0) / 1e9 }')
	printf '%s\t%s\t%s\n' "$el" "$rss" "$hwm" >>"$RAW"
	n=$((n + 1))
	awk -v e="$el" -v d="$DUR" -v s="$EVERY" 'BEGIN { exit !(e + s < d - 1) }' || break
	# sleep to the next multiple of EVERY seconds since the start
	sleep "$(awk -v t0="$t0" -v now="$(now_ns)" -v s="$EVERY" 'BEGIN { e = (now - t0) / 1e9; x = (int(e / s) + 1) * s - e; print x }')"
done
wait_gone "$b" $((DUR + 40)) || stop_pid "$b" 5
untrack "$b"
js=$("$BT" export "$tr" --summary --format json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["runs"][0]
print(r["samples"], r["threads_peak"], r["missed_ticks"], r["late_samples"], r["sampling_cost_us_per_tick"])')
size=$(stat -c %s "$tr")
rm -f "$tr"

"$PY" - "$RAW" "$INTERVAL" "$SETTLE" "$js" "$size" "${BENCH_RESULTS:-}" <<'EOF'
import sys
raw, interval, settle, js, size, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
samples, threads, missed, late, cost = js.split()
def result(metric, value, target="", verdict=""):
    print(f"{'memory':<13} {metric:<44} {value:<22} {target:<14} {verdict}")
    if out:
        with open(out, "a") as f:
            f.write(f"memory\t{metric}\t{value}\t{target}\t{verdict}\n")
pts = [tuple(float(x) for x in l.split()) for l in open(raw)]
print()
print(f"   {'t s':>7} {'ticks':>7} {'VmRSS KiB':>10} {'VmHWM KiB':>10}")
for t, rss, hwm in pts:
    print(f"   {t:>7.1f} {t * 1000 / interval:>7.0f} {rss:>10.0f} {hwm:>10.0f}")
late_pts = [(t * 1000 / interval, rss) for t, rss, _ in pts if t >= settle]
slope = float("nan")
if len(late_pts) >= 2:
    n = len(late_pts)
    mx = sum(x for x, _ in late_pts) / n
    my = sum(y for _, y in late_pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in late_pts)
    slope = sum((x - mx) * (y - my) for x, y in late_pts) / sxx if sxx else float("nan")  # KiB per tick
hwm = max(h for _, _, h in pts)
print()
print(f"   run: {samples} ticks, {threads} threads peak, {missed} missed, {late} late > 1 ms, sampler_tick {cost} us/tick, trace {size/1e6:.1f} MB")
result("peak RSS (VmHWM) of benchtop", f"{hwm/1024:.2f} MiB", "< 20 MiB", "met" if hwm < 20 * 1024 else "MISSED")
result("VmRSS first / last sample", f"{pts[0][1]/1024:.2f} / {pts[-1][1]/1024:.2f} MiB")
result(f"VmRSS growth after {settle:.0f} s, per 10k ticks", f"{slope*1e4:+.1f} KiB")
if slope == slope:
    proj = pts[-1][1] + slope * (36000 - pts[-1][0] * 1000 / interval)
    result("VmRSS projected to 36000 ticks (1 h)", f"{proj/1024:.2f} MiB", "< 20 MiB", "met" if proj < 20 * 1024 else "MISSED")
result(f"ticks recorded at -i {interval:.0f} ms (missed)", f"{samples} ({missed})")
EOF
