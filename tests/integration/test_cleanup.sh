#!/bin/bash
# Nothing is left behind: after Ctrl-C, SIGTERM, a command that ignores
# SIGTERM, and kill -9 of benchtop itself (the next benchtop cleans up).
. "$(dirname "$0")/lib.sh"

# start NAME ARGS...: record in the background; sets BP (benchtop's pid).
start() {
	local name=$1
	shift
	"$BENCHTOP" record -q -o "$TMP/$name.bt" "$@" &
	BP=$!
	BG_PIDS+=("$BP")
}

# Ctrl-C: the run is stopped with SIGTERM, the trace is finished.
start int --grace 2 -- sh -c "echo \$\$ >'$TMP/int.pid'; exec '$BT_SPIN' --seconds 60"
wait_file "$TMP/int.pid" 5
sleep 0.5
kill -INT "$BP"
check "SIGINT: benchtop ends within 5 s" wait_gone "$BP" 5
wait "$BP" 2>/dev/null
rc=$?
check "SIGINT: exit status 130, as a shell reports it ($rc)" test $rc -eq 130
check "SIGINT: the workload is gone" wait_gone "$(cat "$TMP/int.pid")" 2
check "SIGINT: no cgroup of benchtop $BP is left" test -z "$(cgroups_of "$BP")"
"$BENCHTOP" export --summary --format json "$TMP/int.bt" >"$TMP/int.json" 2>"$TMP/int.note"
check "SIGINT: the trace was finished (no note from the reader)" test ! -s "$TMP/int.note"
check "SIGINT: the reason is recorded" grep -q "stopped by Ctrl-C" "$TMP/int.json"

# SIGTERM to benchtop, and a command that ignores SIGTERM: SIGKILL after grace.
start term --grace 1 -- sh -c "trap '' TERM; echo \$\$ >'$TMP/term.pid'; while :; do :; done"
wait_file "$TMP/term.pid" 5
sleep 0.3
kill -TERM "$BP"
check "SIGTERM + stubborn command: benchtop ends after the grace period" wait_gone "$BP" 6
wait "$BP" 2>/dev/null
rc=$?
check "SIGTERM: exit 143, as a shell reports it ($rc)" test $rc -eq 143
"$BENCHTOP" export --summary --format json "$TMP/term.bt" >"$TMP/term.json" 2>/dev/null
check "stubborn command was SIGKILLed after the grace period" test "$(json "$TMP/term.json" 'd["runs"][0]["signal"]')" = 9
check "stubborn command is gone" wait_gone "$(cat "$TMP/term.pid")" 2
check "SIGTERM: no cgroup of benchtop $BP is left" test -z "$(cgroups_of "$BP")"

# kill -9 of benchtop leaves its cgroup and workload; the next start cleans up.
if can_create_cgroups; then
	start k9 -- sh -c "echo \$\$ >'$TMP/k9.pid'; exec '$BT_SPIN' --seconds 60"
	wait_file "$TMP/k9.pid" 5
	sleep 0.5
	kill -KILL "$BP"
	wait "$BP" 2>/dev/null
	wl=$(cat "$TMP/k9.pid")
	check "kill -9: the cgroup of benchtop $BP is still there" test -n "$(cgroups_of "$BP")"
	check "kill -9: the workload still runs" kill -0 "$wl"
	"$BENCHTOP" record -o "$TMP/next.bt" -- true >"$TMP/next.out" 2>"$TMP/next.err"
	check "the next benchtop reports what it removed" grep -q "left by a benchtop that died" "$TMP/next.err"
	check "the next benchtop removed the leftover cgroup" test -z "$(cgroups_of "$BP")"
	check "the next benchtop ended the leftover workload" wait_gone "$wl" 3
	"$BENCHTOP" export --format csv "$TMP/k9.bt" >"$TMP/k9.csv" 2>"$TMP/k9.err"
	check "the killed benchtop's trace reads back" test "$(wc -l <"$TMP/k9.csv")" -gt 2
	check "... and the reader says it was cut" grep -q "cut" "$TMP/k9.err"
else
	echo "# kill -9 part skipped: no cgroups here"
fi

# SIGQUIT (Ctrl-\ reaches only benchtop: the run has its own process group)
# stops the run like SIGTERM instead of killing benchtop and orphaning it.
start quit --grace 1 -- sh -c "echo \$\$ >'$TMP/quit.pid'; exec '$BT_SPIN' --seconds 60"
wait_file "$TMP/quit.pid" 5
sleep 0.3
kill -QUIT "$BP"
check "SIGQUIT: benchtop ends" wait_gone "$BP" 5
wait "$BP" 2>/dev/null
rc=$?
check "SIGQUIT: benchtop was not killed by it: 131 ($rc)" test $rc -eq 131
check "SIGQUIT: the workload is gone" wait_gone "$(cat "$TMP/quit.pid")" 2
check "SIGQUIT: no cgroup of benchtop $BP is left" test -z "$(cgroups_of "$BP")"

# A run that keeps forking while ignoring SIGTERM: the kill phase repeats
# until nothing is left, in tree mode (no cgroup to list them) too.
marker=20.$$
start forker --no-cgroup --grace 0.3 -- bash -c "trap '' TERM; while :; do sleep $marker & sleep 0.005; done"
sleep 1
kill -TERM "$BP"
check "fork loop ignoring SIGTERM: benchtop ends" wait_gone "$BP" 10
left=$(pgrep -f "sleep $marker" || true)
check "fork loop: none of its processes is left ($(echo $left | wc -w))" test -z "$left"
for p in $left; do kill -KILL "$p"; done

# A closed stdout must not kill benchtop (SIGPIPE): the exit status stays the command's.
"$BENCHTOP" record -o "$TMP/pipe.bt" -- sh -c 'sleep 0.3; exit 7' | true
rc=${PIPESTATUS[0]}
check "stdout closed early: exit status is the command's 7 ($rc)" test "$rc" -eq 7

# benchtop raises its own fd limit; the command keeps the one it was given.
lim=$(bash -c "ulimit -Sn 512; '$BENCHTOP' record -q -o '$TMP/nofile.bt' -- sh -c 'ulimit -Sn > \"$TMP/nofile.out\"'"; cat "$TMP/nofile.out")
check "the command sees its own fd limit ($lim)" test "$lim" = 512

# An error after the cgroup was made: the command cannot be executed.
"$BENCHTOP" record -q -o "$TMP/err.bt" -- /nonexistent/cmd 2>/dev/null &
bp=$!
wait $bp
check "exec failure: no cgroup of benchtop $bp is left" test -z "$(cgroups_of $bp)"
finish
