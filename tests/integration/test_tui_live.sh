#!/bin/bash
# The live screen: `benchtop run -- bt-spin` in tmux. The runs show as queued
# then running, the table and the graphs update as ticks come, p freezes the
# display while sampling goes on, every key of the help does what it says,
# the window shrinks and grows back, q asks
# while runs are going (no: they go on; yes: they stop), and afterwards no
# process, no cgroup and no raw terminal is left; the trace is whole and
# replays. Skips (77) when this benchtop has no `run` yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

"$BENCHTOP" run --help >/dev/null 2>&1 || { echo "# skip: this benchtop has no 'run' command"; exit 77; }
cg=0
can_create_cgroups && cg=1

# row NAME REP: the table row of repetition REP.
row() { cap "$1" | grep -E "^ bt-spin +default +$2 "; }
# changes NAME REP SECONDS: poll until the row of REP differs from now.
changes() {
	local first i
	first=$(row "$1" "$2")
	for ((i = 0; i < $3 * 10; i++)); do
		sleep 0.1
		[ "$(row "$1" "$2")" != "$first" ] && return 0
	done
	return 1
}

open live 100 30 LANG=C.UTF-8 -- run -o "$TMP/L.bt" --reps 2 -- "$BT_SPIN" --threads 2 --seconds 60
check "run opens the live screen" wait_for live "^ LIVE +elapsed"
check "the first run runs, the second waits" wait_for live "runs: 1 running, 0 done, 1 queued"
check "the table shows both" eval 'row live 1 | grep -q " running " && row live 2 | grep -q " queued "'
check "a CPU graph fills in as ticks come" eval 'for i in $(seq 50); do cap live >/dev/null; has_braille "$TMP/live.txt" && break; sleep 0.2; done; has_braille "$TMP/live.txt"'
check "the header has the host facts" grep -Eq "CPUs [0-9.]+( of |/)[0-9.]+ .*tick 100 ?ms" "$TMP/live.txt"
check "the table updates as the run goes" changes live 1 5

# pause freezes the display, not the sampling
key live p
check "p pauses the display" wait_for live "PAUSED \(sampling goes on\)"
frozen=$(row live 1)
sleep 1
check "while paused the table stays as it was" test "$(row live 1)" = "$frozen"
key live ' '
check "space goes live again" wait_for live "^ LIVE +elapsed"
check "and the table moves on" changes live 1 5

# help and the detail view, live
key live '?'
check "? lists the live keys" wait_for live "p or space +pause the display"
key live Escape Enter
check "Enter: the running run's processes and threads" wait_for live "PID/TID"
check "with bt-spin and its threads" wait_for live "^ +[0-9]+ +bt-spin +[RSD] "
key live Escape

# every other key the live help lists
key live Tab
check "Tab: the next graphs" wait_for live "^memory \(cgroup\) "
key live BTab
check "Shift-Tab: back" wait_for live "^CPU % \(100% = 1 core\) "
key live +
check "+: a shorter time window than the minute live graphs scroll through" wait_for live "window 30s "
key live -
check "-: the whole session (shorter than a minute)" wait_for live "window whole "
check "- on the whole session says so" press_until live - "already showing the whole session"
key live +
check "+ from the whole: a window shorter than the session" wait_for live "window [0-9]+s "
key live Down Enter
check "Down, Enter: the second run, queued" wait_for live "^ run 2  bt-spin  default  rep 2  queued"
key live Escape PgUp Enter
check "PgUp, Enter: the first, running" wait_for live "^ run 1  bt-spin  default  rep 1  running"
key live Escape Up PgDn Escape F1
check "F1: the help" wait_for live "Keys \(live session\)"
key live Escape
check "Esc: the table again" wait_for live "^ workload +variant"

# resize while running
tm resize-window -t live -x 40 -y 12
check "at 40x12 a 'too small' notice, still running" wait_for live "Terminal too small \(40x12\)"
tm resize-window -t live -x 100 -y 30
check "back at 100x30 the screen" wait_for live "^ LIVE +elapsed"

# q asks while runs are going
bt=$(child_of live)
spin=$(ps -o pid= --ppid "$bt" | tr -d ' ' | head -1)
check "benchtop and its run are there" test -n "$bt" -a -n "$spin"
[ "$cg" = 1 ] && check "the run has its cgroup" test -n "$(cgroups_of "$bt")"
key live q
check "q asks first" wait_for live "Runs are still going. Stop them and quit\? \(y/n\)"
key live n
check "n: not quitting" wait_for live "not quitting: the runs go on"
check "the run goes on" eval 'kill -0 "$spin" 2>/dev/null && row live 1 | grep -q " running "'
key live q
wait_for live "Stop them and quit" >/dev/null
key live y
check "y: the runs stop, benchtop ends as interrupted (130), the terminal restored" restored live 130
check "no process of the run is left" eval '! kill -0 "$spin" 2>/dev/null'
check "benchtop itself is gone" eval '! kill -0 "$bt" 2>/dev/null'
[ "$cg" = 1 ] && check "no cgroup is left" test -z "$(cgroups_of "$bt")"
check "it says where the trace is" grep -q "recorded in $TMP/L.bt" "$TMP/live.txt"

# the trace is whole and replays
"$BENCHTOP" export --summary --format json "$TMP/L.bt" >"$TMP/L.json" 2>"$TMP/L.note"
check "the trace reads back cleanly" test ! -s "$TMP/L.note"
check "it holds the run that was stopped, and not the one never started" \
	test "$(json "$TMP/L.json" 'len(d["runs"])')" = 1
open again 100 30 LANG=C.UTF-8 -- replay "$TMP/L.bt"
key again End
check "the live session replays" wait_for again "REPLAY L.bt  at end"
check "with the run stopped" grep -Eq "^ bt-spin +default +1 (failed|done)" "$TMP/again.txt"
check "and the planned run that never started, as not run (the trace holds the plan)" \
	grep -Eq "^ bt-spin +default +2 not run" "$TMP/again.txt"
key again q
check "replay: q restores the terminal" restored again 0
finish
