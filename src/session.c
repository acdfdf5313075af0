/* session — see session.h. */
#include "session.h"
#include "cgroup.h"
#include "launch.h"
#include "procfs.h"
#include "result.h"
#include "sampler.h"
#include "sysinfo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
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

#define EXIT_FAIL 125
#define RESULT_MAX_EVENTS 100000

/* ---- The plan ------------------------------------------------------------ */

struct run_spec *plan_add(struct plan *p)
{
	bt_grow((void **)&p->runs, &p->cap, p->n + 1, sizeof(*p->runs));
	struct run_spec *r = &p->runs[p->n++];
	memset(r, 0, sizeof(*r));
	r->rep = 1;
	return r;
}

void run_spec_setenv(struct run_spec *r, const char *kv)
{
	r->env = xreallocarray(r->env, r->nenv + 1, sizeof(char *));
	r->env[r->nenv++] = xstrdup(kv);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct run_spec *r = &p->runs[i];
		for (char **a = r->argv; a && *a; a++)
			free(*a);
		free(r->argv);
		for (size_t j = 0; j < r->nenv; j++)
			free(r->env[j]);
		free(r->env);
		free(r->workload);
		free(r->variant);
		free(r->params);
		free(r->binary_libc);
		free(r->label);
		free(r->cpuset);
	}
	free(p->runs);
	memset(p, 0, sizeof(*p));
}

/* ---- The session --------------------------------------------------------- */

struct session {
	const struct session_opts *o;
	const struct session_hooks *h;
	struct bt_sysinfo info;
	struct bt_trace_writer *w;
	struct summary *sum;
	struct bt_frame frame;
	uint64_t t0_ns; /* the trace's time 0 */
	uint64_t ticks; /* ticks written over the whole session */
	bool write_failed;
	int write_errno;
	bool skip_rest; /* stop requested: no more runs */
	bool interrupted;
	int stop_signal; /* what interrupted the session (q on the screen counts as SIGINT) */
	const char *stop_reason;
	struct rlimit nofile0; /* the limit the commands must see */
	bool have_nofile;
	bool have_info;
	bool cg_usable;      /* run cgroups can be made here (else /proc only) */
	struct cg_own *own;  /* benchtop's own cgroup's counters, or NULL */
	char cg_said[1200];  /* the last cgroup note printed: each is said once */
	/* the current run */
	const struct run_spec *spec;
	uint64_t run_id;
	bool busy;
	struct sampler *s;
	struct cg_run *cg;
	pid_t root;
	uint64_t start_ns, sched0_ns, start_wall_ns;
	bool root_done;
	int root_status;
	struct rusage all_ru;
	uint64_t end_ns, last_reap_ns;
	int stop_phase; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
	uint64_t kill_at_ns;
	const char *reason;
	char err[1024];
	uint64_t last_progress_ns;
	long oom0;
	struct result_reader res;
	int res_fd;
	unsigned long res_events, res_bad;
};

static uint64_t t_us(const struct session *s, uint64_t now_ns)
{
	return (now_ns - s->t0_ns) / 1000;
}

/* Every record goes to the trace, then to the summary and the caller. */
static void emit(struct session *s, const struct bt_record *rec)
{
	int e = !s->w			? 0
		: rec->type == TR_FRAME ? trace_write_frame(s->w, rec->frame)
					: trace_write_kv(s->w, rec->type, rec->run, rec->t_us, rec->kv, rec->nkv);
	if (e && !s->write_failed) {
		s->write_failed = true;
		s->write_errno = e;
		fprintf(stderr, "benchtop: writing %s failed (%s); the trace keeps what was written before, measuring goes on without it.\n",
			s->o->out, strerror(-e));
	}
	summary_add(s->sum, rec);
	if (s->h && s->h->record)
		s->h->record(s->h->ctx, rec);
}

static void emit_kv(struct session *s, enum trace_rec_type type, uint64_t run, uint64_t t, struct bt_kv *kv, size_t n)
{
	struct bt_record rec = { .type = type, .run = run, .t_us = t, .nkv = n, .kv = kv };
	emit(s, &rec);
}

static void event_note(struct session *s, const char *text)
{
	struct bt_kv kv[] = { { "type", "note" }, { "text", text } };
	emit_kv(s, TR_EVENT, s->run_id, t_us(s, bt_now_ns()), kv, 2);
}

/* Signal every process of the run (by pid, never by name). */
static void signal_run(struct session *s, int sig)
{
	int32_t *pids = NULL;
	size_t n = 0, cap = 0;
	if (s->cg)
		cg_run_pids(s->cg, &pids, &n, &cap);
	const struct bt_entity_list *pl = &s->frame.k[BT_K_PROC];
	for (size_t i = 0; i < pl->n; i++) {
		bt_grow((void **)&pids, &cap, n + 1, sizeof(*pids));
		pids[n++] = (int32_t)pl->items[i].key;
	}
	if (!s->root_done) {
		bt_grow((void **)&pids, &cap, n + 1, sizeof(*pids));
		pids[n++] = s->root;
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 1 && pids[i] != getpid())
			kill(pids[i], sig);
	free(pids);
}

static void begin_stop(struct session *s, const char *reason, uint64_t now)
{
	if (s->stop_phase == 0) {
		s->reason = reason;
		s->stop_phase = 1;
		s->kill_at_ns = now + (uint64_t)(s->o->grace_s * 1e9);
		signal_run(s, SIGTERM);
	} else {
		s->stop_phase = 2;
		signal_run(s, SIGKILL);
	}
}

void session_stop(struct session *s, const char *reason)
{
	s->skip_rest = true;
	s->interrupted = true;
	if (!s->stop_signal)
		s->stop_signal = SIGINT;
	if (!s->stop_reason)
		s->stop_reason = reason;
	if (s->busy)
		begin_stop(s, reason, bt_now_ns());
}

bool session_busy(const struct session *s)
{
	return s->busy;
}

static void rusage_add(struct rusage *sum, const struct rusage *ru)
{
	sum->ru_utime.tv_sec += ru->ru_utime.tv_sec;
	sum->ru_utime.tv_usec += ru->ru_utime.tv_usec;
	sum->ru_stime.tv_sec += ru->ru_stime.tv_sec;
	sum->ru_stime.tv_usec += ru->ru_stime.tv_usec;
	if (ru->ru_maxrss > sum->ru_maxrss)
		sum->ru_maxrss = ru->ru_maxrss;
	sum->ru_nvcsw += ru->ru_nvcsw;
	sum->ru_nivcsw += ru->ru_nivcsw;
}

static void reap(struct session *s)
{
	for (;;) {
		int st;
		struct rusage ru;
		pid_t p = wait4(-1, &st, WNOHANG, &ru);
		if (p <= 0)
			return;
		/* Every process of the run ends up reaped by its parent or by us
		 * (the subreaper): the last reap is when the run ended. */
		s->last_reap_ns = bt_now_ns();
		if (!s->s)
			continue;
		sampler_note_reaped(s->s, s->run_id, p, &ru);
		rusage_add(&s->all_ru, &ru);
		if (p == s->root) {
			s->root_done = true;
			s->root_status = st;
		}
	}
}

static void progress(struct session *s, uint64_t now)
{
	if (s->o->quiet || !s->o->progress || !isatty(STDERR_FILENO) || now - s->last_progress_ns < 500000000ull)
		return;
	s->last_progress_ns = now;
	const struct run_summary *rs = s->sum->nruns ? &s->sum->runs[s->sum->nruns - 1] : NULL;
	const struct bt_entity *e = frame_find(&s->frame, BT_K_RUN, s->run_id);
	char a[32], b[32];
	double cpu = 0;
	if (rs && rs->cpu_pct_n)
		cpu = rs->cpu_pct_sum / rs->cpu_pct_n;
	fprintf(stderr, "\r\033[K[benchtop] %s/%s %5.1f s  CPU avg %.0f %%  RSS %s  cgroup %s  threads %llu",
		s->spec->workload, s->spec->variant, (double)(now - s->start_ns) / 1e9, cpu,
		e && ent_has(e, RUN_RSS) ? bt_fmt_bytes(a, sizeof a, (double)e->v[RUN_RSS]) : "-",
		e && ent_has(e, RUN_CG_MEM) ? bt_fmt_bytes(b, sizeof b, (double)e->v[RUN_CG_MEM]) : "-",
		e ? (unsigned long long)e->v[RUN_NTHREADS] : 0ull);
}

static void tick(struct session *s, uint64_t index, uint64_t missed, uint64_t now)
{
	const struct sampler_name *names;
	size_t nn;
	sampler_tick(s->s, &s->frame, &names, &nn);
	uint64_t sched = s->sched0_ns + index * s->o->interval_ms * 1000000ull;
	s->frame.tick = s->ticks++;
	s->frame.t_us = t_us(s, now);
	s->frame.late_us = now > sched ? (now - sched) / 1000 : 0;
	s->frame.missed = missed;
	for (size_t i = 0; i < nn; i++) {
		char key[24];
		snprintf(key, sizeof key, "%llu", (unsigned long long)names[i].key);
		struct bt_kv kv[] = { { "kind", names[i].kind == BT_K_PROC ? "process" : "thread" },
				      { "id", key },
				      { "comm", names[i].comm } };
		emit_kv(s, TR_NAME, s->run_id, s->frame.t_us, kv, 3);
	}
	struct bt_record rec = { .type = TR_FRAME, .run = s->run_id, .frame = &s->frame, .t_us = s->frame.t_us };
	emit(s, &rec);
	if (s->w)
		trace_writer_maybe_sync(s->w, now, 5000000000ull);
	progress(s, now);
}

static char *joined(char *const *items, size_t n, const char *sep)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + strlen(sep);
	char *out = xmalloc(len), *p = out;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? sep : "", items[i]);
	return out;
}

/* env: what benchtop added to the run's environment (BENCHTOP_CPUS aside). */
static void write_run_start(struct session *s, const char *cgpath, const char *cpus_for_run, char *const *env,
			    size_t nenv)
{
	const struct run_spec *r = s->spec;
	size_t argc = 0;
	while (r->argv[argc])
		argc++;
	char *cmd = joined(r->argv, argc, " ");
	char *envs = joined(env, nenv, "\n");
	char cpus[32] = "", mem[32] = "", pid[16], start[32], argcs[24], rep[16];
	if (r->cpus > 0)
		snprintf(cpus, sizeof cpus, "%g", r->cpus);
	if (r->memory)
		snprintf(mem, sizeof mem, "%llu", (unsigned long long)r->memory);
	snprintf(pid, sizeof pid, "%d", (int)s->root);
	snprintf(start, sizeof start, "%llu", (unsigned long long)s->start_wall_ns);
	snprintf(argcs, sizeof argcs, "%zu", argc);
	snprintf(rep, sizeof rep, "%u", r->rep);
	struct bt_kv kv[64] = {
		{ "command", cmd }, { "argc", argcs }, { "workload", r->workload },
		{ "variant", r->variant ? r->variant : "default" }, { "rep", rep },
		{ "warmup", r->rep == 0 ? "1" : "0" }, { "params", r->params ? r->params : "" },
		{ "binary_libc", r->binary_libc ? r->binary_libc : "" },
		{ "label", r->label ? r->label : "" }, { "limit_cpus", cpus }, { "limit_memory", mem },
		{ "limit_cpuset", r->cpuset ? r->cpuset : "" }, { "cgroup", cgpath }, { "pid", pid },
		{ "start_wall_ns", start }, { "env", envs }, { "limits_applied", cgpath[0] ? "1" : "0" },
		{ "effective_cpus", cpus_for_run },
	};
	size_t n = 18;
	char keys[40][16];
	for (size_t i = 0; i < argc && n < BT_ARRAY_LEN(kv) && i < 40; i++) {
		snprintf(keys[i], sizeof keys[i], "argv.%zu", i);
		kv[n].key = keys[i];
		kv[n].val = r->argv[i];
		n++;
	}
	emit_kv(s, TR_RUN_START, s->run_id, t_us(s, s->start_ns), kv, n);
	free(cmd);
	free(envs);
}

static void write_run_end(struct session *s)
{
	char code[16] = "", sig[16] = "0", oom[4] = "0", wall[32], ut[32], st[32], rss[32], nv[32], niv[32];
	int status = s->root_status;
	bool oomk = false;
	if (s->cg) {
		long k = cg_run_oom_kills(s->cg);
		/* A SIGKILL from the OOM killer, not from benchtop's own stop. */
		if (k > s->oom0 && k >= 0 && s->stop_phase < 2)
			oomk = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (k > s->oom0 && !oomk) {
			char t[128];
			snprintf(t, sizeof t, "the kernel OOM-killed %ld process(es) of this run", k - s->oom0);
			event_note(s, t);
		}
	}
	if (WIFEXITED(status))
		snprintf(code, sizeof code, "%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(sig, sizeof sig, "%d", WTERMSIG(status));
	if (oomk)
		snprintf(oom, sizeof oom, "1");
	snprintf(wall, sizeof wall, "%llu", (unsigned long long)((s->end_ns - s->start_ns) / 1000));
	/* The kernel's accounting of the reaped tree: the root's rusage covers
	 * the descendants it waited for; orphans benchtop reaped are added. */
	snprintf(ut, sizeof ut, "%lld", (long long)(s->all_ru.ru_utime.tv_sec * 1000000LL + s->all_ru.ru_utime.tv_usec));
	snprintf(st, sizeof st, "%lld", (long long)(s->all_ru.ru_stime.tv_sec * 1000000LL + s->all_ru.ru_stime.tv_usec));
	snprintf(rss, sizeof rss, "%ld", s->all_ru.ru_maxrss);
	snprintf(nv, sizeof nv, "%ld", s->all_ru.ru_nvcsw);
	snprintf(niv, sizeof niv, "%ld", s->all_ru.ru_nivcsw);
	struct bt_kv kv[] = {
		{ "exit_code", WIFEXITED(status) ? code : "-1" }, { "signal", sig }, { "oom_killed", oom },
		{ "reason", s->reason ? s->reason : "exited" }, { "wall_us", wall }, { "ru_utime_us", ut },
		{ "ru_stime_us", st }, { "ru_maxrss_kb", rss }, { "ru_nvcsw", nv }, { "ru_nivcsw", niv },
	};
	emit_kv(s, TR_RUN_END, s->run_id, t_us(s, bt_now_ns()), kv, BT_ARRAY_LEN(kv));
}

/* One line of the result protocol: an event in the trace, or a note the
 * first few times a line is not valid. */
static void on_result_line(void *ctx, const char *line, bool too_long)
{
	struct session *s = ctx;
	struct result_line rl;
	const char *why = "the line is longer than 1024 bytes";
	if (too_long || !result_parse_line(line, &rl, &why)) {
		if (++s->res_bad <= 3) {
			char text[256];
			snprintf(text, sizeof text, "ignored a result line (%s): '%.60s'", why, line);
			event_note(s, text);
		}
		return;
	}
	if (++s->res_events > RESULT_MAX_EVENTS) {
		if (s->res_events == RESULT_MAX_EVENTS + 1)
			event_note(s, "more than 100000 result lines: the rest were ignored");
		return;
	}
	static const char *const kinds[] = { [RESULT_PHASE] = "phase", [RESULT_METRIC] = "metric",
					     [RESULT_INFO] = "info" };
	struct bt_kv kv[4] = { { "type", kinds[rl.kind] }, { "name", rl.name } };
	size_t n = 2;
	if (rl.kind == RESULT_METRIC) {
		kv[n++] = (struct bt_kv){ "value", rl.value };
		kv[n++] = (struct bt_kv){ "unit", rl.unit };
	} else if (rl.kind == RESULT_INFO) {
		kv[n++] = (struct bt_kv){ "text", rl.value };
	}
	emit_kv(s, TR_EVENT, s->run_id, t_us(s, bt_now_ns()), kv, n);
}

static void drain_results(struct session *s)
{
	if (s->res_fd >= 0 && !result_reader_feed(&s->res, on_result_line, s)) {
		close(s->res_fd);
		s->res_fd = -1;
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

/* The CPUs a run can really use: its quota and cpuset within benchtop's own
 * effective CPUs. Workloads size their thread pools from it. */
static int cpus_for_run(const struct session *s, const struct run_spec *r)
{
	double c = s->info.eff.cpus_effective > 0 ? s->info.eff.cpus_effective : s->info.eff.cpus_visible;
	if (r->cpus > 0 && r->cpus < c)
		c = r->cpus;
	if (r->cpuset) {
		int n = procfs_count_cpu_list(r->cpuset);
		if (n > 0 && n < c)
			c = n;
	}
	int n = (int)ceil(c - 1e-9);
	return n < 1 ? 1 : n;
}

/* One run: cgroup, launch, the poll loop until it is over, RUN_END.
 * Returns the run's exit status (126/127 when it could not start, 125 when
 * benchtop failed). */
static int run_one(struct session *s, const struct run_spec *r, uint64_t run_id, int tfd, int sfd)
{
	const struct session_opts *o = s->o;
	s->spec = r;
	s->run_id = run_id;
	s->cg = NULL;
	s->root = 0;
	s->root_done = false;
	s->root_status = 0;
	memset(&s->all_ru, 0, sizeof s->all_ru);
	s->end_ns = s->last_reap_ns = 0;
	s->stop_phase = 0;
	s->reason = NULL;
	s->res_events = s->res_bad = 0;
	s->res_fd = -1;
	frame_reset(&s->frame);

	char cgnote[1200] = "";
	if (!o->no_cgroup) {
		const char *why = NULL;
		struct cg_limits lim = { r->cpus, r->cpuset, r->memory };
		if (!s->cg_usable)
			why = s->info.cg_ok ? s->info.cannot_create_why : s->info.cg_error;
		else if (cg_run_create(&s->info.cg, &lim, (unsigned)run_id, &s->cg, s->err, sizeof s->err)) {
			s->cg = NULL;
			why = s->err;
		}
		bool limited = r->cpus > 0 || r->cpuset || r->memory;
		if (!why && s->cg && cg_run_warning(s->cg)[0])
			snprintf(cgnote, sizeof cgnote, "%s", cg_run_warning(s->cg));
		if (why)
			snprintf(cgnote, sizeof cgnote, "no cgroup for this run (%s): %smeasuring through /proc%s", why,
				 limited ? "limits not applied, " : "",
				 s->own ? " and benchtop's own cgroup" : " only");
	}
	/* Said once: a suite of many runs repeats the same reason. The trace
	 * keeps it with every run. */
	if (cgnote[0] && !o->quiet && strcmp(cgnote, s->cg_said) != 0) {
		fprintf(stderr, "benchtop: %s.\n", cgnote);
		snprintf(s->cg_said, sizeof s->cg_said, "%s", cgnote);
	}

	/* Per-thread status (context switches) is the dearest file: about once a second. */
	s->s = sampler_new("", o->interval_ms >= 1000 ? 1 : 1000 / o->interval_ms);
	sampler_set_own_cgroup(s->s, s->own);
	/* The result protocol: the command inherits the write end of a pipe
	 * and finds its number in BENCHTOP_RESULT_FD. Only our end is
	 * non-blocking: a workload's write must not fail with EAGAIN. */
	int res[2] = { -1, -1 };
	if (pipe2(res, O_CLOEXEC) == 0) {
		fcntl(res[0], F_SETFL, O_NONBLOCK);
		s->res_fd = res[0];
		result_reader_init(&s->res, res[0]);
	}
	/* BENCHTOP_CPUS: what the run may use, for workloads sizing pools. */
	char cpus_text[16], cpus_env[40];
	snprintf(cpus_text, sizeof cpus_text, "%d", cpus_for_run(s, r));
	snprintf(cpus_env, sizeof cpus_env, "BENCHTOP_CPUS=%s", cpus_text);
	/* --blas-threads: the BLAS and OpenMP pools sized for the run, before
	 * the user's own -e (which win: later putenv). */
	char blas1[48], blas2[48];
	int blas = r->blas_threads < 0 ? cpus_for_run(s, r) : r->blas_threads;
	snprintf(blas1, sizeof blas1, "OPENBLAS_NUM_THREADS=%d", blas);
	snprintf(blas2, sizeof blas2, "OMP_NUM_THREADS=%d", blas);
	char **env = xmalloc((r->nenv + 3) * sizeof(char *));
	size_t nenv = 0;
	env[nenv++] = cpus_env;
	if (r->blas_threads) {
		env[nenv++] = blas1;
		env[nenv++] = blas2;
	}
	for (size_t i = 0; i < r->nenv; i++)
		env[nenv++] = r->env[i];
	struct launch_spec spec = { r->argv, env, nenv, s->have_nofile ? &s->nofile0 : NULL, res[1], RESULT_ENV,
				    o->output_fd };
	s->start_ns = bt_now_ns();
	s->start_wall_ns = bt_wall_ns();
	if (s->cg)
		s->oom0 = cg_run_oom_kills(s->cg);
	int rc = launch_start(&spec, s->cg, &s->root, s->err, sizeof s->err);
	if (res[1] >= 0)
		close(res[1]); /* the run holds it now: EOF when its last writer exits */
	if (rc) {
		fprintf(stderr, "benchtop: %s.\n", s->err);
		/* As shells and timeout(1) do: 127 not found, 126 not executable. */
		rc = rc == -ENOENT ? 127 : rc == -EACCES || rc == -ENOEXEC ? 126 : EXIT_FAIL;
		/* In the trace too, so a replay and compare show the run that
		 * never ran and why. */
		write_run_start(s, s->cg ? cg_run_path(s->cg) : "", cpus_text, env + 1, nenv - 1);
		if (cgnote[0])
			event_note(s, cgnote);
		event_note(s, s->err);
		s->root_status = (rc & 0xff) << 8; /* as wait() reports exit(rc) */
		s->reason = "could not start";
		s->end_ns = bt_now_ns();
		write_run_end(s);
		goto out;
	}
	s->busy = true;
	write_run_start(s, s->cg ? cg_run_path(s->cg) : "", cpus_text, env + 1, nenv - 1);
	if (cgnote[0])
		event_note(s, cgnote);
	sampler_add_run(s->s, run_id, s->root, s->cg);

	struct itimerspec its = { { o->interval_ms / 1000, (long)(o->interval_ms % 1000) * 1000000L }, { 0, 0 } };
	/* Tick 0 right after the launch, then on absolute deadlines from it. */
	s->sched0_ns = bt_now_ns();
	its.it_value.tv_sec = (time_t)(s->sched0_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(s->sched0_ns % 1000000000ull);
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		/* Without ticks nothing can be measured or ended on schedule:
		 * end the run now (its own process group) and say so. */
		fprintf(stderr, "benchtop: cannot arm the sampling timer: %s.\n", strerror(errno));
		kill(-s->root, SIGKILL);
		int st = 0;
		while (waitpid(s->root, &st, 0) < 0 && errno == EINTR)
			;
		s->root_status = st;
		s->root_done = true;
		s->reason = "benchtop failed";
		s->end_ns = bt_now_ns();
		write_run_end(s);
		rc = EXIT_FAIL;
		goto out;
	}
	if (s->skip_rest) /* a stop came while starting */
		begin_stop(s, s->stop_reason, bt_now_ns());
	uint64_t ticks = 0, last_hook = 0;
	uint64_t deadline = o->timeout_s > 0 ? s->start_ns + (uint64_t)(o->timeout_s * 1e9) : 0;
	int in_fd = s->h ? s->h->input_fd : -1;
	for (;;) {
		struct pollfd pfd[4] = { { tfd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { s->res_fd, POLLIN, 0 }, { in_fd, POLLIN, 0 } };
		int pr = poll(pfd, 4, 1000);
		if (pr < 0 && errno != EINTR)
			break;
		uint64_t now = bt_now_ns();
		if (s->res_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			drain_results(s);
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo == SIGCHLD) {
					reap(s);
				} else {
					s->skip_rest = s->interrupted = true;
					if (!s->stop_signal)
						s->stop_signal = (int)si.ssi_signo;
					begin_stop(s, si.ssi_signo == SIGINT ? "stopped by Ctrl-C" : "stopped by a signal", now);
				}
			}
		}
		if (in_fd >= 0 && (pfd[3].revents & (POLLIN | POLLHUP | POLLERR)) && s->h->input)
			s->h->input(s->h->ctx, s);
		if (deadline && now >= deadline && s->stop_phase == 0)
			begin_stop(s, "timeout", now);
		if (s->stop_phase == 1 && now >= s->kill_at_ns)
			begin_stop(s, NULL, now);
		bool ticked = false;
		if (pfd[0].revents & POLLIN) {
			uint64_t exp = 0;
			if (read(tfd, &exp, sizeof exp) == (ssize_t)sizeof exp && exp > 0) {
				ticks += exp;
				reap(s);
				tick(s, ticks - 1, exp - 1, bt_now_ns());
				ticked = true;
				/* Once killing, keep killing: what forked since the last
				 * list is on this tick's list. */
				if (s->stop_phase == 2)
					signal_run(s, SIGKILL);
			}
		}
		if (s->h && s->h->tick && (ticked || now - last_hook >= 1000000000ull)) {
			last_hook = now;
			s->h->tick(s->h->ctx, s, now);
		}
		/* The run is over when its root was reaped and nothing of it is
		 * left (in its cgroup, or in the tree + orphans). */
		size_t left = 0;
		if (ticked && s->root_done && sampler_run_listed(s->s, run_id, &left) == 0 && left == 0) {
			s->end_ns = s->last_reap_ns;
			break;
		}
	}
	if (!s->end_ns)
		s->end_ns = bt_now_ns();
	drain_results(s); /* what the run wrote last */
	if (s->res_bad > 3) {
		char t[96];
		snprintf(t, sizeof t, "%lu more result lines were not valid and were ignored", s->res_bad - 3);
		event_note(s, t);
	}
	write_run_end(s);
	rc = exit_status_of(s->root_status);
out:
	free(env);
	s->busy = false;
	/* Disarm the timer until the next run. */
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	timerfd_settime(tfd, 0, &off, NULL);
	if (s->cg) {
		char e2[300];
		if (cg_run_destroy(s->cg, e2, sizeof e2))
			fprintf(stderr, "benchtop: %s.\n", e2);
		s->cg = NULL;
	}
	if (s->res_fd >= 0)
		close(s->res_fd);
	s->res_fd = -1;
	sampler_free(s->s);
	s->s = NULL;
	if (!o->quiet && o->progress && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	return rc;
}

static void write_meta(struct session *s, bool rt)
{
	char *store = NULL;
	struct bt_kv meta[40];
	size_t nm = sysinfo_meta(&s->info, meta, BT_ARRAY_LEN(meta) - 3, &store);
	char ival[16];
	snprintf(ival, sizeof ival, "%u", s->o->interval_ms);
	meta[nm++] = (struct bt_kv){ "interval_ms", ival };
	meta[nm++] = (struct bt_kv){ "sampler_sched", rt ? "fifo" : "other" };
	emit_kv(s, TR_META, 0, 0, meta, nm);
	free(store);
}

/* The plan, one session event per run, before the first run starts: a
 * replay shows runs that never started (stopped, or a command that could
 * not run) as such. */
static void write_plan(struct session *s, const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct run_spec *r = &p->runs[i];
		char id[24], rep[16];
		snprintf(id, sizeof id, "%zu", i + 1);
		snprintf(rep, sizeof rep, "%u", r->rep);
		struct bt_kv kv[] = { { "type", "plan" }, { "run", id }, { "workload", r->workload },
				      { "variant", r->variant ? r->variant : "default" }, { "rep", rep } };
		emit_kv(s, TR_EVENT, 0, 0, kv, BT_ARRAY_LEN(kv));
	}
}

int session_run(const struct session_opts *o, const struct plan *p, const struct session_hooks *hooks,
		struct summary *sum, struct session_result *res)
{
	memset(res, 0, sizeof(*res));
	struct session s;
	memset(&s, 0, sizeof s);
	s.o = o;
	s.h = hooks;
	s.sum = sum;
	s.res_fd = -1;
	s.have_nofile = raise_nofile(&s.nofile0);
	int werr = 0;
	s.w = o->out ? trace_writer_open(o->out, o->force, &werr) : NULL;
	if (o->out && !s.w) {
		if (werr == -EEXIST)
			fprintf(stderr, "benchtop: %s already exists; choose another file or pass --force to overwrite it.\n", o->out);
		else
			fprintf(stderr, "benchtop: cannot create %s: %s.\n", o->out, strerror(-werr));
		res->status = EXIT_FAIL;
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
	int status = 0;
	if (sfd < 0 || tfd < 0) {
		fprintf(stderr, "benchtop: cannot create the %s descriptor: %s.\n", sfd < 0 ? "signal" : "timer",
			strerror(errno));
		status = EXIT_FAIL;
		goto done;
	}
	/* Orphans of a run are re-parented to us, so their CPU time is not
	 * lost and the tree stays complete without cgroups. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Ticks on time with the machine busy need the scheduler's help: run the
	 * sampler at the lowest real-time priority where allowed (root, or
	 * CAP_SYS_NICE). RESET_ON_FORK: commands run as they would without
	 * benchtop. A sleeping sampler costs the workload nothing more. */
	struct sched_param sp = { .sched_priority = 1 };
	bool rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
	sysinfo_collect(&s.info, "");
	s.have_info = true;
	frame_init(&s.frame);
	s.t0_ns = bt_now_ns();
	write_meta(&s, rt);
	write_plan(&s, p);
	s.cg_usable = s.info.cg_ok && s.info.can_create && !o->no_cgroup;
	if (s.cg_usable) {
		char rep[1024];
		int left = cg_cleanup_leftovers(&s.info.cg, rep, sizeof rep);
		if (left > 0 && !o->quiet)
			fprintf(stderr, "benchtop: removed %d cgroup(s) left by a benchtop that died: %s\n", left, rep);
	}
	if (s.info.cg_ok)
		s.own = cg_own_open(&s.info.cg);
	bool all_ok = true;
	for (size_t i = 0; i < p->n && !s.skip_rest; i++) {
		if (hooks && hooks->run_begins)
			hooks->run_begins(hooks->ctx, i, i + 1);
		int rc = run_one(&s, &p->runs[i], i + 1, tfd, sfd);
		res->runs_done++;
		if (p->n == 1)
			status = rc;
		else if (rc != 0 && all_ok) {
			status = rc;
			all_ok = false;
		}
		/* A command that cannot start will not start on the next rep. */
		if (rc == 126 || rc == 127)
			break;
	}
	if (s.interrupted) {
		char t[160];
		snprintf(t, sizeof t, "the session was stopped (%s): %zu of %zu runs made", s.stop_reason ? s.stop_reason : "stopped",
			 res->runs_done, p->n);
		struct bt_kv kv[] = { { "type", "note" }, { "text", t } };
		emit_kv(&s, TR_EVENT, 0, t_us(&s, bt_now_ns()), kv, 2);
		/* As a shell reports a job it stopped: 128 + the signal, whatever
		 * the runs' own statuses (a run ended by our SIGTERM says 143). */
		status = 128 + (s.stop_signal ? s.stop_signal : SIGINT);
	}
done:
	res->ticks = s.ticks;
	res->frame_bytes = s.w ? trace_writer_frame_bytes(s.w) : 0;
	res->trace_bytes = s.w ? trace_writer_bytes(s.w) : 0;
	int ce = s.w ? trace_writer_close(s.w) : 0;
	if (ce && !s.write_failed) {
		fprintf(stderr, "benchtop: finishing %s failed: %s.\n", o->out, strerror(-ce));
		s.write_failed = true;
		s.write_errno = ce;
	}
	if (s.write_failed)
		status = EXIT_FAIL;
	res->write_failed = s.write_failed;
	res->write_errno = s.write_errno;
	res->interrupted = s.interrupted;
	res->status = status;
	if (s.have_info)
		frame_free(&s.frame);
	cg_own_free(s.own);
	if (s.have_info && cg_v2_release(&s.info.cg) != 0 && s.info.cg.v2_leaf && !o->quiet)
		fprintf(stderr, "benchtop: could not move back out of %s and remove it (a controller stays enabled "
				"for other cgroups beneath %s); remove it once benchtop has exited.\n",
			s.info.cg.v2_leaf, s.info.cg.ctl[CG_CPUACCT].own_dir);
	if (s.have_info)
		sysinfo_done(&s.info);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
