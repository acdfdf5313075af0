#!/bin/bash
# run-fuzz.sh — fuzz the trace reader with libFuzzer (clang, ASan + UBSan).
#
#   tests/fuzz/run-fuzz.sh [SECONDS] [libFuzzer options...]
#
# Builds tests/fuzz/fuzz_trace.c with src/util.c, src/frame.c and
# src/trace.c into a temporary directory, copies the seed corpus there, and
# runs the fuzzer for SECONDS (default 60). Exits 0 when nothing was found;
# non-zero when the fuzzer found a crash, leak, timeout or out-of-memory, with
# the path of the input that did it printed on the last lines (the
# temporary directory is then kept). Replay a finding with
#   <dir>/fuzz_trace <crash-file>
# or, without clang, tests/fuzz/trace_corpus_check <dir holding the file>.
#
# Environment: CC (default clang-14), CONFIG_H (default: config.h of the
# build tree, found next to this script's top directory or in build/),
# JOBS (parallel fuzzing processes, default 1), KEEP=1 (keep the directory,
# with the grown corpus, even when nothing was found).
set -u

secs=${1:-60}
[ $# -gt 0 ] && shift
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [libFuzzer options...]" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang-14}
jobs=${JOBS:-1}

config=${CONFIG_H:-}
if [ -z "$config" ]; then
	for c in "$top/config.h" "$top/build/config.h"; do
		if [ -f "$c" ]; then
			config=$c
			break
		fi
	done
fi
if [ -z "$config" ] || [ ! -f "$config" ]; then
	echo "run-fuzz: no config.h (configure the project first, or set CONFIG_H)" >&2
	exit 2
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz: $cc not found (set CC to a clang with libFuzzer)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/bt-fuzz-XXXXXX)
echo "run-fuzz: working in $work"

if ! "$cc" -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DBT_LIBFUZZER -include "$config" -I"$top/src" \
	"$here/fuzz_trace.c" "$top/src/util.c" "$top/src/frame.c" "$top/src/trace.c" \
	-lz -o "$work/fuzz_trace"; then
	echo "run-fuzz: build failed" >&2
	rm -rf "$work"
	exit 2
fi

mkdir "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"
# The format's magic strings and sync byte, for libFuzzer's dictionary.
cat >"$work/trace.dict" <<'EOF'
"BTTRACE\x0a"
"BTINDEX\x0a"
"\xb7"
"\xb7\x03\x01\x00"
"\xb7\x07\x00\x00"
"\x01\x00\x00\x00"
"\xff\xff\xff\xff"
"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
EOF

cd "$work" || exit 2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
args=(-max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048
	-dict="$work/trace.dict" -print_final_stats=1 -artifact_prefix="$work/")
if [ "$jobs" -gt 1 ]; then
	args+=(-jobs="$jobs" -workers="$jobs")
fi
./fuzz_trace "${args[@]}" "$@" corpus >"$work/fuzz.log" 2>&1
rc=$?

# The last coverage line and the final stats.
grep -E '^#[0-9]+.*(pulse|DONE|NEW|REDUCE)' "$work/fuzz.log" | tail -1
grep -E '^stat::' "$work/fuzz.log" | awk '!seen[$0]++'
found=$(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
if [ $rc -ne 0 ] || [ -n "$found" ]; then
	echo "run-fuzz: FAILED (fuzzer exit $rc); the log is $work/fuzz.log"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_trace:)|runtime error' "$work/fuzz.log" | head -5
	for f in $found; do
		echo "run-fuzz: finding: $work/$f"
	done
	exit 1
fi
echo "run-fuzz: no finding in $secs s ($(ls "$work/corpus" | wc -l) inputs in the corpus)"
if [ "${KEEP:-0}" = 1 ]; then
	echo "run-fuzz: kept $work"
else
	cd / && rm -rf "$work"
fi
exit 0
