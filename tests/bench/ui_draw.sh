#!/usr/bin/env bash
# tests/bench/ui_draw.sh — how long the screen takes to draw a frame of a
# 10-run session (target: well under a millisecond), at 80x24, 120x40 and
# 200x60, on the main page and the detail page, with the live default
# window (60 s) and, at 200x60, the whole session. Builds tests/bench/ui_draw.c against
# the build's libraries (tools/build.sh's build/ by default; BUILD_DIR=...
# for another) and runs it; curses draws into /dev/null, so the time is the
# screen's own work (layout, graphs, table, curses' diff and output).
. "$(dirname "$0")/lib.sh"

bdir=${BUILD_DIR:-$(dirname "$BT_ORIG")}
for f in config.h libbtui.a libbenchtop.a; do
	[ -e "$bdir/$f" ] || die "no $f in $bdir (build with 'sh tools/build.sh' or set BUILD_DIR)"
done
# shellcheck disable=SC2046
${CC:-cc} -O2 -std=gnu11 -include "$bdir/config.h" -I"$ROOT/src" -I"$ROOT/ui" $(pkg-config --cflags ncursesw) \
	-o "$WORK/ui_draw" "$BENCH_DIR/ui_draw.c" "$bdir/libbtui.a" "$bdir/libbenchtop.a" \
	$(pkg-config --libs ncursesw libcgroup zlib) -ldl -lm || die "cannot build ui_draw.c"

draws=2000
[ "$QUICK" = 1 ] && draws=200
machine_line
for c in "80 24 main 60s" "80 24 detail 60s" "120 40 main 60s" "120 40 detail 60s" "200 60 main 60s" \
	"200 60 detail 60s" "200 60 main whole"; do
	set -- $c
	out=$("$WORK/ui_draw" "$1" "$2" "$3" "$draws" "$4") || die "ui_draw failed"
	echo "$out"
	med=$(echo "$out" | awk '/^new tick/ { print $4 }')
	cpu=$(echo "$out" | awk '/^  \(CPU\)/ { print $3 }')
	clk=$(echo "$out" | awk '/^clock/ { print $3 }')
	verdict=$(awk -v m="$med" 'BEGIN { print (m < 1000 ? "yes" : "NO") }')
	result ui_draw "frame, 10 runs, $1x$2 $3, window $4 (median)" "$med us (CPU $cpu; clock only $clk us)" "< 1000 us" "$verdict"
done
