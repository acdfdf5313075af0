/* plan_cli — see plan_cli.h. */
#include "plan_cli.h"
#include "catalog.h"
#include "procfs.h"
#include "suite.h"
#include "sysinfo.h"
#include "util.h"

#include <getopt.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static const char *cmd_name = "record";

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "benchtop %s: ", cmd_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'benchtop %s --help'.\n", cmd_name);
	return EXIT_USAGE;
}

/* Whether both libcs' k-means are built here. A build tree has both; a
 * container image has its own libc's only, and its default runs that one. */
static bool both_libcs_built(void)
{
	char dir[4096], err[512];
	struct catalog_bin b;
	if (!catalog_dir(dir, sizeof dir, err, sizeof err))
		return true; /* the planner says what is missing */
	return catalog_resolve(dir, "kmeans", "glibc", &b, err, sizeof err) == 0 &&
	       catalog_resolve(dir, "kmeans", "musl", &b, err, sizeof err) == 0;
}

int plan_cli_parse(struct plan_cli *o, const char *cmd, bool run, int argc, char **argv, void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'F' },
		{ "interval", required_argument, NULL, 'i' }, { "cpus", required_argument, NULL, 'c' },
		{ "cpuset", required_argument, NULL, 'C' }, { "memory", required_argument, NULL, 'm' },
		{ "env", required_argument, NULL, 'e' }, { "label", required_argument, NULL, 'l' },
		{ "variant", required_argument, NULL, 'V' }, { "timeout", required_argument, NULL, 'T' },
		{ "grace", required_argument, NULL, 'G' }, { "no-cgroup", no_argument, NULL, 'N' },
		{ "reps", required_argument, NULL, 'R' }, { "warmup", required_argument, NULL, 'W' },
		{ "order", required_argument, NULL, 'O' }, { "no-record", no_argument, NULL, 'n' },
		{ "blas-threads", required_argument, NULL, 'B' }, { "suite", required_argument, NULL, 'S' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	cmd_name = cmd;
	o->cmd = cmd;
	o->s.output_fd = -1;
	o->s.interval_ms = 100;
	o->s.grace_s = 3;
	o->s.progress = true;
	o->rq.reps = 1;
	int c;
	bool reps_given = false;
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
			o->interval_given = true;
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
			reps_given = true;
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
		case 'B':
			if (strcmp(optarg, "auto") == 0)
				o->rq.blas_threads = -1;
			else if (bt_parse_ll(optarg, &ll) && ll >= 1 && ll <= 4096)
				o->rq.blas_threads = (int)ll;
			else
				return bad("--blas-threads takes auto (the run's effective CPUs) or a count from 1 to 4096, not '%s'", optarg);
			break;
		case 'S': o->suite = optarg; break;
		case 'D': o->dry_run = true; break;
		case 'N': o->s.no_cgroup = true; break;
		case 'n':
			if (!run)
				return bad("%s", "--no-record belongs to 'benchtop run': record always writes its trace");
			o->no_record = true;
			break;
		case 'q': o->s.quiet = true; break;
		case 'h': usage(stdout); return -1;
		case '?':
		default:
			if (optopt)
				return bad("option '-%c' is unknown or lacks its value", optopt);
			return bad("option '%s' is unknown or lacks its value", argv[optind - 1]);
		}
	}
	if (!o->s.out && !run && !o->dry_run)
		return bad("%s", "the trace file is missing: give it with -o FILE");
	if (o->s.out && o->no_record)
		return bad("%s", "-o and --no-record contradict each other: drop one");
	if (o->s.no_cgroup && (o->rq.cpus > 0 || o->rq.memory || o->rq.cpuset))
		return bad("%s", "--cpus, --cpuset and --memory need a cgroup: drop --no-cgroup or the limits");
	o->rq.variants = o->variants;
	o->rq.nvariants = o->nvariants;
	o->rq.env = o->env;
	o->rq.nenv = o->nenv;
	bool after_dashes = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (o->suite) {
		/* The file says what to run and how: the command line says where
		 * the trace goes and how to sample. */
		if (optind < argc)
			return bad("with --suite the suite names what to run, so '%s' is not expected", argv[optind]);
		if (o->nvariants || reps_given || o->rq.warmup || o->rq.blocked || o->rq.cpus > 0 || o->rq.memory ||
		    o->rq.cpuset || o->nenv || o->rq.label || o->rq.blas_threads)
			return bad("%s", "--suite takes variants, repetitions, order, limits, environment and labels from the file: drop those options or edit the suite");
		return 0;
	}
	if (optind >= argc) {
		/* The built-in default: a short k-means on glibc and on musl, three
		 * times each (a few seconds), enough for compare to say something;
		 * where only one libc's is built (an image), on that one. */
		static char *dflt_args[] = { "--samples", "60000", "--features", "64", "--n-init", "3" };
		if (!reps_given)
			o->rq.reps = 3;
		static const char *dflt_variants[] = { "glibc", "musl" };
		o->rq.workload = "kmeans";
		o->rq.wargs = dflt_args;
		o->rq.nwargs = BT_ARRAY_LEN(dflt_args);
		if (!o->nvariants && both_libcs_built()) {
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


#define PLAN_CLI_MAX_RUNS 10000

/* ---- The machine the plan is to run on ---------------------------------- */

struct cpu_fill {
	cpu_set_t *set;
	bool beyond;
};

static void cpu_fill_range(void *ctx, uint64_t first, uint64_t last)
{
	struct cpu_fill *f = ctx;
	f->beyond = f->beyond || last >= CPU_SETSIZE;
	for (uint64_t c = first; c <= last && c < CPU_SETSIZE; c++)
		CPU_SET((int)c, f->set);
}

/* The CPUs of a list such as "0-3,8" into set; false when it is malformed.
 * *beyond: it names a CPU past what a cpu_set_t holds (left out of set). */
static bool cpu_list_set(const char *text, cpu_set_t *set, bool *beyond)
{
	CPU_ZERO(set);
	struct cpu_fill f = { set, false };
	int n = procfs_each_cpu_range(text, cpu_fill_range, &f);
	*beyond = f.beyond;
	return n > 0;
}

/* The CPUs of set as a list ("0-1,4"). */
static void cpu_set_list(const cpu_set_t *set, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && len + 24 < size; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		len += (size_t)(e > c ? snprintf(buf + len, size - len, "%s%d-%d", len ? "," : "", c, e)
				      : snprintf(buf + len, size - len, "%s%d", len ? "," : "", c));
		c = e;
	}
}

/* True when every CPU of list is one benchtop may use (its affinity, which
 * its cgroup's cpuset bounds); else false with a sentence in why naming
 * those it may. */
static bool cpuset_fits(const char *list, char *why, size_t whylen)
{
	cpu_set_t want, allowed, extra;
	bool beyond;
	if (!cpu_list_set(list, &want, &beyond)) {
		snprintf(why, whylen, "'%s' is not a CPU list such as 0-1 or 0,2", list);
		return false;
	}
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return true; /* cannot tell: the cgroup will say */
	CPU_AND(&extra, &want, &allowed);
	if (!beyond && CPU_EQUAL(&extra, &want))
		return true;
	char may[256];
	cpu_set_list(&allowed, may, sizeof may);
	snprintf(why, whylen, "cpuset %s names CPUs benchtop may not use here; it may use %s", list, may);
	return false;
}

/* Whether argv0 is a program execvp would find: a path to an executable
 * file, or a name in a PATH directory. */
static bool program_found(const char *argv0)
{
	struct stat st;
	if (strchr(argv0, '/'))
		return stat(argv0, &st) == 0 && S_ISREG(st.st_mode) && access(argv0, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (const char *p = path;;) {
		size_t l = strcspn(p, ":");
		char full[4096];
		if (snprintf(full, sizeof full, "%.*s/%s", (int)l, l ? p : ".", argv0) < (int)sizeof full &&
		    stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
			return true;
		if (!p[l])
			return false;
		p += l + 1;
	}
}

/* The machine as benchtop sees it: CPUs it may use, visible CPUs, memory. */
static void machine(struct suite_machine *m)
{
	struct bt_sysinfo in;
	sysinfo_collect(&in, "");
	m->cpus = in.eff.cpus_effective > 0 ? in.eff.cpus_effective : in.eff.cpus_visible;
	m->visible_cpus = in.eff.cpus_visible > 0 ? (unsigned)in.eff.cpus_visible : 1;
	m->memory = in.eff.mem_limit ? in.eff.mem_limit : in.eff.mem_total;
	sysinfo_done(&in);
}

/* The command line's limits against the machine, as a suite's are: a cpuset
 * it may not use is an error; --cpus or --memory above what there is is
 * lowered to it, with a note. 0, or -1 with a sentence in err. */
static int fit_cli_limits(struct plan_cli *o, char *err, size_t errlen)
{
	char why[512], b1[32], b2[32];
	if (o->rq.cpuset && !cpuset_fits(o->rq.cpuset, why, sizeof why)) {
		snprintf(err, errlen, "--%s", why);
		return -1;
	}
	struct suite_machine m;
	machine(&m);
	int in_set = o->rq.cpuset ? procfs_count_cpu_list(o->rq.cpuset) : 0;
	double most = in_set > 0 && (m.cpus <= 0 || in_set < m.cpus) ? in_set : m.cpus;
	if (o->rq.cpus > 0 && most > 0 && o->rq.cpus > most) {
		if (!o->s.quiet)
			fprintf(stderr, "benchtop %s: note: --cpus %g lowered to %g (%s).\n", o->cmd, o->rq.cpus, most,
				most == in_set ? "the CPUs of --cpuset" : "the CPUs benchtop may use here");
		o->rq.cpus = most;
	}
	if (o->rq.memory && m.memory && o->rq.memory > m.memory) {
		if (!o->s.quiet)
			fprintf(stderr, "benchtop %s: note: --memory %s lowered to %s (this machine's memory).\n", o->cmd,
				bt_fmt_bytes(b1, sizeof b1, (double)o->rq.memory), bt_fmt_bytes(b2, sizeof b2, (double)m.memory));
		o->rq.memory = m.memory;
	}
	return 0;
}

/* A suite's requests against the machine: cpusets benchtop may use, and
 * programs that exist; an error names the line. */
static int check_suite_requests(const struct suite_plan *sp, char *err, size_t errlen)
{
	char why[512];
	for (size_t i = 0; i < sp->n; i++) {
		const struct suite_request *r = &sp->items[i];
		if (r->rq.cpuset && !cpuset_fits(r->rq.cpuset, why, sizeof why)) {
			snprintf(err, errlen, "%s:%u: %s", sp->path, r->cpuset_line ? r->cpuset_line : r->line, why);
			return -1;
		}
		if (r->rq.argv && !program_found(r->rq.argv[0])) {
			snprintf(err, errlen, "%s:%u: the program '%s' of %s %s; give its full path, or install it", sp->path,
				 r->run_line ? r->run_line : r->line, r->rq.argv[0], r->what,
				 strchr(r->rq.argv[0], '/') ? "is not an executable file" : "is not on PATH");
			return -1;
		}
	}
	return 0;
}

/* A suite: one request per section, limits clamped to this machine (said on
 * stderr), each built by the planner; an error names the file and line. */
static int build_suite(struct plan_cli *o, struct plan *plan, char *err, size_t errlen)
{
	struct suite s;
	if (suite_load(o->suite, &s, err, errlen) != 0)
		return -1;
	struct suite_machine m;
	machine(&m);
	struct suite_plan sp;
	suite_requests(&s, &m, &sp);
	int rc = 0;
	for (size_t i = 0; i < sp.nnotes && !o->s.quiet; i++)
		fprintf(stderr, "benchtop %s: note: %s.\n", o->cmd, sp.notes[i]);
	if (check_suite_requests(&sp, err, errlen) != 0)
		rc = -1;
	for (size_t i = 0; i < sp.n && rc == 0; i++) {
		char e[1024];
		if (planner_build(&sp.items[i].rq, plan, e, sizeof e) != 0) {
			suite_locate(&sp, i, e, err, errlen);
			rc = -1;
			break;
		}
		if (plan->n > PLAN_CLI_MAX_RUNS) {
			snprintf(err, errlen, "%s makes more than %d runs; sweep fewer values or make fewer repetitions",
				 o->suite, PLAN_CLI_MAX_RUNS);
			rc = -1;
			break;
		}
	}
	if (!o->interval_given && sp.interval_ms)
		o->s.interval_ms = sp.interval_ms;
	if (o->s.timeout_s == 0 && sp.timeout_s > 0)
		o->s.timeout_s = sp.timeout_s;
	suite_plan_free(&sp);
	suite_free(&s);
	return rc;
}

int plan_cli_build(struct plan_cli *o, struct plan *plan, char *err, size_t errlen)
{
	if (o->suite)
		return build_suite(o, plan, err, errlen);
	if (fit_cli_limits(o, err, errlen) != 0)
		return -1;
	return planner_build(&o->rq, plan, err, errlen);
}

bool plan_cli_prepare(struct plan_cli *o, const char *cmd, bool run, int argc, char **argv, void (*usage)(FILE *),
		      struct plan *plan, int *status)
{
	memset(plan, 0, sizeof(*plan));
	int rc = plan_cli_parse(o, cmd, run, argc, argv, usage);
	char err[1024];
	if (rc) {
		*status = rc < 0 ? 0 : rc;
	} else if (plan_cli_build(o, plan, err, sizeof err) != 0) {
		fprintf(stderr, "benchtop %s: %s.\n", cmd, err);
		*status = EXIT_USAGE;
	} else if (o->dry_run) {
		plan_cli_print(plan, stdout);
		*status = 0;
	} else {
		return true;
	}
	plan_free(plan);
	plan_cli_free(o);
	return false;
}

/* word as a shell reads it back: as it is when it holds only safe
 * characters, else in single quotes ('\'' for a quote inside). */
static void print_word(FILE *out, const char *word)
{
	if (*word && !word[strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.,:/@%^")]) {
		fputs(word, out);
		return;
	}
	fputc('\'', out);
	for (const char *p = word; *p; p++)
		fputs(*p == '\'' ? "'\\''" : (char[]){ *p, 0 }, out);
	fputc('\'', out);
}

void plan_cli_print(const struct plan *plan, FILE *out)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct run_spec *r = &plan->runs[i];
		char rep[24];
		if (r->rep)
			snprintf(rep, sizeof rep, "rep %u", r->rep);
		else
			snprintf(rep, sizeof rep, "warm-up");
		fprintf(out, "%4zu  %-10s %-22s %-8s", i + 1, r->workload, r->variant, rep);
		if (r->cpus > 0)
			fprintf(out, " cpus %g", r->cpus);
		char b[32];
		if (r->memory)
			fprintf(out, " memory %s", bt_fmt_bytes(b, sizeof b, (double)r->memory));
		if (r->cpuset)
			fprintf(out, " cpuset %s", r->cpuset);
		if (r->blas_threads < 0)
			fputs(" blas-threads auto", out);
		else if (r->blas_threads > 0)
			fprintf(out, " blas-threads %d", r->blas_threads);
		if (r->label)
			fprintf(out, " [%s]", r->label);
		fputs("\n      ", out);
		/* As a shell would take it back: env, then the words. */
		for (size_t e = 0; e < r->nenv; e++) {
			print_word(out, r->env[e]);
			fputc(' ', out);
		}
		for (char **a = r->argv; *a; a++) {
			if (a != r->argv)
				fputc(' ', out);
			print_word(out, *a);
		}
		fputc('\n', out);
	}
	fprintf(out, "%zu run%s\n", plan->n, plan->n == 1 ? "" : "s");
}

void plan_cli_free(struct plan_cli *o)
{
	free(o->env);
	free(o->variants);
	o->env = NULL;
	o->variants = NULL;
}
