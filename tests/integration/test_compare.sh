#!/bin/bash
# benchtop compare on real traces: grouping by workload and parameters,
# per-variant statistics, the ratio of medians with its bootstrap interval
# and the Mann-Whitney p-value checked against numbers computed here from
# the per-run summaries (numpy, scipy), baselines, formats, notes on
# differing limits, and clear errors.
. "$(dirname "$0")/lib.sh"
unset BENCHTOP_WORKLOADS
WL=$(dirname "$BENCHTOP")/workloads
if [ ! -x "$WL/glibc/bt-micro" ] || [ ! -x "$WL/musl/bt-micro" ]; then
	echo "# the glibc and musl workloads were not built next to $BENCHTOP"
	exit 77
fi

record cmp --variant glibc --variant musl --reps 4 --warmup 1 micro --case malloc1 --seconds 0.1
check "the comparison's runs were recorded" test "$(json "$TMP/cmp.json" 'len(d["runs"])')" -eq 10
"$BENCHTOP" compare "$TMP/cmp.bt" --format json >"$TMP/c.json" 2>"$TMP/c.err"
check "compare --format json exits 0" test $? -eq 0
row() { # METRIC VARIANT EXPR
	json "$TMP/c.json" "[c for c in d['comparisons'] if c['metric']=='$1' and c['variant']=='$2'][0]$3"
}
check "every comparison has the documented fields" pytrue \
	"all(set(['workload','params','variant','baseline','n','median','ratio','ci_low','ci_high','p_value','verdict']) <= set(c) for c in __import__('json').load(open('$TMP/c.json'))['comparisons'])"
check "warm-up runs are left out (n = 4)" test "$(row malloc1 musl "['n']")" -eq 4
check "the baseline is glibc" test "$(row malloc1 musl "['baseline']")" = glibc
check "a note says the warm-ups were left out" pytrue "'2 warm-up runs left out' in $(json "$TMP/c.json" 'd["groups"][0]["notes"]')"

# The same numbers computed here from the per-run summary of the trace.
vals() { json "$TMP/cmp.json" "[r['metrics']['malloc1']['value'] for r in d['runs'] if r['variant']=='$1' and not r['warmup']]"; }
g=$(vals glibc)
m=$(vals musl)
check "the median of musl's malloc1 is the runs' median" pytrue \
	"abs($(row malloc1 musl "['median']") - __import__('statistics').median($m)) <= 1e-6 * abs(__import__('statistics').median($m))"
check "the ratio is median(musl) / median(glibc)" pytrue \
	"abs($(row malloc1 musl "['ratio']") - __import__('statistics').median($m) / __import__('statistics').median($g)) < 1e-6"
check "the interval holds the ratio" pytrue \
	"$(row malloc1 musl "['ci_low']") <= $(row malloc1 musl "['ratio']") <= $(row malloc1 musl "['ci_high']")"
if python3 -c 'import scipy' 2>/dev/null; then
	ref=$(python3 -c "from scipy.stats import mannwhitneyu; print(mannwhitneyu($g, $m, alternative='two-sided').pvalue)")
	check "the p-value is scipy's Mann-Whitney U ($ref)" pytrue "abs($(row malloc1 musl "['p_value']") - $ref) < 1e-9"
fi
check "malloc1 is ops/s: higher is better" test "$(row malloc1 musl "['better']")" = higher
check "wall time is seconds: lower is better" test "$(row wall_s musl "['better']")" = lower
check "the verdict is words with the ratio or 'no significant difference'" pytrue \
	"'×' in '''$(row malloc1 musl "['verdict']")''' or 'no significant' in '''$(row malloc1 musl "['verdict']")''' or 'inconclusive' in '''$(row malloc1 musl "['verdict']")'''"

"$BENCHTOP" compare "$TMP/cmp.bt" --baseline musl --format json >"$TMP/cm.json"
check "--baseline musl makes glibc the compared one" pytrue \
	"[c for c in __import__('json').load(open('$TMP/cm.json'))['comparisons'] if c['metric']=='malloc1' and c['variant']=='glibc'][0]['baseline'] == 'musl'"

"$BENCHTOP" compare "$TMP/cmp.bt" >"$TMP/c.txt"
check "the table names the group and the baseline" grep -q "^micro .*case=malloc1" "$TMP/c.txt"
check "the table has a row per variant with n" grep -qE "^ +musl +4 " "$TMP/c.txt"
"$BENCHTOP" compare "$TMP/cmp.bt" --format markdown >"$TMP/c.md"
check "markdown is a table" grep -q "^| metric | variant | n | median" "$TMP/c.md"
"$BENCHTOP" compare "$TMP/cmp.bt" --format csv >"$TMP/c.csv"
check "csv has the header" grep -q "^workload,params,metric,unit,variant,baseline,n,median" "$TMP/c.csv"
check "csv has one row per metric and variant" test "$(python3 -c "import csv; print(len(list(csv.DictReader(open('$TMP/c.csv')))))")" -eq \
	"$(json "$TMP/c.json" 'len(d["comparisons"])')"

# Two traces: a command recorded without --variant is named after the
# recording machine's libc; different limits are pointed out.
record a --cpus 1 -- "$BT_SPIN" --seconds 0.2
record b --cpus 2 -- "$BT_SPIN" --seconds 0.2
"$BENCHTOP" compare "$TMP/a.bt" "$TMP/b.bt" --format json >"$TMP/ab.json"
check "a run without a variant is named after the machine's libc" \
	test "$(json "$TMP/ab.json" 'd["groups"][0]["variants"][0]["variant"]')" = "$(json "$TMP/ab.json" 'd["traces"][0]["libc"]')"
check "different limits are pointed out" pytrue "any('different limits' in n for n in $(json "$TMP/ab.json" 'd["groups"][0]["notes"]'))"

# Errors: one sentence, non-zero.
"$BENCHTOP" compare "$TMP/nope.bt" 2>"$TMP/e1"
check "a missing trace: exit 1, one sentence" test $? -eq 1 -a "$(wc -l <"$TMP/e1")" -eq 1
echo "not a trace" >"$TMP/junk.bt"
"$BENCHTOP" compare "$TMP/junk.bt" 2>"$TMP/e2"
check "a file that is not a trace: exit 1, one sentence" test $? -eq 1 -a "$(wc -l <"$TMP/e2")" -eq 1
"$BENCHTOP" compare --format yaml "$TMP/cmp.bt" 2>"$TMP/e3"
check "a bad format: exit 2" test $? -eq 2
size=$(stat -c %s "$TMP/cmp.bt")
head -c $((size * 3 / 4)) "$TMP/cmp.bt" >"$TMP/cut.bt"
"$BENCHTOP" compare "$TMP/cut.bt" --format json >"$TMP/cut.json" 2>"$TMP/e4"
check "a cut trace: its complete runs are compared ($?)" pytrue "0 < $(json "$TMP/cut.json" 'max(c["n"] for c in d["comparisons"])') < 4"
check "a cut trace: a note says where it was cut" grep -q "cut at byte" "$TMP/e4"
head -c 3000 "$TMP/cmp.bt" >"$TMP/cut2.bt"
"$BENCHTOP" compare "$TMP/cut2.bt" >/dev/null 2>"$TMP/e5"
check "a trace cut before any run ended: exit 1, saying there is nothing to compare" \
	test $? -eq 1 -a -n "$(grep 'nothing to compare' "$TMP/e5")"
finish
