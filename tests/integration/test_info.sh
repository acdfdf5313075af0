#!/bin/bash
# benchtop info: the numbers it reports for the fixture roots in
# tests/fixtures (see the README there), the live system, and its errors.
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.
set -u
: "${BENCHTOP:?run through make check, or set BENCHTOP}"
: "${FIXTURES:=$(cd "$(dirname "$0")/../fixtures" && pwd)}"
export FIXTURES

pass=0
fail=0
TMP=$(mktemp -d /tmp/benchtop-info-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }

# info_json NAME FIXTURE: run info --format json on a fixture into $TMP/NAME.json.
info_json() {
	if "$BENCHTOP" info --format json --root "$FIXTURES/$2" >"$TMP/$1.json" 2>"$TMP/$1.err"; then
		ok "info --format json --root $2 exits 0"
	else
		notok "info --format json --root $2 exits $?: $(cat "$TMP/$1.err")"
	fi
}

# expect NAME DESCRIPTION PYTHON-EXPR: the expression, over the JSON document d
# of $TMP/NAME.json and the fixtures directory F, is True.
expect() {
	local name=$1 desc=$2 expr=$3 out
	out=$(python3 -c '
import json, os, sys
F = os.environ["FIXTURES"]
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("invalid JSON: %s" % e)
    sys.exit(1)
try:
    r = eval(sys.argv[2])
except Exception as e:
    print("%s: %r" % (type(e).__name__, e))
    sys.exit(1)
if r is not True:
    print("false; document: %s" % json.dumps(d)[:600])
    sys.exit(1)
' "$TMP/$name.json" "$expr" 2>&1)
	if [ $? -eq 0 ]; then ok "$desc"; else notok "$desc: $out"; fi
}

# ---- a: cgroup v2, docker with a cgroup namespace --------------------------
info_json v2 v2-docker
expect v2 "v2-docker: cgroup.version == 2" 'd["cgroup"]["version"] == 2'
expect v2 "v2-docker: not hybrid" 'd["cgroup"]["hybrid"] is False'
expect v2 "v2-docker: cpus.visible == 48" 'd["cpus"]["visible"] == 48'
expect v2 "v2-docker: cpus.effective == 4" 'd["cpus"]["effective"] == 4'
expect v2 "v2-docker: cpus.quota == 4, cpuset == 6" 'd["cpus"]["quota"] == 4 and d["cpus"]["cpuset"] == 6'
expect v2 "v2-docker: memory.limit_bytes == 8589934592" 'd["memory"]["limit_bytes"] == 8589934592'
expect v2 "v2-docker: memory.total_bytes == 64 GiB" 'd["memory"]["total_bytes"] == 64 * 2**30'
expect v2 "v2-docker: own memory cgroup is the mountpoint" \
	'd["cgroup"]["own"]["memory"] == F + "/v2-docker/sys/fs/cgroup"'
expect v2 "v2-docker: host and kernel from the root" \
	'd["host"] == "3f2a9c1d7b4e" and d["kernel"] == "6.1.0-18-amd64"'

# ---- b: cgroup v1 container without a cgroup namespace ---------------------
info_json v1 v1-docker
expect v1 "v1-docker: cgroup.version == 1, not hybrid" 'd["cgroup"]["version"] == 1 and d["cgroup"]["hybrid"] is False'
expect v1 "v1-docker: cpus.effective == 1.5" 'd["cpus"]["effective"] == 1.5'
expect v1 "v1-docker: cpus.visible == 4" 'd["cpus"]["visible"] == 4'
expect v1 "v1-docker: memory.limit_bytes == 536870912" 'd["memory"]["limit_bytes"] == 536870912'
expect v1 "v1-docker: own cpu cgroup is the mountpoint, not .../docker/abc123" \
	'd["cgroup"]["own"]["cpu"] == F + "/v1-docker/sys/fs/cgroup/cpu,cpuacct"'

# ---- c: hybrid host, unlimited memory, quota on the parent -----------------
info_json hy hybrid-host
expect hy "hybrid-host: version 1, hybrid" 'd["cgroup"]["version"] == 1 and d["cgroup"]["hybrid"] is True'
expect hy "hybrid-host: unlimited memory is no limit (null)" 'd["memory"]["limit_bytes"] is None'
expect hy "hybrid-host: parent quota 2.5 binds" 'd["cpus"]["quota"] == 2.5 and d["cpus"]["effective"] == 2.5'

# ---- d: mountpoint with a space ---------------------------------------------
info_json sp v2-space
expect sp "v2-space: own memory cgroup under '/mnt/cg root'" \
	'd["cgroup"]["own"]["memory"] == F + "/v2-space/mnt/cg root/bench"'
expect sp "v2-space: limit 1 GiB, 1 effective of 2" \
	'd["memory"]["limit_bytes"] == 2**30 and d["cpus"]["effective"] == 1 and d["cpus"]["visible"] == 2'

# ---- text output of a fixture ------------------------------------------------
if "$BENCHTOP" info --root "$FIXTURES/v1-docker" >"$TMP/v1.txt" 2>&1 &&
	grep -q '^cgroup  *legacy (v1)' "$TMP/v1.txt" && grep -q '1\.50 effective of 4 visible' "$TMP/v1.txt" &&
	grep -q 'limit 512\.0 MiB' "$TMP/v1.txt"; then
	ok "info --root v1-docker (text): legacy (v1), 1.50 effective of 4, limit 512.0 MiB"
else
	notok "info --root v1-docker (text): $(cat "$TMP/v1.txt")"
fi

# ---- the live system ---------------------------------------------------------
"$BENCHTOP" info >"$TMP/live.txt" 2>"$TMP/live.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q cgroup "$TMP/live.txt"; then
	ok "info on the live system exits 0 and mentions cgroup"
else
	notok "info on the live system: exit $rc, stdout: $(head -c 400 "$TMP/live.txt"), stderr: $(cat "$TMP/live.err")"
fi
if "$BENCHTOP" info --format json >"$TMP/live.json" 2>/dev/null; then
	expect live "live info --format json: version 1 or 2, effective <= visible" \
		'd["cgroup"]["version"] in (1, 2) and 0 < d["cpus"]["effective"] <= d["cpus"]["visible"]'
else
	notok "live info --format json exits non-zero"
fi

# ---- errors --------------------------------------------------------------------
# expect_err DESC WANT-RC CMD...: exit status WANT-RC ("nonzero" for any
# failure) and exactly one line on stderr.
expect_err() {
	local desc=$1 want=$2 rc lines
	shift 2
	"$@" >"$TMP/err.out" 2>"$TMP/err.err"
	rc=$?
	lines=$(wc -l <"$TMP/err.err")
	if { [ "$want" = nonzero ] && [ "$rc" -ne 0 ]; } || [ "$rc" = "$want" ]; then
		if [ "$lines" -eq 1 ] && [ -s "$TMP/err.err" ]; then
			ok "$desc: exit $rc, $(cat "$TMP/err.err")"
		else
			notok "$desc: exit $rc but $lines lines on stderr: $(cat "$TMP/err.err")"
		fi
	else
		notok "$desc: exit $rc (want $want), stderr: $(cat "$TMP/err.err")"
	fi
}
expect_err "info --root /nonexistent" nonzero "$BENCHTOP" info --root /nonexistent
expect_err "info --bogus" 2 "$BENCHTOP" info --bogus
expect_err "info --format yaml" 2 "$BENCHTOP" info --format yaml

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
exit 0
