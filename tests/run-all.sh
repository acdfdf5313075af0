#!/bin/bash
# The whole test suite: the normal build's `make check` (unit tests,
# fixture trees, fuzz corpus, integration tests with real cgroups), then the
# same under AddressSanitizer + UBSan. Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tools/install-deps.sh || exit 1
passed=0
failed=0
skipped=0
status=0

suite() { # NAME BUILD_DIR CONFIGURE_ARGS...
	local name=$1 dir=$2
	shift 2
	echo "=== $name build ($dir)"
	if ! BUILD_DIR=$dir sh tools/build.sh "$@"; then
		echo "=== $name: build failed"
		failed=$((failed + 1))
		status=1
		return
	fi
	echo "=== $name: make check"
	(cd "$dir" && make -j2 check >"$dir/check.out" 2>&1)
	local rc=$?
	grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' "$dir/check.out"
	local p f s
	p=$(grep -cE '^(PASS|XFAIL):' "$dir/check.out")
	f=$(grep -cE '^(FAIL|XPASS|ERROR):' "$dir/check.out")
	s=$(grep -cE '^SKIP:' "$dir/check.out")
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		status=1
		# Show what failed: the logs of the failing tests.
		for log in $(grep -lE '^(FAIL|ERROR)' "$dir"/tests/*/*.log 2>/dev/null); do
			echo "--- $log"
			grep -vE '^ok ' "$log" | tail -40
		done
		[ "$f" -eq 0 ] && f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

suite normal "$top/build"
# Sanitizers: leaks are errors; UBSan stops at the first report.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_odr_violation=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The sysroots (OpenBLAS, libpq built from Debian's sources) are built once,
# by the normal build, and shared.
suite asan "$top/build-asan" --enable-asan --with-sysroot-dir="$top/build/sysroot"
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
