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
# Debian's python3-scipy belongs to /usr/bin/python3 (a python3 first on
# PATH may be another one without it).
SCIPY=/usr/bin/python3
if "$SCIPY" -c 'import scipy' 2>/dev/null; then
	ref=$("$SCIPY" -c "from scipy.stats import mannwhitneyu; print(mannwhitneyu($g, $m, alternative='two-sided').pvalue)")
	check "the p-value is scipy's Mann-Whitney U ($ref)" pytrue "abs($(row malloc1 musl "['p_value']") - $ref) < 1e-9"
else
	echo "# skip: $SCIPY has no scipy (install python3-scipy): the p-value is not checked against it"
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

# ---- Few runs: 3 against 3 --------------------------------------------------
# The exact test cannot go below p = 0.10 with 3 and 3 runs, ties or not;
# counts that are the same in every run are "identical", not "no
# significant difference (p = 1.00)".
record few --variant glibc --variant musl --reps 3 kmeans --samples 2000 --features 8 --clusters 3 --n-init 1
"$BENCHTOP" compare "$TMP/few.bt" --format json >"$TMP/few.json"
frow() { json "$TMP/few.json" "[c for c in d['comparisons'] if c['metric']=='$1' and c['variant']=='musl'][0]$2"; }
check "3 against 3: the least p is 0.10" pytrue "abs($(frow wall_s "['p_min']") - 0.1) < 1e-12"
check "3 against 3: p is at least 0.10 for every metric" pytrue \
	"all(c['p_value'] is None or c['p_value'] >= 0.1 - 1e-12 for c in __import__('json').load(open('$TMP/few.json'))['comparisons'] if c['n'] == 3 and not c['is_baseline'])"
check "3 against 3: the exact test is used" test "$(frow wall_s "['test']")" = "mann-whitney exact"
check "3 against 3: the verdict says the runs cannot reach p < 0.05" \
	grep -q "3 and 3 runs cannot reach p < 0.05" <<<"$(frow wall_s "['verdict']")"
check "a count equal in every run is identical" test "$(frow n_init "['verdict_kind']")" = identical
check "and says so" test "$(frow n_init "['verdict']")" = "identical in every run"
"$BENCHTOP" compare "$TMP/few.bt" >"$TMP/few.txt"
check "the table says it once, in a note" test "$(grep -c 'with 3 and 3 runs the Mann-Whitney test cannot reach p < 0.05' "$TMP/few.txt")" -eq 1
check "and not in every row" test "$(grep -v '^  note:' "$TMP/few.txt" | grep -c 'cannot reach')" -eq 0
check "the note names the least p and what to do" grep -q "its least p is 0.10.*--reps 5" "$TMP/few.txt"
check "the table's columns line up (the median column starts at one place)" pytrue \
	"len(set(m.end() for m in (__import__('re').match(r'  .* (glibc|musl) +[0-9]+  ', l) for l in open('$TMP/few.txt')) if m)) == 1"

# ---- --across: a parameter's values compared --------------------------------
record thr --variant glibc --reps 2 kmeans --samples 2000 --features 8 --clusters 3 --n-init 1 --threads 1,2
"$BENCHTOP" compare "$TMP/thr.bt" --format json >"$TMP/thr0.json"
check "without --across: two groups, one variant each" test "$(json "$TMP/thr0.json" 'len(d["groups"])')" -eq 2
check "and a note that suggests --across threads" pytrue \
	"all(any('--across threads' in n for n in g['notes']) for g in __import__('json').load(open('$TMP/thr0.json'))['groups'])"
"$BENCHTOP" compare "$TMP/thr.bt" --across threads --format json >"$TMP/thr.json"
check "with --across threads: one group" test "$(json "$TMP/thr.json" 'len(d["groups"])')" -eq 1
check "its variants carry the thread count" test \
	"$(json "$TMP/thr.json" '" / ".join(v["variant"] for v in d["groups"][0]["variants"])')" = "glibc threads=1 / glibc threads=2"
check "threads is no longer in the group's parameters" pytrue "'threads=' not in '$(json "$TMP/thr.json" 'd["groups"][0]["params"]')'"
check "the first recorded is the baseline" test "$(json "$TMP/thr.json" 'd["groups"][0]["baseline"]')" = "glibc threads=1"
check "JSON names the --across parameters" test "$(json "$TMP/thr.json" 'd["across"]')" = "['threads']"
"$BENCHTOP" compare "$TMP/thr.bt" --across threads --baseline threads=2 --format json >"$TMP/thr2.json"
check "--baseline threads=2 picks that variant" test "$(json "$TMP/thr2.json" 'd["groups"][0]["baseline"]')" = "glibc threads=2"
check "the thread count itself compares as 2x smaller" pytrue \
	"[c for c in __import__('json').load(open('$TMP/thr2.json'))['comparisons'] if c['metric']=='threads' and not c['is_baseline']][0]['ratio'] == 0.5"
"$BENCHTOP" compare "$TMP/thr.bt" --across thread 2>"$TMP/e6"
check "--across a parameter no run has: exit 1" test $? -eq 1
check "with one sentence" test "$(wc -l <"$TMP/e6")" -eq 1 -a -n "$(grep "no run in the trace has a parameter 'thread'" "$TMP/e6")"
"$BENCHTOP" compare "$TMP/few.bt" --baseline glibcc 2>"$TMP/e7"
check "--baseline a variant no run has: exit 1" test $? -eq 1
check "with one sentence listing the variants" grep -q "variant 'glibcc'; --baseline takes one of: glibc, musl" "$TMP/e7"

# ---- Outliers and a slow first run, as hyperfine warns of them -------------
# A command whose first run takes a second and the rest 50 ms, and one whose
# fourth run does (a counter file tells the runs apart).
slow_script='n=$(cat "$0" 2>/dev/null || echo 0); echo $((n + 1)) >"$0"; [ "$n" = "$1" ] && sleep 1; sleep 0.05'
record first --variant x --reps 6 -- sh -c "$slow_script" "$TMP/first.count" 0
record fourth --variant x --reps 6 -- sh -c "$slow_script" "$TMP/fourth.count" 3
"$BENCHTOP" compare "$TMP/first.bt" >"$TMP/first.txt"
check "a slow first run is pointed out, with --warmup" \
	grep -q "the first measured run of x was much slower than the rest (run 1: .*--warmup" "$TMP/first.txt"
check "the wall-time row counts it as an outlier" grep -qE "^  wall time +x +6 .*1 outlier" "$TMP/first.txt"
"$BENCHTOP" compare "$TMP/fourth.bt" --format json >"$TMP/fourth.json"
check "an outlier later on is named by its run" pytrue \
	"any('wall time of x has 1 statistical outlier (run 4: ' in n for n in $(json "$TMP/fourth.json" 'd["groups"][0]["notes"]'))"
check "and is no slow first run" pytrue \
	"not any('first measured run' in n for n in $(json "$TMP/fourth.json" 'd["groups"][0]["notes"]'))"

# ---- Traces from two machines ------------------------------------------------
# trace_remeta copies a trace with another host, kernel and C library in its
# META: a run without --variant recorded "in an Alpine container".
REMETA=${TRACE_REMETA:-$(dirname "$BENCHTOP")/tests/integration/trace_remeta}
if [ -x "$REMETA" ]; then
	record deb --reps 3 -- "$BT_SPIN" --seconds 0.1
	"$REMETA" "$TMP/deb.bt" "$TMP/alp.bt" host=alpine-box kernel=5.15.0-alpine libc=musl libc_version=1.2.4
	check "trace_remeta wrote the other machine's trace" test $? -eq 0 -a -s "$TMP/alp.bt"
	"$BENCHTOP" compare "$TMP/deb.bt" "$TMP/alp.bt" --format json >"$TMP/two.json"
	check "runs without a variant are named after each machine's libc: glibc against musl, in one group" test \
		"$(json "$TMP/two.json" '[len(d["groups"])] + [v["variant"] for v in d["groups"][0]["variants"]]')" = "[1, 'glibc', 'musl']"
	check "musl is compared against glibc" pytrue \
		"any(c['variant'] == 'musl' and c['baseline'] == 'glibc' and c['ratio'] is not None for c in __import__('json').load(open('$TMP/two.json'))['comparisons'])"
	check "the different hosts are pointed out" pytrue \
		"any('different hosts' in n and 'alpine-box' in n for n in $(json "$TMP/two.json" 'd["groups"][0]["notes"]'))"
	check "the different kernels are pointed out" pytrue \
		"any('different kernels' in n and '5.15.0-alpine' in n for n in $(json "$TMP/two.json" 'd["groups"][0]["notes"]'))"
	"$REMETA" "$TMP/few.bt" "$TMP/few-musl.bt" libc=musl libc_version=1.2.4
	"$BENCHTOP" compare "$TMP/few.bt" "$TMP/few-musl.bt" >"$TMP/libcs.txt"
	check "one variant's runs from machines with different C libraries are pointed out" \
		grep -q "note: runs of glibc come from machines with different C libraries (glibc .*, musl 1.2.4)" "$TMP/libcs.txt"
else
	echo "# skip: no trace_remeta at $REMETA (build it with make check): traces from two machines are not checked"
fi

# ---- -o must not overwrite a trace -----------------------------------------
sum0=$(md5sum <"$TMP/few.bt")
"$BENCHTOP" compare "$TMP/few.bt" -o "$TMP/few.bt" 2>"$TMP/e8"
check "-o naming the trace being read: exit 2" test $? -eq 2
check "and the trace is untouched" test "$(md5sum <"$TMP/few.bt")" = "$sum0"

# ---- Commands: grouped by program and arguments ----------------------------
record cmds --variant v1 -- "$BT_SPIN" --seconds 0.1
record cmds2 --variant v2 -- "$BT_SPIN" --seconds 0.1
record cmds3 --variant v2 -- "$BT_SPIN" --seconds 0.3
"$BENCHTOP" compare "$TMP/cmds.bt" "$TMP/cmds2.bt" "$TMP/cmds3.bt" --format json >"$TMP/cmds.json"
check "the same command in two traces is one group; other arguments another" \
	test "$(json "$TMP/cmds.json" 'sorted((g["params"], len(g["variants"])) for g in d["groups"])')" = \
	"[('--seconds 0.1', 2), ('--seconds 0.3', 1)]"

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
