#!/bin/bash
# Recording for real: the CPU time in the trace agrees with the kernel's own
# accounting of the reaped tree, rows come at the interval, exit statuses
# are kept, orphans are waited for, nothing is left behind.
. "$(dirname "$0")/lib.sh"

# agree NAME TOL: trace CPU time within TOL (fraction) of the kernel's rusage,
# or within 30 ms: /proc counts in clock ticks (10 ms) per process, so a busy
# machine that gives the run little CPU makes the fraction meaningless.
agree() {
	local f=$TMP/$1.json
	local cpu ru
	cpu=$(json "$f" 'd["runs"][0]["cpu_s"]')
	ru=$(json "$f" 'd["runs"][0]["rusage_user_s"] + d["runs"][0]["rusage_sys_s"]')
	if pytrue "abs($cpu - $ru) <= max($2 * $ru, 0.03) and $ru > 0.2"; then
		ok "$1: trace CPU $cpu s agrees with kernel rusage $ru s within $(python3 -c "print($2*100)") %"
	else
		notok "$1: trace CPU $cpu s vs kernel rusage $ru s"
	fi
}
# integrated NAME: the per-tick cpu_percent, integrated over time, gives the
# total (no CPU lost or counted twice between ticks while processes come and go).
integrated() {
	"$BENCHTOP" export --format csv "$TMP/$1.bt" >"$TMP/$1.csv"
	python3 - "$TMP/$1.csv" "$TMP/$1.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
total = json.load(open(sys.argv[2]))["runs"][0]["cpu_s"]
acc, prev = 0.0, None
for r in rows:
    t = float(r["time_s"])
    if prev is not None and r["cpu_percent"]:
        acc += float(r["cpu_percent"]) / 100 * (t - prev)
    prev = t
ok = abs(acc - total) <= 0.05 * total + 0.02
print(("ok" if ok else "not ok") + f" - {sys.argv[1].split('/')[-1]}: integrated per-tick CPU {acc:.3f} s vs total {total:.3f} s")
sys.exit(0 if ok else 1)
PY
	if [ $? -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# Multi-threaded and multi-process, in a cgroup when this machine allows it.
record mt -- "$BT_SPIN" --threads 3 --procs 2 --seconds 2
agree mt 0.02
integrated mt
check "mt: peak threads counted (3 spinning + main, in 2 processes)" \
	pytrue "$(json "$TMP/mt.json" 'd["runs"][0]["threads_peak"]') >= 8 and $(json "$TMP/mt.json" 'd["runs"][0]["procs_peak"]') == 2"
rows=$("$BENCHTOP" export --format csv "$TMP/mt.bt" | tail -n +2 | wc -l)
wall=$(json "$TMP/mt.json" 'd["runs"][0]["wall_s"]')
check "mt: about ten rows per second ($rows rows over $wall s)" pytrue "abs($rows - $wall * 10) <= 3"
check "mt: export JSON parses and has the documented columns" python3 -c "
import json,subprocess,sys
d=json.loads(subprocess.run(['$BENCHTOP','export','--format','json','$TMP/mt.bt'],capture_output=True,text=True).stdout)
need={'time_s','run','workload','variant','rep','cpu_percent','cpu_user_s','cpu_sys_s','rss_bytes','memory_bytes','threads','throttled_periods'}
sys.exit(0 if need<=set(d['columns']) and len(d['rows'])>10 and need<=set(d['rows'][5]) else 1)"
check "mt: the trace ended cleanly (export prints no note)" test ! -s "$TMP/mt.note"

# Without a cgroup: the process tree through /proc, with short-lived children.
record tree --no-cgroup -- sh -c "for i in 1 2 3 4 5 6; do '$BT_SPIN' --seconds 0.25 --threads 2 & sleep 0.1; done; wait"
agree tree 0.02
integrated tree
check "tree: CPU source is the process tree" test "$(json "$TMP/tree.json" 'd["runs"][0]["cpu_source"]')" = tree

# Orphans: the root exits at once, its child goes on; the run lasts until it ends.
record orphan -- sh -c "'$BT_SPIN' --seconds 1.5 & exit 0"
check "orphan: the run waited for the orphaned child (wall >= 1.4 s)" \
	pytrue "$(json "$TMP/orphan.json" 'd["runs"][0]["wall_s"]') >= 1.4"
# The spinner spins for wall time, so its CPU time depends on what else runs;
# what must hold is that the orphan's time is in the trace, as the kernel counted it.
agree orphan 0.02

# Exit statuses pass through.
record code3 -- sh -c 'exit 3'
rc=$?
check "exit code 3 is benchtop's exit status ($rc)" test $rc -eq 3
check "exit code 3 is in the trace" test "$(json "$TMP/code3.json" 'd["runs"][0]["exit_code"]')" = 3
record sig -- sh -c 'kill -KILL $$'
rc=$?
check "a command killed by SIGKILL gives 137 ($rc)" test $rc -eq 137
check "the signal is in the trace" test "$(json "$TMP/sig.json" 'd["runs"][0]["signal"]')" = 9
check "a plain SIGKILL is not called an OOM kill" test "$(json "$TMP/sig.json" 'd["runs"][0]["oom_killed"]')" = False

# The summary a person reads.
"$BENCHTOP" record -o "$TMP/human.bt" -- "$BT_SPIN" --seconds 0.5 >"$TMP/human.txt" 2>&1
for k in "wall time" "CPU time" "kernel rusage" "avg" "peak" "RSS" "threads" "context switches" "throttled" "exit" "sampling"; do
	check "summary shows '$k'" grep -q "$k" "$TMP/human.txt"
done

# The sampler may run at real-time priority; the command never inherits it.
record sched -- sh -c "chrt -p \$\$ >'$TMP/sched.out'"
check "the command runs with the normal scheduling policy" grep -q "SCHED_OTHER" "$TMP/sched.out"

# --env reaches the command; --timeout stops it.
record env --env BT_TEST_VAR=hello -- sh -c 'test "$BT_TEST_VAR" = hello'
check "--env sets the variable for the command" test $? -eq 0
record timeout --timeout 1 -- "$BT_SPIN" --seconds 30
rc=$?
check "--timeout stops the run (exit $rc)" test $rc -eq 143
check "--timeout is the recorded reason" grep -q timeout "$TMP/timeout.json"
finish
