#!/bin/bash
# bt-micro (src/workloads/micro.c), glibc and musl builds from $BT_WL_DIR:
# every case runs and reports positive finite ops/s metrics through the
# result protocol, --case selects exactly the named cases (run in the
# program's order), bad usage exits 2 with one sentence, --describe lists the
# parameters. No timing assertions: the rates are only checked to be rates.
. "$(dirname "$0")/lib.sh"

[ -n "${BT_WL_DIR:-}" ] || { echo "# skip: BT_WL_DIR is not set"; exit 77; }

ALL_METRICS="malloc1 memcpy_16 memcpy_256 memcpy_4k memcpy_64k memcpy_1m
memset_16 memset_256 memset_4k memset_64k memset_1m
strlen_16 strlen_256 strlen_4k strlen_64k strlen_1m qsort_int qsort_double
math_exp math_log math_pow math_sin snprintf_17g snprintf_g snprintf_strtod malloc thread"
ALL_PHASES="malloc1 memcpy memset strlen qsort math snprintf malloc thread"

# protocol_is FILE PHASES METRICS: FILE holds exactly these phases in this
# order and exactly these metrics, once each, each a positive finite number
# in ops/s; prints what differs otherwise.
protocol_is() {
	python3 - "$1" "$2" "$3" <<'EOF'
import math, sys
path, want_phases, want_metrics = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
phases, metrics, bad = [], [], []
for line in open(path):
    f = line.split()
    if f[:1] == ["phase"] and len(f) == 2:
        phases.append(f[1])
    elif f[:1] == ["metric"] and len(f) == 4:
        metrics.append(f[1])
        v = float(f[2])
        if not (math.isfinite(v) and v > 0 and f[3] == "ops/s"):
            bad.append(line.strip())
    else:
        bad.append(line.strip())
ok = phases == want_phases and sorted(metrics) == sorted(want_metrics) and not bad
if not ok:
    print("# phases", phases, "metrics", metrics, "bad lines", bad)
sys.exit(0 if ok else 1)
EOF
}

# usage_error NAME ARGS...: exit status 2, one line on stderr naming the
# remedy, nothing on stdout.
usage_error() {
	local name=$1
	shift
	"$bin" "$@" >"$TMP/u.out" 2>"$TMP/u.err"
	local rc=$?
	check "$v: $name exits 2 ($rc)" test $rc -eq 2
	check "$v: $name gives one sentence" test "$(wc -l <"$TMP/u.err")" -eq 1 -a ! -s "$TMP/u.out"
	check "$v: $name points to --help" grep -q -- "--help'\.$" "$TMP/u.err"
}

variants=0
for v in glibc musl; do
	bin=$BT_WL_DIR/$v/bt-micro
	if [ ! -x "$bin" ]; then
		echo "# skip variant $v: no $bin"
		continue
	fi
	variants=$((variants + 1))

	# Every case, through the protocol fd (as benchtop runs it).
	BENCHTOP_RESULT_FD=3 "$bin" --seconds 0.05 3>"$TMP/$v.all" >"$TMP/$v.all.out"
	rc=$?
	check "$v: all cases succeed ($rc)" test $rc -eq 0
	check "$v: every case reports positive finite ops/s, one phase per case in order" \
		protocol_is "$TMP/$v.all" "$ALL_PHASES" "$ALL_METRICS"
	check "$v: under benchtop nothing is printed on stdout" test ! -s "$TMP/$v.all.out"

	# --case picks exactly the named cases, in the program's order.
	BENCHTOP_RESULT_FD=3 "$bin" --case math,malloc1 --seconds 0.05 3>"$TMP/$v.sel"
	check "$v: --case math,malloc1 runs exactly those" \
		protocol_is "$TMP/$v.sel" "malloc1 math" "malloc1 math_exp math_log math_pow math_sin"
	BENCHTOP_RESULT_FD=3 "$bin" --case malloc --threads 3 --seconds 0.05 3>"$TMP/$v.mt"
	check "$v: --case malloc --threads 3 reports one total rate" \
		protocol_is "$TMP/$v.mt" "malloc" "malloc"
	BENCHTOP_RESULT_FD=3 "$bin" --case qsort,all --seconds 0.01 --seed 7 3>"$TMP/$v.allsel" >/dev/null
	check "$v: 'all' in the list selects every case" \
		protocol_is "$TMP/$v.allsel" "$ALL_PHASES" "$ALL_METRICS"

	# By hand: a readable table, no protocol lines.
	"$bin" --case strlen --seconds 0.05 >"$TMP/$v.hand" 2>&1
	rc=$?
	check "$v: by hand it succeeds ($rc)" test $rc -eq 0
	check "$v: by hand a table row per size, with bytes/s" \
		test "$(grep -cE '^strlen_(16|256|4k|64k|1m) .*B/s$' "$TMP/$v.hand")" -eq 5
	check "$v: by hand no protocol lines" test "$(grep -cE '^(phase|metric) ' "$TMP/$v.hand")" -eq 0

	# Bad usage.
	usage_error "an unknown case" --case malloc,nope
	check "$v: the unknown case is named with the valid ones" \
		grep -q "unknown case 'nope'.*malloc1, memcpy, memset, strlen, qsort, math, snprintf, malloc, thread" "$TMP/u.err"
	usage_error "an empty case list" --case ""
	usage_error "--seconds 0" --seconds 0
	usage_error "--seconds abc" --seconds abc
	usage_error "--threads 0" --threads 0
	usage_error "--seed x" --seed x
	usage_error "an unknown option" --bogus 1
	usage_error "a missing value" --case
	usage_error "a stray argument" stray

	# --describe and --help.
	"$bin" --describe >"$TMP/$v.desc"
	check "$v: --describe names the workload" grep -qx "workload micro" "$TMP/$v.desc"
	check "$v: --case is a list parameter (passed whole, not swept)" grep -q "^listparam case " "$TMP/$v.desc"
	check "$v: --describe lists the four parameters with defaults" \
		test "$(grep -E '^(list)?param ' "$TMP/$v.desc" | cut -d' ' -f2,3 | tr '\n' ' ')" = \
		"case all seconds 1.0 threads auto seed 42 "
	"$bin" --help >"$TMP/$v.help"
	check "$v: --help says the unit and lists every case" \
		bash -c "grep -q 'ops/s' '$TMP/$v.help' && [ \$(grep -cE '^  (${ALL_PHASES// /|}) ' '$TMP/$v.help') -eq 9 ]"
done
[ "$variants" -gt 0 ] || { echo "# skip: no bt-micro under $BT_WL_DIR"; exit 77; }
finish
