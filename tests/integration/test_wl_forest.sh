#!/bin/bash
# bt-forest (src/workloads/forest.c), each libc variant under $BT_WL_DIR:
# it learns (held-out accuracy far above chance on learnable labels, near
# chance on random ones), the same seed grows the same forest with 1 and 2
# threads and on glibc and musl, one tree without bootstrap grows the tree
# scikit-learn grows (when Debian's python3-sklearn is there), bad values
# get exit 2 and one sentence, the result protocol carries phases and
# metrics, and --describe lists every parameter. About 10 s.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

variants=()
for v in glibc musl; do
	[ -x "${BT_WL_DIR:-/nonexistent}/$v/bt-forest" ] && variants+=("$v")
done
if [ ${#variants[@]} -eq 0 ]; then
	echo "# no bt-forest under BT_WL_DIR='${BT_WL_DIR:-}' (glibc/ or musl/)"
	exit 77
fi
echo "# variants: ${variants[*]}"

# run NAME VARIANT ARGS...: runs bt-forest with the protocol on fd 3 into
# $TMP/NAME.res (stdout to .out, stderr to .err); returns its exit status.
run() {
	local name=$1 v=$2
	shift 2
	BENCHTOP_RESULT_FD=3 "$BT_WL_DIR/$v/bt-forest" "$@" 3>"$TMP/$name.res" >"$TMP/$name.out" 2>"$TMP/$name.err"
}
# metric NAME KEY: the value of metric KEY in run NAME's protocol lines.
metric() { awk -v k="$2" '$1 == "metric" && $2 == k { print $3 }' "$TMP/$1.res"; }
# same_forest A B: runs A and B report the same accuracy, nodes and depth.
same_forest() {
	local k
	for k in accuracy nodes depth_max; do
		[ -n "$(metric "$1" $k)" ] && [ "$(metric "$1" $k)" = "$(metric "$2" $k)" ] || return 1
	done
}

SMALL=(--samples 4000 --features 20 --trees 20)
for v in "${variants[@]}"; do
	run "learn-$v-2" "$v" "${SMALL[@]}" --data learnable --threads 2
	check "$v: a learnable forest runs (exit $?)" test $? -eq 0
	acc=$(metric "learn-$v-2" accuracy)
	check "$v: held-out accuracy on learnable labels is far above chance ($acc > 0.85)" pytrue "${acc:-0} > 0.85"
	run "learn-$v-1" "$v" "${SMALL[@]}" --data learnable --threads 1
	check "$v: 1 and 2 threads grow the same forest ($(metric "learn-$v-1" nodes) nodes)" same_forest "learn-$v-1" "learn-$v-2"
	nodes=$(metric "learn-$v-2" nodes) leaves=$(metric "learn-$v-2" leaves)
	check "$v: every split has two children: nodes = 2 leaves - trees ($nodes, $leaves)" \
		test "${nodes:-0}" -eq $((2 * ${leaves:-0} - 20))

	run "rand-$v" "$v" "${SMALL[@]}" --data random
	acc=$(metric "rand-$v" accuracy)
	check "$v: on random labels accuracy is near chance (|$acc - 0.5| < 0.08)" pytrue "abs(${acc:-9} - 0.5) < 0.08"
	check "$v: on random labels trees grow deep (depth $(metric "rand-$v" depth_max) >= 15)" \
		test "$(metric "rand-$v" depth_max)" -ge 15
	run "leaf-$v" "$v" "${SMALL[@]}" --data random --min-leaf 20
	check "$v: --min-leaf 20 gives far fewer nodes ($(metric "leaf-$v" nodes) < $(metric "rand-$v" nodes) / 5)" \
		test "$(metric "leaf-$v" nodes)" -lt $(($(metric "rand-$v" nodes) / 5))
	run "seed-$v" "$v" "${SMALL[@]}" --data random --seed 43
	check "$v: another seed grows another forest" test "$(metric "seed-$v" nodes)" != "$(metric "rand-$v" nodes)"

	# The protocol: phases in order, every metric, nothing on stdout.
	check "$v: phases generate, train, predict, free in order" \
		test "$(awk '$1 == "phase" { printf "%s ", $2 }' "$TMP/rand-$v.res")" = "generate train predict free "
	for k in train_time predict_time total_time free_time accuracy nodes leaves depth_max trees threads; do
		[ -n "$(metric "rand-$v" $k)" ] || notok "$v: metric $k is reported"
	done
	check "$v: times in seconds" grep -q '^metric train_time [0-9.e-]* s$' "$TMP/rand-$v.res"
	check "$v: trees and threads as given" test "$(metric "rand-$v" trees) $(metric "learn-$v-1" threads)" = "20 1"
	check "$v: the data are described" grep -q '^info data 4000 x 20 randn, random labels; 3200 rows train, 800 held out$' \
		"$TMP/rand-$v.res"
	check "$v: under the protocol stdout stays empty" test ! -s "$TMP/rand-$v.out"
	"$BT_WL_DIR/$v/bt-forest" --samples 500 --features 5 --trees 2 >"$TMP/hand-$v.out" 2>&1
	check "$v: by hand it prints a summary with the accuracy" grep -q '^  accuracy  *0\.[0-9]*$' "$TMP/hand-$v.out"
done

if [ ${#variants[@]} -eq 2 ]; then
	check "glibc and musl grow the same learnable forest ($(metric learn-musl-2 nodes) nodes)" \
		same_forest learn-glibc-2 learn-musl-2
	check "glibc and musl grow the same random forest" same_forest rand-glibc rand-musl
fi

v=${variants[0]}
BIN=$BT_WL_DIR/$v/bt-forest

# ---- Bad values: exit 2, one sentence naming the option ---------------------
bad() { # PATTERN ARGS...
	local pat=$1
	shift
	"$BIN" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && grep -q -- "$pat" "$TMP/bad.err" &&
		[ ! -s "$TMP/bad.out" ]; then
		ok "'$*': exit 2 and one sentence"
	else
		notok "'$*': exit $rc, stderr: $(cat "$TMP/bad.err")"
	fi
}
bad "--samples takes a whole number" --samples 0
bad "--samples takes a whole number" --samples 12x
bad "--features takes" --features 0
bad "--trees takes" --trees -1
bad "--min-leaf takes" --min-leaf 0
bad "--max-features 30 is more than the 20 features" --features 20 --max-features 30
bad "--max-features takes" --max-features half
bad "--bootstrap takes yes or no" --bootstrap maybe
bad "--data takes random or learnable" --data blobs
bad "--test-fraction takes a share strictly between 0 and 1" --test-fraction 0
bad "--test-fraction takes a number" --test-fraction 1.5
bad "leaves 0 held-out" --samples 4 --test-fraction 0.1
bad "--seed takes" --seed -3
bad "--threads takes a thread count" --threads 0
bad "--threads takes a thread count" --threads many
bad "unknown option '--nope'" --nope 1
bad "--trees needs a value" --trees
bad "unexpected argument 'extra'" extra

# ---- --describe and --help --------------------------------------------------
"$BIN" --describe >"$TMP/describe" 2>&1
check "--describe exits 0" test $? -eq 0
check "--describe names the workload" grep -qx "workload forest" "$TMP/describe"
want="samples features trees min-leaf max-features bootstrap data test-fraction seed threads"
got=$(awk '$1 == "param" { printf "%s ", $2 }' "$TMP/describe")
check "--describe lists every parameter ($got)" test "$got" = "$want "
# Every default as --describe gives it is a value the program takes.
defaults=()
while read -r _ name def _; do
	case $name in samples) def=2000 ;; trees) def=2 ;; esac # small, same kind
	defaults+=("--$name" "$def")
done < <(grep '^param ' "$TMP/describe")
run defaults "$v" "${defaults[@]}"
check "every described default is accepted (exit $?)" test -n "$(metric defaults accuracy)"
"$BIN" --help >"$TMP/help" 2>&1
check "--help exits 0" test $? -eq 0
for p in $want; do
	grep -q -- "--$p " "$TMP/help" || notok "--help shows --$p"
done

# ---- One tree against scikit-learn's DecisionTreeClassifier ---------------
# All features, no bootstrap: the same Gini splits give the same tree. The
# cases have no ties between features (scikit-learn's random_state does not
# change them), so the tie rule does not matter.
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	for c in "400 6 5 learnable 1" "2000 6 20 learnable 1" "1200 5 30 random 11"; do
		read -r n f leaf data seed <<<"$c"
		ref=$(/usr/bin/python3 "$HERE/forest_reference.py" "$n" "$f" "$leaf" "$data" "$seed" 0.2)
		run tree "$v" --samples "$n" --features "$f" --min-leaf "$leaf" --data "$data" --seed "$seed" \
			--trees 1 --bootstrap no --max-features all --threads 1
		ours="nodes $(metric tree nodes) depth_max $(metric tree depth_max) accuracy $(metric tree accuracy)"
		check "one tree on $c grows as scikit-learn's ($ref)" \
			pytrue "'$ref'.split()[:4] == '$ours'.split()[:4] and abs(float('$ref'.split()[5]) - float('$ours'.split()[5])) < 1e-9"
	done
else
	echo "# no scikit-learn in /usr/bin/python3: the cross-check is skipped"
fi

# ---- Under benchtop -----------------------------------------------------------
if [ -x "$BENCHTOP" ]; then
	BENCHTOP_WORKLOADS=$BT_WL_DIR record bt --variant "$v" forest --samples 2000 --features 10 --trees 4 --data learnable
	check "benchtop records forest (exit $?)" pytrue "$(json "$TMP/bt.json" 'd["runs"][0]["metrics"]["accuracy"]["value"]') > 0.8"
	check "benchtop sees its phases" test "$(json "$TMP/bt.json" '[p["name"] for p in d["runs"][0]["phases"]]')" = \
		"['generate', 'train', 'predict', 'free']"
fi
finish
