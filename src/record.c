/* record — see record.h. */
#include "record.h"
#include "advice.h"
#include "pgplan.h"
#include "plan_cli.h"
#include "session.h"
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAIL 125

static void usage(FILE *f)
{
	fputs("usage: benchtop record -o FILE [options] WORKLOAD [--PARAM VALUE]...\n"
	      "       benchtop record -o FILE [options] -- CMD [ARGS...]\n"
	      "       benchtop record -o FILE [options]       (the built-in default: k-means on each libc)\n"
	      "\n"
	      "Runs a built-in workload (see 'benchtop workloads') or CMD, each run in its own\n"
	      "cgroup with the limits given, samples it every interval, writes a trace to\n"
	      "FILE and prints a summary per run. A comma list in a parameter is a sweep:\n"
	      "kmeans --clusters 5,7 makes one run per value.\n"
	      "\n"
	      "  -o, --output FILE     trace file to write (required; refuses to overwrite)\n"
	      "      --force           overwrite FILE if it exists\n"
	      "  -i, --interval MS     sampling interval in ms, 10..10000 (default 100)\n"
	      "      --cpus N          CPU quota in CPUs, fractional (1.5 = one and a half)\n"
	      "      --cpuset LIST     CPUs the run may use, e.g. 0-1 or 0,2\n"
	      "      --memory SIZE     memory limit, e.g. 512M, 8G\n"
	      "  -e, --env K=V         set an environment variable for the runs (repeatable)\n"
	      "  -l, --label TEXT      a label for the runs\n"
	      "      --variant NAME    a built-in's variant: glibc, musl, glibc+jemalloc...\n"
	      "                        (repeatable: one run each); for CMD, the name it is recorded under\n"
	      "      --reps N          repetitions of each run (default 1)\n"
	      "      --warmup N        unrecorded-in-statistics warm-up runs first (default 0)\n"
	      "      --order ORDER     interleaved (A B A B, default) or blocked (A A B B)\n"
	      "      --dry-run         print the planned runs and their commands, run nothing\n"
	      "      --suite FILE      runs described by a suite file (docs/suites.md); limits are\n"
	      "                        clamped to this machine, with a note\n"
	      "      --blas-threads N  set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS for the runs;\n"
	      "                        auto: the CPUs each run may use (its quota and cpuset)\n"
	      "      --timeout SEC     stop a run after SEC seconds\n"
	      "      --grace SEC       after SIGTERM, wait SEC before SIGKILL (default 3)\n"
	      "      --no-cgroup       do not create cgroups: measure through /proc only\n"
	      "  -q, --quiet           no progress line and no summary\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Ctrl-C or SIGTERM stops the current run (SIGTERM to its processes, SIGKILL\n"
	      "after the grace period, at once on a second Ctrl-C) and skips the rest; the\n"
	      "trace is finished either way.\n"
	      "Exit status: one run: the command's (128+N if killed by signal N; 126 cannot\n"
	      "execute, 127 not found); several runs: 0 when all exited 0, else the first\n"
	      "failure's; 128+N when benchtop was stopped by signal N (130 for Ctrl-C);\n"
	      "125 if benchtop failed; 2 for bad usage.\n",
	      f);
}

/* Findings come from the same records as the summary. */
static void feed_advice(void *ctx, const struct bt_record *rec)
{
	advice_add(ctx, rec);
}

int record_main(int argc, char **argv)
{
	struct plan_cli o;
	struct plan plan;
	int rc;
	if (!plan_cli_prepare(&o, "record", false, argc, argv, usage, &plan, &rc))
		return rc;
	char err[1024];
	struct pgcluster *pg = NULL;
	if (pgplan_prepare(&plan, &pg, err, sizeof err) != 0) {
		fprintf(stderr, "benchtop record: %s.\n", err);
		plan_free(&plan);
		plan_cli_free(&o);
		return EXIT_FAIL;
	}
	struct summary sum;
	summary_init(&sum);
	struct advice adv;
	advice_init(&adv);
	struct session_hooks hooks = { .ctx = &adv, .record = feed_advice, .input_fd = -1 };
	struct session_result res;
	rc = session_run(&o.s, &plan, &hooks, &sum, &res);
	pgplan_finish(pg);
	if (!o.s.quiet && sum.nruns) {
		summary_print_table(stdout, &sum, &adv);
		if (res.write_failed)
			printf("%-24s %s is incomplete: writing it failed (%s) after %llu bytes\n", "trace", o.s.out,
			       strerror(-res.write_errno), (unsigned long long)res.trace_bytes);
		else
			printf("%-24s %s, %zu run%s, %.1f bytes per tick\n", "trace", o.s.out, sum.nruns,
			       sum.nruns == 1 ? "" : "s", res.ticks ? (double)res.frame_bytes / (double)res.ticks : 0.0);
	}
	summary_free(&sum);
	advice_free(&adv);
	plan_free(&plan);
	plan_cli_free(&o);
	return rc;
}
