# Shared helpers for the integration tests (sourced). Each test prints
# "ok - ..." / "not ok - ..." lines and exits 0 only when all passed;
# exit 77 tells automake a test was skipped (with the reason printed).
set -u
: "${BENCHTOP:?run through make check, or set BENCHTOP}"
: "${BT_SPIN:=$(dirname "$BENCHTOP")/bt-spin}"
pass=0
fail=0
TMP=$(mktemp -d /tmp/benchtop-test.XXXXXX)
BG_PIDS=()

ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# json FILE EXPR: evaluate a python expression over the JSON document d.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# pyexpr EXPR: true when the python expression is true.
pytrue() { python3 -c "import sys; sys.exit(0 if ($1) else 1)"; }
# Cgroups created by the benchtop whose pid is given (parallel-safe check).
cgroups_of() { find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "benchtop.$1.*" 2>/dev/null; }
# can_create_cgroups: benchtop info says run cgroups can be created here.
can_create_cgroups() {
	"$BENCHTOP" info --format json >"$TMP/info.json" 2>/dev/null &&
		[ "$(json "$TMP/info.json" 'd["cgroup"]["can_create"]')" = True ]
}
# wait_gone PID SECONDS: true once PID no longer exists.
wait_gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# wait_file FILE SECONDS: true once FILE exists and is not empty.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# record NAME ARGS...: record into $TMP/NAME.bt (quietly), write its summary
# JSON to $TMP/NAME.json (the reader's note to $TMP/NAME.note), check that
# the benchtop left no cgroup, and return benchtop's exit status.
record() {
	local name=$1
	shift
	"$BENCHTOP" record -q -o "$TMP/$name.bt" "$@" &
	local bp=$!
	wait $bp
	local rc=$?
	"$BENCHTOP" export --summary --format json "$TMP/$name.bt" >"$TMP/$name.json" 2>"$TMP/$name.note"
	check "$name: no cgroup of benchtop $bp is left" test -z "$(cgroups_of $bp)"
	return $rc
}
# copy_context SRC DST: what `docker build SRC` sends as its context, near
# enough: git's tracked files and the untracked ones it does not ignore (so
# nothing autogen.sh or configure generated), as they are in the working
# tree. Fails when SRC is not a git checkout.
copy_context() {
	git -C "$1" rev-parse --show-toplevel >/dev/null 2>&1 || return 1
	mkdir -p "$2" &&
		(cd "$1" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp --parents -t "$2")
}
cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
finish() {
	echo "# $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
