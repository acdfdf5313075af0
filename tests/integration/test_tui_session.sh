#!/bin/bash
# A live session's beginning and end, in tmux: `benchtop` alone starts the
# built-in demo (two variants compared on the screen, the ratio with its
# interval) and records it to the state directory; --no-record keeps
# nothing; a trace that exists is refused before anything is created; a
# command that cannot run says so on the screen and leaves its runs 'not
# run'; a run that crashes and a run the OOM killer ends show as such;
# SIGTERM, SIGHUP and SIGINT stop the runs and restore the terminal, with
# no process or cgroup left; a signal after the session ends exits 128+N.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

"$BENCHTOP" run --help >/dev/null 2>&1 || { echo "# skip: this benchtop has no 'run' command"; exit 77; }
cg=0
can_create_cgroups && cg=1

# ---- benchtop alone: the demo, recorded to the state directory ------------
if [ -x "$BT_WL_DIR/glibc/bt-kmeans" ] && [ -x "$BT_WL_DIR/musl/bt-kmeans" ]; then
	open demo 80 24 LANG=C.UTF-8 XDG_STATE_HOME="$TMP/state" --
	check "benchtop alone opens the live screen" wait_for demo "^ (LIVE|ENDED)"
	check "on k-means, glibc against musl, three runs each" \
		eval 'wait_for demo "^ kmeans +glibc +3 " 20 && grep -Eq "^ kmeans +musl +3 " "$TMP/demo.txt"'
	check "the session ends and the screen stays" wait_for demo "^ ENDED \(q quits\)" 120
	check "every run done, the clock stopped" grep -q "runs: 0 running, 6 done" "$TMP/demo.txt"
	check "at 80 columns the table has rep, elapsed and the ratio with its interval" \
		eval 'grep -Eq "^ workload +variant +rep +state +elapsed .* vs base" "$TMP/demo.txt" &&
			grep -Eq "^ kmeans +musl +[123] +done .* [0-9.]+x \[[0-9.]+,[0-9.]+\] *$" "$TMP/demo.txt"'
	key demo q
	check "q quits at once when the runs are over (0)" restored demo 0
	trace=$(ls "$TMP"/state/benchtop/run-*.bt 2>/dev/null | head -1)
	check "the session was recorded in the state directory" test -s "$trace"
	# (the pane wraps long lines: read it as one)
	check "and the screen said where" eval 'tr -d "\n" <"$TMP/demo.txt" | grep -q "6 runs recorded in $trace"'
	"$BENCHTOP" export --summary --format json "$trace" >"$TMP/demo.json" 2>"$TMP/demo.note"
	check "the recorded trace reads back whole, six runs" \
		eval '[ ! -s "$TMP/demo.note" ] && [ "$(json "$TMP/demo.json" "len(d[\"runs\"])")" = 6 ]'
else
	echo "# the built-in workloads are not built next to $BENCHTOP: the demo is not tried"
fi

# ---- --no-record -------------------------------------------------------------
open norec 80 24 LANG=C.UTF-8 XDG_STATE_HOME="$TMP/state2" -- run --no-record -- "$BT_SPIN" --seconds 0.5
check "--no-record: the session runs" wait_for norec "^ ENDED" 20
key norec q
check "--no-record: q quits (0)" restored norec 0
check "--no-record: nothing in the state directory" test ! -e "$TMP/state2/benchtop"
check "--no-record: nor a word about a trace" eval '! grep -q "recorded in" "$TMP/norec.txt"'

# ---- refused before anything is made --------------------------------------
echo "an earlier session's output" >"$TMP/E.bt.log"
: >"$TMP/E.bt"
open exists 80 24 LANG=C.UTF-8 -- run -o "$TMP/E.bt" -- "$BT_SPIN" --seconds 1
check "a trace that exists: refused (2), the terminal untouched" restored exists 2
check "one sentence saying what to do" \
	eval 'tr -d "\n" <"$TMP/exists.txt" | grep -q "E.bt already exists; choose another file or pass --force"'
check "the earlier session's log is untouched" grep -q "an earlier session's output" "$TMP/E.bt.log"
check "and no screen was drawn" eval '! grep -q "LIVE" "$TMP/exists.txt"'
"$BENCHTOP" run --no-record -- "$BT_SPIN" --seconds 1 </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "without a terminal: refused (2), in one sentence" \
	eval '[ $rc -eq 2 ] && grep -q "not a terminal.*benchtop record" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ]'

# ---- a command that cannot run -------------------------------------------------
open notfound 80 24 LANG=C.UTF-8 -- run --no-record --reps 2 -- "$TMP/no-such-command"
check "a command that cannot run: the screen says why" wait_for notfound "benchtop: cannot run .*no-such-command.*No such file"
check "the first failed (it is in the trace as such), the second 'not run', the session over" \
	eval 'grep -Eq "^ no-such-command +default +1 failed" "$TMP/notfound.txt" && grep -Eq "^ no-such-command +default +2 not run" "$TMP/notfound.txt" && grep -q "ENDED" "$TMP/notfound.txt"'
key notfound q
check "q: exit 127, the terminal restored" restored notfound 127
check "the sentence is on the terminal after the screen too" grep -q "^benchtop: cannot run .*no-such-command" "$TMP/notfound.txt"

# ---- a run that crashes ------------------------------------------------------
cat >"$TMP/crash.sh" <<'EOF'
#!/bin/sh
sleep 0.5
kill -SEGV $$
EOF
chmod +x "$TMP/crash.sh"
open crash 100 30 LANG=C.UTF-8 -- run -o "$TMP/C.bt" -- "$TMP/crash.sh"
check "a run that segfaults: failed" wait_for crash "^ crash\.sh +default +1 failed" 20
check "the session ends, the screen stays" wait_for crash "^ ENDED .*1 failed"
key crash Enter
check "its detail says how it ended" wait_for crash "exit +killed by signal 11 \(Segmentation fault\)"
key crash Escape q
check "q: exit 139 (its status), the terminal restored" restored crash 139

# ---- a run the OOM killer ends ---------------------------------------------------
if [ "$cg" = 1 ]; then
	open oom 100 30 LANG=C.UTF-8 -- run -o "$TMP/O.bt" --memory 32M -- "$BT_SPIN" --memory 200M --seconds 5
	check "a run over its memory limit: OOM-killed" wait_for oom "^ bt-spin +default +1 OOM-killed" 20
	check "the header counts it apart" wait_for oom "runs: 0 running, 0 done, 1 OOM-killed"
	check "and shows the runs' memory limit" grep -Eq "mem 32M/|memory limit 32M" "$TMP/oom.txt"
	check "the memory graph draws the limit" grep -q "limit 32M" "$TMP/oom.txt"
	key oom Enter
	check "its detail: OOM-killed, and the finding" \
		eval 'wait_for oom "exit +OOM-killed" && grep -q "OOM killer" "$TMP/oom.txt"'
	key oom Escape q
	check "q: the terminal restored (137)" restored oom 137
else
	echo "# cgroups cannot be created here: the OOM-killed run is not tried"
fi

# ---- signals while runs go, and after -------------------------------------------
for sig in TERM HUP INT; do
	open "sig$sig" 100 30 LANG=C.UTF-8 -- run --no-record --reps 2 -- "$BT_SPIN" --threads 2 --seconds 60
	wait_for "sig$sig" "runs: 1 running" 20 >/dev/null
	bt=$(child_of "sig$sig")
	spin=$(ps -o pid= --ppid "$bt" | tr -d ' ' | head -1)
	check "SIG$sig: benchtop and its run are there" test -n "$bt" -a -n "$spin"
	[ "$cg" = 1 ] && check "SIG$sig: the run has its cgroup" test -n "$(cgroups_of "$bt")"
	kill -"$sig" "$bt"
	want=$((128 + $(kill -l "$sig")))
	check "SIG$sig: the runs stop, exit $want (128 + the signal), the terminal restored" restored "sig$sig" "$want"
	check "SIG$sig: no process of the run is left" eval '! kill -0 "$spin" 2>/dev/null'
	[ "$cg" = 1 ] && check "SIG$sig: no cgroup is left" test -z "$(cgroups_of "$bt")"
done
open after 80 24 LANG=C.UTF-8 -- run --no-record -- "$BT_SPIN" --seconds 0.3
wait_for after "^ ENDED" 20 >/dev/null
bt=$(child_of after)
[ -n "$bt" ] && kill -TERM "$bt"
check "SIGTERM once the session is over: exit 143, the terminal restored" restored after 143
finish
