#!/usr/bin/env bash
# tests/bench/ui_draw.sh — how long the screen takes to draw a frame of a
# 10-run session (target: well under a millisecond), at 80x24 and 200x50,
# on the main page and the detail page. Builds tests/bench/ui_draw.c against
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
for size in "80 24" "200 50"; do
	for page in main detail; do
		# shellcheck disable=SC2086
		out=$("$WORK/ui_draw" $size "$page" "$draws") || die "ui_draw failed"
		echo "$out"
		med=$(echo "$out" | awk '/^new tick/ { print $4 }')
		cpu=$(echo "$out" | awk '/^  \(CPU\)/ { print $3 }')
		verdict=$(awk -v m="$med" 'BEGIN { print (m < 1000 ? "yes" : "NO") }')
		result ui_draw "frame, 10 runs, ${size/ /x} $page (median)" "$med us (CPU $cpu)" "< 1000 us" "$verdict"
	done
done
