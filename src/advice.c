/* advice — see advice.h. Records are folded into per-run accumulators as
 * they come; findings are computed from those on request. */
#include "advice.h"
#include "frame.h"
#include "procfs.h"
#include "summary.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Thresholds ---------------------------------------------------------- */

/* Below a second or five samples a run says too little: a start-up burst
 * would pass for its character. */
#define MIN_SAMPLES 5
#define MIN_SPAN_US 1000000ull

/* Oversubscribed: the median count of the run's own runnable threads is at
 * least 1.5 times the CPUs it may use AND at least one whole thread more.
 * The ratio keeps a program that briefly wakes a helper from counting; the
 * extra thread keeps one thread under a fractional quota (1 runnable for
 * 0.5 CPU) from counting: there is no thread count to lower there. */
#define OVERSUB_MIN_RATIO 1.5
#define OVERSUB_MIN_EXTRA 1.0
/* ... and it cost something, by any of three signs. A CPU quota throttling
 * half its periods or more means the run hit its quota most of the time. */
#define THROTTLE_MIN_SHARE 0.5
#define THROTTLE_MIN_PERIODS 10 /* fewer periods: a share of noise */
/* Involuntary switches per runnable thread per second: CFS gives two
 * threads sharing a CPU slices of a few ms (100+ switches a second each);
 * 20 is well below that yet above what a thread alone on an idle CPU sees.
 * On a busy machine a lone thread sees more, which is why this only
 * confirms a runnable count already above the CPUs. */
#define INVOL_MIN_RATE_PER_THREAD 20.0
/* Its working threads waited on a run queue (or throttled) a quarter of
 * their time: the time lost is a large share of the run. */
#define RQ_WAIT_MIN_SHARE 0.25

/* Visible CPUs: a warning when the runnable threads reached the visible CPU
 * count in a quarter of the samples or more (a pool sized by cpu_count at
 * work, not a one-off); otherwise information. */
#define VISIBLE_POOL_MIN_SHARE 0.25

/* A thread counts as working when it ran at least 1 % of the time it was
 * seen: idle helper threads (a runtime's, a server's housekeeping) would
 * otherwise make every run look like waiting, while a client that mostly
 * waits for its server still passes. */
#define WORKING_MIN_CPU_SHARE 0.01
/* CPU-bound: its working threads computed 80 % of the time they were not
 * waiting for a CPU. */
#define CPU_BOUND_MIN_SHARE 0.80
/* Both of their own time, the run-queue wait left out (see own_cpu_share);
 * wait-bound: blocked 60 % of it or more (in between: mixed). */
#define WAIT_BOUND_MIN_SHARE 0.60
/* Among blocked samples, half in D state (uninterruptible, usually disk IO)
 * makes the waiting IO; so does IO pressure 20 % of the time. */
#define IO_MIN_D_SHARE 0.50
#define IO_MIN_PSI_SHARE 0.20
/* A thread that spent 95 % of its time waiting for a CPU shows too little
 * of its own to say what it is. */
#define MIN_OWN_SHARE 0.05
/* Contended: a quarter of the time waiting for a CPU (RQ_WAIT_MIN_SHARE)
 * with no more runnable threads than CPUs; a quota throttling a tenth of
 * the periods or more could explain the wait itself, so then nothing. */
#define CONTENDED_MAX_THROTTLE_SHARE 0.10

/* Memory within 10 % of its limit: the next allocation peak may reclaim
 * hard or OOM. */
#define MEM_NEAR_LIMIT_SHARE 0.90

/* Major faults: each one waits for a read from disk or swap. A program's
 * cold start takes hundreds; 2000 and 200 a second on average over the run
 * is a working set that does not stay in memory. */
#define MAJFLT_MIN_COUNT 2000
#define MAJFLT_MIN_RATE 200.0

/* Bounds on what one run keeps. */
#define NR_HIST 256              /* runnable-thread histogram buckets */
#define MAX_THREADS_PER_RUN 65536 /* thread accumulators per run */
#define MAX_FINDINGS ADV_NKINDS

/* ---- Accumulators -------------------------------------------------------- */

/* A counter that only rises but whose sum drops when a process exits: the
 * rise is the sum of increases. A new run's counters start at zero. */
struct adv_ctr {
	bool have;
	uint64_t last, rise, t_last;
};

struct adv_thread {
	uint64_t tid;
	uint64_t last_frame; /* advice frame_seq when last seen */
	bool seen, have_sched, have_tk;
	uint64_t base_run_us, base_wait_us, base_t_us, base_tk;
	uint64_t on_us, rq_us, span_us; /* schedstat sums between sightings */
	uint64_t cpu_tk;                /* utime+stime risen */
	uint64_t st_r, st_d, st_s, st_o; /* sampled states */
};

struct adv_run {
	uint64_t id;
	char *workload, *variant, *env, *params, *cpuset;
	double limit_cpus;
	int effective_cpus;
	uint64_t limit_mem;
	bool limits_applied;
	uint64_t start_us, last_t_us, end_us;
	bool ended, oom_killed;
	/* frames */
	uint64_t samples;
	uint64_t nr_hist[NR_HIST], nr_n;
	double nr_sum;
	bool have_throttle, have_thr_ns;
	uint64_t periods, throttled, thr_ns;
	/* benchtop's own cgroup (a container's) while the run ran: its
	 * throttling stands in for a run that had no cgroup of its own */
	struct adv_ctr own_periods, own_thr, own_thr_ns;
	struct adv_ctr invol, majflt, rd, wr, psi_io, psi_mem;
	bool cpu_src_set, cpu_from_cg, have_cpu;
	uint64_t cpu_ns;
	bool have_cgmem, have_nonfile, have_rss, have_oom;
	uint64_t cgmem_peak, nonfile_peak, file_at_nonfile_peak, rss_peak, oom_kills;
	/* reported by the run */
	char *blas_core, *blas_config;
	/* threads, sorted by tid */
	struct adv_thread *thr;
	size_t nthr, thrcap;
	/* the last computed findings */
	struct finding f[MAX_FINDINGS];
	size_t nf;
};

void advice_init(struct advice *a)
{
	memset(a, 0, sizeof(*a));
	a->clk_tck = 100;
}

static void clear_findings(struct adv_run *r)
{
	for (size_t i = 0; i < r->nf; i++) {
		free(r->f[i].text);
		free(r->f[i].fix);
	}
	r->nf = 0;
}

void advice_free(struct advice *a)
{
	for (size_t i = 0; i < a->nruns; i++) {
		struct adv_run *r = &a->runs[i];
		clear_findings(r);
		free(r->workload);
		free(r->variant);
		free(r->env);
		free(r->params);
		free(r->cpuset);
		free(r->blas_core);
		free(r->blas_config);
		free(r->thr);
	}
	free(a->runs);
	free(a->cpu_flags);
	memset(a, 0, sizeof(*a));
}

size_t advice_nruns(const struct advice *a)
{
	return a->nruns;
}

uint64_t advice_run_id(const struct advice *a, size_t i)
{
	return i < a->nruns ? a->runs[i].id : 0;
}

static struct adv_run *find_run(struct advice *a, uint64_t id)
{
	for (size_t i = 0; i < a->nruns; i++)
		if (a->runs[i].id == id)
			return &a->runs[i];
	return NULL;
}

static double num_or(const char *s, double dflt)
{
	double v;
	return s && bt_parse_double(s, &v) ? v : dflt;
}

static void replace(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

/* ---- Key/value records --------------------------------------------------- */

static void add_meta(struct advice *a, const struct bt_record *rec)
{
	/* Only the keys present change: a driver may add facts in a record of
	 * its own before the trace's. */
	double v = num_or(trace_kv_get(rec, "clk_tck"), 0);
	if (v > 0)
		a->clk_tck = (long)v;
	v = num_or(trace_kv_get(rec, "cpus_visible"), 0);
	if (v > 0)
		a->cpus_visible = (int)v;
	v = num_or(trace_kv_get(rec, "cpus_effective"), 0);
	if (v > 0)
		a->cpus_effective = v;
	v = num_or(trace_kv_get(rec, "mem_limit"), -1);
	if (v >= 0)
		a->mem_limit = (uint64_t)v;
	v = num_or(trace_kv_get(rec, "cgroup_version"), -1);
	if (v >= 0)
		a->cgroup_version = (int)v;
	const char *flags = trace_kv_get(rec, "cpu_flags");
	if (flags && flags[0])
		replace(&a->cpu_flags, flags);
}

static void add_run_start(struct advice *a, const struct bt_record *rec)
{
	if (find_run(a, rec->run))
		return; /* a duplicate start in a damaged trace: keep the first */
	bt_grow((void **)&a->runs, &a->cap, a->nruns + 1, sizeof(*a->runs));
	struct adv_run *r = &a->runs[a->nruns++];
	memset(r, 0, sizeof(*r));
	r->id = rec->run;
	r->start_us = r->last_t_us = rec->t_us;
	r->workload = xstrdup(trace_kv_get(rec, "workload") ? trace_kv_get(rec, "workload") : "command");
	r->variant = xstrdup(trace_kv_get(rec, "variant") ? trace_kv_get(rec, "variant") : "default");
	r->env = xstrdup(trace_kv_get(rec, "env") ? trace_kv_get(rec, "env") : "");
	r->params = xstrdup(trace_kv_get(rec, "params") ? trace_kv_get(rec, "params") : "");
	r->cpuset = xstrdup(trace_kv_get(rec, "limit_cpuset") ? trace_kv_get(rec, "limit_cpuset") : "");
	r->limit_cpus = num_or(trace_kv_get(rec, "limit_cpus"), 0);
	r->effective_cpus = (int)num_or(trace_kv_get(rec, "effective_cpus"), 0);
	r->limit_mem = (uint64_t)num_or(trace_kv_get(rec, "limit_memory"), 0);
	r->limits_applied = num_or(trace_kv_get(rec, "limits_applied"), 1) != 0;
}

static void add_event(struct adv_run *r, const struct bt_record *rec)
{
	const char *type = trace_kv_get(rec, "type"), *name = trace_kv_get(rec, "name");
	const char *text = trace_kv_get(rec, "text");
	if (!type || !name || !text || strcmp(type, "info") != 0)
		return;
	if (strcmp(name, "openblas_core") == 0)
		replace(&r->blas_core, text);
	else if (strcmp(name, "openblas_config") == 0)
		replace(&r->blas_config, text);
}

static void add_run_end(struct adv_run *r, const struct bt_record *rec)
{
	r->ended = true;
	r->end_us = rec->t_us;
	double w = num_or(trace_kv_get(rec, "wall_us"), -1);
	if (w >= 0)
		r->end_us = r->start_us + (uint64_t)w;
	r->oom_killed = num_or(trace_kv_get(rec, "oom_killed"), 0) != 0;
}

/* ---- Frames -------------------------------------------------------------- */

static void ctr_feed(struct adv_ctr *c, const struct bt_entity *e, unsigned field, uint64_t t_us)
{
	if (!ent_has(e, field))
		return;
	uint64_t v = e->v[field];
	if (!c->have)
		c->rise = v; /* from zero at the run's start */
	else if (v >= c->last)
		c->rise += v - c->last;
	c->last = v;
	c->have = true;
	c->t_last = t_us;
}

/* Like ctr_feed for a counter that did not start with the run (benchtop's
 * own cgroup's): it rises from its first sighting. */
static void ctr_feed_from_first(struct adv_ctr *c, const struct bt_entity *e, unsigned field, uint64_t t_us)
{
	if (ent_has(e, field) && !c->have) {
		c->have = true;
		c->last = e->v[field];
		c->rise = 0;
		c->t_last = t_us;
		return;
	}
	ctr_feed(c, e, field, t_us);
}

/* The throttling that bore on a run: its own cgroup's, or where it had
 * none, benchtop's own cgroup's (in a container, the container's quota
 * holds the run). *own says which. False when neither is known. */
static bool run_throttle(const struct adv_run *r, uint64_t *periods, uint64_t *throttled, uint64_t *thr_ns,
			 bool *have_ns, bool *own)
{
	/* The run's own cgroup, when it had a quota (periods counted); else
	 * benchtop's (a container's quota holds the run and its cgroup too). */
	bool own_known = r->own_periods.have && r->own_thr.have && r->own_periods.rise > 0;
	if (r->have_throttle && (r->periods > 0 || !own_known)) {
		*periods = r->periods, *throttled = r->throttled, *thr_ns = r->thr_ns;
		*have_ns = r->have_thr_ns;
		*own = false;
		return true;
	}
	if (!own_known)
		return false;
	*periods = r->own_periods.rise, *throttled = r->own_thr.rise, *thr_ns = r->own_thr_ns.rise;
	*have_ns = r->own_thr_ns.have;
	*own = true;
	return true;
}

static void add_run_entity(struct advice *a, struct adv_run *r, const struct bt_entity *e, uint64_t t_us)
{
	r->samples++;
	r->last_t_us = t_us;
	bool procs_alive = !ent_has(e, RUN_NPROCS) || e->v[RUN_NPROCS] > 0;
	if (ent_has(e, RUN_NRUNNING) && procs_alive) {
		uint64_t n = e->v[RUN_NRUNNING];
		r->nr_hist[n < NR_HIST ? n : NR_HIST - 1]++;
		r->nr_sum += (double)n;
		r->nr_n++;
	}
	if (ent_has(e, RUN_CG_PERIODS) && ent_has(e, RUN_CG_THROTTLED)) {
		r->have_throttle = true;
		r->periods = e->v[RUN_CG_PERIODS];
		r->throttled = e->v[RUN_CG_THROTTLED];
		if (ent_has(e, RUN_CG_THROTTLED_NS)) {
			r->have_thr_ns = true;
			r->thr_ns = e->v[RUN_CG_THROTTLED_NS];
		}
	}
	ctr_feed(&r->invol, e, RUN_CS_INVOL, t_us);
	ctr_feed(&r->majflt, e, RUN_MAJFLT, t_us);
	ctr_feed(&r->rd, e, RUN_READ_BYTES, t_us);
	ctr_feed(&r->wr, e, RUN_WRITE_BYTES, t_us);
	ctr_feed(&r->psi_io, e, RUN_CG_PSI_IO_SOME, t_us);
	ctr_feed(&r->psi_mem, e, RUN_CG_PSI_MEM_SOME, t_us);
	/* CPU from one source for the whole run, as summary does. */
	if (!r->cpu_src_set && (ent_has(e, RUN_CG_CPU_NS) || ent_has(e, RUN_TREE_USER_TK))) {
		r->cpu_src_set = true;
		r->cpu_from_cg = ent_has(e, RUN_CG_CPU_NS);
	}
	uint64_t ns;
	if (r->cpu_src_set && summary_run_cpu_ns(e, a->clk_tck, r->cpu_from_cg, &ns)) {
		r->have_cpu = true;
		if (ns > r->cpu_ns)
			r->cpu_ns = ns;
	}
	if (ent_has(e, RUN_CG_MEM)) {
		r->have_cgmem = true;
		uint64_t m = e->v[RUN_CG_MEM];
		if (m > r->cgmem_peak)
			r->cgmem_peak = m;
		/* Without the file cache: that part the kernel reclaims. */
		if (ent_has(e, RUN_CG_FILE)) {
			uint64_t file = e->v[RUN_CG_FILE] < m ? e->v[RUN_CG_FILE] : m;
			r->have_nonfile = true;
			if (m - file >= r->nonfile_peak) {
				r->nonfile_peak = m - file;
				r->file_at_nonfile_peak = file;
			}
		}
	}
	if (ent_has(e, RUN_CG_MEM_PEAK) && e->v[RUN_CG_MEM_PEAK] > r->cgmem_peak) {
		r->have_cgmem = true;
		r->cgmem_peak = e->v[RUN_CG_MEM_PEAK];
	}
	if (ent_has(e, RUN_RSS) && procs_alive) {
		r->have_rss = true;
		if (e->v[RUN_RSS] > r->rss_peak)
			r->rss_peak = e->v[RUN_RSS];
	}
	if (ent_has(e, RUN_CG_OOM_KILLS)) {
		r->have_oom = true;
		if (e->v[RUN_CG_OOM_KILLS] > r->oom_kills)
			r->oom_kills = e->v[RUN_CG_OOM_KILLS];
	}
}

/* The accumulator of tid in r, inserted in tid order; NULL when the run
 * already holds MAX_THREADS_PER_RUN. */
static struct adv_thread *thread_get(struct adv_run *r, uint64_t tid)
{
	size_t lo = 0, hi = r->nthr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->thr[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nthr && r->thr[lo].tid == tid)
		return &r->thr[lo];
	if (r->nthr >= MAX_THREADS_PER_RUN)
		return NULL;
	bt_grow((void **)&r->thr, &r->thrcap, r->nthr + 1, sizeof(*r->thr));
	memmove(&r->thr[lo + 1], &r->thr[lo], (r->nthr - lo) * sizeof(*r->thr));
	r->nthr++;
	memset(&r->thr[lo], 0, sizeof(r->thr[lo]));
	r->thr[lo].tid = tid;
	return &r->thr[lo];
}

static void add_thread_entity(struct advice *a, struct adv_thread *t, const struct bt_entity *te, uint64_t t_us)
{
	/* Deltas only between consecutive frames: a gap could hide the
	 * thread's end and its tid's reuse. */
	bool adjacent = t->seen && t->last_frame + 1 == a->frame_seq;
	if (ent_has(te, THR_RUN_US) && ent_has(te, THR_WAIT_US)) {
		uint64_t run = te->v[THR_RUN_US], wait = te->v[THR_WAIT_US];
		if (adjacent && t->have_sched && run >= t->base_run_us && wait >= t->base_wait_us &&
		    t_us > t->base_t_us) {
			t->on_us += run - t->base_run_us;
			t->rq_us += wait - t->base_wait_us;
			t->span_us += t_us - t->base_t_us;
		}
		t->have_sched = true;
		t->base_run_us = run;
		t->base_wait_us = wait;
		t->base_t_us = t_us;
	} else {
		t->have_sched = false;
	}
	if (ent_has(te, THR_UTIME) && ent_has(te, THR_STIME)) {
		uint64_t tk = te->v[THR_UTIME] + te->v[THR_STIME];
		if (adjacent && t->have_tk && tk >= t->base_tk)
			t->cpu_tk += tk - t->base_tk;
		t->have_tk = true;
		t->base_tk = tk;
	} else {
		t->have_tk = false;
	}
	if (ent_has(te, THR_STATE)) {
		switch ((char)te->v[THR_STATE]) {
		case 'R': t->st_r++; break;
		case 'D': t->st_d++; break;
		case 'S': t->st_s++; break;
		default: t->st_o++; break;
		}
	}
	t->seen = true;
	t->last_frame = a->frame_seq;
}

static void add_frame(struct advice *a, const struct bt_frame *f)
{
	a->frame_seq++;
	const struct bt_entity_list *runs = &f->k[BT_K_RUN];
	const struct bt_entity *sys = f->k[BT_K_SYS].n ? &f->k[BT_K_SYS].items[0] : NULL;
	for (size_t i = 0; i < runs->n; i++) {
		struct adv_run *r = find_run(a, runs->items[i].key);
		if (r && !r->ended) {
			add_run_entity(a, r, &runs->items[i], f->t_us);
			if (sys) {
				ctr_feed_from_first(&r->own_periods, sys, SYS_OWN_PERIODS, f->t_us);
				ctr_feed_from_first(&r->own_thr, sys, SYS_OWN_THROTTLED, f->t_us);
				ctr_feed_from_first(&r->own_thr_ns, sys, SYS_OWN_THROTTLED_NS, f->t_us);
			}
		}
	}
	/* A thread belongs to the run of its process in the same frame. */
	const struct bt_entity_list *thr = &f->k[BT_K_THREAD];
	for (size_t i = 0; i < thr->n; i++) {
		const struct bt_entity *te = &thr->items[i];
		if (!ent_has(te, THR_PID))
			continue;
		const struct bt_entity *p = frame_find(f, BT_K_PROC, te->v[THR_PID]);
		if (!p || !ent_has(p, PROC_RUN))
			continue;
		struct adv_run *r = find_run(a, p->v[PROC_RUN]);
		if (!r || r->ended)
			continue;
		struct adv_thread *t = thread_get(r, te->key);
		if (t)
			add_thread_entity(a, t, te, f->t_us);
	}
}

void advice_add(struct advice *a, const struct bt_record *rec)
{
	switch (rec->type) {
	case TR_META: add_meta(a, rec); return;
	case TR_RUN_START: add_run_start(a, rec); return;
	case TR_FRAME: add_frame(a, rec->frame); return;
	case TR_EVENT:
	case TR_RUN_END: {
		struct adv_run *r = find_run(a, rec->run);
		if (r && rec->type == TR_EVENT)
			add_event(r, rec);
		else if (r)
			add_run_end(r, rec);
		return;
	}
	default: return;
	}
}

/* ---- Derived numbers ----------------------------------------------------- */

static uint64_t run_span_us(const struct adv_run *r)
{
	uint64_t end = r->ended && r->end_us > r->start_us ? r->end_us : r->last_t_us;
	return end > r->start_us ? end - r->start_us : 0;
}

static bool long_enough(const struct adv_run *r)
{
	return r->samples >= MIN_SAMPLES && r->last_t_us > r->start_us && r->last_t_us - r->start_us >= MIN_SPAN_US;
}

/* Per second over the run's samples; false when unknown. */
static bool ctr_rate(const struct adv_run *r, const struct adv_ctr *c, double *rate)
{
	if (!c->have || c->t_last <= r->start_us)
		return false;
	*rate = (double)c->rise / ((double)(c->t_last - r->start_us) / 1e6);
	return true;
}

/* The CPUs the run may use (fractional) and what limits it; 0 when unknown.
 * The same rule as the session's BENCHTOP_CPUS, before rounding up. */
static double run_capacity(const struct advice *a, const struct adv_run *r, const char **why)
{
	double c = a->cpus_effective > 0 ? a->cpus_effective : a->cpus_visible;
	*why = a->cpus_effective > 0 && a->cpus_visible > 0 && a->cpus_effective < a->cpus_visible
		       ? "the limit benchtop itself runs under"
		       : "the machine's";
	if (r->limits_applied) {
		if (r->limit_cpus > 0 && (c <= 0 || r->limit_cpus < c)) {
			c = r->limit_cpus;
			*why = "its CPU quota";
		}
		int n = r->cpuset[0] ? procfs_count_cpu_list(r->cpuset) : -1;
		if (n > 0 && (c <= 0 || n < c)) {
			c = n;
			*why = "its cpuset";
		}
	}
	if (c <= 0 && r->effective_cpus > 0) {
		c = r->effective_cpus;
		*why = "BENCHTOP_CPUS";
	}
	return c;
}

/* Whole CPUs to size pools by: what the run was told, else rounded up. */
static int run_threads_for(const struct advice *a, const struct adv_run *r)
{
	if (r->effective_cpus > 0)
		return r->effective_cpus;
	const char *why;
	double c = run_capacity(a, r, &why);
	int n = (int)ceil(c - 1e-9);
	return n < 1 ? 1 : n;
}

/* The runnable-thread count that a share q of the samples do not exceed. */
static double nr_quantile(const struct adv_run *r, double q)
{
	uint64_t need = (uint64_t)ceil(q * (double)r->nr_n), seen = 0;
	for (size_t i = 0; i < NR_HIST; i++) {
		seen += r->nr_hist[i];
		if (seen >= need && seen)
			return (double)i;
	}
	return 0;
}

/* Share of samples with more than `above` runnable threads. */
static double nr_share_above(const struct adv_run *r, double above)
{
	if (!r->nr_n)
		return 0;
	uint64_t n = 0;
	for (size_t i = 0; i < NR_HIST; i++)
		if ((double)i > above + 1e-9)
			n += r->nr_hist[i];
	return (double)n / (double)r->nr_n;
}

/* How the run's working threads spent their time. */
struct adv_time {
	bool known, from_sched;
	size_t working;
	double on, rq, blocked; /* shares of their time (from_sched) */
	double want;            /* on + rq, or the R share of samples */
	double d_of_blocked;    /* share of D among blocked samples; -1 unknown */
};

/* Whether t is a working thread (see WORKING_MIN_CPU_SHARE). */
static bool working(const struct adv_thread *t)
{
	return t->span_us && (double)t->on_us >= WORKING_MIN_CPU_SHARE * (double)t->span_us;
}

/* How the run's working threads spent their time: from schedstat when the
 * threads had it, else from the states sampled at each tick. */
static void time_shares(const struct adv_run *r, struct adv_time *out)
{
	memset(out, 0, sizeof(*out));
	out->d_of_blocked = -1;
	uint64_t sr = 0, sd = 0, ss = 0, so = 0;
	double on = 0, rq = 0, weight = 0;
	size_t nwork = 0, nsched = 0;
	for (size_t i = 0; i < r->nthr; i++)
		nwork += working(&r->thr[i]), nsched += r->thr[i].span_us > 0;
	/* With schedstat: the working threads, or all of them when none
	 * worked (a run that only waited). Each thread's shares count in
	 * proportion to the time it wanted a CPU (on one or waiting for one),
	 * so a main thread that starts workers and then waits in join does not
	 * make two spinning workers "mixed", while a starved thread keeps its
	 * weight; when none wanted a CPU, each counts alike. */
	for (size_t i = 0; nsched && i < r->nthr; i++) {
		const struct adv_thread *t = &r->thr[i];
		if (!t->span_us || (nwork && !working(t)))
			continue;
		double w = nwork ? (double)(t->on_us + t->rq_us) : 1.0, span = (double)t->span_us;
		on += w * (double)t->on_us / span;
		rq += w * (double)t->rq_us / span;
		weight += w;
		sr += t->st_r, sd += t->st_d, ss += t->st_s, so += t->st_o;
	}
	if (weight > 0) {
		out->known = out->from_sched = true;
		out->working = nwork;
		out->on = on / weight;
		out->rq = rq / weight;
		/* Two files read a moment apart can sum past the interval. */
		if (out->on + out->rq > 1) {
			double k = out->on + out->rq;
			out->on /= k;
			out->rq /= k;
		}
		out->want = out->on + out->rq;
		out->blocked = 1 - out->want;
	} else {
		/* No schedstat: the sampled states of threads that used CPU. */
		for (size_t i = 0; i < r->nthr; i++) {
			const struct adv_thread *t = &r->thr[i];
			if (!t->cpu_tk)
				continue;
			nwork++;
			sr += t->st_r, sd += t->st_d, ss += t->st_s, so += t->st_o;
		}
		uint64_t all = sr + sd + ss + so;
		if (all < MIN_SAMPLES) {
			out->known = false;
			return;
		}
		out->known = true;
		out->working = nwork;
		out->want = (double)sr / (double)all;
		out->blocked = 1 - out->want;
	}
	if (sd + ss + so)
		out->d_of_blocked = (double)sd / (double)(sd + ss + so);
}

/* ---- Building findings --------------------------------------------------- */

struct sbuf {
	char b[1024];
	size_t n;
};

static void sb_add(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	if (s->n >= sizeof s->b - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(s->b + s->n, sizeof s->b - s->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		s->n = s->n + (size_t)k < sizeof s->b ? s->n + (size_t)k : sizeof s->b - 1;
}

static struct finding *new_finding(struct adv_run *r, enum advice_kind kind, enum advice_severity sev,
				   const struct sbuf *text, const char *fix)
{
	if (r->nf >= MAX_FINDINGS)
		return NULL;
	struct finding *f = &r->f[r->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	f->text = xstrdup(text->b);
	f->fix = fix && fix[0] ? xstrdup(fix) : NULL;
	return f;
}

static void fnum(struct finding *f, const char *name, double v)
{
	if (f && f->nnum < ADVICE_MAX_NUMBERS && isfinite(v))
		f->num[f->nnum++] = (struct advice_number){ name, v };
}

static const char *cpus_text(char *buf, size_t size, double c)
{
	snprintf(buf, size, "%g CPU%s", c, c == 1 ? "" : "s");
	return buf;
}

/* Value of NAME=... in a '\n'-separated list or a blank-separated one. */
static bool list_value(const char *list, const char *name, char *out, size_t size)
{
	size_t l = strlen(name);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		size_t w = strcspn(p, " \n");
		if (w > l && strncmp(p, name, l) == 0 && p[l] == '=') {
			snprintf(out, size, "%.*s", (int)(w - l - 1), p + l + 1);
			return true;
		}
		p += w;
	}
	return false;
}

/* What to set so the run starts as many threads as it has CPUs. */
static void oversub_fix(const struct adv_run *r, int n, char *fix, size_t size)
{
	char v[64];
	if (list_value(r->params, "threads", v, sizeof v)) {
		snprintf(fix, size, "run it with --threads %d (it ran with threads=%s), the CPUs it may use", n, v);
		return;
	}
	long long k;
	if (list_value(r->env, "OPENBLAS_NUM_THREADS", v, sizeof v) && bt_parse_ll(v, &k) && k <= n) {
		snprintf(fix, size,
			 "OPENBLAS_NUM_THREADS=%s is already set, so the other threads are the program's own: size its pool to %d",
			 v, n);
		return;
	}
	if (r->blas_core)
		snprintf(fix, size, "set OPENBLAS_NUM_THREADS=%d (or OMP_NUM_THREADS=%d), the CPUs it may use", n, n);
	else
		snprintf(fix, size,
			 "run at most %d computing thread%s, the CPUs it may use: OPENBLAS_NUM_THREADS=%d for OpenBLAS, OMP_NUM_THREADS=%d for OpenMP, or the program's own thread option",
			 n, n == 1 ? "" : "s", n, n);
}

static void find_oversubscribed(struct advice *a, struct adv_run *r, const struct adv_time *tm)
{
	const char *why;
	double c = run_capacity(a, r, &why);
	if (c <= 0 || r->nr_n < MIN_SAMPLES || !long_enough(r))
		return;
	/* The median, not the mean: start-up and the last threads ending
	 * would pull a mean below what the run held most of its time. */
	double avg = r->nr_sum / (double)r->nr_n, med = nr_quantile(r, 0.5);
	if (med < OVERSUB_MIN_RATIO * c || med < c + OVERSUB_MIN_EXTRA)
		return;
	uint64_t periods = 0, nthr = 0, thr_ns = 0;
	bool have_ns = false, own = false;
	bool have_thr = run_throttle(r, &periods, &nthr, &thr_ns, &have_ns, &own);
	double thr_share = have_thr && periods ? (double)nthr / (double)periods : 0;
	bool throttled = have_thr && periods >= THROTTLE_MIN_PERIODS && thr_share >= THROTTLE_MIN_SHARE;
	double invol = 0;
	bool have_invol = ctr_rate(r, &r->invol, &invol);
	bool switching = have_invol && invol >= INVOL_MIN_RATE_PER_THREAD * avg;
	bool queued = tm->from_sched && tm->rq >= RQ_WAIT_MIN_SHARE;
	if (!throttled && !switching && !queued)
		return;
	char cb[32], tb[32], fix[256];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "oversubscribed: %.1f runnable threads on average (median %.0f) for %s (%s), more runnable threads than CPUs in %.0f %% of samples",
	       avg, med, cpus_text(cb, sizeof cb, c), why, 100 * nr_share_above(r, c));
	if (have_thr && periods) {
		sb_add(&s, "; %sthrottled in %.0f %% of %llu periods", own ? "benchtop's own cgroup (its quota holds the run) " : "",
		       100 * thr_share, (unsigned long long)periods);
		if (have_ns)
			sb_add(&s, " (%s throttled, summed over CPUs)", bt_fmt_duration(tb, sizeof tb, (double)thr_ns / 1e9));
	}
	if (have_invol)
		sb_add(&s, "; %.0f involuntary context switches a second", invol);
	if (tm->from_sched)
		sb_add(&s, "; its threads waited for a CPU %.0f %% of their time", 100 * tm->rq);
	int n = run_threads_for(a, r);
	oversub_fix(r, n, fix, sizeof fix);
	struct finding *f = new_finding(r, ADV_OVERSUBSCRIBED, ADV_WARNING, &s, fix);
	fnum(f, "runnable_avg", avg);
	fnum(f, "runnable_median", med);
	fnum(f, "cpus", c);
	fnum(f, "recommended_threads", n);
	if (have_thr && periods)
		fnum(f, own ? "own_cgroup_throttled_share" : "throttled_share", thr_share);
	if (have_thr && have_ns)
		fnum(f, own ? "own_cgroup_throttled_s" : "throttled_s", (double)thr_ns / 1e9);
	if (have_invol)
		fnum(f, "involuntary_cs_per_s", invol);
	if (tm->from_sched)
		fnum(f, "runqueue_wait_share", tm->rq);
}

static void find_visible_cpus(struct advice *a, struct adv_run *r, const struct adv_time *tm)
{
	const char *why;
	double c = run_capacity(a, r, &why);
	int n = run_threads_for(a, r), vis = a->cpus_visible;
	/* Working threads, not all: a runtime's idle helpers are no pool. */
	if (c <= 0 || vis <= n || !tm->known || tm->working <= (size_t)n || !long_enough(r))
		return;
	double at_vis = nr_share_above(r, vis - 1);
	bool pool = r->nr_n >= MIN_SAMPLES && at_vis >= VISIBLE_POOL_MIN_SHARE;
	char cb[32], fix[256];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "the run sees %d CPUs but may use %s (%s)", vis, cpus_text(cb, sizeof cb, c), why);
	if (pool)
		sb_add(&s, "; %zu of its threads worked, %d or more of them runnable in %.0f %% of samples, as a pool sized by the visible CPUs (os.cpu_count(), nproc, sysconf) does",
		       tm->working, vis, 100 * at_vis);
	else
		sb_add(&s, " and %zu of its threads worked: programs that size their pools by the visible CPUs (os.cpu_count(), nproc, sysconf) start too many workers here",
		       tm->working);
	snprintf(fix, sizeof fix, "size pools by the %d CPU%s the run may use (BENCHTOP_CPUS in its environment, or the cgroup's cpu.max)",
		 n, n == 1 ? "" : "s");
	struct finding *f = new_finding(r, ADV_VISIBLE_CPUS, pool ? ADV_WARNING : ADV_INFO, &s, fix);
	fnum(f, "cpus_visible", vis);
	fnum(f, "cpus", c);
	fnum(f, "working_threads", (double)tm->working);
	if (r->nr_n)
		fnum(f, "runnable_at_visible_share", at_vis);
}

/* Its threads' own time: computing against blocked, the run-queue wait
 * left out (it says how busy the CPUs were, not what the run is). */
static bool own_cpu_share(const struct adv_time *tm, double *share)
{
	if (!tm->from_sched) {
		*share = tm->want; /* R samples: running or runnable */
		return true;
	}
	double own = tm->on + tm->blocked;
	if (own < MIN_OWN_SHARE)
		return false;
	*share = tm->on / own;
	return true;
}

static void find_character(struct advice *a, struct adv_run *r, const struct adv_time *tm)
{
	double cpu;
	if (!tm->known || !long_enough(r) || !own_cpu_share(tm, &cpu))
		return;
	double span_s = (double)run_span_us(r) / 1e6;
	double rd = 0, wr = 0, psi = 0;
	bool have_rd = ctr_rate(r, &r->rd, &rd), have_wr = ctr_rate(r, &r->wr, &wr);
	bool have_psi = ctr_rate(r, &r->psi_io, &psi);
	psi /= 1e6; /* microseconds stalled per second: a share */
	enum advice_kind kind;
	if (cpu >= CPU_BOUND_MIN_SHARE)
		kind = ADV_CPU_BOUND;
	else if (1 - cpu >= WAIT_BOUND_MIN_SHARE)
		kind = (tm->d_of_blocked >= IO_MIN_D_SHARE || (have_psi && psi >= IO_MIN_PSI_SHARE)) ? ADV_IO_BOUND
												     : ADV_WAIT_BOUND;
	else
		kind = ADV_MIXED;
	static const char *const label[] = { [ADV_CPU_BOUND] = "CPU-bound", [ADV_IO_BOUND] = "IO-bound",
					     [ADV_WAIT_BOUND] = "waiting", [ADV_MIXED] = "mixed" };
	char a1[32], a2[32];
	struct sbuf s = { .n = 0 };
	if (tm->working)
		sb_add(&s, "%s: its %zu working thread%s", label[kind], tm->working, tm->working == 1 ? " was" : "s were");
	else
		sb_add(&s, "%s: its threads (none used 1 %% of a CPU) were", label[kind]);
	if (tm->from_sched)
		sb_add(&s, " on a CPU %.0f %% and blocked %.0f %% of %s time%s (waiting for a CPU %.0f %% besides)",
		       100 * tm->on, 100 * tm->blocked, tm->working == 1 ? "its" : "their",
		       tm->working == 1 ? "" : ", each weighted by its time on or waiting for a CPU", 100 * tm->rq);
	else
		sb_add(&s, " runnable in %.0f %% of samples and blocked in %.0f %%", 100 * tm->want, 100 * tm->blocked);
	if (tm->d_of_blocked >= 0 && tm->blocked > 0.05)
		sb_add(&s, "; blocked samples %.0f %% in D (uninterruptible, usually disk IO), %.0f %% sleeping (sockets, pipes, locks, timers)",
		       100 * tm->d_of_blocked, 100 * (1 - tm->d_of_blocked));
	if (r->have_cpu && span_s > 0)
		sb_add(&s, "; CPU time %.2f s in %.2f s (%.2f CPUs busy)", (double)r->cpu_ns / 1e9, span_s,
		       (double)r->cpu_ns / 1e9 / span_s);
	bool any_io = (have_rd && r->rd.rise) || (have_wr && r->wr.rise);
	if ((have_rd || have_wr) && (any_io || kind == ADV_IO_BOUND || kind == ADV_WAIT_BOUND))
		sb_add(&s, "; read %s, wrote %s from storage", bt_fmt_bytes(a1, sizeof a1, (double)r->rd.rise),
		       bt_fmt_bytes(a2, sizeof a2, (double)r->wr.rise));
	if (have_psi)
		sb_add(&s, "; IO pressure %.0f %% of the time", 100 * psi);
	/* Threads held off a CPU keep the others waiting at locks and
	 * barriers: then the sleeping is no sign of waiting work. */
	bool starved = tm->from_sched && tm->rq >= RQ_WAIT_MIN_SHARE && kind != ADV_CPU_BOUND;
	if (starved)
		sb_add(&s, "; with that much waiting for a CPU, part of the sleeping may be on its own threads held off a CPU");
	const char *fix = starved		   ? NULL
			  : kind == ADV_IO_BOUND   ? "faster storage or more IO in flight helps it more than CPUs do"
			  : kind == ADV_WAIT_BOUND ? "waiting work gains from overlapping its waits (threads, async, more connections) more than from CPUs"
						   : NULL;
	struct finding *f = new_finding(r, kind, ADV_INFO, &s, fix);
	fnum(f, "working_threads", (double)tm->working);
	fnum(f, "own_cpu_share", cpu);
	if (tm->from_sched) {
		fnum(f, "on_cpu_share", tm->on);
		fnum(f, "runqueue_wait_share", tm->rq);
	}
	fnum(f, "blocked_share", tm->blocked);
	if (tm->d_of_blocked >= 0)
		fnum(f, "d_state_share_of_blocked", tm->d_of_blocked);
	if (have_rd)
		fnum(f, "read_bytes", (double)r->rd.rise);
	if (have_wr)
		fnum(f, "write_bytes", (double)r->wr.rise);
}

/* Waiting for a CPU it should have had: no more runnable threads than
 * CPUs, no quota throttling it, yet a long run-queue wait. */
static void find_contended(struct advice *a, struct adv_run *r, const struct adv_time *tm)
{
	const char *why;
	double c = run_capacity(a, r, &why);
	if (c <= 0 || !tm->from_sched || tm->rq < RQ_WAIT_MIN_SHARE || r->nr_n < MIN_SAMPLES || !long_enough(r))
		return;
	double med = nr_quantile(r, 0.5);
	uint64_t periods = 0, nthr = 0, thr_ns = 0;
	bool have_ns = false, own = false;
	bool have_thr = run_throttle(r, &periods, &nthr, &thr_ns, &have_ns, &own);
	double thr_share = have_thr && periods ? (double)nthr / (double)periods : 0;
	/* A quota (the run's, or a container's holding it) explains the wait. */
	if (med > c || (periods >= THROTTLE_MIN_PERIODS && thr_share >= CONTENDED_MAX_THROTTLE_SHARE))
		return;
	char cb[32];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "contended: its threads waited for a CPU %.0f %% of their time with %.0f runnable (median) for %s (%s)",
	       100 * tm->rq, med, cpus_text(cb, sizeof cb, c), why);
	if (have_thr && nthr)
		sb_add(&s, " and %sthrottled in only %.0f %% of periods", own ? "benchtop's own cgroup " : "",
		       100 * thr_share);
	sb_add(&s, ": other work held the CPUs, so its times measure that work too");
	struct finding *f = new_finding(r, ADV_CONTENDED, ADV_WARNING, &s,
					"measure on a quieter machine, or give the run CPUs of its own (--cpuset) and keep other work off them");
	fnum(f, "runqueue_wait_share", tm->rq);
	fnum(f, "runnable_median", med);
	fnum(f, "cpus", c);
}

/* The memory limit that binds the run, and its name; 0 when none. */
static uint64_t run_mem_limit(const struct advice *a, const struct adv_run *r, const char **what)
{
	if (r->limits_applied && r->limit_mem) {
		*what = "its limit (--memory)";
		return r->limit_mem;
	}
	*what = "the memory limit benchtop itself runs under";
	return a->mem_limit;
}

static void find_memory(struct advice *a, struct adv_run *r)
{
	const char *what;
	uint64_t lim = run_mem_limit(a, r, &what);
	if (!lim)
		return;
	uint64_t peak;
	const char *kind;
	bool exact = false;
	if (r->have_nonfile) {
		peak = r->nonfile_peak;
		kind = "cgroup memory without file cache";
		exact = true;
	} else if (r->have_cgmem) {
		peak = r->cgmem_peak;
		kind = "cgroup memory, file cache included (the kernel can reclaim that part)";
	} else if (r->have_rss) {
		peak = r->rss_peak;
		kind = "RSS summed over processes (shared pages counted twice)";
	} else {
		return;
	}
	double share = (double)peak / (double)lim;
	if (share < MEM_NEAR_LIMIT_SHARE)
		return;
	char a1[32], a2[32], a3[32], fix[160];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "memory close to %s: peak %s of %s (%.0f %%), %s", what, bt_fmt_bytes(a1, sizeof a1, (double)peak),
	       bt_fmt_bytes(a2, sizeof a2, (double)lim), 100 * share, kind);
	if (exact && r->file_at_nonfile_peak)
		sb_add(&s, "; %s of file cache besides", bt_fmt_bytes(a3, sizeof a3, (double)r->file_at_nonfile_peak));
	snprintf(fix, sizeof fix, "give it more memory than %s (--memory), or lower its working set",
		 bt_fmt_bytes(a1, sizeof a1, (double)peak));
	struct finding *f = new_finding(r, ADV_MEMORY_NEAR_LIMIT, exact ? ADV_WARNING : ADV_INFO, &s, fix);
	fnum(f, "memory_peak_bytes", (double)peak);
	fnum(f, "memory_limit_bytes", (double)lim);
	fnum(f, "share", share);
}

static void find_oom(struct advice *a, struct adv_run *r)
{
	uint64_t kills = r->have_oom ? r->oom_kills : 0;
	if (!kills && !r->oom_killed)
		return;
	if (!kills)
		kills = 1; /* its main process, by RUN_END */
	const char *what;
	uint64_t lim = run_mem_limit(a, r, &what);
	uint64_t peak = r->have_cgmem ? r->cgmem_peak : r->rss_peak;
	char a1[32], a2[32], fix[160];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "the kernel's OOM killer ended %llu process%s of this run%s", (unsigned long long)kills,
	       kills == 1 ? "" : "es", r->oom_killed ? ", its main process among them" : "");
	if (peak && lim)
		sb_add(&s, "; memory peaked at %s of %s", bt_fmt_bytes(a1, sizeof a1, (double)peak),
		       bt_fmt_bytes(a2, sizeof a2, (double)lim));
	else if (peak)
		sb_add(&s, "; memory peaked at %s", bt_fmt_bytes(a1, sizeof a1, (double)peak));
	snprintf(fix, sizeof fix, "%s",
		 lim ? "raise the memory limit (--memory) above what the run needs, or lower its working set"
		     : "the machine ran out of memory: lower the run's working set or run less beside it");
	struct finding *f = new_finding(r, ADV_OOM_KILL, ADV_WARNING, &s, fix);
	fnum(f, "oom_kills", (double)kills);
	if (peak)
		fnum(f, "memory_peak_bytes", (double)peak);
	if (lim)
		fnum(f, "memory_limit_bytes", (double)lim);
}

static void find_major_faults(struct advice *a, struct adv_run *r)
{
	double rate;
	if (!long_enough(r) || !ctr_rate(r, &r->majflt, &rate) || r->majflt.rise < MAJFLT_MIN_COUNT ||
	    rate < MAJFLT_MIN_RATE)
		return;
	double psi = 0;
	bool have_psi = ctr_rate(r, &r->psi_mem, &psi);
	psi /= 1e6;
	struct sbuf s = { .n = 0 };
	sb_add(&s, "heavy page faulting: %llu major faults (%.0f a second), each a wait for a read from disk or swap",
	       (unsigned long long)r->majflt.rise, rate);
	if (have_psi)
		sb_add(&s, "; memory pressure stalled it %.0f %% of the time", 100 * psi);
	/* File cache counts here: under a limit, the pages it reads are
	 * dropped and read again. */
	const char *what;
	uint64_t lim = run_mem_limit(a, r, &what);
	uint64_t peak = r->have_cgmem ? r->cgmem_peak : 0;
	char fix[200], a1[32], a2[32];
	fix[0] = '\0';
	if (lim && peak && (double)peak >= MEM_NEAR_LIMIT_SHARE * (double)lim)
		snprintf(fix, sizeof fix,
			 "raise %s: with its file cache it peaked at %s of %s, so pages it uses are dropped and read again",
			 what, bt_fmt_bytes(a1, sizeof a1, (double)peak), bt_fmt_bytes(a2, sizeof a2, (double)lim));
	struct finding *f = new_finding(r, ADV_MAJOR_FAULTS, ADV_WARNING, &s, fix);
	fnum(f, "major_faults", (double)r->majflt.rise);
	fnum(f, "major_faults_per_s", rate);
	if (have_psi)
		fnum(f, "memory_pressure_share", psi);
}

/* ---- BLAS kernels -------------------------------------------------------- */

/* OpenBLAS's x86-64 cores by the instruction set their kernels use. */
static const struct {
	const char *core;
	int level;
} blas_cores[] = {
	{ "SapphireRapids", 6 }, { "Cooperlake", 6 }, { "SkylakeX", 6 },
	{ "Haswell", 5 },	 { "Zen", 5 },	      { "Excavator", 5 },
	{ "Sandybridge", 4 },	 { "Bulldozer", 4 },  { "Piledriver", 4 }, { "Steamroller", 4 },
	{ "Nehalem", 3 },
	{ "Prescott", 2 },	 { "Core2", 2 },      { "Penryn", 2 },	   { "Dunnington", 2 }, { "Atom", 2 },
	{ "Opteron_SSE3", 2 },	 { "Barcelona", 2 },  { "Nano", 2 },	   { "Bobcat", 2 },
	{ "Katmai", 1 },	 { "Coppermine", 1 }, { "Northwood", 1 },  { "Banias", 1 },	{ "Athlon", 1 },
	{ "Opteron", 1 },
};

/* The best level a CPU's flags allow, best first: every flag listed must
 * be there. The core named is one every OpenBLAS since 0.3.x accepts in
 * OPENBLAS_CORETYPE. */
static const struct {
	int level;
	const char *core, *isa;
	const char *flags[5];
} cpu_levels[] = {
	{ 6, "SkylakeX", "AVX-512", { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" } },
	{ 5, "Haswell", "AVX2", { "avx2", "fma" } },
	{ 4, "Sandybridge", "AVX", { "avx" } },
	{ 3, "Nehalem", "SSE4.2", { "sse4_2" } },
	{ 2, "Prescott", "SSE3", { "pni" } },
};

/* One-thread sgemm 2000x2000 on the machine where benchtop was developed
 * (an AVX-512 Xeon, measured in November 2026). Quoted as such, never as a
 * promise for another machine. */
static const struct {
	const char *core;
	double gflops;
} dev_sgemm[] = { { "Prescott", 29.9 }, { "Haswell", 81.8 }, { "SkylakeX", 159.9 } };

static bool has_word(const char *list, const char *word)
{
	size_t l = strlen(word);
	for (const char *p = list; l && (p = strstr(p, word)); p += l)
		if ((p == list || isspace((unsigned char)p[-1])) && (p[l] == '\0' || isspace((unsigned char)p[l])))
			return true;
	return false;
}

int advice_blas_core_level(const char *core)
{
	for (size_t i = 0; core && i < BT_ARRAY_LEN(blas_cores); i++)
		if (strcasecmp(core, blas_cores[i].core) == 0)
			return blas_cores[i].level;
	return 0;
}

static int cpu_level(const char *flags, const char **core, const char **isa)
{
	for (size_t i = 0; flags && i < BT_ARRAY_LEN(cpu_levels); i++) {
		bool all = true;
		for (size_t j = 0; j < BT_ARRAY_LEN(cpu_levels[i].flags) && cpu_levels[i].flags[j]; j++)
			all = all && has_word(flags, cpu_levels[i].flags[j]);
		if (all) {
			*core = cpu_levels[i].core;
			*isa = cpu_levels[i].isa;
			return cpu_levels[i].level;
		}
	}
	return 0;
}

const char *advice_blas_core_for_flags(const char *flags, const char **isa)
{
	const char *core = NULL, *i = NULL;
	cpu_level(flags, &core, &i);
	if (isa)
		*isa = i;
	return core;
}

static const char *isa_of_level(int level)
{
	for (size_t i = 0; i < BT_ARRAY_LEN(cpu_levels); i++)
		if (cpu_levels[i].level == level)
			return cpu_levels[i].isa;
	return level == 1 ? "SSE2" : "?";
}

static double dev_gflops(const char *core)
{
	for (size_t i = 0; i < BT_ARRAY_LEN(dev_sgemm); i++)
		if (strcasecmp(core, dev_sgemm[i].core) == 0)
			return dev_sgemm[i].gflops;
	return 0;
}

bool advice_cpuinfo_flags(const char *cpuinfo, char *out, size_t size)
{
	static const char *const keys[] = { "flags", "Features" }; /* x86, arm64 */
	for (const char *p = cpuinfo; p && *p;) {
		for (size_t k = 0; k < BT_ARRAY_LEN(keys); k++) {
			size_t l = strlen(keys[k]);
			if (strncmp(p, keys[k], l) != 0 || (p[l] != ' ' && p[l] != '\t' && p[l] != ':'))
				continue;
			const char *q = p + l;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != ':')
				continue;
			q++;
			size_t n = 0;
			for (; *q && *q != '\n'; q++) {
				bool blank = *q == ' ' || *q == '\t';
				if (blank && (n == 0 || out[n - 1] == ' '))
					continue;
				if (n + 1 >= size)
					return false;
				out[n++] = blank ? ' ' : *q;
			}
			while (n && out[n - 1] == ' ')
				n--;
			out[n] = '\0';
			return n > 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static void find_blas(struct advice *a, struct adv_run *r)
{
	int have = advice_blas_core_level(r->blas_core);
	const char *best = NULL, *isa = NULL;
	int can = cpu_level(a->cpu_flags, &best, &isa);
	if (!have || !can || have >= can)
		return;
	char fix[320];
	struct sbuf s = { .n = 0 };
	sb_add(&s, "OpenBLAS runs its %s kernels (%s) on a CPU with %s", r->blas_core, isa_of_level(have), isa);
	double g0 = dev_gflops(r->blas_core), g1 = dev_gflops(best);
	if (g0 > 0 && g1 > 0)
		sb_add(&s, "; on the machine where benchtop was developed (an AVX-512 Xeon), one-thread sgemm 2000x2000 ran at %.1f GFLOP/s with %s kernels and %.1f with %s (%.1f times as fast)",
		       g0, r->blas_core, g1, best, g1 / g0);
	bool dynamic_known = r->blas_config != NULL;
	bool dynamic = dynamic_known && strstr(r->blas_config, "DYNAMIC_ARCH") != NULL;
	if (dynamic)
		snprintf(fix, sizeof fix, "set OPENBLAS_CORETYPE=%s (this OpenBLAS picks its kernels at run time)", best);
	else if (dynamic_known) {
		char target[32];
		size_t i = 0;
		for (; best[i] && i + 1 < sizeof target; i++)
			target[i] = (char)toupper((unsigned char)best[i]); /* make TARGET= spells it so */
		target[i] = '\0';
		snprintf(fix, sizeof fix,
			 "this OpenBLAS was built for %s only (no DYNAMIC_ARCH), so OPENBLAS_CORETYPE cannot change it: rebuild it with TARGET=%s or DYNAMIC_ARCH=1",
			 r->blas_core, target);
	}
	else
		snprintf(fix, sizeof fix, "set OPENBLAS_CORETYPE=%s (it works when OpenBLAS was built with DYNAMIC_ARCH, as Debian's is)",
			 best);
	struct finding *f = new_finding(r, ADV_BLAS_KERNELS, ADV_WARNING, &s, fix);
	fnum(f, "core_level", have);
	fnum(f, "cpu_level", can);
	if (g0 > 0 && g1 > 0)
		fnum(f, "dev_machine_speedup", g1 / g0);
}

/* ---- Findings ------------------------------------------------------------ */

size_t advice_findings(struct advice *a, uint64_t run_id, const struct finding **out)
{
	struct adv_run *r = find_run(a, run_id);
	*out = NULL;
	if (!r)
		return 0;
	clear_findings(r);
	struct adv_time tm;
	time_shares(r, &tm);
	find_oversubscribed(a, r, &tm);
	find_visible_cpus(a, r, &tm);
	find_contended(a, r, &tm);
	find_oom(a, r);
	find_memory(a, r);
	find_major_faults(a, r);
	find_blas(a, r);
	find_character(a, r, &tm);
	/* Warnings first, otherwise in the order found (a stable sort). */
	for (size_t i = 1; i < r->nf; i++)
		for (size_t j = i; j > 0 && r->f[j].severity > r->f[j - 1].severity; j--) {
			struct finding t = r->f[j];
			r->f[j] = r->f[j - 1];
			r->f[j - 1] = t;
		}
	*out = r->nf ? r->f : NULL;
	return r->nf;
}

const char *advice_kind_name(enum advice_kind kind)
{
	static const char *const names[ADV_NKINDS] = {
		[ADV_OVERSUBSCRIBED] = "oversubscribed", [ADV_VISIBLE_CPUS] = "visible_cpus",
		[ADV_CONTENDED] = "contended",
		[ADV_CPU_BOUND] = "cpu_bound",		 [ADV_IO_BOUND] = "io_bound",
		[ADV_WAIT_BOUND] = "wait_bound",	 [ADV_MIXED] = "mixed",
		[ADV_MEMORY_NEAR_LIMIT] = "memory_near_limit", [ADV_OOM_KILL] = "oom_kill",
		[ADV_MAJOR_FAULTS] = "major_faults",	 [ADV_BLAS_KERNELS] = "blas_kernels",
	};
	return (unsigned)kind < ADV_NKINDS ? names[kind] : "unknown";
}

const char *advice_severity_name(enum advice_severity sev)
{
	return sev == ADV_WARNING ? "warning" : "info";
}

/* ---- Output -------------------------------------------------------------- */

void advice_print_run_text(FILE *out, struct advice *a, uint64_t run_id, const char *indent)
{
	const struct finding *f;
	size_t n = advice_findings(a, run_id, &f);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s%-7s %s\n", indent, advice_severity_name(f[i].severity), f[i].text);
		if (f[i].fix)
			fprintf(out, "%s%-7s fix: %s\n", indent, "", f[i].fix);
	}
}

void advice_print_text(FILE *out, struct advice *a)
{
	bool any = false;
	for (size_t i = 0; i < a->nruns; i++) {
		const struct finding *f;
		struct adv_run *r = &a->runs[i];
		if (!advice_findings(a, r->id, &f))
			continue;
		any = true;
		fprintf(out, "run %llu (%s, variant %s):\n", (unsigned long long)r->id, r->workload, r->variant);
		advice_print_run_text(out, a, r->id, "  ");
	}
	if (!any)
		fputs("no findings\n", out);
}

void advice_print_run_json(FILE *out, struct advice *a, uint64_t run_id)
{
	const struct finding *f;
	size_t n = advice_findings(a, run_id, &f);
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s{\"kind\":\"%s\",\"severity\":\"%s\",\"text\":", i ? "," : "", advice_kind_name(f[i].kind),
			advice_severity_name(f[i].severity));
		bt_json_string(out, f[i].text);
		fputs(",\"fix\":", out);
		if (f[i].fix)
			bt_json_string(out, f[i].fix);
		else
			fputs("null", out);
		fputs(",\"numbers\":{", out);
		for (size_t j = 0; j < f[i].nnum; j++)
			fprintf(out, "%s\"%s\":%.10g", j ? "," : "", f[i].num[j].name, f[i].num[j].value);
		fputs("}}", out);
	}
	fputc(']', out);
}

void advice_print_json(FILE *out, struct advice *a)
{
	fputs("{\"runs\":[", out);
	for (size_t i = 0; i < a->nruns; i++) {
		fprintf(out, "%s\n{\"run\":%llu,\"findings\":", i ? "," : "", (unsigned long long)a->runs[i].id);
		advice_print_run_json(out, a, a->runs[i].id);
		fputc('}', out);
	}
	fputs("\n]}\n", out);
}
