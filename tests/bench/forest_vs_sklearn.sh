#!/usr/bin/env bash
# tests/bench/forest_vs_sklearn.sh — bt-forest (glibc and musl builds) beside
# scikit-learn's RandomForestClassifier on the source document's task:
# randn 100 000 x 100, random binary labels, 10 trees, 20 % held out, the
# same thread count (issue 3's target: bt-forest at least as fast).
#
# Each repetition runs glibc, musl and scikit-learn in turn (the order
# rotates every repetition, so none always runs first). Times are each
# program's own: training, and prediction of the held-out rows (data
# generation is left out on both sides); total = train + predict. The table
# gives medians with min..max, then the ratios of the medians. Wall time
# and peak RSS of the whole process are shown beside them, and its CPU time
# (user + system, GNU time): on a busy machine the CPU time moves less than
# the wall times.
#
# Env: BT_WL_DIR (workloads/<variant>/bt-forest; default build/workloads or
#      workloads of this tree), REPS (5), SAMPLES (100000), FEATURES (100),
#      TREES (10), THREADS (2), SEED (42), PY (/usr/bin/python3, Debian's
#      python3-sklearn); QUICK=1: REPS=1 SAMPLES=20000.
# Prints results; asserts nothing about timing. About REPS x 40 s.
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then REPS=${REPS:-1} SAMPLES=${SAMPLES:-20000}; fi
REPS=${REPS:-5} SAMPLES=${SAMPLES:-100000} FEATURES=${FEATURES:-100} TREES=${TREES:-10}
THREADS=${THREADS:-2} SEED=${SEED:-42} PY=${PY:-/usr/bin/python3}
TEST_FRACTION=0.2
LIMIT=900 # seconds allowed for one run

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
if [ -z "${BT_WL_DIR:-}" ]; then
	BT_WL_DIR=$ROOT/build/workloads
	[ -d "$BT_WL_DIR" ] || BT_WL_DIR=$ROOT/workloads
fi
"$PY" -c 'import sklearn, numpy' 2>/dev/null || die "$PY cannot import sklearn and numpy (apt-get install python3-sklearn)"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for wall time and peak RSS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-forest.XXXXXX") || die "cannot make a temp dir"
child=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM

# Measure snapshots of the binaries: a rebuild during the run must not mix
# two builds in one set of numbers.
variants=()
for v in glibc musl; do
	if [ -x "$BT_WL_DIR/$v/bt-forest" ]; then
		mkdir -p "$WORK/$v" || die "cannot make $WORK/$v"
		cp "$BT_WL_DIR/$v/bt-forest" "$WORK/$v/" || die "cannot copy the $v binary"
		variants+=("$v")
	else
		echo "note: no $BT_WL_DIR/$v/bt-forest; that variant is left out"
	fi
done
[ ${#variants[@]} -gt 0 ] || die "no bt-forest under $BT_WL_DIR (set BT_WL_DIR)"
contenders=("${variants[@]}" sklearn)

# run_one NAME: one run; appends "NAME train predict accuracy nodes depth wall rss_kb user sys" to $WORK/raw.
run_one() {
	local name=$1 out=$WORK/out err=$WORK/err line
	if [ "$name" = sklearn ]; then
		/usr/bin/time -f '%e %M %U %S' -o "$WORK/time" timeout $LIMIT "$PY" "$BENCH_DIR/forest_sklearn.py" \
			"$SAMPLES" "$FEATURES" "$TREES" "$THREADS" "$SEED" "$TEST_FRACTION" >"$out" 2>"$err" &
		child=$!
		wait $child || die "scikit-learn failed: $(tail -3 "$err")"
		line=$(awk '{ print $2, $4, $6, $8, $10 }' "$out")
	else
		BENCHTOP_RESULT_FD=3 /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" timeout $LIMIT "$WORK/$name/bt-forest" \
			--samples "$SAMPLES" --features "$FEATURES" --trees "$TREES" --threads "$THREADS" \
			--seed "$SEED" --test-fraction "$TEST_FRACTION" 3>"$out" 2>"$err" >/dev/null &
		child=$!
		wait $child || die "$name bt-forest failed: $(tail -3 "$err")"
		line=$(awk '$1 == "metric" { m[$2] = $3 }
			END { print m["train_time"], m["predict_time"], m["accuracy"], m["nodes"], m["depth_max"] }' "$out")
	fi
	child=
	echo "$name $line $(cat "$WORK/time")" >>"$WORK/raw"
	echo "$name $line $(cat "$WORK/time")" |
		awk '{ printf "  %-8s %.3f %.3f %.4f %d %d %.2f %d %.2f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 + $10 }'
}

echo "== forest_vs_sklearn: random forest $SAMPLES x $FEATURES randn, random labels, $TREES trees, $THREADS threads, $REPS repetitions"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "bt-forest: $BT_WL_DIR (glibc sha256 $(sha256sum "$WORK/${variants[0]}/bt-forest" | cut -c1-12)); scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)') on $PY"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  runs: name train_s predict_s accuracy nodes depth_max wall_s peak_rss_kb cpu_s"
: >"$WORK/raw"
n=${#contenders[@]}
for ((r = 0; r < REPS; r++)); do
	for ((i = 0; i < n; i++)); do
		run_one "${contenders[$(((i + r) % n))]}"
	done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$WORK/raw" "${contenders[@]}" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = sys.argv[2:]
med = {}
print("\n%-8s %-24s %-24s %-24s %-9s %-8s %-8s %-8s %s" % ("", "train s (median, range)", "predict s", "total s",
      "accuracy", "nodes", "wall s", "CPU s", "peak RSS"))
for name in names:
    r = [x for x in rows if x[0] == name]
    col = lambda i: [float(x[i]) for x in r]
    train, predict = col(1), col(2)
    total = [a + b for a, b in zip(train, predict)]
    cpu = [float(x[8]) + float(x[9]) for x in r]
    med[name] = (statistics.median(train), statistics.median(total), statistics.median(cpu))
    fmt = lambda v: "%.3f (%.3f..%.3f)" % (statistics.median(v), min(v), max(v))
    print("%-8s %-24s %-24s %-24s %-9.4f %-8d %-8.2f %-8.2f %.0f MiB" % (name, fmt(train), fmt(predict), fmt(total),
          statistics.median(col(3)), statistics.median(col(4)), statistics.median(col(6)), med[name][2],
          statistics.median(col(7)) / 1024))
print()
sk = med["sklearn"]
for name in names:
    if name != "sklearn":
        t = med[name]
        print("sklearn / %-6s total %.2fx, train %.2fx, CPU %.2fx  (target >= 1.00x on total: %s)"
              % (name, sk[1] / t[1], sk[0] / t[0], sk[2] / t[2], "met" if sk[1] >= t[1] else "NOT met"))
if "glibc" in med and "musl" in med:
    print("musl / glibc     total %.2fx, train %.2fx, CPU %.2fx"
          % (med["musl"][1] / med["glibc"][1], med["musl"][0] / med["glibc"][0], med["musl"][2] / med["glibc"][2]))
EOF
