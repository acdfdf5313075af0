/* compare — `benchtop compare TRACE...`: the runs of one or more traces,
 * grouped by workload and parameters, per variant: n, median, mean ± sd,
 * min..max of wall time, CPU time, peak RSS, peak cgroup memory and the
 * workload's own numeric metrics; against a baseline variant the ratio of
 * medians with a 95 % bootstrap interval, a Mann–Whitney U p-value and a
 * verdict in words (stats.h); outliers flagged as hyperfine does; findings
 * (advice.h) counted per variant; differing hosts, kernels, libcs and limits
 * pointed out. Formats: table, markdown, json, csv (docs/compare.md).
 *
 * Runs that are warm-ups, did not end, or exited non-zero are left out of
 * the statistics and counted in a note. A run recorded without --variant
 * ("default") is named after the libc of the machine that recorded it, so
 * a trace from a Debian container and one from an Alpine container compare
 * as glibc against musl. */
#ifndef BT_COMPARE_H
#define BT_COMPARE_H

int compare_main(int argc, char **argv);

#endif
