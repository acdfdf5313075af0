#!/bin/bash
# The screen, driven like a person would: `benchtop replay` of real traces in
# tmux (send-keys, capture-pane). Graphs and the run table appear; every key
# the help lists does what it says; the window shrinks to 40x12 and back;
# NO_COLOR leaves no colour; a non-UTF-8 locale gets ASCII graphs; a cut
# trace shows what it holds and says it was cut; q, SIGTERM and a bad file
# all leave the terminal as it was. Every wait is a bounded poll.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# ---- Traces -------------------------------------------------------------
"$BENCHTOP" record -q -o "$TMP/T.bt" -- "$BT_SPIN" --threads 2 --seconds 2 >/dev/null 2>&1
check "a trace of bt-spin was recorded" test -s "$TMP/T.bt"
# One with phases and a metric, for events and phase marks.
"$BENCHTOP" record -q -o "$TMP/P.bt" -- sh -c '
	echo "phase warm" >&$BENCHTOP_RESULT_FD; sleep 0.4
	echo "phase spin" >&$BENCHTOP_RESULT_FD; "$0" --threads 1 --seconds 0.6
	echo "metric score 42 pts" >&$BENCHTOP_RESULT_FD; sleep 0.2' "$BT_SPIN" >/dev/null 2>&1
check "a trace with phases was recorded" test -s "$TMP/P.bt"
# Three runs of one command: a warm-up and two repetitions.
"$BENCHTOP" record -q -o "$TMP/M.bt" --reps 2 --warmup 1 -- "$BT_SPIN" --seconds 0.3 >/dev/null 2>&1
check "a trace of three runs was recorded" test -s "$TMP/M.bt"
size=$(stat -c %s "$TMP/T.bt")
head -c $((size * 2 / 3)) "$TMP/T.bt" >"$TMP/cut.bt"

# ---- The main screen ----------------------------------------------------
open main 100 30 LANG=C.UTF-8 -- replay "$TMP/T.bt"
check "replay opens the screen" wait_for main "REPLAY T.bt"
check "it plays to the end of the trace at x1" wait_for main "REPLAY T.bt  at end" 15
cap main >/dev/null
check "the CPU graph has a title, a scale and braille" \
	eval 'grep -q "CPU % (100% = 1 core)" "$TMP/main.txt" && grep -q "100%" "$TMP/main.txt" && has_braille "$TMP/main.txt"'
check "the memory graph and a time axis are there" \
	eval 'grep -q "memory (cgroup)" "$TMP/main.txt" && grep -Eq "0\.0s +0\.5s" "$TMP/main.txt"'
check "the run table lists the run as done" grep -Eq "^ bt-spin +default +1 done" "$TMP/main.txt"
check "the header has the host facts and the tick (short forms at 100 columns)" \
	eval 'grep -Eq "CPUs [0-9.]+( of |/)[0-9.]+ .*tick 100 ?ms" "$TMP/main.txt"'
cap main -e >/dev/null
check "with colours allowed, the graph is in colour (the control for NO_COLOR)" colour_sgr "$TMP/main.txt"

# help lists every key; each is then tried below
key main '?'
check "? opens the help" wait_for main "Keys \(replay\)"
for k in "q " "? or F1" "Up/Down" "PgUp/PgDn" "Tab" "Enter" "Esc" "+ / -" "space or p" "Left/Right" "\[ / \]" \
	"Home/End" "g " "n / N"; do
	grep -q -- "^   $k" "$TMP/main.txt" || notok "the help lists '$k'"
done
ok "the help lists every key"
key main Escape
check "Esc closes the help" wait_for main "^ workload +variant"
key main F1
check "F1 opens the help too" wait_for main "Keys \(replay\)"
key main q
check "q in the help closes the help (and does not quit)" wait_for main "^ workload +variant"

# time controls
key main Home
check "Home goes to the beginning, paused" wait_for main "REPLAY T.bt  paused  0\.000 s of"
n=$(header main | sed -n 's/.*tick \([0-9]*\)\/\([0-9]*\).*/\1/p')
total=$(header main | sed -n 's/.*tick \([0-9]*\)\/\([0-9]*\).*/\2/p')
key main Right
check "Right steps one tick forward" wait_for main "tick $((n + 1))/$total"
key main Right Right
check "and again" wait_for main "tick $((n + 3))/$total"
key main Left
check "Left steps one tick back" wait_for main "tick $((n + 2))/$total"
check "the table shows the run running at that moment" grep -Eq "^ bt-spin +default +1 running" "$TMP/main.txt"
key main End
check "End goes to the end" wait_for main "at end .* tick $total/$total"
key main ']'
check "] doubles the speed" wait_for main "speed x2 "
key main '[' '['
check "[ halves it" wait_for main "speed x0\.5 "
key main '[' '[' '['
check "the speed stops at x0.25" wait_for main "speed x0\.25 .*|x0\.25 \(the limit\)"
key main Home ' '
check "space plays" wait_for main "REPLAY T.bt  playing"
key main p
check "p pauses" wait_for main "REPLAY T.bt  paused  0\.[0-9]+ s"
key main g
check "g asks for a time" wait_for main "go to time \(seconds, or m:ss\)"
key main 1 . 5 Enter
check "g 1.5 goes to 1.5 s" wait_for main "paused  1\.500 s of"
key main g a b c Enter
check "g refuses what is not a time, in one sentence" wait_for main "'abc' is not a time"
key main Home
check "n goes to the next event: the run's start, then its end" \
	eval 'press_until main n "run 1 \(bt-spin default #1\) started" && press_until main n "run 1 \(bt-spin default #1\) ended: exited with code 0"'
check "n after the last event says so" press_until main n "no later event"
check "N goes to the previous one: back to the start" press_until main N "run 1 \(bt-spin default #1\) started"
check "N before the first event says so" press_until main N "no earlier event"

# zoom and graph rotation
key main End +
check "+ zooms the time window in" wait_for main "window 2s "
key main +
check "+ again" wait_for main "window 1s "
key main +
check "+ at the smallest window says so" wait_for main "as small as it goes"
key main -
check "- zooms out" wait_for main "window 2s "
key main -
check "- back to the whole trace" wait_for main "window whole"
key main -
check "- on the whole trace says so" wait_for main "already showing the whole trace"
key main Tab
check "Tab rotates the graphs" wait_for main "RSS \(all processes\)"
gone_from main "CPU % \(100% = 1 core\)" 3 >/dev/null
check "the first graph made room" test $? -eq 0
key main Tab Tab
check "Tab on: throttling and threads" wait_for main "throttled % of periods.*threads"
key main BTab
check "Shift-Tab goes back" wait_for main "RSS \(all processes\).*throttled"
key main Tab Tab Tab
check "and around to CPU again" wait_for main "CPU % \(100% = 1 core\)"

# detail view
key main g 1 Enter Enter
check "Enter opens the detail view" wait_for main "PID/TID"
check "with the command and the limits" eval 'grep -q "command: .*bt-spin --threads 2 --seconds 2" "$TMP/main.txt" && grep -q "limits: " "$TMP/main.txt"'
check "with the process and its three threads at that moment" \
	eval '[ "$(grep -Ec "^ +[0-9]+ +bt-spin +[RSD] +[0-9]+ " "$TMP/main.txt")" -eq 4 ]'
check "with its numbers, phases and environment" \
	eval 'grep -q "CPU  *avg" "$TMP/main.txt" && grep -q "phases " "$TMP/main.txt" && grep -q "env " "$TMP/main.txt"'
check "mid-run, no findings yet (they would tell the future)" eval '! grep -Eq "^ (finding|warning) " "$TMP/main.txt"'
key main End
check "at the end, the run's findings (a spinning run is CPU-bound)" wait_for main "^ (finding|warning) +CPU-bound"
key main Down PgDn Up PgUp
key main Escape
check "Esc goes back to the table" wait_for main "^ workload +variant"
key main Down Up PgDn PgUp
check "Up/Down/PgUp/PgDn on a one-run table keep it selected" wait_for main "^ bt-spin +default"

# resize down to 40x12 and back
tm resize-window -t main -x 40 -y 12
check "at 40x12 a 'too small' notice" wait_for main "Terminal too small \(40x12\)"
tm resize-window -t main -x 70 -y 18
check "at 70x18 a compact layout: the table" wait_for main "^ workload +variant +rep +state +elapsed +CPU avg/pk +mem avg/pk"
check "and one graph" eval 'grep -q "CPU % (100% = 1 core)" "$TMP/main.txt" && ! grep -q "memory (cgroup)" "$TMP/main.txt"'
tm resize-window -t main -x 100 -y 30
check "back at 100x30 the full screen" wait_for main "memory \(cgroup\)"
check "the table is whole again (no throttled or vs base column: no quota, one variant)" \
	wait_for main "^ workload +variant +rep +state +elapsed +CPU avg/pk +mem avg/pk +threads *$"
key main q
check "q quits and the terminal is restored (icanon, echo)" restored main 0

# several runs: the table, and moving the selection through it
open multi 100 30 LANG=C.UTF-8 -- replay "$TMP/M.bt"
wait_for multi "REPLAY M.bt" >/dev/null
key multi Home
check "before they start, the runs are queued" wait_for multi "^ bt-spin +default +w queued"
key multi End
check "at the end, the warm-up is done" wait_for multi "^ bt-spin +default +w done"
check "all three rows" eval '[ "$(grep -Ec "^ bt-spin +default +[w12] done" "$TMP/multi.txt")" -eq 3 ]'
key multi Down Enter
check "Down then Enter: the detail of the second run" wait_for multi "^ run 2  bt-spin  default  rep 1"
key multi Escape PgDn Enter
check "PgDn: the last run" wait_for multi "^ run 3  bt-spin  default  rep 2"
key multi Escape Up Up Enter
check "Up: back to the first, the warm-up" wait_for multi "^ run 1  bt-spin  default  warm-up"
key multi Escape PgDn PgUp Enter
check "PgUp: the first again" wait_for multi "^ run 1  bt-spin"
key multi q
check "multi: q restores the terminal" restored multi 0

# scrolling in the detail and help pages, in a 100x16 window
open small 100 16 LANG=C.UTF-8 -- replay "$TMP/P.bt"
wait_for small "REPLAY P.bt" >/dev/null
key small g 0 . 8 Enter Enter
check "the detail page opens in a small window" wait_for small "command: "
check "its first line is the CPU line" wait_for small "^ CPU +avg"
key small Down
check "Down scrolls the detail page" gone_from small "^ CPU +avg"
key small Up
check "Up scrolls back" wait_for small "^ CPU +avg"
key small PgDn
check "PgDn scrolls a page" wait_for small "PID/TID"
key small PgUp
check "PgUp scrolls back" wait_for small "^ CPU +avg"
key small Escape '?'
check "the help in a small window" wait_for small "Keys \(replay\)"
key small Down
check "Down scrolls the help" gone_from small "Keys \(replay\)"
key small Escape q
check "small: q restores the terminal" restored small 0

# events and phases
open ev 100 30 LANG=C.UTF-8 -- replay "$TMP/P.bt"
wait_for ev "REPLAY P.bt" >/dev/null
key ev Home
check "n: the first phase" press_until ev n "phase warm"
check "n: the second phase" press_until ev n "phase spin"
check "n: the metric" press_until ev n "metric score = 42 pts"
check "n: the end" press_until ev n "ended: exited with code 0"
check "N: back to the metric" press_until ev N "metric score = 42 pts"
key ev End
wait_for ev "at end" >/dev/null
check "phase marks on the graph" grep -q "▾" "$TMP/ev.txt"
key ev Enter
check "the detail view lists both phases" wait_for ev "phases +warm .*at 0\.[0-9]+ s"
check "and the metric" grep -Eq "metrics +score = 42 pts" "$TMP/ev.txt"
key ev q
check "ev: q restores the terminal" restored ev 0

# ---- NO_COLOR, ASCII, a cut trace -----------------------------------------
open nocolor 100 30 LANG=C.UTF-8 NO_COLOR=1 -- replay "$TMP/T.bt"
wait_for nocolor "REPLAY" >/dev/null
key nocolor End Up
wait_for nocolor "at end" >/dev/null
cap nocolor -e >/dev/null
check "NO_COLOR: the screen has no colour escapes" eval '! colour_sgr "$TMP/nocolor.txt"'
check "NO_COLOR: still braille and still readable" eval 'has_braille "$TMP/nocolor.txt" && grep -q "bt-spin" "$TMP/nocolor.txt"'
key nocolor q
restored nocolor 0 >/dev/null

open ascii 100 30 LC_ALL=C LANG=C -- replay "$TMP/T.bt"
wait_for ascii "REPLAY" >/dev/null
key ascii End
wait_for ascii "at end" >/dev/null
check "a C locale: no byte outside ASCII on the screen" eval '! LC_ALL=C grep -q "[^ -~]" "$TMP/ascii.txt"'
check "a C locale: ASCII graphs, with axes" eval 'grep -Eq "100%\+" "$TMP/ascii.txt" && grep -Eq "[_'"'"'|-]{3}" "$TMP/ascii.txt"'
key ascii q
check "ascii: q restores the terminal" restored ascii 0

open cut 100 30 LANG=C.UTF-8 -- replay "$TMP/cut.bt"
check "a cut trace opens" wait_for cut "REPLAY cut.bt"
key cut End
check "it says the trace was cut, and where" wait_for cut "Cut trace: the trace was cut at byte [0-9]+"
check "it shows what it holds: the run, still running when the trace ends" grep -Eq "^ bt-spin +default +1 running" "$TMP/cut.txt"
check "and its graph" has_braille "$TMP/cut.txt"
key cut q
check "cut: q restores the terminal" restored cut 0

# ---- Signals and bad input ----------------------------------------------
open term 100 30 LANG=C.UTF-8 -- replay "$TMP/T.bt"
wait_for term "REPLAY" >/dev/null
bt_pid=$(child_of term)
check "the replay runs as a child of the pane's shell" test -n "$bt_pid"
[ -n "$bt_pid" ] && kill -TERM "$bt_pid"
check "SIGTERM ends it (143) with the terminal restored" restored term 143

open int 100 30 LANG=C.UTF-8 -- replay "$TMP/T.bt"
wait_for int "REPLAY" >/dev/null
pid=$(child_of int)
[ -n "$pid" ] && kill -INT "$pid"
check "SIGINT ends it (130) with the terminal restored" restored int 130
# A crash: the fatal-signal net puts the terminal's modes back, then the
# process dies of the signal as it would have.
open segv 100 30 LANG=C.UTF-8 -- replay "$TMP/T.bt"
wait_for segv "REPLAY" >/dev/null
pid=$(child_of segv)
[ -n "$pid" ] && kill -SEGV "$pid"
check "a crash (SIGSEGV) still leaves the terminal restored (139)" restored segv 139

open bad 100 30 LANG=C.UTF-8 -- replay "$TMP/missing.bt"
check "a missing file: exit 1, the terminal untouched" restored bad 1
check "with one sentence naming the file" grep -q "benchtop replay: cannot read trace .*missing.bt: No such file" "$TMP/bad.txt"

"$BENCHTOP" replay /etc/hostname </dev/null >"$TMP/out" 2>"$TMP/err"
check "a file that is not a trace: exit 1" test $? -eq 1
check "one sentence: not a benchtop trace" eval 'grep -q "not a benchtop trace" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ]'
"$BENCHTOP" replay "$TMP/T.bt" </dev/null >"$TMP/out" 2>"$TMP/err"
check "without a terminal: exit 1" test $? -eq 1
check "one sentence saying so and what to use instead" \
	eval 'grep -q "not a terminal.*benchtop export" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ]'
"$BENCHTOP" replay >/dev/null 2>"$TMP/err"
check "no file: usage error (2)" test $? -eq 2
"$BENCHTOP" replay --help >"$TMP/out"
check "--help describes the keys" eval 'grep -q "usage: benchtop replay FILE" "$TMP/out" && grep -q "Left/Right" "$TMP/out"'
"$BENCHTOP" --help | grep -q "replay FILE"
check "benchtop --help lists replay" test $? -eq 0
finish
