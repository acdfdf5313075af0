#!/bin/bash
# The command line: every bad input gets one clear sentence and a non-zero
# exit, and nothing already recorded is overwritten.
. "$(dirname "$0")/lib.sh"

# expect_err RC PATTERN CMD...: exit status RC, one line on stderr matching PATTERN.
expect_err() {
	local want=$1 pat=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	local lines
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$TMP/err"; then
		ok "$* -> exit $want: $(cat "$TMP/err")"
	else
		notok "$* -> exit $rc (want $want), stderr ($lines lines): $(cat "$TMP/err")"
	fi
}

check "--version prints the version" sh -c "'$BENCHTOP' --version | grep -q '^benchtop [0-9]'"
check "--help exits 0" "$BENCHTOP" --help
check "record --help mentions --cpus" sh -c "'$BENCHTOP' record --help | grep -q -- '--cpus'"
expect_err 2 "not a benchtop command" "$BENCHTOP" frobnicate
expect_err 2 "trace file is missing" "$BENCHTOP" record -- true
expect_err 2 "interval" "$BENCHTOP" record -o "$TMP/a.bt" --interval 5 -- true
expect_err 2 "interval" "$BENCHTOP" record -o "$TMP/a.bt" --interval abc -- true
expect_err 2 "cpus" "$BENCHTOP" record -o "$TMP/a.bt" --cpus many -- true
expect_err 2 "memory" "$BENCHTOP" record -o "$TMP/a.bt" --memory 12Q -- true
expect_err 2 "cpuset" "$BENCHTOP" record -o "$TMP/a.bt" --cpuset 3-1 -- true
expect_err 2 "cpuset" "$BENCHTOP" record -o "$TMP/a.bt" --cpuset "0, 1" -- true
expect_err 2 "memory" "$BENCHTOP" record -o "$TMP/a.bt" --memory nan -- true
expect_err 2 "cpus" "$BENCHTOP" record -o "$TMP/a.bt" --no-cgroup --cpus nan -- true
expect_err 2 "timeout" "$BENCHTOP" record -o "$TMP/a.bt" --timeout nan -- true
expect_err 2 "KEY=VALUE" "$BENCHTOP" record -o "$TMP/a.bt" --env NOEQUALS -- true
expect_err 2 "need a cgroup" "$BENCHTOP" record -o "$TMP/a.bt" --no-cgroup --cpus 1 -- true
expect_err 2 "unknown" "$BENCHTOP" record -o "$TMP/a.bt" --bogus -- true
check "no trace file is left by a usage error" test ! -e "$TMP/a.bt"

echo "precious" >"$TMP/exists.bt"
expect_err 125 "already exists" "$BENCHTOP" record -q -o "$TMP/exists.bt" -- true
check "an existing file is not overwritten" grep -q precious "$TMP/exists.bt"
expect_err 127 "cannot run 'no-such-command-xyz'" "$BENCHTOP" record -q -o "$TMP/b.bt" -- no-such-command-xyz
expect_err 125 "cannot create" "$BENCHTOP" record -q -o /nonexistent-dir/x.bt -- true
: >"$TMP/noexec.sh"
chmod -x "$TMP/noexec.sh"
expect_err 126 "Permission denied" "$BENCHTOP" record -q -o "$TMP/c.bt" -- "$TMP/noexec.sh"

expect_err 1 "cannot read trace" "$BENCHTOP" export "$TMP/none.bt"
expect_err 1 "not a benchtop trace" "$BENCHTOP" export "$TMP/exists.bt"
expect_err 2 "csv or json" "$BENCHTOP" export --format xml "$TMP/exists.bt"
expect_err 2 "exactly one trace" "$BENCHTOP" export
expect_err 2 "text or json" "$BENCHTOP" info --format yaml
finish
