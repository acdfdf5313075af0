#!/usr/bin/env bash
# tests/bench/workloads_vs_sklearn.sh — issue 3's benchmark in one run on one
# machine: k-means 100 000 x 128, k = 5, n_init 10, and the random forest
# 100 000 x 100 with 10 trees, each on the glibc and musl builds beside
# scikit-learn (Debian's python3-sklearn) on the same data and threads.
# A benchmark, not a test: it asserts nothing. About 10 minutes on 2 CPUs.
#
#   tests/bench/workloads_vs_sklearn.sh          REPS=5 by default
#   QUICK=1 tests/bench/workloads_vs_sklearn.sh  one short repetition of each
# Environment as for the two scripts it runs (BT_WL_DIR, BT_SYSROOT, REPS,
# THREADS...). Prints the machine's load before and after: quote it with the
# numbers.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
: "${BT_SYSROOT:=$root/build/sysroot}"
export BT_SYSROOT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  $(nproc) CPUs  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## k-means"
bash "$dir/kmeans_vs_sklearn.sh"
echo
echo "## random forest"
bash "$dir/forest_vs_sklearn.sh"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
