#!/bin/bash
# The result protocol (docs/protocol.md): a command reports phases and
# metrics through BENCHTOP_RESULT_FD; they reach the trace and the summary;
# bad lines are ignored with a note; a command that never writes is fine.
. "$(dirname "$0")/lib.sh"

# Through dash (sh), which can only redirect to fds 0-9.
record proto -- sh -c '
	case "$BENCHTOP_RESULT_FD" in [3-9]) ;; *) exit 9 ;; esac
	echo "phase load" >&$BENCHTOP_RESULT_FD; sleep 0.3
	echo "phase train" >&$BENCHTOP_RESULT_FD; sleep 0.4
	echo "metric inertia 128018685.5" >&$BENCHTOP_RESULT_FD
	echo "metric latency_p95 0.0031 s" >&$BENCHTOP_RESULT_FD
	echo "metric latency_p95 0.0042 s" >&$BENCHTOP_RESULT_FD
	echo "nonsense here" >&$BENCHTOP_RESULT_FD
	echo "metric bad nan" >&$BENCHTOP_RESULT_FD'
rc=$?
check "the fd is a single digit and the command succeeds ($rc)" test $rc -eq 0
f=$TMP/proto.json
check "two phases in order" test "$(json "$f" '[p["name"] for p in d["runs"][0]["phases"]]')" = "['load', 'train']"
check "the load phase lasted about 0.3 s" pytrue "0.25 <= $(json "$f" 'd["runs"][0]["phases"][0]["duration_s"]') <= 0.6"
check "metric inertia recorded as a number" test "$(json "$f" 'd["runs"][0]["metrics"]["inertia"]["value"]')" = 128018685.5
check "a metric reported twice keeps its last value, with its unit" \
	test "$(json "$f" 'd["runs"][0]["metrics"]["latency_p95"]')" = "{'value': 0.0042, 'unit': 's'}"
check "invalid lines are not metrics" test "$(json "$f" 'sorted(d["runs"][0]["metrics"])')" = "['inertia', 'latency_p95']"
"$BENCHTOP" record -o "$TMP/proto2.bt" -- sh -c 'echo "phase only" >&$BENCHTOP_RESULT_FD; echo "garbage" >&$BENCHTOP_RESULT_FD' >"$TMP/proto2.out"
check "the summary lists phases" grep -q "phases .*only at" "$TMP/proto2.out"
check "the summary quotes an ignored line with the reason" grep -q "ignored a result line (a line must start with 'phase', 'metric' or 'info'): 'garbage'" "$TMP/proto2.out"

# A command that ignores the protocol, and one that closes the fd at once.
record silent -- true
check "a silent command: no phases, no metrics" test "$(json "$TMP/silent.json" 'len(d["runs"][0]["phases"]) + len(d["runs"][0]["metrics"])')" = 0
record closer -- sh -c 'exec 3>&-; eval "exec $BENCHTOP_RESULT_FD>&-"; sleep 0.3'
check "a command that closes the fd runs to its end" pytrue "$(json "$TMP/closer.json" 'd["runs"][0]["wall_s"]') >= 0.25"
finish
