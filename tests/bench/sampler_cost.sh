#!/usr/bin/env bash
# tests/bench/sampler_cost.sh — what it costs to watch a 64-thread run every
# 100 ms: benchtop record versus `top -b -H -d 0.1 -p PID`, side by side.
#
# Scenarios (SCENARIOS, default "sleepy saturated"):
#   sleepy     64 threads that each spin SPIN_US us then sleep SLEEP_MS ms
#              (tests/bench/sleepspin.c; ~0.6 of one core: the machine is
#              not saturated), DUR seconds;
#   saturated  bt-spin --threads 64 (all 64 threads always runnable: both
#              cores busy), DUR_SAT seconds.
# For each repetition and scenario: benchtop records the workload, then top
# watches a fresh copy of the same workload (output to /dev/null), in turn.
#
# The observer's CPU time is taken from /proc/<observer pid> at the start and
# end of a steady window (WARM s after the start to END_GAP s before the
# workload ends), so start-up, shutdown and the workload's own CPU (a child
# of benchtop: /usr/bin/time would count it) are all left out:
#   on-CPU ns  sum of /proc/PID/task/*/schedstat field 1 (ns resolution)
#   ticks      utime+stime, /proc/PID/stat fields 14+15 (cross-check)
# Per tick: benchtop's ticks are on an absolute 100 ms schedule, so ticks in
# the window = window / 100 ms; top sleeps once per refresh, so its
# refreshes = its voluntary context switches in the window (its period is
# 100 ms plus its own work). benchtop's own account (the trace's cost_ns:
# CPU time of sampler_tick alone, whole run) is shown next to it.
# Also benchtop's VmHWM (peak RSS).
#
# Env: DUR (60) DUR_SAT (30) REPS (3) THREADS (64) SLEEP_MS (50) SPIN_US (500)
#      WARM (5) END_GAP (3) SCENARIOS; QUICK=1: DUR=8 DUR_SAT=6 REPS=1.
# Prints results; asserts nothing about timing. About 2*REPS*(DUR+DUR_SAT) s.
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then
	DUR=${DUR:-8} DUR_SAT=${DUR_SAT:-6} REPS=${REPS:-1} WARM=${WARM:-2} END_GAP=${END_GAP:-1}
fi
DUR=${DUR:-60} DUR_SAT=${DUR_SAT:-30} REPS=${REPS:-3} WARM=${WARM:-5} END_GAP=${END_GAP:-3}
THREADS=${THREADS:-64} SLEEP_MS=${SLEEP_MS:-50} SPIN_US=${SPIN_US:-500}
SCENARIOS=${SCENARIOS:-sleepy saturated}
command -v top >/dev/null || die "top (procps) is needed"

RAW=$WORK/raw.tsv
echo "== sampler_cost: observing a $THREADS-thread run every 100 ms, benchtop vs top -b -H -d 0.1 -p PID"
machine_line
echo "   scenarios: $SCENARIOS; $REPS repetitions, interleaved; window = [${WARM} s, end - ${END_GAP} s]"

workload() { # scenario -> command line
	case $1 in
	sleepy) echo "$SLEEPSPIN $THREADS $DUR $SLEEP_MS $SPIN_US" ;;
	saturated) echo "$BTSPIN --threads $THREADS --seconds $DUR_SAT" ;;
	*) die "unknown scenario $1" ;;
	esac
}
duration() { case $1 in saturated) echo "$DUR_SAT" ;; *) echo "$DUR" ;; esac; }

# measure_window OBSERVER_PID START_NS DURATION [WORKLOAD_PID] -> "s0|s1|threads"
# (threads: of WORKLOAD_PID at the start of the window)
measure_window() {
	local pid=$1 t0=$2 d=$3 wl=${4:-} s0 s1 t nth=0
	t=$(awk -v t0="$t0" -v now="$(now_ns)" -v w="$WARM" 'BEGIN { x = w - (now - t0) / 1e9; print (x > 0 ? x : 0) }')
	sleep "$t"
	s0=$(snap "$pid") || return 1
	[ -n "$wl" ] && nth=$(snap "$wl" | awk '{ print $7 }')
	t=$(awk -v t0="$t0" -v now="$(now_ns)" -v d="$d" -v g="$END_GAP" 'BEGIN { x = d - g - (now - t0) / 1e9; print (x > 0 ? x : 0) }')
	sleep "$t"
	s1=$(snap "$pid") || return 1
	echo "$s0|$s1|${nth:-0}"
}

run_benchtop() { # scenario rep
	local sc=$1 rep=$2 d tr b t0 w js s0 s1
	d=$(duration "$sc")
	tr=$WORK/cost-$sc-$rep.bt
	t0=$(now_ns)
	# shellcheck disable=SC2046
	"$BT" record -q -o "$tr" --timeout $((d + 30)) -- $(workload "$sc") &
	b=$!
	track "$b"
	w=$(measure_window "$b" "$t0" "$d") || w="||"
	wait_gone "$b" $((d + 40)) || stop_pid "$b" 5
	untrack "$b"
	js=$("$BT" export "$tr" --summary --format json 2>/dev/null | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["runs"][0]
print(r["sampling_cost_us_per_tick"], r["samples"], r["threads_peak"], r["missed_ticks"])' 2>/dev/null) || js="nan 0 0 0"
	rm -f "$tr"
	IFS='|' read -r s0 s1 _ <<<"$w"
	printf '%s\t%s\tbenchtop\t%s\t%s\t%s\n' "$sc" "$rep" "$s0" "$s1" "$js" >>"$RAW"
}

run_top() { # scenario rep
	local sc=$1 rep=$2 d wl t0 tp w nth s0 s1
	d=$(duration "$sc")
	t0=$(now_ns)
	# shellcheck disable=SC2046,SC2091
	$(workload "$sc") &
	wl=$!
	track "$wl"
	top -b -H -d 0.1 -p "$wl" >/dev/null 2>&1 &
	tp=$!
	track "$tp"
	w=$(measure_window "$tp" "$t0" "$d" "$wl") || w="||"
	IFS='|' read -r s0 s1 nth <<<"$w"
	stop_pid "$tp" 3
	stop_pid "$wl" 3
	printf '%s\t%s\ttop\t%s\t%s\tnan 0 %s 0\n' "$sc" "$rep" "$s0" "$s1" "${nth:-0}" >>"$RAW"
}

for rep in $(seq 1 "$REPS"); do
	for sc in $SCENARIOS; do
		echo "   rep $rep/$REPS $sc: benchtop ..." >&2
		run_benchtop "$sc" "$rep"
		echo "   rep $rep/$REPS $sc: top ..." >&2
		run_top "$sc" "$rep"
	done
done

"$PY" - "$RAW" "${BENCH_RESULTS:-}" <<'EOF'
import sys, statistics as st
raw, out = sys.argv[1], sys.argv[2]
CLK = 100  # USER_HZ; /proc/PID/stat times are in 1/100 s
rows = []
for line in open(raw):
    sc, rep, tool, s0, s1, js = line.rstrip("\n").split("\t")
    if not s0 or not s1:
        print(f"   ({tool} {sc} rep {rep}: no measurement, process gone early)")
        continue
    a = [int(x) for x in s0.split()]; b = [int(x) for x in s1.split()]
    win = (b[0] - a[0]) / 1e9
    cost_trace, samples, threads, missed = js.split()
    rows.append(dict(sc=sc, rep=int(rep), tool=tool, win=win,
        cpu_ns=b[2] - a[2], cpu_tk=b[1] - a[1], vcs=b[3] - a[3], hwm=b[4], rss=b[5],
        cost_trace=float(cost_trace), samples=int(samples), threads=int(threads), missed=int(missed)))

def med(xs):
    xs = [x for x in xs if x == x]
    return st.median(xs) if xs else float("nan")

def result(metric, value, target="", verdict=""):
    print(f"{'sampler_cost':<13} {metric:<44} {value:<22} {target:<14} {verdict}")
    if out:
        with open(out, "a") as f:
            f.write(f"sampler_cost\t{metric}\t{value}\t{target}\t{verdict}\n")

print()
print(f"   {'scenario':<10} {'rep':>3} {'tool':<8} {'window s':>8} {'CPU ms':>8} {'%core':>7} {'ticks':>6} {'us/tick':>8} {'(stat)':>7} {'wakeups':>7} {'us/wake':>8} {'trace us/tick':>13} {'HWM KiB':>8} {'threads':>7}")
for r in rows:
    r["pct"] = r["cpu_ns"] / (r["win"] * 1e9) * 100
    r["ticks"] = r["win"] / 0.1
    # benchtop: ticks on the absolute 100 ms schedule; top: one sleep per refresh
    r["iters"] = r["ticks"] if r["tool"] == "benchtop" else max(r["vcs"], 1)
    r["us_tick"] = r["cpu_ns"] / 1e3 / r["iters"]
    r["us_tick_stat"] = r["cpu_tk"] * (1e6 / CLK) / r["iters"]
    r["us_wake"] = r["cpu_ns"] / 1e3 / max(r["vcs"], 1)
    print(f"   {r['sc']:<10} {r['rep']:>3} {r['tool']:<8} {r['win']:>8.1f} {r['cpu_ns']/1e6:>8.1f} {r['pct']:>7.3f} {r['iters']:>6.0f} {r['us_tick']:>8.0f} {r['us_tick_stat']:>7.0f} {r['vcs']:>7} {r['us_wake']:>8.0f} {r['cost_trace']:>13.1f} {r['hwm']:>8} {r['threads']:>7}")
print()
for sc in dict.fromkeys(r["sc"] for r in rows):
    b = [r for r in rows if r["sc"] == sc and r["tool"] == "benchtop"]
    t = [r for r in rows if r["sc"] == sc and r["tool"] == "top"]
    if not b:
        continue
    bp, bt_ = med([r["pct"] for r in b]), med([r["us_tick"] for r in b])
    result(f"{sc}: benchtop CPU, % of one core (median)", f"{bp:.3f} %", "< 1 %", "met" if bp < 1 else "MISSED")
    result(f"{sc}: benchtop us per tick (median)", f"{bt_:.0f} us", "< 1000 us")
    result(f"{sc}: benchtop sampler_tick us/tick (trace)", f"{med([r['cost_trace'] for r in b]):.0f} us")
    result(f"{sc}: benchtop missed ticks (all reps)", f"{sum(r['missed'] for r in b)}")
    result(f"{sc}: benchtop peak RSS (VmHWM, max)", f"{max(r['hwm'] for r in b)/1024:.1f} MiB", "< 20 MiB",
           "met" if max(r['hwm'] for r in b) < 20 * 1024 else "MISSED")
    if t:
        tp, tt = med([r["pct"] for r in t]), med([r["us_tick"] for r in t])
        result(f"{sc}: top CPU, % of one core (median)", f"{tp:.3f} %")
        result(f"{sc}: top us per refresh (median)", f"{tt:.0f} us")
        ratio = bp / tp if tp else float("nan")
        # ratios per repetition (benchtop rep i / top rep i), to show the spread
        per = [x["pct"] / y["pct"] for x, y in zip(sorted(b, key=lambda r: r["rep"]), sorted(t, key=lambda r: r["rep"])) if y["pct"]]
        spread = f" (reps {min(per):.2f}-{max(per):.2f})" if len(per) > 1 else ""
        result(f"{sc}: ratio benchtop/top, CPU per second", f"{ratio:.2f}{spread}", "<= 0.50",
               "met" if ratio <= 0.5 else "MISSED")
        result(f"{sc}: ratio benchtop/top, per sample", f"{bt_/tt:.2f}" if tt else "nan")
    thr = med([r["threads"] for r in b])
    result(f"{sc}: threads sampled (benchtop peak)", f"{thr:.0f}")
EOF
