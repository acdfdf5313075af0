#!/bin/bash
# The statistics engine (src/stats) against numpy and scipy at test time:
# tests/unit/stats_reference.py runs the driver tests/integration/stats_drive
# on the fixed datasets of test_stats.c and on seeded random ones (small and
# large, with and without ties, at the exact/asymptotic boundary) and
# compares every number: descriptive statistics, hyperfine's outlier count,
# Mann–Whitney U and p (auto, asymptotic, exact; with ties the exact p
# against scipy's exhaustive permutation_test and a count by ranks), the
# smallest p the runs allow, the effect size, the ratio
# of medians, the bootstrap interval (inside numpy's bootstrap band, and
# bit for bit against a Python replay of stats.c's own generator) and the
# verdict's wording.
# Then the same driver built against musl must give the same bootstrap
# intervals bit for bit: no libc randomness is involved.
. "$(dirname "$0")/lib.sh"

DRIVE=${STATS_DRIVE:-$(dirname "$BENCHTOP")/tests/integration/stats_drive}
TOP=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
if [ ! -x "$DRIVE" ]; then
	echo "# skip: no stats_drive at $DRIVE (build it with make check, or set STATS_DRIVE)"
	exit 77
fi
if ! "$PY" -c 'import numpy, scipy.stats' 2>/dev/null; then
	echo "# skip: $PY has no numpy/scipy (install python3-scipy)"
	exit 77
fi

# ---- every number against numpy/scipy ----------------------------------------
"$PY" "$TOP/tests/unit/stats_reference.py" check "$DRIVE" >"$TMP/check.out" 2>&1
rc=$?
grep -E '^(not ok|#)' "$TMP/check.out"
check "stats match numpy/scipy on fixed and random datasets" test "$rc" -eq 0
check "the reference compared a real number of values" \
	grep -qE '^# [0-9]{3,} checks passed, 0 failed' "$TMP/check.out"
ties=$(sed -n 's/^# exact p checked against scipy itself in [0-9]* cases, \([0-9]*\) of them with ties.*/\1/p' "$TMP/check.out")
check "exact p with ties checked against scipy's permutation_test (${ties:-no} cases)" test "${ties:-0}" -ge 20

# ---- the driver itself fails on bad input (so the checks above can fail) ----
echo "3 1 2" | "$DRIVE" >/dev/null 2>"$TMP/bad.err"
check "a short sample is refused" test $? -eq 2
check "with one sentence" grep -q 'expected 3 numbers, got 2' "$TMP/bad.err"

# ---- glibc and musl builds give the same intervals bit for bit --------------
if command -v musl-gcc >/dev/null 2>&1; then
	if musl-gcc -std=gnu11 -O2 -I"$TOP/src" -o "$TMP/stats_drive_musl" "$TOP/src/stats.c" \
		"$TOP/tests/integration/stats_drive.c" -lm 2>"$TMP/musl.err"; then
		same=0
		differ=0
		for seed in 1 2 3 4 5 6; do
			"$PY" - "$seed" >"$TMP/in.$seed" <<'EOF'
import sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1]))
for n in rng.integers(2, 80, 2):
    x = rng.lognormal(0, 0.2, n)
    print(n, " ".join(repr(float(v)) for v in x))
EOF
			"$DRIVE" --seed "$seed" <"$TMP/in.$seed" | grep -E '^(ratio|a|b)\.' >"$TMP/glibc.$seed"
			"$TMP/stats_drive_musl" --seed "$seed" <"$TMP/in.$seed" | grep -E '^(ratio|a|b)\.' >"$TMP/musl.$seed"
			if [ -s "$TMP/glibc.$seed" ] && cmp -s "$TMP/glibc.$seed" "$TMP/musl.$seed"; then
				same=$((same + 1))
			else
				differ=$((differ + 1))
				diff "$TMP/glibc.$seed" "$TMP/musl.$seed" | sed 's/^/# /' | head -5
			fi
		done
		check "musl and glibc builds agree bit for bit ($same same, $differ differ)" test "$differ" -eq 0
	else
		echo "# musl-gcc could not build the driver: $(head -1 "$TMP/musl.err")"
	fi
else
	echo "# no musl-gcc: the cross-libc comparison is skipped"
fi
finish
