/* record — see record.h. */
#include "record.h"
#include "catalog.h"
#include "planner.h"
#include "procfs.h"
#include "session.h"
#include "summary.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_FAIL 125

struct record_opts {
	struct session_opts s;
	struct plan_request rq;
	const char **variants;
	size_t nvariants, varcap;
	char **env;
	size_t nenv, envcap;
};

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
	      "failure's, 130 when interrupted; 125 if benchtop failed; 2 for bad usage.\n",
	      f);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "benchtop record: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'benchtop record --help'.\n");
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'F' },
		{ "interval", required_argument, NULL, 'i' }, { "cpus", required_argument, NULL, 'c' },
		{ "cpuset", required_argument, NULL, 'C' }, { "memory", required_argument, NULL, 'm' },
		{ "env", required_argument, NULL, 'e' }, { "label", required_argument, NULL, 'l' },
		{ "variant", required_argument, NULL, 'V' }, { "timeout", required_argument, NULL, 'T' },
		{ "grace", required_argument, NULL, 'G' }, { "no-cgroup", no_argument, NULL, 'N' },
		{ "reps", required_argument, NULL, 'R' }, { "warmup", required_argument, NULL, 'W' },
		{ "order", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->s.interval_ms = 100;
	o->s.grace_s = 3;
	o->s.progress = true;
	o->rq.reps = 1;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:i:e:l:qh", longopts, NULL)) != -1) {
		double d;
		long long ll;
		switch (c) {
		case 'o': o->s.out = optarg; break;
		case 'F': o->s.force = true; break;
		case 'i':
			if (!bt_parse_ll(optarg, &ll) || ll < 10 || ll > 10000)
				return bad("--interval takes milliseconds from 10 to 10000, not '%s'", optarg);
			o->s.interval_ms = (unsigned)ll;
			break;
		case 'c':
			if (!bt_parse_double(optarg, &d) || d < 0.01 || d > 4096)
				return bad("--cpus takes a number of CPUs such as 1 or 1.5, not '%s'", optarg);
			o->rq.cpus = d;
			break;
		case 'C':
			if (procfs_count_cpu_list(optarg) <= 0)
				return bad("--cpuset takes a CPU list such as 0-1 or 0,2, not '%s'", optarg);
			o->rq.cpuset = optarg;
			break;
		case 'm':
			if (!bt_parse_size(optarg, &o->rq.memory) || o->rq.memory < (1u << 20))
				return bad("--memory takes a size of at least 1M such as 512M or 8G, not '%s'", optarg);
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return bad("--env takes KEY=VALUE, not '%s'", optarg);
			bt_grow((void **)&o->env, &o->envcap, o->nenv + 1, sizeof(char *));
			o->env[o->nenv++] = optarg;
			break;
		case 'l': o->rq.label = optarg; break;
		case 'V':
			if (!optarg[0] || strchr(optarg, '/') || strchr(optarg, ' '))
				return bad("--variant takes a name without spaces or slashes, not '%s'", optarg);
			bt_grow((void **)&o->variants, &o->varcap, o->nvariants + 1, sizeof(char *));
			o->variants[o->nvariants++] = optarg;
			break;
		case 'T':
			if (!bt_parse_double(optarg, &d) || d <= 0 || d > 1e7)
				return bad("--timeout takes seconds, more than 0 and at most 10000000, not '%s'", optarg);
			o->s.timeout_s = d;
			break;
		case 'G':
			if (!bt_parse_double(optarg, &d) || d < 0 || d > 3600)
				return bad("--grace takes seconds from 0 to 3600, not '%s'", optarg);
			o->s.grace_s = d;
			break;
		case 'R':
			if (!bt_parse_ll(optarg, &ll) || ll < 1 || ll > 1000)
				return bad("--reps takes a count from 1 to 1000, not '%s'", optarg);
			o->rq.reps = (unsigned)ll;
			break;
		case 'W':
			if (!bt_parse_ll(optarg, &ll) || ll < 0 || ll > 100)
				return bad("--warmup takes a count from 0 to 100, not '%s'", optarg);
			o->rq.warmup = (unsigned)ll;
			break;
		case 'O':
			if (strcmp(optarg, "interleaved") != 0 && strcmp(optarg, "blocked") != 0)
				return bad("--order takes interleaved or blocked, not '%s'", optarg);
			o->rq.blocked = strcmp(optarg, "blocked") == 0;
			break;
		case 'N': o->s.no_cgroup = true; break;
		case 'q': o->s.quiet = true; break;
		case 'h': usage(stdout); return -1;
		case '?':
		default:
			if (optopt)
				return bad("option '-%c' is unknown or lacks its value", optopt);
			return bad("option '%s' is unknown or lacks its value", argv[optind - 1]);
		}
	}
	if (!o->s.out)
		return bad("%s", "the trace file is missing: give it with -o FILE");
	if (o->s.no_cgroup && (o->rq.cpus > 0 || o->rq.memory || o->rq.cpuset))
		return bad("%s", "--cpus, --cpuset and --memory need a cgroup: drop --no-cgroup or the limits");
	o->rq.variants = o->variants;
	o->rq.nvariants = o->nvariants;
	o->rq.env = o->env;
	o->rq.nenv = o->nenv;
	bool after_dashes = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (optind >= argc) {
		/* The built-in default: a short k-means on each libc built here. */
		static char *dflt_args[] = { "--samples", "20000", "--features", "32", "--n-init", "3" };
		static const char *dflt_variants[] = { "glibc", "musl" };
		o->rq.workload = "kmeans";
		o->rq.wargs = dflt_args;
		o->rq.nwargs = BT_ARRAY_LEN(dflt_args);
		if (!o->nvariants) {
			o->rq.variants = dflt_variants;
			o->rq.nvariants = 2;
		}
	} else if (!after_dashes && catalog_is_builtin(argv[optind])) {
		o->rq.workload = argv[optind];
		o->rq.wargs = &argv[optind + 1];
		o->rq.nwargs = (size_t)(argc - optind - 1);
	} else {
		o->rq.argv = &argv[optind];
	}
	return 0;
}

int record_main(int argc, char **argv)
{
	struct record_opts o;
	int rc = parse(argc, argv, &o);
	if (rc) {
		free(o.env);
		free(o.variants);
		return rc < 0 ? 0 : rc;
	}
	struct plan plan = { 0 };
	char err[1024];
	if (planner_build(&o.rq, &plan, err, sizeof err) != 0) {
		fprintf(stderr, "benchtop record: %s.\n", err);
		plan_free(&plan);
		free(o.env);
		free(o.variants);
		return EXIT_USAGE;
	}
	struct summary sum;
	summary_init(&sum);
	struct session_result res;
	rc = session_run(&o.s, &plan, NULL, &sum, &res);
	if (!o.s.quiet && sum.nruns) {
		summary_print_table(stdout, &sum);
		if (res.write_failed)
			printf("%-24s %s is incomplete: writing it failed (%s) after %llu bytes\n", "trace", o.s.out,
			       strerror(-res.write_errno), (unsigned long long)res.trace_bytes);
		else
			printf("%-24s %s, %zu run%s, %.1f bytes per tick\n", "trace", o.s.out, sum.nruns,
			       sum.nruns == 1 ? "" : "s", res.ticks ? (double)res.frame_bytes / (double)res.ticks : 0.0);
	}
	summary_free(&sum);
	plan_free(&plan);
	free(o.env);
	free(o.variants);
	return rc;
}
