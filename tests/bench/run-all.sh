#!/usr/bin/env bash
# tests/bench/run-all.sh — run every benchmark of tests/bench in turn and
# print one table of results.
#
#   tests/bench/run-all.sh            full durations (about 19 minutes)
#   QUICK=1 tests/bench/run-all.sh    short runs (about 2 minutes), to check
#                                     that the scripts work; the numbers of a
#                                     quick run are not measurements
#   BENCHES="jitter memory" tests/bench/run-all.sh   a subset
#   BENCHTOP=/path/to/benchtop BENCH_TREE=label ...   another build
# (tests/bench/diagnose.sh, where the sampling time goes, is not part of it.)
#
# Every benchmark measures the same copy of benchtop (taken at the start), so
# a rebuild while this runs does not mix two builds. Each script is bounded
# by `timeout`; each stops the processes it started (by PID) and removes its
# files. Nothing here asserts on timings: the "target" and "met?" columns are
# information. Exit status: 0 unless a script failed to run.
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
QUICK=${QUICK:-0}
BENCHES=${BENCHES:-sampler_cost jitter trace_size memory}

TOP=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-runall.XXXXXX") || exit 1
child=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	rm -rf "$TOP"
}
trap cleanup EXIT
trap 'echo "run-all: interrupted" >&2; exit 130' INT TERM

SRC=${BENCHTOP:-$ROOT/benchtop}
[ -x "$SRC" ] || { echo "run-all: no benchtop at $SRC (run make)" >&2; exit 1; }
cp "$SRC" "$TOP/benchtop" || exit 1
export BENCHTOP=$TOP/benchtop
BENCH_TREE=${BENCH_TREE:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')}
export BENCH_TREE
export BENCH_RESULTS=$TOP/results.tsv
export QUICK
: >"$BENCH_RESULTS"

limit() { # seconds allowed per script
	if [ "$QUICK" = 1 ]; then echo 180; else
		case $1 in sampler_cost) echo 1200 ;; memory) echo 600 ;; *) echo 400 ;; esac
	fi
}

start=$(date +%s)
echo "benchtop benchmarks$([ "$QUICK" = 1 ] && echo ' (QUICK: short runs, not measurements)'), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "benchtop $SRC, sha256 $(sha256sum "$BENCHTOP" | cut -c1-12), tree $BENCH_TREE"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo
failed=0
for b in $BENCHES; do
	s=$(date +%s)
	timeout --signal=TERM --kill-after=30 "$(limit "$b")" "$BENCH_DIR/$b.sh" &
	child=$!
	wait "$child"
	rc=$?
	child=
	echo "-- $b: exit $rc, $(($(date +%s) - s)) s, load average now $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	[ "$rc" = 0 ] || failed=1
done

echo "== results ($(($(date +%s) - start)) s in all)"
printf '%-13s %-44s %-22s %-14s %s\n' benchmark metric value target "met?"
printf '%-13s %-44s %-22s %-14s %s\n' --------- ------ ----- ------ ----
while IFS=$'\t' read -r bench metric value target verdict; do
	printf '%-13s %-44s %-22s %-14s %s\n' "$bench" "$metric" "$value" "$target" "$verdict"
done <"$BENCH_RESULTS"
exit "$failed"
