#!/bin/bash
# A full disk: the trace keeps every whole record written before the disk
# filled, benchtop says so in one sentence, the run itself is still measured
# to its end and cleaned up, and the exit status says benchtop failed.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "# SKIP: mounting a small tmpfs needs root"
	exit 77
fi
mnt=$TMP/small
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=8k tmpfs "$mnt" 2>"$TMP/mount.err"; then
	echo "# SKIP: cannot mount a tmpfs here: $(cat "$TMP/mount.err")"
	exit 77
fi
trap 'umount "$mnt" 2>/dev/null; cleanup' EXIT

# 16 threads make frames of about 200 bytes: 8 KiB fills within about 3 s.
"$BENCHTOP" record -o "$mnt/full.bt" -- "$BT_SPIN" --threads 16 --seconds 4 >"$TMP/out" 2>"$TMP/err" &
bp=$!
wait $bp
rc=$?
check "disk full: exit status 125 ($rc)" test $rc -eq 125
check "disk full: one sentence says writing failed" test "$(grep -c 'writing .* failed' "$TMP/err")" -eq 1
check "disk full: the summary still covers the whole run (wall >= 3.5 s)" \
	pytrue "$(sed -n 's/^  wall time *\([0-9.]*\) s$/\1/p' "$TMP/out") >= 3.5"
check "disk full: the summary says the trace is incomplete" grep -q "is incomplete: writing it failed" "$TMP/out"
check "disk full: no cgroup of benchtop $bp is left" test -z "$(cgroups_of $bp)"
"$BENCHTOP" export --format csv "$mnt/full.bt" >"$TMP/full.csv" 2>"$TMP/full.err"
rc=$?
rows=$(($(wc -l <"$TMP/full.csv") - 1))
check "disk full: the trace reads back ($rows rows, export exit $rc)" test $rc -eq 0 -a $rows -gt 5
check "disk full: the reader says the trace was cut" grep -q "cut" "$TMP/full.err"
finish
