/* record — see record.h. */
#include "record.h"
#include "cgroup.h"
#include "launch.h"
#include "procfs.h"
#include "result.h"
#include "sampler.h"
#include "summary.h"
#include "sysinfo.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_FAIL 125

struct record_opts {
	const char *out;
	bool force, quiet, no_cgroup;
	unsigned interval_ms;
	double cpus;
	const char *cpuset;
	uint64_t memory;
	char **env;
	size_t nenv, envcap;
	const char *label, *variant, *workload;
	double timeout_s, grace_s;
	char **argv;
	bool builtin_default;
};

static void usage(FILE *f)
{
	fputs("usage: benchtop record -o FILE [options] -- CMD [ARGS...]\n"
	      "       benchtop record -o FILE [options]          (records the built-in demo)\n"
	      "\n"
	      "Runs CMD in its own cgroup with the limits given, samples it every interval,\n"
	      "writes a trace to FILE and prints a summary when the whole run has exited.\n"
	      "\n"
	      "  -o, --output FILE     trace file to write (required; refuses to overwrite)\n"
	      "      --force           overwrite FILE if it exists\n"
	      "  -i, --interval MS     sampling interval in ms, 10..10000 (default 100)\n"
	      "      --cpus N          CPU quota in CPUs, fractional (1.5 = one and a half)\n"
	      "      --cpuset LIST     CPUs the run may use, e.g. 0-1 or 0,2\n"
	      "      --memory SIZE     memory limit, e.g. 512M, 8G\n"
	      "  -e, --env K=V         set an environment variable for CMD (repeatable)\n"
	      "  -l, --label TEXT      a label for the run\n"
	      "      --variant NAME    the variant name recorded for the run (default: default)\n"
	      "      --timeout SEC     stop the run after SEC seconds\n"
	      "      --grace SEC       after SIGTERM, wait SEC before SIGKILL (default 3)\n"
	      "      --no-cgroup       do not create a cgroup: measure through /proc only\n"
	      "  -q, --quiet           no progress line and no summary\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Ctrl-C or SIGTERM stops the run: SIGTERM to its processes, SIGKILL after the\n"
	      "grace period (at once on a second Ctrl-C); the trace is finished either way.\n"
	      "Exit status: the command's (128+N if killed by signal N), 125 if benchtop\n"
	      "failed, 2 for bad usage.\n",
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
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->interval_ms = 100;
	o->grace_s = 3;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:i:e:l:qh", longopts, NULL)) != -1) {
		double d;
		long long ll;
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'F': o->force = true; break;
		case 'i':
			if (!bt_parse_ll(optarg, &ll) || ll < 10 || ll > 10000)
				return bad("--interval takes milliseconds from 10 to 10000, not '%s'", optarg);
			o->interval_ms = (unsigned)ll;
			break;
		case 'c':
			if (!bt_parse_double(optarg, &d) || d < 0.01 || d > 4096)
				return bad("--cpus takes a number of CPUs such as 1 or 1.5, not '%s'", optarg);
			o->cpus = d;
			break;
		case 'C':
			if (procfs_count_cpu_list(optarg) <= 0)
				return bad("--cpuset takes a CPU list such as 0-1 or 0,2, not '%s'", optarg);
			o->cpuset = optarg;
			break;
		case 'm':
			if (!bt_parse_size(optarg, &o->memory) || o->memory < (1u << 20))
				return bad("--memory takes a size of at least 1M such as 512M or 8G, not '%s'", optarg);
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return bad("--env takes KEY=VALUE, not '%s'", optarg);
			bt_grow((void **)&o->env, &o->envcap, o->nenv + 1, sizeof(char *));
			o->env[o->nenv++] = optarg;
			break;
		case 'l': o->label = optarg; break;
		case 'V': o->variant = optarg; break;
		case 'T':
			if (!bt_parse_double(optarg, &d) || d <= 0 || d > 1e7)
				return bad("--timeout takes seconds, more than 0 and at most 10000000, not '%s'", optarg);
			o->timeout_s = d;
			break;
		case 'G':
			if (!bt_parse_double(optarg, &d) || d < 0 || d > 3600)
				return bad("--grace takes seconds from 0 to 3600, not '%s'", optarg);
			o->grace_s = d;
			break;
		case 'N': o->no_cgroup = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return -1;
		case '?':
		default:
			if (optopt)
				return bad("option '-%c' is unknown or lacks its value", optopt);
			return bad("option '%s' is unknown or lacks its value", argv[optind - 1]);
		}
	}
	if (!o->out)
		return bad("%s", "the trace file is missing: give it with -o FILE");
	if (o->no_cgroup && (o->cpus > 0 || o->memory || o->cpuset))
		return bad("%s", "--cpus, --cpuset and --memory need a cgroup: drop --no-cgroup or the limits");
	if (optind >= argc) {
		o->builtin_default = true;
	} else {
		o->argv = &argv[optind];
	}
	return 0;
}

/* ---- The run ------------------------------------------------------------- */

struct recorder {
	struct record_opts *o;
	struct bt_sysinfo info;
	struct bt_trace_writer *w;
	struct sampler *s;
	struct summary sum;
	struct cg_run *cg;
	struct bt_frame frame;
	pid_t root;
	uint64_t t0_ns, sched0_ns, start_wall_ns;
	bool root_done;
	int root_status;
	struct rusage all_ru;
	uint64_t end_ns, last_reap_ns;
	int stop_phase; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
	uint64_t kill_at_ns;
	const char *reason;
	bool write_failed;
	int write_errno;
	char err[512];
	uint64_t last_progress_ns;
	long oom0;
	struct rlimit nofile0; /* the limit the command must see */
	/* result protocol */
	struct result_reader res;
	int res_fd;
	unsigned long res_events, res_bad;
};

static uint64_t t_us(const struct recorder *r, uint64_t now_ns)
{
	return (now_ns - r->t0_ns) / 1000;
}

static void note_write_error(struct recorder *r, int e)
{
	if (e && !r->write_failed) {
		r->write_failed = true;
		r->write_errno = e;
		fprintf(stderr, "benchtop record: writing %s failed (%s); the trace keeps what was written before, recording goes on without it.\n",
			r->o->out, strerror(-e));
	}
}

static void event_note(struct recorder *r, const char *text)
{
	struct bt_kv kv[] = { { "type", "note" }, { "text", text } };
	uint64_t t = t_us(r, bt_now_ns());
	note_write_error(r, trace_write_kv(r->w, TR_EVENT, 1, t, kv, 2));
	struct bt_record rec = { .type = TR_EVENT, .run = 1, .t_us = t, .nkv = 2, .kv = kv };
	summary_add(&r->sum, &rec);
}

/* Signal every process of the run (by pid, never by name). */
static void signal_run(struct recorder *r, int sig)
{
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	if (r->cg)
		cg_run_pids(r->cg, &pids, &n, &cap);
	const struct bt_entity_list *pl = &r->frame.k[BT_K_PROC];
	for (size_t i = 0; i < pl->n; i++) {
		bt_grow((void **)&pids, &cap, n + 1, sizeof(*pids));
		pids[n++] = (int32_t)pl->items[i].key;
	}
	if (!r->root_done) {
		bt_grow((void **)&pids, &cap, n + 1, sizeof(*pids));
		pids[n++] = r->root;
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 1 && pids[i] != getpid())
			kill(pids[i], sig);
	free(pids);
}

static void begin_stop(struct recorder *r, const char *reason, uint64_t now)
{
	if (r->stop_phase == 0) {
		r->reason = reason;
		r->stop_phase = 1;
		r->kill_at_ns = now + (uint64_t)(r->o->grace_s * 1e9);
		signal_run(r, SIGTERM);
	} else {
		r->stop_phase = 2;
		signal_run(r, SIGKILL);
	}
}

static void reap(struct recorder *r)
{
	for (;;) {
		int st;
		struct rusage ru;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);
		if (p <= 0)
			return;
		/* Every process of the run ends up reaped by its parent or by us
		 * (the subreaper): the last reap is when the run ended. */
		r->last_reap_ns = bt_now_ns();
		sampler_note_reaped(r->s, 1, p, &ru);
		r->all_ru.ru_utime.tv_sec += ru.ru_utime.tv_sec;
		r->all_ru.ru_utime.tv_usec += ru.ru_utime.tv_usec;
		r->all_ru.ru_stime.tv_sec += ru.ru_stime.tv_sec;
		r->all_ru.ru_stime.tv_usec += ru.ru_stime.tv_usec;
		if (ru.ru_maxrss > r->all_ru.ru_maxrss)
			r->all_ru.ru_maxrss = ru.ru_maxrss;
		r->all_ru.ru_nvcsw += ru.ru_nvcsw;
		r->all_ru.ru_nivcsw += ru.ru_nivcsw;
		if (p == r->root) {
			r->root_done = true;
			r->root_status = st;
		}
	}
}

static void progress(struct recorder *r, uint64_t now)
{
	if (r->o->quiet || !isatty(STDERR_FILENO) || now - r->last_progress_ns < 500000000ull)
		return;
	r->last_progress_ns = now;
	const struct run_summary *rs = r->sum.nruns ? &r->sum.runs[0] : NULL;
	const struct bt_entity *e = frame_find(&r->frame, BT_K_RUN, 1);
	char a[32], b[32];
	double cpu = 0;
	if (rs && rs->cpu_pct_n)
		cpu = rs->cpu_pct_sum / rs->cpu_pct_n;
	fprintf(stderr, "\r\033[K[benchtop] %5.1f s  CPU avg %.0f %%  RSS %s  cgroup %s  threads %llu",
		(double)(now - r->t0_ns) / 1e9, cpu,
		e && ent_has(e, RUN_RSS) ? bt_fmt_bytes(a, sizeof a, (double)e->v[RUN_RSS]) : "-",
		e && ent_has(e, RUN_CG_MEM) ? bt_fmt_bytes(b, sizeof b, (double)e->v[RUN_CG_MEM]) : "-",
		e ? (unsigned long long)e->v[RUN_NTHREADS] : 0ull);
}

static void tick(struct recorder *r, uint64_t index, uint64_t missed, uint64_t now)
{
	const struct sampler_name *names;
	size_t nn;
	sampler_tick(r->s, &r->frame, &names, &nn);
	uint64_t sched = r->sched0_ns + index * r->o->interval_ms * 1000000ull;
	r->frame.tick = index;
	r->frame.t_us = t_us(r, now);
	r->frame.late_us = now > sched ? (now - sched) / 1000 : 0;
	r->frame.missed = missed;
	for (size_t i = 0; i < nn; i++) {
		char key[24];
		snprintf(key, sizeof key, "%llu", (unsigned long long)names[i].key);
		struct bt_kv kv[] = { { "kind", names[i].kind == BT_K_PROC ? "process" : "thread" },
				      { "id", key },
				      { "comm", names[i].comm } };
		note_write_error(r, trace_write_kv(r->w, TR_NAME, 1, r->frame.t_us, kv, 3));
	}
	note_write_error(r, trace_write_frame(r->w, &r->frame));
	trace_writer_maybe_sync(r->w, now, 5000000000ull);
	struct bt_record rec = { .type = TR_FRAME, .frame = &r->frame, .t_us = r->frame.t_us };
	summary_add(&r->sum, &rec);
	progress(r, now);
}

static void write_run_start(struct recorder *r, const char *cgpath)
{
	struct record_opts *o = r->o;
	char *cmd = xstrdup("");
	size_t argc = 0;
	for (char **a = o->argv; *a; a++, argc++) {
		char *n = xasprintf("%s%s%s", cmd, argc ? " " : "", *a);
		free(cmd);
		cmd = n;
	}
	char *envs = xstrdup("");
	for (size_t i = 0; i < o->nenv; i++) {
		char *n = xasprintf("%s%s%s", envs, i ? "\n" : "", o->env[i]);
		free(envs);
		envs = n;
	}
	char cpus[32] = "", mem[32] = "", pid[16], start[32], argcs[16];
	if (o->cpus > 0)
		snprintf(cpus, sizeof cpus, "%g", o->cpus);
	if (o->memory)
		snprintf(mem, sizeof mem, "%llu", (unsigned long long)o->memory);
	snprintf(pid, sizeof pid, "%d", (int)r->root);
	snprintf(start, sizeof start, "%llu", (unsigned long long)r->start_wall_ns);
	snprintf(argcs, sizeof argcs, "%zu", argc);
	const char *wl = o->workload ? o->workload : strrchr(o->argv[0], '/') ? strrchr(o->argv[0], '/') + 1 : o->argv[0];
	struct bt_kv kv[64] = {
		{ "command", cmd }, { "argc", argcs }, { "workload", wl },
		{ "variant", o->variant ? o->variant : "default" }, { "rep", "1" },
		{ "label", o->label ? o->label : "" }, { "limit_cpus", cpus }, { "limit_memory", mem },
		{ "limit_cpuset", o->cpuset ? o->cpuset : "" }, { "cgroup", cgpath }, { "pid", pid },
		{ "start_wall_ns", start }, { "env", envs },
		{ "limits_applied", cgpath[0] ? "1" : "0" },
	};
	size_t n = 14;
	char keys[40][16];
	for (size_t i = 0; i < argc && n < BT_ARRAY_LEN(kv) && i < 40; i++) {
		snprintf(keys[i], sizeof keys[i], "argv.%zu", i);
		kv[n].key = keys[i];
		kv[n].val = o->argv[i];
		n++;
	}
	note_write_error(r, trace_write_kv(r->w, TR_RUN_START, 1, 0, kv, n));
	struct bt_record rec = { .type = TR_RUN_START, .run = 1, .t_us = 0, .nkv = n, .kv = kv };
	summary_add(&r->sum, &rec);
	free(cmd);
	free(envs);
}

static void write_run_end(struct recorder *r)
{
	char code[16] = "", sig[16] = "0", oom[4] = "0", wall[32], ut[32], st[32], rss[32], nv[32], niv[32];
	int status = r->root_status;
	bool oomk = false;
	if (r->cg) {
		long k = cg_run_oom_kills(r->cg);
		/* A SIGKILL from the OOM killer, not from benchtop's own stop. */
		if (k > r->oom0 && k >= 0 && r->stop_phase < 2)
			oomk = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (k > r->oom0 && !oomk) {
			char t[128];
			snprintf(t, sizeof t, "the kernel OOM-killed %ld process(es) of this run", k - r->oom0);
			event_note(r, t);
		}
	}
	if (WIFEXITED(status))
		snprintf(code, sizeof code, "%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(sig, sizeof sig, "%d", WTERMSIG(status));
	if (oomk)
		snprintf(oom, sizeof oom, "1");
	snprintf(wall, sizeof wall, "%llu", (unsigned long long)((r->end_ns - r->t0_ns) / 1000));
	/* The kernel's accounting of the reaped tree: the root's rusage covers
	 * the descendants it waited for; orphans benchtop reaped are added. */
	snprintf(ut, sizeof ut, "%lld", (long long)(r->all_ru.ru_utime.tv_sec * 1000000LL + r->all_ru.ru_utime.tv_usec));
	snprintf(st, sizeof st, "%lld", (long long)(r->all_ru.ru_stime.tv_sec * 1000000LL + r->all_ru.ru_stime.tv_usec));
	snprintf(rss, sizeof rss, "%ld", r->all_ru.ru_maxrss);
	snprintf(nv, sizeof nv, "%ld", r->all_ru.ru_nvcsw);
	snprintf(niv, sizeof niv, "%ld", r->all_ru.ru_nivcsw);
	struct bt_kv kv[] = {
		{ "exit_code", WIFEXITED(status) ? code : "-1" }, { "signal", sig }, { "oom_killed", oom },
		{ "reason", r->reason ? r->reason : "exited" }, { "wall_us", wall }, { "ru_utime_us", ut },
		{ "ru_stime_us", st }, { "ru_maxrss_kb", rss }, { "ru_nvcsw", nv }, { "ru_nivcsw", niv },
	};
	uint64_t now = bt_now_ns();
	note_write_error(r, trace_write_kv(r->w, TR_RUN_END, 1, t_us(r, now), kv, BT_ARRAY_LEN(kv)));
	struct bt_record rec = { .type = TR_RUN_END, .run = 1, .t_us = t_us(r, now), .nkv = BT_ARRAY_LEN(kv), .kv = kv };
	summary_add(&r->sum, &rec);
}

#define RESULT_MAX_EVENTS 100000

/* One line of the result protocol: an event in the trace, or a note the
 * first few times a line is not valid. */
static void on_result_line(void *ctx, const char *line, bool too_long)
{
	struct recorder *r = ctx;
	struct result_line rl;
	const char *why = "the line is longer than 1024 bytes";
	if (too_long || !result_parse_line(line, &rl, &why)) {
		if (++r->res_bad <= 3) {
			char text[256];
			snprintf(text, sizeof text, "ignored a result line (%s): '%.60s'", why, line);
			event_note(r, text);
		}
		return;
	}
	if (++r->res_events > RESULT_MAX_EVENTS) {
		if (r->res_events == RESULT_MAX_EVENTS + 1)
			event_note(r, "more than 100000 result lines: the rest were ignored");
		return;
	}
	struct bt_kv kv[4] = { { "type", rl.kind == RESULT_PHASE ? "phase" : "metric" }, { "name", rl.name } };
	size_t n = 2;
	if (rl.kind == RESULT_METRIC) {
		kv[n++] = (struct bt_kv){ "value", rl.value };
		kv[n++] = (struct bt_kv){ "unit", rl.unit };
	}
	uint64_t t = t_us(r, bt_now_ns());
	note_write_error(r, trace_write_kv(r->w, TR_EVENT, 1, t, kv, n));
	struct bt_record rec = { .type = TR_EVENT, .run = 1, .t_us = t, .nkv = n, .kv = kv };
	summary_add(&r->sum, &rec);
}

static void drain_results(struct recorder *r)
{
	if (r->res_fd >= 0 && !result_reader_feed(&r->res, on_result_line, r)) {
		close(r->res_fd);
		r->res_fd = -1;
	}
}

static int exit_status_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAIL;
}

/* Raise the fd limit: every watched thread keeps a few files open. */
static bool raise_nofile(struct rlimit *before)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	*before = rl;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return true;
}

static char *default_argv[8];

int record_main(int argc, char **argv)
{
	struct record_opts o;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.builtin_default) {
		/* The built-in default: the demo spinner next to benchtop. */
		static char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 16);
		if (n <= 0) {
			fprintf(stderr, "benchtop record: cannot find the built-in demo; give a command after --.\n");
			free(o.env);
			return EXIT_FAIL;
		}
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		snprintf(slash + 1, sizeof self - (size_t)(slash + 1 - self), "bt-spin");
		default_argv[0] = self;
		default_argv[1] = "--threads";
		default_argv[2] = "2";
		default_argv[3] = "--seconds";
		default_argv[4] = "3";
		default_argv[5] = "--memory";
		default_argv[6] = "64M";
		default_argv[7] = NULL;
		o.argv = default_argv;
		o.workload = "spin";
	}

	struct recorder r;
	memset(&r, 0, sizeof r);
	r.o = &o;
	bool have_nofile = raise_nofile(&r.nofile0);
	int werr = 0;
	r.w = trace_writer_open(o.out, o.force, &werr);
	if (!r.w) {
		if (werr == -EEXIST)
			fprintf(stderr, "benchtop record: %s already exists; choose another file or pass --force to overwrite it.\n", o.out);
		else
			fprintf(stderr, "benchtop record: cannot create %s: %s.\n", o.out, strerror(-werr));
		free(o.env);
		return EXIT_FAIL;
	}
	/* Signals arrive as events on the loop, never in handlers. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* A closed stdout or stderr, or a file size limit, must not kill
	 * benchtop mid-run: that would leave the run and its cgroup behind.
	 * (The command gets default dispositions back before exec.) */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sfd < 0 || tfd < 0) {
		fprintf(stderr, "benchtop record: cannot create the %s descriptor: %s.\n", sfd < 0 ? "signal" : "timer",
			strerror(errno));
		if (sfd >= 0)
			close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		trace_writer_close(r.w);
		free(o.env);
		return EXIT_FAIL;
	}
	/* Orphans of the run are re-parented to us, so their CPU time is not
	 * lost and the tree stays complete without cgroups. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Ticks on time with the machine busy need the scheduler's help: run the
	 * sampler at the lowest real-time priority where allowed (root, or
	 * CAP_SYS_NICE). RESET_ON_FORK: the command runs as it would without
	 * benchtop. A sleeping sampler costs the workload nothing more. */
	struct sched_param sp = { .sched_priority = 1 };
	bool rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
	sysinfo_collect(&r.info, "");
	summary_init(&r.sum);
	frame_init(&r.frame);
	char *store = NULL;
	struct bt_kv meta[40];
	size_t nm = sysinfo_meta(&r.info, meta, BT_ARRAY_LEN(meta) - 3, &store);
	char ival[16];
	snprintf(ival, sizeof ival, "%u", o.interval_ms);
	meta[nm++] = (struct bt_kv){ "interval_ms", ival };
	meta[nm++] = (struct bt_kv){ "sampler_sched", rt ? "fifo" : "other" };
	note_write_error(&r, trace_write_kv(r.w, TR_META, 0, 0, meta, nm));
	struct bt_record mrec = { .type = TR_META, .nkv = nm, .kv = meta };
	summary_add(&r.sum, &mrec);
	free(store);

	char cgnote[600] = "";
	if (r.info.cg_ok && !o.no_cgroup) {
		char rep[1024];
		int left = cg_cleanup_leftovers(&r.info.cg, rep, sizeof rep);
		if (left > 0 && !o.quiet)
			fprintf(stderr, "benchtop: removed %d cgroup(s) left by a benchtop that died: %s\n", left, rep);
		struct cg_limits lim = { o.cpus, (char *)o.cpuset, o.memory };
		int e = cg_run_create(&r.info.cg, &lim, 1, &r.cg, r.err, sizeof r.err);
		if (e) {
			r.cg = NULL;
			snprintf(cgnote, sizeof cgnote, "no cgroup for this run (%s): limits not applied, measuring through /proc only", r.err);
		}
	} else if (!o.no_cgroup) {
		snprintf(cgnote, sizeof cgnote, "no cgroup for this run (%s): limits not applied, measuring through /proc only",
			 r.info.cg_error);
	}
	if (cgnote[0] && !o.quiet)
		fprintf(stderr, "benchtop: %s.\n", cgnote);

	/* Per-thread status (context switches) is the dearest file: about once a second. */
	r.s = sampler_new("", o.interval_ms >= 1000 ? 1 : 1000 / o.interval_ms);
	/* The result protocol: the command inherits the write end of a pipe
	 * and finds its number in BENCHTOP_RESULT_FD. Only our end is
	 * non-blocking: a workload's write must not fail with EAGAIN. */
	int res[2] = { -1, -1 };
	r.res_fd = -1;
	if (pipe2(res, O_CLOEXEC) == 0) {
		fcntl(res[0], F_SETFL, O_NONBLOCK);
		r.res_fd = res[0];
		result_reader_init(&r.res, res[0]);
	}
	struct launch_spec spec = { o.argv, o.env, o.nenv, have_nofile ? &r.nofile0 : NULL, res[1], RESULT_ENV };
	r.t0_ns = bt_now_ns();
	r.start_wall_ns = bt_wall_ns();
	if (r.cg)
		r.oom0 = cg_run_oom_kills(r.cg);
	rc = launch_start(&spec, r.cg, &r.root, r.err, sizeof r.err);
	if (res[1] >= 0)
		close(res[1]); /* the run holds it now: EOF when its last writer exits */
	if (rc) {
		fprintf(stderr, "benchtop record: %s.\n", r.err);
		/* As shells and timeout(1) do: 127 not found, 126 not executable. */
		rc = rc == -ENOENT ? 127 : rc == -EACCES || rc == -ENOEXEC ? 126 : EXIT_FAIL;
		goto out;
	}
	write_run_start(&r, r.cg ? cg_run_path(r.cg) : "");
	if (cgnote[0])
		event_note(&r, cgnote);
	sampler_add_run(r.s, 1, r.root, r.cg);

	struct itimerspec its = { { o.interval_ms / 1000, (long)(o.interval_ms % 1000) * 1000000L }, { 0, 0 } };
	/* Tick 0 right after the launch, then on absolute deadlines from it. */
	r.sched0_ns = bt_now_ns();
	uint64_t first = r.sched0_ns;
	its.it_value.tv_sec = (time_t)(first / 1000000000ull);
	its.it_value.tv_nsec = (long)(first % 1000000000ull);
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		/* Without ticks nothing can be measured or ended on schedule:
		 * end the run now (its own process group) and say so. */
		fprintf(stderr, "benchtop record: cannot arm the sampling timer: %s.\n", strerror(errno));
		kill(-r.root, SIGKILL);
		int st;
		while (waitpid(r.root, &st, 0) < 0 && errno == EINTR)
			;
		r.root_status = st;
		r.root_done = true;
		r.reason = "benchtop failed";
		r.end_ns = bt_now_ns();
		write_run_end(&r);
		rc = EXIT_FAIL;
		goto out;
	}
	uint64_t ticks = 0;
	uint64_t deadline = o.timeout_s > 0 ? r.t0_ns + (uint64_t)(o.timeout_s * 1e9) : 0;
	for (;;) {
		struct pollfd pfd[3] = { { tfd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { r.res_fd, POLLIN, 0 } };
		int pr = poll(pfd, r.res_fd >= 0 ? 3 : 2, 1000);
		if (pr < 0 && errno != EINTR)
			break;
		uint64_t now = bt_now_ns();
		if (r.res_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			drain_results(&r);
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					reap(&r);
				else
					begin_stop(&r, si.ssi_signo == SIGINT ? "stopped by Ctrl-C" : "stopped by a signal", now);
			}
		}
		if (deadline && now >= deadline && r.stop_phase == 0)
			begin_stop(&r, "timeout", now);
		if (r.stop_phase == 1 && now >= r.kill_at_ns)
			begin_stop(&r, NULL, now);
		if (pfd[0].revents & POLLIN) {
			uint64_t exp = 0;
			if (read(tfd, &exp, sizeof exp) == (ssize_t)sizeof exp && exp > 0) {
				ticks += exp;
				reap(&r);
				tick(&r, ticks - 1, exp - 1, bt_now_ns());
				/* Once killing, keep killing: what forked since the last
				 * list is on this tick's list. */
				if (r.stop_phase == 2)
					signal_run(&r, SIGKILL);
				/* The run is over when its root was reaped and nothing of
				 * it is left (in its cgroup, or in the tree + orphans). */
				size_t left = 0;
				if (r.root_done && sampler_run_listed(r.s, 1, &left) == 0 && left == 0) {
					r.end_ns = r.last_reap_ns;
					break;
				}
			}
		}
	}
	if (!r.end_ns)
		r.end_ns = bt_now_ns();
	drain_results(&r); /* what the run wrote last */
	if (r.res_bad > 3) {
		char t[96];
		snprintf(t, sizeof t, "%lu more result lines were not valid and were ignored", r.res_bad - 3);
		event_note(&r, t);
	}
	write_run_end(&r);
	rc = exit_status_of(r.root_status);
out:
	if (r.cg) {
		char e2[300];
		if (cg_run_destroy(r.cg, e2, sizeof e2))
			fprintf(stderr, "benchtop record: %s.\n", e2);
		r.cg = NULL;
	}
	uint64_t frame_bytes = trace_writer_frame_bytes(r.w), trace_bytes = trace_writer_bytes(r.w);
	int ce = trace_writer_close(r.w);
	if (ce && !r.write_failed) {
		fprintf(stderr, "benchtop record: finishing %s failed: %s.\n", o.out, strerror(-ce));
		rc = EXIT_FAIL;
	}
	if (r.write_failed)
		rc = EXIT_FAIL;
	if (!o.quiet && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	if (!o.quiet && r.sum.nruns) {
		summary_print_table(stdout, &r.sum);
		const struct run_summary *rs = &r.sum.runs[0];
		if (r.write_failed)
			printf("  %-22s %s is incomplete: writing it failed (%s) after %llu bytes\n", "trace", o.out,
			       strerror(-r.write_errno), (unsigned long long)trace_bytes);
		else
			printf("  %-22s %s, %.1f bytes per tick for %llu threads\n", "trace", o.out,
			       rs->ticks ? (double)frame_bytes / (double)rs->ticks : 0.0,
			       (unsigned long long)rs->threads_peak);
	}
	if (r.res_fd >= 0)
		close(r.res_fd);
	sampler_free(r.s);
	frame_free(&r.frame);
	summary_free(&r.sum);
	sysinfo_done(&r.info);
	free(o.env);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
