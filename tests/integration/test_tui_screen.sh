#!/bin/bash
# What the screen looks like at the sizes and on the terminals people have,
# in tmux: a large terminal is used fully (every graph, in rows), the header
# keeps every host fact at 80 columns in short forms and gives the long
# ones when there is room, a shrinking window is repainted clean (no junk
# from before), monochrome terminals (vt100, xterm-mono) and NO_COLOR get
# no colour escapes and still show the selected run (reverse video), a C
# locale gets ASCII only, the runs' CPU quota and memory limit show in the
# header, the table and on the graphs, and an empty graph says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

"$BENCHTOP" run --help >/dev/null 2>&1 || { echo "# skip: this benchtop has no 'run' command"; exit 77; }
"$BENCHTOP" record -q -o "$TMP/T.bt" -- "$BT_SPIN" --threads 2 --seconds 1.5 >/dev/null 2>&1
check "a trace of bt-spin was recorded" test -s "$TMP/T.bt"
titles=("CPU % (100% = 1 core)" "memory (cgroup)" "RSS (all processes)" "throttled % of periods" "threads  ")
# row NAME N: row N (0-based) of the pane.
row() { sed -n "$(($2 + 1))p" "$TMP/$1.txt"; }
# glyphless: stdin has no graph glyph (box drawing, braille).
glyphless() { python3 -c 'import sys; t=sys.stdin.buffer.read().decode("utf-8","replace"); sys.exit(1 if any(0x2500<=ord(c)<=0x257f or 0x2800<=ord(c)<=0x28ff for c in t) else 0)'; }
# reverse_row FILE REGEX: the line matching REGEX (escapes ignored) is drawn
# in reverse video (an SGR with 7 on it).
reverse_row() {
	python3 - "$1" "$2" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
	plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
	if re.search(sys.argv[2], plain):
		sgrs = re.findall(r"\x1b\[([0-9;]*)m", line)
		sys.exit(0 if any("7" in s.split(";") for s in sgrs) else 1)
sys.exit(2)
PY
}

# ---- 200x60: every graph, in two rows; the long header ----------------------
open big 200 60 LANG=C.UTF-8 -- replay "$TMP/T.bt"
check "replay at 200x60" wait_for big "REPLAY T.bt  at end" 15
for t in "${titles[@]}"; do
	grep -qF -- "$t" "$TMP/big.txt" || notok "200x60 shows the graph '$t'"
done
ok "200x60 shows every graph"
check "in two rows: CPU first on the first, threads on the second" \
	eval 'row big 2 | grep -qF "CPU % (100% = 1 core)" && ! row big 2 | grep -qF "threads  " && grep -qF "threads  " "$TMP/big.txt"'
# at TEXT: the column where TEXT begins on stdin, -1 when absent;
# count TEXT: how many times it is there.
at() { python3 -c 'import sys; print(sys.stdin.buffer.read().decode("utf-8", "replace").find(sys.argv[1]))' "$1"; }
count() { python3 -c 'import sys; print(sys.stdin.buffer.read().decode("utf-8", "replace").count(sys.argv[1]))' "$1"; }
check "the graphs are taller than a pane of 80x24 (more axis ticks) and spread across the screen" \
	eval '[ "$(count "┤" <"$TMP/big.txt")" -ge 30 ] && [ "$(row big 2 | at "RSS (all processes)")" -gt 120 ]'
check "the long header: host, kernel, libc, cgroup, CPUs of, memory, tick" \
	eval 'row big 0 | grep -Eq "host .* kernel .* (glibc|musl|libc).* (cgroup v[12]|no cgroups).* CPUs [0-9.]+ of [0-9.]+ .* memory .* tick 100 ms"'
check "a graph with nothing to show says why" grep -q "nothing throttled: no CPU quota" "$TMP/big.txt"
key big q
check "big: q restores the terminal" restored big 0

# ---- 80x24: every host fact, in short forms ---------------------------------------
open small 80 24 LANG=C.UTF-8 -- replay "$TMP/T.bt"
wait_for small "REPLAY T.bt" >/dev/null
check "80x24: the header keeps host, kernel, libc, cgroup, CPUs, memory, tick" \
	eval 'row small 0 | grep -Eq "^ [^ ]+  Linux [0-9.]+  .*(glibc|musl|libc).*  (cgroup v[12]|no cgroups)  CPUs [0-9.]+/[0-9.]+  mem [^ ]+  tick 100ms *$"'
check "80x24: two graphs side by side" \
	eval 'row small 2 | grep -qF "CPU % (100% = 1 core)" && row small 2 | grep -qF "memory (cgroup)"'
key small q
restored small 0 >/dev/null

# ---- shrinking repaints clean --------------------------------------------------------
open shrink 120 40 LANG=C.UTF-8 -- run --no-record -- "$BT_SPIN" --threads 2 --seconds 30
check "a live session at 120x40" wait_for shrink "runs: 1 running" 20
key shrink Enter
wait_for shrink "PID/TID" >/dev/null
key shrink Escape
sleep 0.5
tm resize-window -t shrink -x 60 -y 16
check "shrunk to 60x16: the header is on the first two rows" \
	eval 'wait_for shrink "^ LIVE" && row shrink 1 | grep -q "^ LIVE" && row shrink 0 | grep -q "CPUs"'
check "and nothing of the larger screen is left (no graph glyph in the header, the footer last)" \
	eval 'row shrink 0 | glyphless && row shrink 1 | glyphless && row shrink 15 | grep -q "^q quit"'
check "and the table's header is whole" grep -Eq "^ workload +variant +rep +state" "$TMP/shrink.txt"
tm resize-window -t shrink -x 120 -y 40
check "grown back to 120x40" wait_for shrink "RSS \(all processes\)"
key shrink q
wait_for shrink "Stop them and quit" >/dev/null
key shrink y
check "shrink: q, y: exit 130, the terminal restored" restored shrink 130

# ---- monochrome terminals and NO_COLOR --------------------------------------------
for t in vt100 xterm-mono nocolor; do
	envs=(LANG=C.UTF-8 TERM="$t")
	[ "$t" = nocolor ] && envs=(LANG=C.UTF-8 NO_COLOR=1)
	open "m$t" 100 30 "${envs[@]}" -- run --no-record --reps 2 -- "$BT_SPIN" --threads 2 --seconds 30
	wait_for "m$t" "runs: 1 running" 20 >/dev/null
	key "m$t" Down
	sleep 0.5
	cap "m$t" -e >/dev/null
	check "$t: no colour escapes" eval '! colour_sgr "$TMP/m$t.txt"'
	check "$t: the selected run (the second) is in reverse video" reverse_row "$TMP/m$t.txt" "bt-spin +default +2 "
	reverse_row "$TMP/m$t.txt" "bt-spin +default +1 "
	check "$t: the first run is not" test $? -eq 1
	check "$t: graphs and table are there" \
		eval 'grep -qF "CPU % (100% = 1 core)" "$TMP/m$t.txt" && grep -q "running" "$TMP/m$t.txt"'
	key "m$t" q
	wait_for "m$t" "Stop them and quit" >/dev/null
	key "m$t" y
	check "$t: the terminal restored" restored "m$t" 130
done

# ---- a C locale: ASCII, live -------------------------------------------------
open ascii 100 30 LC_ALL=C LANG=C -- run --no-record --cpus 0.5 --memory 40M -- "$BT_SPIN" --threads 2 --seconds 30 --memory 30M
check "C locale: the live screen" wait_for ascii "runs: 1 running" 20
sleep 2
cap ascii >/dev/null
check "C locale: no byte outside ASCII" eval '! LC_ALL=C grep -q "[^ -~]" "$TMP/ascii.txt"'
check "C locale: ASCII graphs with axes" eval 'grep -Eq "[0-9]+%\+" "$TMP/ascii.txt" && grep -Eq "[_'"'"'|-]{2}" "$TMP/ascii.txt"'
# ---- limits everywhere ------------------------------------------------------------
check "--cpus 0.5: the header says the runs may use 0.5 CPUs" grep -Eq "CPUs 0\.5( of |/)[0-9.]+" "$TMP/ascii.txt"
check "--memory 40M: and 40M of memory" grep -Eq "(mem|memory limit) 40M( of |/)" "$TMP/ascii.txt"
check "the table's throttled column has numbers" grep -Eq "^ bt-spin +default +1 running .* [0-9.]+% *$" "$TMP/ascii.txt"
check "the memory graph names its limit (the data is near it)" grep -q "limit 40M" "$TMP/ascii.txt"
key ascii q
wait_for ascii "Stop them and quit" >/dev/null
key ascii y
check "ascii: q, y: exit 130, the terminal restored" restored ascii 130
finish
